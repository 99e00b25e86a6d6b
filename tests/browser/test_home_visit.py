"""The home visit at 768×1024 with touch: «Nei» never deletes a section, the person
page leads to the open draft, resuming lands where staff stopped, the section menu folds away
and follows the answers, and the hand-over can be ended early by the person or by staff."""
import re

import pytest
from playwright.sync_api import expect

from kartlegging.extensions import db
from kartlegging.models import Assessment

from .browser_support import (
    PASSWORD,
    TABLET,
    api_login,
    check_page,
    expect_saved,
    item_block,
    open_section,
    section_url,
)
from .browser_support import wait_for_db as _wait_for_db

pytestmark = pytest.mark.browser


def wait_for_db(live, aid, predicate):
    answers = _wait_for_db(live, aid, predicate)
    assert predicate(answers), answers
    return answers


@pytest.fixture
def touch(new_context):
    """The tablet: 768×1024, touch, no mouse hover."""
    context = new_context(viewport=TABLET, has_touch=True, is_mobile=True)
    return context


def test_nei_then_ja_restores_the_answers_of_the_section(live, touch):
    page = touch.new_page()
    _, aid = live.draft()
    api_login(touch, live, "kari")
    open_section(page, live, aid, "familie")
    page.locator('input[name="har_barn"][value="ja"]').tap()
    page.locator("#barn_antall_mindreaarige").fill("2")
    page.locator('input[name="barn_samvaer"][value="begrenset"]').tap()
    page.locator('input[name="innvandrer_relevant"][value="ja"]').tap()
    wait_for_db(live, aid, lambda a: a.get("barn_samvaer") == "begrenset"
                and a.get("innvandrer_relevant") == "ja")
    expect(page.locator('nav.sections li[data-section="innvandrer"]:not([hidden])')).to_have_count(1)

    # The whole «Innvandrer/flyktning» section is answered …
    open_section(page, live, aid, "innvandrer")
    page.locator("#nasjonalitet").fill("Eritreisk")
    page.locator('input[name="oppholdsstatus"][value="flyktning"]').tap()
    wait_for_db(live, aid, lambda a: a.get("oppholdsstatus") == "flyktning")

    # … and one tap on «Nei» says how many answers are set aside, with undo.
    open_section(page, live, aid, "familie")
    expect(page.locator("#del-steg")).to_have_text("Del 2 av 12")
    expect(page.locator("#del-hoppet")).to_have_text("")
    page.locator('input[name="har_barn"][value="nei"]').tap()
    note = page.locator("#aside-note")
    expect(note).to_contain_text("2 svar gjelder ikke ut fra svaret du ga, og er lagt til side")
    expect(item_block(page, "barn_antall_mindreaarige")).to_be_hidden()
    answers = wait_for_db(live, aid, lambda a: a.get("har_barn") == "nei")
    assert "barn_antall_mindreaarige" not in answers
    check_page(page, "50-lagt-til-side")
    note.get_by_role("button", name="Angre").tap()
    expect(page.locator("#barn_antall_mindreaarige")).to_have_value("2")
    wait_for_db(live, aid, lambda a: a.get("har_barn") == "ja"
                and a.get("barn_antall_mindreaarige") == 2)

    page.locator('input[name="innvandrer_relevant"][value="nei"]').tap()
    expect(note).to_contain_text("2 svar gjelder ikke")     # the other section's answers
    expect(page.locator('nav.sections li[data-section="innvandrer"][hidden]')).to_have_count(1)
    # the steps keep their numbers; the skipped section is said beside them
    expect(page.locator("#del-steg")).to_have_text("Del 2 av 12")
    expect(page.locator("#del-hoppet")).to_have_text(
        " · 1 del gjelder ikke ut fra svarene og hoppes over")
    wait_for_db(live, aid, lambda a: a.get("innvandrer_relevant") == "nei")
    with live.db() as s:
        a = s.get(Assessment, aid)
        assert "nasjonalitet" not in a.answers
        assert a.set_aside == {"nasjonalitet": "Eritreisk", "oppholdsstatus": "flyktning"}

    # After a reload the hidden fields are empty in the page; «Ja» brings the answers back.
    page.reload()
    page.locator('input[name="har_barn"][value="nei"]').tap()
    wait_for_db(live, aid, lambda a: a.get("har_barn") == "nei")
    page.reload()
    expect(page.locator("#barn_antall_mindreaarige")).to_have_value("")
    page.locator('input[name="har_barn"][value="ja"]').tap()
    expect(page.locator("#barn_antall_mindreaarige")).to_have_value("2")
    expect(page.locator('input[name="barn_samvaer"][value="begrenset"]')).to_be_checked()
    page.locator('input[name="innvandrer_relevant"][value="ja"]').tap()
    answers = wait_for_db(live, aid, lambda a: a.get("nasjonalitet") == "Eritreisk")
    assert answers["barn_antall_mindreaarige"] == 2 and answers["oppholdsstatus"] == "flyktning"
    open_section(page, live, aid, "innvandrer")
    expect(page.locator("#nasjonalitet")).to_have_value("Eritreisk")


def test_portrait_menu_folds_and_counts_follow_the_answers(live, touch):
    page = touch.new_page()
    _, aid = live.draft()
    api_login(touch, live, "kari")
    open_section(page, live, aid, "familie")
    menu = page.locator("details#delmeny")
    expect(menu).not_to_have_attribute("open", "")
    first = page.locator('input[name="sivilstand"]').first.bounding_box()
    assert first["y"] < TABLET["height"] * 0.45, first
    count = page.locator('nav.sections li[data-section="familie"] .count')
    expect(count).to_have_text("0/6 besvart")
    page.locator('input[name="sivilstand"][value="samboer"]').tap()
    expect(count).to_have_text("1/6 besvart")
    page.locator('input[name="har_barn"][value="ja"]').tap()
    expect(count).to_have_text("2/8 besvart")
    # The menu opens on a tap and lists the required items still missing.
    page.locator("details#delmeny > summary").tap()
    mark = page.locator('nav.sections li[data-section="bolig"] .missing-mark')
    expect(mark).to_be_visible()
    expect(mark).to_have_text("1 obligatoriske mangler")
    check_page(page, "51-delmeny")
    # The idle warning and the sticky buttons never overlap.
    page.evaluate("() => { document.getElementById('idle-warning').hidden = false; }")
    warn = page.locator("#idle-warning").bounding_box()
    bar = page.locator(".form-actions").bounding_box()
    assert warn["y"] + warn["height"] <= bar["y"] or bar["y"] + bar["height"] <= warn["y"]


def test_keyboard_reaches_the_first_question_quickly(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "familie")
    presses = 0
    while page.evaluate("() => document.activeElement.name") != "sivilstand":
        presses += 1
        assert presses <= 10, "første spørsmål nås ikke med 10 Tab"
        page.keyboard.press("Tab")
    # The focus ring contrasts with the white page (dark outline, ≥ 3:1).
    color = page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    assert color in ("rgb(26, 26, 26)",), color


def test_person_page_leads_to_the_open_draft_and_resume_lands_where_staff_stopped(
        live, touch):
    page = touch.new_page()
    pid, aid = live.draft(name="Ola Hjemmebesøk")
    api_login(touch, live, "kari")
    open_section(page, live, aid, "okonomi")
    page.locator('input[name="gjeld"][value="nei"]').tap()
    expect_saved(page)
    page.goto(live(f"/personer/{pid}"))
    resume = page.locator("#fortsett-utkast")
    expect(resume).to_have_text(re.compile(r"^Fortsett utkastet fra \d\d\.\d\d\.\d{4}"))
    box = resume.bounding_box()
    assert box["y"] + box["height"] < TABLET["height"], "må synes uten å rulle"
    expect(page.get_by_role("button", name="Start ny kartlegging")).to_have_count(0)
    check_page(page, "52-person-utkast")

    # A second draft only on purpose, with a reason; without one, nothing is made.
    page.get_by_text("Start en ny kartlegging likevel").tap()
    page.get_by_role("button", name="Start nytt utkast").tap()
    expect(page.locator("h1")).to_have_text("Det finnes allerede et utkast")
    expect(page.locator("#grunn-feil")).to_have_text(
        "Skriv hvorfor et nytt utkast trengs, eller fortsett utkastet.")
    check_page(page, "53-nytt-utkast-grunn")
    with live.db() as s:
        assert s.query(Assessment).filter_by(person_id=pid).count() == 1
    page.get_by_role("link", name=re.compile("^Fortsett utkastet fra")).tap()
    expect(page).to_have_url(section_url(live, aid, "okonomi"))
    expect(page.locator('input[name="gjeld"][value="nei"]')).to_be_checked()


def start_handover(page, live, aid):
    open_section(page, live, aid, "livskvalitet")
    page.get_by_role("button", name="Gi nettbrettet til personen").tap()
    page.get_by_role("link", name="Start").tap()  # the welcome comes first
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 1 av 16")


def test_person_stops_the_self_rating_early(live, touch):
    page = touch.new_page()
    _, aid = live.draft()
    api_login(touch, live, "kari")
    start_handover(page, live, aid)
    page.locator(".lk-btn.lk-5").tap()
    page.locator(".lk-btn.lk-3").tap()
    expect(page.locator(".progress-text")).to_have_text("Spørsmål 3 av 16")
    check_page(page, "54-egenvurdering-stopp")
    page.get_by_role("button", name="Jeg vil stoppe her").tap()
    expect(page.locator("h1")).to_have_text("Greit, vi stopper her. Gi nettbrettet tilbake.")
    expect(page.locator(".lead")).to_contain_text("2 av 16")
    check_page(page, "55-egenvurdering-stoppet")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Lås opp").tap()
    expect(page).to_have_url(section_url(live, aid, "livskvalitet"))
    expect(page.locator(".flash-success")).to_contain_text("ufullstendig (2 av 16")
    expect(page.locator(".tag-incomplete")).to_have_text("Ufullstendig: 2 av 16 spørsmål besvart")
    expect(page.locator('nav.sections li[data-section="livskvalitet"] .count')).to_have_text(
        "1/2 besvart")
    with live.db() as s:
        rating = s.query(Assessment).filter_by(parent_id=aid).one()
        assert rating.completed_at is not None and len(rating.answers) == 2


def test_staff_ends_the_hand_over_from_a_question(live, touch):
    page = touch.new_page()
    _, aid = live.draft()
    api_login(touch, live, "kari")
    start_handover(page, live, aid)
    page.locator(".lk-btn.lk-6").tap()
    page.get_by_role("link", name="For ansatt: avslutt overleveringen").tap()
    expect(page.locator("h1")).to_have_text("Avslutte før alle spørsmålene er besvart?")
    check_page(page, "56-egenvurdering-ansatt-avslutt")
    page.get_by_label("Passord").fill("feil-passord-1")
    page.get_by_role("button", name="Lås opp").tap()
    expect(page.locator("#feiloppsummering")).to_contain_text("Feil passord.")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Lås opp").tap()
    expect(page).to_have_url(section_url(live, aid, "livskvalitet"))
    expect(page.locator(".tag-incomplete")).to_have_text("Ufullstendig: 1 av 16 spørsmål besvart")
    with live.db() as s:
        assert db.session is s
        assert s.query(Assessment).filter_by(parent_id=aid).one().completed_at is not None


def test_reason_field_for_no_number_appears_only_when_chosen(live, context, page):
    api_login(context, live, "kari")
    page.goto(live("/personer/ny"))
    reason = page.get_by_label("Hvorfor mangler nummeret?")
    expect(reason).to_be_hidden()
    page.get_by_label("Personen har ikke (eller vil ikke oppgi) fødselsnummer").check()
    expect(reason).to_be_visible()
    check_page(page, "57-ny-person-uten-nummer")
    assert page.request.get(live("/favicon.ico")).ok
