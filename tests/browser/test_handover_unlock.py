"""The person cannot lock staff out of their own hand-over (a real browser at tablet size).

Five and more wrong tries at «Ditt passord / Lås opp» only slow the next try (the server
refuses it until a doubling delay has passed, and says how long); the account is never
locked: afterwards the staff member takes the tablet back with their password, signs and
logs out. The server's clock for the counter is moved by the test instead of waiting."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from factories import filled_answers
from kartlegging.access import attempts
from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.models import AuditEvent, User

from .browser_support import PASSWORD, check_page, login, section_url

pytestmark = pytest.mark.browser

BASE = 5  # seconds: the first delay, after HANDOVER_FREE_TRIES wrong tries


@pytest.fixture
def clock(live, monkeypatch):
    live.app.config.update(HANDOVER_FREE_TRIES=3, HANDOVER_DELAY_SECONDS=BASE,
                           HANDOVER_MAX_DELAY_SECONDS=300)
    offset = {"s": 0.0}
    monkeypatch.setattr(attempts, "now_utc", lambda: now_utc() + timedelta(seconds=offset["s"]))
    return offset


def wrong_try(page, n):
    page.get_by_label("Ditt passord").fill(f"gjett-{n}")
    page.get_by_role("button", name="Lås opp").click()
    summary = page.locator("#feiloppsummering")
    expect(summary).to_contain_text("Feil passord.")
    expect(summary).to_contain_text("Nettbrettet er fortsatt overlevert til personen.")
    return summary


def test_wrong_tries_slow_the_unlock_but_never_lock_staff_out(live, page, clock):
    _, aid = live.draft(answers=filled_answers(live.instrument()))
    login(page, live, "kari")
    page.goto(section_url(live, aid, "livskvalitet"))
    page.get_by_role("button", name="Gi nettbrettet til personen").click()
    page.get_by_role("link", name="Start").click()  # the welcome comes first
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 1 av 16")
    page.locator(".lk-btn.lk-5").click()
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 2 av 16")

    # The person tries to end it: three tries, then each further one waits.
    page.get_by_role("link", name="For ansatt: avslutt overleveringen").click()
    for n in (1, 2):
        expect(wrong_try(page, n)).not_to_contain_text("Vent")
    expect(wrong_try(page, 3)).to_contain_text(f"Vent {BASE} sekunder før neste forsøk.")
    # Too early: refused without a check, even with the right password (429, form kept).
    page.get_by_label("Ditt passord").fill(PASSWORD)
    with page.expect_response(re.compile(r"/egenvurdering/avslutt$")) as info:
        page.get_by_role("button", name="Lås opp").click()
    assert info.value.status == 429
    expect(page.locator("#feiloppsummering")).to_contain_text(
        f"For mange feil forsøk. Vent {BASE} sekunder før du prøver igjen.")
    expect(page.get_by_label("Ditt passord")).to_be_visible()
    check_page(page, "handover-unlock-vent")
    for n, wait in ((4, 2 * BASE), (5, 4 * BASE), (6, 8 * BASE)):
        clock["s"] += wait / 2  # past the delay before this try
        expect(wrong_try(page, n)).to_contain_text(f"Vent {wait} sekunder før neste forsøk.")
    # Still the person's mode: staff pages stay fenced.
    page.goto(live(f"/kartlegginger/{aid}"))
    expect(page).to_have_url(re.compile(r"/egenvurdering"))
    with live.db():
        kari = db.session.get(User, live.users["kari"])
        assert kari.locked_until is None and not kari.failed_logins

    # After the delay the staff member takes the tablet back with their own password.
    clock["s"] += 8 * BASE
    page.goto(live("/egenvurdering/ferdig?ansatt=1"))
    page.get_by_label("Ditt passord").fill(PASSWORD)
    page.get_by_role("button", name="Lås opp").click()
    expect(page).to_have_url(section_url(live, aid, "livskvalitet"))
    expect(page.locator(".flash-success")).to_contain_text("Nettbrettet er tilbake i ansattmodus")
    expect(page.get_by_text("Kari Ansatt · Ansatt")).to_be_visible()

    # ... and signs (the password is asked again: the account is not locked) and logs out.
    page.goto(live(f"/kartlegginger/{aid}"))
    page.get_by_role("link", name="Signer", exact=True).click()
    page.get_by_label("Ditt passord").fill(PASSWORD)
    page.get_by_role("button", name="Signer og lås").click()
    expect(page).to_have_url(live(f"/kartlegginger/{aid}"))
    expect(page.locator(".status-pill")).to_contain_text("Signert")
    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(live("/logg-inn"))

    with live.db():
        failed = db.session.query(AuditEvent).filter_by(action="handover_end_failed").count()
        end = db.session.query(AuditEvent).filter_by(action="handover_end").one()
        assert failed == 7  # six wrong, one too early
        assert end.user_id == live.users["kari"] and end.detail.startswith("med eget passord")


def test_a_colleague_takes_the_tablet_back(live, page, clock):
    _, aid = live.draft()
    login(page, live, "kari")
    page.goto(section_url(live, aid, "livskvalitet"))
    page.get_by_role("button", name="Gi nettbrettet til personen").click()
    page.get_by_role("link", name="Start").click()  # the welcome comes first
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 1 av 16")
    page.get_by_role("link", name="For ansatt: avslutt overleveringen").click()
    for n in range(1, 6):
        clock["s"] += 300
        wrong_try(page, n)
    page.get_by_role("link", name="Logg inn på nytt, eller la en kollega i teamet avslutte").click()
    check_page(page, "handover-unlock-kollega")
    clock["s"] += 300  # the delay after the person's tries holds for this form too
    page.get_by_label("Brukernavn").fill("per")
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn og avslutt overleveringen").click()
    expect(page).to_have_url(section_url(live, aid, "livskvalitet"))
    expect(page.get_by_text("Per Ansatt · Ansatt")).to_be_visible()
    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(live("/logg-inn"))
    with live.db():
        end = db.session.query(AuditEvent).filter_by(action="handover_end").one()
        assert end.user_id == live.users["per"] and "kollega" in end.detail
