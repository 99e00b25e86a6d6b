"""Keyboard-only use, announced and linked errors, the landscape tablet (1024×768), and the live
prompts in «Vurdering». Every page here also passes axe (no serious or critical findings)."""
import re

import pytest
from playwright.sync_api import expect

from kartlegging.domain.instrument_facts import LIVSKVALITET
from kartlegging.domain.rules import evaluate
from kartlegging.extensions import db
from kartlegging.models import Assessment

from .browser_support import (
    LANDSCAPE,
    PASSWORD,
    api_login,
    check_page,
    expect_saved,
    open_section,
    section_url,
    wait_settled,
)

pytestmark = pytest.mark.browser

FOCUSED = "() => { const e = document.activeElement; return e ? e.outerHTML.slice(0, 120) : ''; }"


def tab_to(page, selector: str, max_tabs: int = 40) -> int:
    """Presses Tab until `selector` has focus; returns how many presses it took."""
    target = page.locator(selector)
    for n in range(1, max_tabs + 1):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return n
    raise AssertionError(f"{selector} fikk ikke fokus med Tab; fokus er på {page.evaluate(FOCUSED)}")


def assert_focus_visible(page):
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), f"fokus vises ikke: {page.evaluate(FOCUSED)}"


def start_handover(page, live, aid):
    open_section(page, live, aid, "livskvalitet")
    page.get_by_role("button", name="Gi nettbrettet til personen").click()
    page.get_by_role("link", name="Start").click()  # the welcome comes first
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 1 av 16")


def test_handover_with_keyboard_only(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    start_handover(page, live, aid)

    # Enter on the first scale button answers question 1.
    presses = tab_to(page, 'button[name="svar"][value="1"]')
    assert presses <= 2, "den første knappen skal nås rett etter «Hopp til innholdet»"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 2 av 16")

    # Space works as well, and «Vil ikke svare» is reachable.
    tab_to(page, 'button[name="svar"][value="1"]')
    page.keyboard.press(" ")
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 3 av 16")
    tab_to(page, 'button[name="svar"][value="vil_ikke_svare"]')
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 4 av 16")

    # Back to question 3: the chosen answer is shown as pressed.
    tab_to(page, 'button[name="tilbake"]')
    page.keyboard.press("Enter")
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 3 av 16")
    expect(page.locator('button[name="svar"][value="vil_ikke_svare"]')).to_have_attribute(
        "aria-pressed", "true")
    expect(page.locator('button[name="svar"][value="1"]')).to_have_attribute(
        "aria-pressed", "false")
    check_page(page, "30-egenvurdering-valgt")

    with live.db():
        rating = db.session.query(Assessment).filter_by(
            parent_id=aid, instrument_key=LIVSKVALITET).one()
        assert rating.answers == {"liv_helhet": 1, "arbeid": 1, "okonomi": "vil_ikke_svare"}
        assert rating.completed_at is None

    # Unlock by keyboard too: the password field, then Enter.
    page.goto(live("/egenvurdering/ferdig"))
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(section_url(live, aid, "livskvalitet"))


def test_section_form_with_keyboard_only(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "familie")
    # The skip link is first and moves focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hopp til innholdet")).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#innhold")).to_be_focused()

    tab_to(page, 'input[name="sivilstand"][value="ugift"]')
    assert_focus_visible(page)
    page.keyboard.press("ArrowDown")                   # radio group: arrows choose
    expect(page.locator('input[name="sivilstand"][value="gift"]')).to_be_checked()
    # The comment is behind a <summary>: Enter opens it, then type into it.
    tab_to(page, '.item[data-item="sivilstand"] summary')
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#sivilstand__kommentar")).to_be_focused()
    page.keyboard.type("Gift i fjor")
    tab_to(page, 'input[name="har_barn"][value="ja"]')
    page.keyboard.press(" ")
    expect(page.locator('.item[data-item="barn_antall_mindreaarige"]')).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#barn_antall_mindreaarige")).to_be_focused()  # next in order
    page.keyboard.type("2")
    expect_saved(page)
    wanted = {"sivilstand": "gift", "sivilstand__kommentar": "Gift i fjor", "har_barn": "ja",
              "barn_antall_mindreaarige": 2}
    wait_settled(page)
    assert live.answers(aid) == wanted


def test_errors_are_announced_and_linked(live, context, page):
    """With JavaScript: the error summary gets focus, and its links lead to the fields."""
    _, aid = live.draft()
    # The log-in page: empty fields.
    page.goto(live("/logg-inn"))
    page.get_by_role("button", name="Logg inn").click()
    summary = page.locator("#feiloppsummering")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    check_page(page, "31-logg-inn-feil")
    summary.get_by_role("link", name=re.compile("Passord")).click()
    expect(page.locator("#password")).to_be_focused()
    expect(page.locator("#password")).to_have_attribute("aria-describedby", "password-feil")

    # A section with a value out of range, submitted with «Lagre».
    api_login(context, live, "kari")
    # The plain POST's error page is what is tested here: no autosave (with its live error and
    # a status line that changes under the finger) before «Lagre» is pressed.
    open_section(page, live, aid, "okonomi", autosave_ms=10_000)
    page.locator('input[name="gjeld"][value="ja"]').check()
    page.locator("#gjeld_belop").fill("-5")
    page.get_by_role("button", name="Lagre", exact=True).click()
    summary = page.locator("#feiloppsummering")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    check_page(page, "32-del-feil")
    summary.get_by_role("link", name=re.compile("Omtrentlig gjeld")).click()
    expect(page.locator("#gjeld_belop")).to_be_focused()
    expect(page.locator("#gjeld_belop")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#gjeld_belop-feil")).to_have_text("Skriv et tall på minst 0.")

    # Registering a person with an invalid number.
    page.goto(live("/personer/ny"))
    page.get_by_label("Fullt navn").fill("Feil Nummer")
    page.get_by_label("Fødselsnummer eller D-nummer").fill("01018012345")
    page.get_by_role("button", name="Registrer", exact=True).click()
    summary = page.locator("#feiloppsummering")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link")
    expect(link).to_have_attribute("href", "#national_id")
    check_page(page, "33-ny-person-feil")
    link.click()
    expect(page.locator("#national_id")).to_be_focused()


def test_landscape_tablet(live, new_context):
    """1024×768: the section menu sits beside the form, the 7 rating buttons in one row."""
    context = new_context(viewport=LANDSCAPE)
    page = context.new_page()
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "vurdering")
    nav = page.locator("nav.sections").bounding_box()
    panel = page.locator(".panel").bounding_box()
    assert nav["x"] + nav["width"] <= panel["x"], (nav, panel)
    check_page(page, "40-del-vurdering")
    page.goto(live(f"/kartlegginger/{aid}"))
    check_page(page, "41-oversikt")

    start_handover(page, live, aid)
    tops = [b.bounding_box()["y"] for b in page.locator(".lk-btn").all()]
    assert len(tops) == 7 and len(set(tops)) == 1, tops
    last = page.locator(".lk-btn").last.bounding_box()
    assert last["y"] + last["height"] <= LANDSCAPE["height"], "svarknappene må synes uten å rulle"
    check_page(page, "42-egenvurdering")


def test_live_ip_prompt_updates_without_reload(live, context, page):
    services = {"fastlege_har": "ja", "oppfolgingstjenester": ["nav", "lar"]}
    _, aid = live.draft(answers=dict(services))
    inst = live.instrument()
    api_login(context, live, "kari")
    open_section(page, live, aid, "vurdering")
    page.evaluate("() => { window.__sammeSide = true; }")
    box = page.locator("#live-ip")
    expect(box).to_have_attribute("aria-live", "polite")

    def expect_prompt(answers):
        d = evaluate(inst, answers).derived["ip"]
        expect(box.locator(".prompt-text")).to_have_text(d.text)
        expect(box.locator("ul.reasons li")).to_have_text(d.reasons)
        expect(box).to_have_class(f"prompt prompt-{d.outcome}")
        return d

    d = expect_prompt(services)
    assert d.outcome == "vurder"

    page.locator('input[name="langvarig_behov"][value="ja"]').check()
    d = expect_prompt({**services, "langvarig_behov": "ja"})
    assert d.outcome == "oppfylt"
    expect(box).to_contain_text("Vilkårene for individuell plan ser ut til å være oppfylt")
    expect(box).to_contain_text("3 tjenester er involvert: fastlege, NAV, LAR")

    page.locator('input[name="langvarig_behov"][value="nei"]').check()
    expect_prompt({**services, "langvarig_behov": "nei"})
    # The levekårsindeks box follows the traffic lights live too.
    page.locator('input[name="vurdering_bolig"][value="rod"]').check()
    d = evaluate(inst, {**services, "langvarig_behov": "nei", "vurdering_bolig": "rod"})
    expect(page.locator("#live-levekarsindeks .prompt-text")).to_have_text(
        d.derived["levekarsindeks"].text)
    assert page.evaluate("() => window.__sammeSide === true"), "siden ble lastet på nytt"
    check_page(page, "34-vurdering-live")
