"""Session expiry on the tablet at a home visit: the page is blanked when the session ends,
the warning tells the truth about what is saved and stays clear of the buttons, «Fortsett å
jobbe» after the server has logged out opens the log-in, warning and log-in dialog never show
together, and «Neste» past expiry loses nothing, even when the log-in page is left."""
import re

import pytest
from playwright.sync_api import expect

from .browser_support import (
    PASSWORD,
    api_login,
    assert_accessible,
    check_page,
    expect_saved,
    login,
    open_section,
    section_url,
    wait_for_db,
)
from .test_autosave import _expire_idle

pytestmark = pytest.mark.browser


def test_page_is_blanked_when_the_session_ends_and_the_warning_tells_the_truth(
        live, context, page):
    live.app.config["IDLE_TIMEOUT_MINUTES"] = 0.1          # 6 s: warning after 4.8 s
    _, aid = live.draft(name="Synne Skjermet")
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    page.wait_for_load_state("networkidle")
    context.set_offline(True)
    page.locator("#hva_er_viktig").fill("Skrevet rett før pausen")
    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("1 svar er ikke lagret ennå")
    expect(warning).not_to_contain_text("Svarene dine er lagret")
    box, bar = warning.bounding_box(), page.locator(".form-actions").bounding_box()
    assert box["y"] + box["height"] <= bar["y"], (box, bar)   # the buttons stay free
    # The session ends: nothing of the person stays on the screen, only the log-in.
    dialog = page.locator("#relogin")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(page.locator("#innhold")).to_be_hidden()
    expect(page.get_by_text("Synne Skjermet")).to_be_hidden()
    expect(warning).to_be_hidden()
    assert_accessible(page)
    check_page(page, "60-okt-utlopt-skjult", axe=False)
    context.set_offline(False)
    live.app.config["IDLE_TIMEOUT_MINUTES"] = 15
    expect(dialog.get_by_label("Brukernavn")).to_have_value("kari")
    dialog.get_by_label("Passord").fill(PASSWORD)
    dialog.get_by_role("button", name="Logg inn og lagre").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#innhold")).to_be_visible()
    expect_saved(page)
    assert live.answers(aid) == {"hva_er_viktig": "Skrevet rett før pausen"}


def test_warning_says_saved_only_when_everything_is(live, context, page):
    live.app.config["IDLE_TIMEOUT_MINUTES"] = 0.1
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    page.locator("#hva_er_viktig").fill("Lagret før varselet")
    expect_saved(page)
    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("Svarene dine er lagret.")
    warning.get_by_role("button", name="Fortsett å jobbe").click()
    expect(warning).to_be_hidden()
    expect(page.locator("#relogin")).to_have_count(0)


def test_stay_button_after_the_server_logged_out_opens_the_login(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    page.wait_for_load_state("networkidle")
    _expire_idle(context, live)
    page.evaluate("() => { document.getElementById('idle-warning').hidden = false; }")
    page.get_by_role("button", name="Fortsett å jobbe").click()
    expect(page.locator("#relogin")).to_be_visible()
    expect(page.locator("#idle-warning")).to_be_hidden()     # never both at once
    expect(page.locator("#innhold")).to_be_hidden()
    dialog = page.locator("#relogin")
    expect(dialog.get_by_label("Brukernavn")).to_have_value("kari")
    dialog.get_by_label("Passord").fill(PASSWORD)
    dialog.get_by_role("button", name="Logg inn og lagre").click()
    expect(page.locator("#innhold")).to_be_visible()
    page.locator("#hva_er_viktig").fill("Videre etter ny innlogging")
    wait_for_db(live, aid, lambda a: a.get("hva_er_viktig") == "Videre etter ny innlogging")


def test_next_past_expiry_loses_nothing_even_if_the_login_page_is_left(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig", autosave_ms=5000)
    page.wait_for_load_state("networkidle")
    _expire_idle(context, live)
    page.locator("#hva_er_viktig").fill("Skrevet før Neste")
    page.wait_for_function("() => Object.keys(localStorage).length === 1")
    page.get_by_role("button", name="Neste →").click()
    expect(page.locator("h1")).to_have_text("Logg inn")        # the server's log-in page
    # Leave it without logging in there; log in later from the start page.
    page.goto(live("/logg-inn"))
    login(page, live, "kari")
    banner = page.locator("#ulagret")
    expect(banner).to_be_visible()
    banner.get_by_role("link").click()
    expect(page).to_have_url(section_url(live, aid, "viktig"))
    expect(page.locator("#hva_er_viktig")).to_have_value("Skrevet før Neste")
    wait_for_db(live, aid, lambda a: a.get("hva_er_viktig") == "Skrevet før Neste")


def test_next_past_expiry_then_login_saves_without_an_extra_screen(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig", autosave_ms=5000)
    page.wait_for_load_state("networkidle")
    _expire_idle(context, live)
    page.locator("#hva_er_viktig").fill("Lagres etter innlogging")
    page.get_by_role("button", name="Neste →").click()
    expect(page.locator("h1")).to_have_text("Logg inn")
    page.get_by_label("Brukernavn", exact=True).fill("kari")
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    expect(page).to_have_url(re.compile(section_url(live, aid, "familie") + "$"))
    assert live.answers(aid) == {"hva_er_viktig": "Lagres etter innlogging"}
    page.wait_for_function("() => Object.keys(localStorage).length === 0")


def test_relogin_works_on_the_first_try_when_the_page_ended_the_session_itself(
        live, context, page):
    """The page's own idle clock opens the dialog while the server has not yet ended the
    session: the dialog's token must still be fresh, and the first try must log in."""
    live.app.config["IDLE_TIMEOUT_MINUTES"] = 0.1          # 6 s
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig", autosave_ms=60_000)   # kept in the page
    page.wait_for_load_state("networkidle")
    page.locator("#hva_er_viktig").fill("Skrevet før økten gikk ut")
    dialog = page.locator("#relogin")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(page.locator("#relogin-pass")).to_be_focused()      # nobody was typing
    page.wait_for_timeout(500)                 # the dialog's token request is answered
    live.app.config["IDLE_TIMEOUT_MINUTES"] = 15
    dialog.get_by_label("Passord").fill(PASSWORD)
    dialog.get_by_role("button", name="Logg inn og lagre").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#relogin-msg")).to_have_count(0)
    expect_saved(page)
    assert live.answers(aid) == {"hva_er_viktig": "Skrevet før økten gikk ut"}


def test_typing_while_the_dialog_opens_never_reaches_the_credentials(live, context, page):
    """Keys typed as the dialog opens belong to the answer: they never land in «Brukernavn»
    or «Passord»; the person taps the password field, logs in, and what was typed is saved."""
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    page.wait_for_load_state("networkidle")
    _expire_idle(context, live)
    page.locator("#hva_er_viktig").click()
    typed = "Vil ha hjelp med bolig og økonomi, og mer tid med datteren"
    dialog = page.locator("#relogin")
    opened_at = None
    for i, ch in enumerate(typed):
        page.keyboard.type(ch)
        page.wait_for_timeout(40)
        if opened_at is None and dialog.count():
            opened_at = i
    assert opened_at is not None and opened_at < len(typed) - 10, opened_at
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Brukernavn")).to_have_value("kari")
    expect(dialog.get_by_label("Passord")).to_have_value("")
    focused = page.evaluate("() => document.activeElement.id")
    assert focused not in ("relogin-user", "relogin-pass"), focused
    expect(page.locator("#relogin-hint")).to_be_visible()
    assert_accessible(page)
    dialog.get_by_label("Passord").click()
    page.keyboard.type(PASSWORD)
    dialog.get_by_role("button", name="Logg inn og lagre").click()
    expect(dialog).to_have_count(0)
    expect_saved(page)
    saved = live.answers(aid)["hva_er_viktig"]
    assert typed.startswith(saved) and len(saved) >= opened_at, (saved, opened_at)
    assert page.locator("#hva_er_viktig").input_value().strip() == saved
