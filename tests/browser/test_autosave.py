"""Autosave in the browser: saving by itself, offline and back, an expired session (re-login over
the form), two tabs on one draft (conflict, never a silent overwrite), and «Lagre»/«Neste»
pressed while an autosave is still on its way."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from .browser_support import (
    PASSWORD,
    RETRYING,
    api_login,
    assert_accessible,
    check_page,
    expect_saved,
    item_block,
    open_section,
    section_url,
    wait_for_db,
    wait_settled,
)

pytestmark = pytest.mark.browser


def test_autosave_saves_by_itself_and_applies_conditions(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "familie", autosave_ms=None)   # the real throttle (300 ms)
    status = page.locator("#save-status")
    expect(status).to_have_text("")

    page.locator("#nettverk").fill("Søsteren Eva – æøå")
    expect(status).to_have_text(re.compile(r"Ikke lagret ennå …|Lagrer …|Lagret kl"))
    expect_saved(page, timeout=2000)
    assert live.answers(aid) == {"nettverk": "Søsteren Eva – æøå"}
    page.evaluate("() => { window.kartleggingForm.delay = 200; }")

    # A radio answer shows the follow-up questions at once, and everything is saved.
    barn = item_block(page, "barn_antall_mindreaarige")
    expect(barn).to_be_hidden()
    page.locator('input[name="har_barn"][value="ja"]').check()
    expect(barn).to_be_visible()
    page.locator("#barn_antall_mindreaarige").fill("2")
    page.locator('input[name="sivilstand"][value="samboer"]').check()
    answers = wait_for_db(live, aid, lambda a: a.get("barn_antall_mindreaarige") == 2
                          and a.get("sivilstand") == "samboer")
    assert answers == {"nettverk": "Søsteren Eva – æøå", "har_barn": "ja",
                       "barn_antall_mindreaarige": 2, "sivilstand": "samboer"}
    expect_saved(page)

    # «Nei» hides them again: the hidden answer leaves the answers (it is set aside).
    page.locator('input[name="har_barn"][value="nei"]').check()
    expect(barn).to_be_hidden()
    answers = wait_for_db(live, aid, lambda a: a.get("har_barn") == "nei")
    assert "barn_antall_mindreaarige" not in answers

    # A value the server refuses is shown at the field, not silently dropped.
    page.locator('input[name="har_barn"][value="ja"]').check()
    page.locator("#barn_antall_mindreaarige").fill("99")
    expect(status).to_have_text("Ikke lagret – rett feltene som er merket")
    error = page.locator("#barn_antall_mindreaarige-livefeil")
    expect(error).to_have_text("Skriv et tall fra 0 til 20.")
    expect(page.locator("#barn_antall_mindreaarige")).to_have_attribute(
        "aria-describedby", "barn_antall_mindreaarige-livefeil")
    assert_accessible(page)
    page.locator("#barn_antall_mindreaarige").fill("3")
    expect_saved(page)
    expect(error).to_have_count(0)
    assert live.answers(aid)["barn_antall_mindreaarige"] == 3


def test_offline_keeps_answers_and_saves_when_back(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    field = page.locator("#hva_er_viktig")
    field.fill("Å få egen leilighet")
    expect_saved(page)
    assert live.answers(aid) == {"hva_er_viktig": "Å få egen leilighet"}

    context.set_offline(True)
    field.press("End")
    field.press_sequentially(" og jobb", delay=20)
    expect(page.locator("#save-status")).to_have_text(RETRYING)
    check_page(page, "20-frakoblet")          # the status is visible and announced politely
    assert live.answers(aid) == {"hva_er_viktig": "Å få egen leilighet"}
    # Still offline: a retry fails again and keeps the answer in the page.
    page.wait_for_timeout(1500)
    expect(page.locator("#save-status")).to_have_text(RETRYING)
    expect(field).to_have_value("Å få egen leilighet og jobb")

    context.set_offline(False)                 # nothing else: the page must save by itself
    expect_saved(page)
    answers = wait_for_db(live, aid, lambda a: a["hva_er_viktig"].endswith("og jobb"))
    assert answers == {"hva_er_viktig": "Å få egen leilighet og jobb"}


def test_next_pressed_offline_stays_on_the_page(live, context, page):
    """Pressing "Neste" without network must not navigate to the browser's error page."""
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    url = page.url
    context.set_offline(True)
    page.locator("#hva_er_viktig").fill("Skrevet før tunnelen")
    page.get_by_role("button", name="Neste →").click()
    expect(page.locator("#save-status")).to_contain_text("Uten nett")
    assert page.url == url
    expect(page.locator("#hva_er_viktig")).to_have_value("Skrevet før tunnelen")
    context.set_offline(False)
    wait_for_db(live, aid, lambda a: a.get("hva_er_viktig") == "Skrevet før tunnelen")


def test_back_online_saves_at_once_even_after_long_backoff(live, context, page):
    """After a long time offline the back-off is up to 32 s; the 'online' event must not wait."""
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    context.set_offline(True)
    page.locator("#hva_er_viktig").fill("Skrevet uten nett")
    expect(page.locator("#save-status")).to_have_text(RETRYING)
    # Pretend many retries have failed already: the next timed retry is far away.
    page.evaluate("""() => { const f = window.kartleggingForm; clearTimeout(f.timer);
                             f.retry = 6; f.timer = setTimeout(() => f.save(), 32000); }""")
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect_saved(page, timeout=5000)
    assert live.answers(aid) == {"hva_er_viktig": "Skrevet uten nett"}


def _expire_idle(context, live):
    """Makes the server see the session as idle for two hours (the real idle time-out path)."""
    serializer = live.app.session_interface.get_signing_serializer(live.app)
    cookies = [c for c in context.cookies() if c["name"] == live.app.config["SESSION_COOKIE_NAME"]]
    assert len(cookies) == 1
    cookie = cookies[0]
    data = serializer.loads(cookie["value"])
    data["last_seen"] = (datetime.now(UTC) - timedelta(hours=2)).timestamp()
    cookie["value"] = serializer.dumps(data)
    context.add_cookies([cookie])


def _relogin_and_save(page, live, aid, expected):
    dialog = page.locator("#relogin")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("role", "dialog")
    expect(page.locator("#save-status")).to_have_text("Ikke lagret – logg inn igjen")
    # The user name is this page's, filled in and read-only; focus is on the password.
    expect(dialog.get_by_label("Brukernavn")).to_have_value("kari")
    expect(dialog.get_by_label("Brukernavn")).not_to_be_editable()
    expect(page.locator("#relogin-pass")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#relogin-user")).to_be_focused()
    page.keyboard.press("Shift+Tab")           # focus stays inside the modal dialog
    expect(dialog.get_by_role("button", name="Logg inn og lagre")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#relogin-user")).to_be_focused()
    assert_accessible(page)
    check_page(page, "21-logg-inn-igjen", axe=False)
    # A wrong password keeps the dialog and says why.
    dialog.get_by_label("Passord").fill("feil-passord")
    dialog.get_by_role("button", name="Logg inn og lagre").click()
    expect(page.locator("#relogin-msg")).to_have_text("Feil brukernavn eller passord.")
    assert live.answers(aid) != expected
    dialog.get_by_label("Passord").fill(PASSWORD)
    dialog.get_by_role("button", name="Logg inn og lagre").click()
    expect(dialog).to_have_count(0)
    expect_saved(page)
    assert live.answers(aid) == expected
    # The page goes on working in the new session: the next change saves normally.
    page.locator("#hva_er_viktig").fill("Etter ny innlogging")
    answers = wait_for_db(live, aid, lambda a: a.get("hva_er_viktig") == "Etter ny innlogging")
    assert answers == {"hva_er_viktig": "Etter ny innlogging"}
    expect_saved(page)


def test_idle_timeout_relogin_dialog_then_saves(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    page.wait_for_load_state("networkidle")   # a late reply (favicon) would renew the cookie
    _expire_idle(context, live)
    page.locator("#hva_er_viktig").fill("Skrevet etter pausen")
    _relogin_and_save(page, live, aid, {"hva_er_viktig": "Skrevet etter pausen"})


def test_lost_session_cookie_relogin_dialog_then_saves(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    page.wait_for_load_state("networkidle")   # a late reply (favicon) would set the cookie again
    context.clear_cookies()
    page.locator("#hva_er_viktig").fill("Skrevet etter at økten forsvant")
    _relogin_and_save(page, live, aid, {"hva_er_viktig": "Skrevet etter at økten forsvant"})


def test_two_tabs_conflict_is_never_silent(live, context):
    _, aid = live.draft()
    api_login(context, live, "kari")
    tab_a, tab_b = context.new_page(), context.new_page()
    open_section(tab_a, live, aid, "viktig")
    open_section(tab_b, live, aid, "viktig")

    tab_a.locator("#hva_er_viktig").fill("Svar fra fane A")
    expect_saved(tab_a)
    assert live.answers(aid) == {"hva_er_viktig": "Svar fra fane A"}

    tab_b.locator("#hva_er_viktig").fill("Svar fra fane B")
    banner = tab_b.locator("#konflikt-live")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("role", "alert")
    expect(tab_b.locator("#save-status")).to_have_text("Ikke lagret – konflikt")
    check_page(tab_b, "22-konflikt")
    # B keeps typing: still nothing saved over A's answer while B has not chosen.
    tab_b.locator("#hva_er_viktig").fill("Svar fra fane B, endret")
    tab_b.wait_for_timeout(800)
    assert live.answers(aid) == {"hva_er_viktig": "Svar fra fane A"}
    expect(tab_b.locator("#save-status")).to_have_text("Ikke lagret – konflikt")

    banner.get_by_role("button", name="Lagre mine svar over de andre").click()
    expect_saved(tab_b)
    expect(banner).to_have_count(0)
    assert live.answers(aid) == {"hva_er_viktig": "Svar fra fane B, endret"}

    # A now has an old version: A's next change gets the banner, and choosing to see the saved
    # answers reloads them.
    tab_a.locator("#hva_er_viktig").fill("A igjen")
    expect(tab_a.locator("#konflikt-live")).to_be_visible()
    tab_a.get_by_role("button", name=re.compile("Vis de lagrede svarene")).click()
    expect(tab_a.locator("#hva_er_viktig")).to_have_value("Svar fra fane B, endret")
    assert live.answers(aid) == {"hva_er_viktig": "Svar fra fane B, endret"}


def test_the_menu_follows_other_sections_and_catches_up_after_a_conflict(live, context):
    """A save lists the sections its answers open (the reply counts only the sections the save
    can change); keeping one's own answers after a conflict brings every section's counts, so
    the menu shows what the other tab changed elsewhere."""
    _, aid = live.draft()
    api_login(context, live, "kari")
    tab_a, tab_b = context.new_page(), context.new_page()
    open_section(tab_a, live, aid, "viktig")
    open_section(tab_b, live, aid, "familie")

    def entry(tab, section_id):
        return tab.locator(f'nav.sections li[data-section="{section_id}"]')
    for tab in (tab_a, tab_b):
        expect(entry(tab, "innvandrer")).to_have_js_property("hidden", True)
    tab_b.locator('input[name="innvandrer_relevant"][value="ja"]').check()
    expect_saved(tab_b)
    expect(entry(tab_b, "innvandrer")).to_have_js_property("hidden", False)
    expect(entry(tab_b, "familie").locator(".count")).to_contain_text("1/")
    expect(entry(tab_b, "bolig")).to_have_js_property("hidden", False)

    tab_a.locator("#hva_er_viktig").fill("Svar fra fane A")
    banner = tab_a.locator("#konflikt-live")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Lagre mine svar over de andre").click()
    expect_saved(tab_a)
    expect(entry(tab_a, "innvandrer")).to_have_js_property("hidden", False)
    expect(entry(tab_a, "familie").locator(".count")).to_contain_text("1/")


@pytest.mark.parametrize("button", ["Lagre", "Neste →"])
def test_submit_while_autosave_is_on_its_way(live, context, page, button):
    """«Lagre»/«Neste» pressed while the autosave's reply is late must not conflict with itself."""
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    live.slow["assessments.autosave"] = 1.5
    page.locator("#hva_er_viktig").fill("Første versjon")
    expect(page.locator("#save-status")).to_have_text("Lagrer …")   # the request is out
    page.locator("#hva_er_viktig").fill("Andre versjon")
    page.get_by_role("button", name=button, exact=True).click()
    target = "viktig" if button == "Lagre" else "familie"
    expect(page).to_have_url(section_url(live, aid, target), timeout=10_000)
    expect(page.locator(".flash-success")).to_contain_text(re.compile(r"Lagret kl\. \d\d:\d\d"))
    expect(page.locator("#konflikt")).to_have_count(0)
    assert live.answers(aid) == {"hva_er_viktig": "Andre versjon"}


def test_late_reply_never_hides_what_a_newer_answer_showed(live, context, page):
    """A save's reply carries the visibility of the answers it sent. An answer given while it
    was on its way (here «Har barn: ja») has shown its follow-up question already; the late
    reply must not hide it again under the user's finger (found by the keyboard test on CI)."""
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "familie")
    barn = item_block(page, "barn_antall_mindreaarige")
    v0 = int(page.locator("#version").input_value())
    live.slow["assessments.autosave"] = 1.0
    page.locator("#nettverk").fill("Søsteren Eva")
    expect(page.locator("#save-status")).to_have_text("Lagrer …")   # sent without har_barn
    page.locator('input[name="har_barn"][value="ja"]').check()
    expect(barn).to_be_visible()
    page.locator("#barn_antall_mindreaarige").focus()
    # The first reply (har_barn unanswered: hidden) arrives; the question stays, focus too.
    page.wait_for_function("v => Number(document.getElementById('version').value) > v", arg=v0)
    expect(barn).to_be_visible()
    expect(page.locator("#barn_antall_mindreaarige")).to_be_focused()
    live.slow.clear()
    page.keyboard.type("2")
    expect_saved(page)
    wait_settled(page)
    expect(barn).to_be_visible()
    assert live.answers(aid) == {"nettverk": "Søsteren Eva", "har_barn": "ja",
                                 "barn_antall_mindreaarige": 2}


def test_open_section_in_other_tab_during_handover_goes_to_the_rating(live, context):
    """A staff tab left open during the hand-over cannot save or show the kartlegging: it
    leaves the page by itself as soon as the hand-over starts (the person holds the tablet now), and a save from it
    would be refused by the server's fence."""
    _, aid = live.draft()
    api_login(context, live, "kari")
    staff_tab, tablet = context.new_page(), context.new_page()
    open_section(staff_tab, live, aid, "viktig")
    open_section(tablet, live, aid, "livskvalitet")
    tablet.get_by_role("button", name="Gi nettbrettet til personen").click()
    tablet.get_by_role("link", name="Start").click()  # the welcome comes first
    expect(tablet.locator(".progress-text")).to_have_text("Spørsmål 1 av 16")

    expect(staff_tab).to_have_url(re.compile(r"/egenvurdering"))
    expect(staff_tab.locator("#hva_er_viktig")).to_have_count(0)
    expect(staff_tab.locator(".progress-text")).to_have_text("Spørsmål 1 av 16")
    assert live.answers(aid) == {}


def test_parorende_notice_follows_its_items_live(live, context, page):
    """The consent notice stands beside the pårørende items and shows only with them."""
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "familie")
    notice = page.locator("#parorende-varsel")
    expect(notice).to_be_hidden()
    page.locator('input[name="parorende_har"][value="ja"]').check()
    expect(notice).to_be_visible()
    expect(page.locator('.item[data-item="parorende"]')).to_be_visible()
    page.locator('input[name="parorende_har"][value="nei"]').check()
    expect(notice).to_be_hidden()


def test_set_aside_notice_stands_next_to_the_item_that_caused_it(live, context, page):
    """«Nei» to a gate question far down the section: the notice «N svar … lagt til side» and
    its «Angre» appear right under that question (not at the top of the section), in a polite
    live region so screen readers announce it."""
    _, aid = live.draft(answers={"har_barn": "ja", "barn_antall_mindreaarige": 2,
                                 "parorende_har": "ja"})
    api_login(context, live, "kari")
    open_section(page, live, aid, "familie")
    parorende = page.locator('.item[data-item="parorende"]')
    expect(parorende).to_be_visible()
    page.locator("#parorende").fill("Mor, ringer hver søndag")
    expect_saved(page)
    gate = page.locator('.item[data-item="parorende_har"]')
    gate.locator('input[value="nei"]').scroll_into_view_if_needed()
    top = page.locator("h1").bounding_box()
    gate_box = gate.bounding_box()
    assert gate_box["y"] - top["y"] > 700, (gate_box, top)   # far below the top
    gate.locator('input[value="nei"]').check()
    note = page.locator("#aside-note")
    expect(note).to_contain_text("1 svar gjelder ikke ut fra svaret du ga, og er lagt til side")
    expect(note).to_have_attribute("aria-live", "polite")
    expect(note).to_have_attribute("role", "status")
    box = note.bounding_box()
    gate_box = gate.bounding_box()
    assert 0 <= box["y"] - (gate_box["y"] + gate_box["height"]) < 60, (box, gate_box)
    assert note.is_visible() and box["y"] >= 0 and box["y"] < page.viewport_size["height"]
    expect(note.get_by_role("button", name="Angre")).to_be_in_viewport()
    wait_for_db(live, aid, lambda a: a.get("parorende_har") == "nei" and "parorende" not in a)
    assert_accessible(page)
    note.get_by_role("button", name="Angre").click()
    expect(page.locator("#parorende")).to_have_value("Mor, ringer hver søndag")
    wait_for_db(live, aid, lambda a: a.get("parorende") == "Mor, ringer hver søndag")

    # A gate near the top: the notice follows to the item tapped now.
    page.locator('.item[data-item="har_barn"] input[value="nei"]').check()
    expect(note).to_contain_text("1 svar gjelder ikke")
    barn = page.locator('.item[data-item="har_barn"]').bounding_box()
    box = note.bounding_box()
    assert 0 <= box["y"] - (barn["y"] + barn["height"]) < 60, (box, barn)
