"""AUDIT-C filled by the person on the tablet (a real browser at tablet size): staff start the
form from the person page and hand the tablet over from its overview; the person sees the
welcome and one question a page behind the fence, taps their answers (one «Vil ikke svare»);
staff take the tablet back with their password and find the answers in the draft, with the sum
and what it suggests, ready to sign."""
import re

import pytest
from playwright.sync_api import expect

from kartlegging.extensions import db
from kartlegging.models import Assessment

from .browser_support import PASSWORD, check_page, login

pytestmark = pytest.mark.browser


def test_the_person_fills_audit_c_on_the_tablet(live, page):
    person_id, _ = live.draft(name="Tone Tablett")
    login(page, live, "kari")
    page.goto(live(f"/personer/{person_id}"))
    page.locator("#skjema-audit-c").get_by_role("button", name=re.compile("^Start")).click()
    expect(page).to_have_url(re.compile(r"/kartlegginger/\d+/del/forbruk$"))
    aid = int(re.search(r"/kartlegginger/(\d+)/", page.url).group(1))
    page.goto(live(f"/kartlegginger/{aid}"))
    page.get_by_role("button", name="Gi nettbrettet til personen").click()

    expect(page.get_by_role("heading", name="Spørsmål om alkohol")).to_be_visible()
    expect(page.get_by_text("Det er 4 spørsmål.")).to_be_visible()
    page.get_by_role("link", name="Start").click()
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 1 av 4")
    expect(page.get_by_role("heading", name="Hvor ofte drikker du alkohol?")).to_be_visible()
    expect(page.get_by_text("Tone Tablett")).to_have_count(0)
    check_page(page, "selvrapport-audit-c")
    page.get_by_role("button", name="To til fire ganger i måneden").click()
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 2 av 4")
    page.get_by_role("button", name="Vil ikke svare").click()
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 3 av 4")
    page.get_by_role("button", name="Hver måned").click()
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 4 av 4")
    page.get_by_role("button", name="Mann").click()
    expect(page.get_by_role("heading", name="Takk! Gi nettbrettet tilbake.")).to_be_visible()
    # still the person's mode: the form's own staff pages are fenced
    page.goto(live(f"/kartlegginger/{aid}"))
    expect(page).to_have_url(re.compile(r"/egenvurdering"))

    page.goto(live("/egenvurdering/ferdig?ansatt=1"))
    page.get_by_label("Ditt passord").fill(PASSWORD)
    page.get_by_role("button", name="Lås opp").click()
    expect(page).to_have_url(re.compile(rf"/kartlegginger/{aid}/del/forbruk$"))
    expect(page.locator(".flash-success")).to_contain_text("Nettbrettet er tilbake i ansattmodus")
    page.goto(live(f"/kartlegginger/{aid}"))
    expect(page.locator("#skaar-h")).to_be_visible()
    expect(page.get_by_text("Ikke beregnet: 2 av 3 besvart, alle trengs")).to_be_visible()
    with live.db():
        a = db.session.get(Assessment, aid)
        assert (a.instrument_key, a.status) == ("audit-c", "draft")
        assert a.answers == {"alkohol_hvor_ofte": "2_4_i_maaneden",
                             "alkohol_enheter": "vil_ikke_svare",
                             "alkohol_seks_eller_mer": "maanedlig", "kjonn": "mann"}
