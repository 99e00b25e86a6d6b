"""A form imported from a FHIR Questionnaire (`flask fhir import-questionnaire`) is
started from the person page and filled on the tablet (768×1024, touch): autosave, its own
show/hide and its own prompt update live, and the overview shows its score."""
import pytest
from playwright.sync_api import expect

from config import TestConfig
from factories import fnr
from imported_form import KEY, TITLE, import_into
from kartlegging import create_app
from kartlegging.models import Assessment, ContactAssignment, Person, User

from .browser_support import TABLET, api_login, check_page, expect_saved, item_block, wait_for_db

pytestmark = pytest.mark.browser


@pytest.fixture
def instruments_dir(tmp_path):
    """instruments/ + the imported questionnaire, in a temporary folder (used by `live`)."""
    return import_into(create_app(TestConfig), tmp_path)


def _person(live) -> int:
    with live.db() as session:
        user = session.get(User, live.users["kari"])
        person = Person(team_id=user.team_id, name="Nora Nettbrett",
                        national_id=fnr(day=7, individ=300), created_by_id=user.id)
        session.add(person)
        session.flush()
        session.add(ContactAssignment(person_id=person.id, user_id=user.id,
                                      recorded_by_id=user.id))
        session.commit()
        return person.id


def test_start_and_fill_the_imported_form_on_a_tablet(live, new_context):
    touch = new_context(viewport=TABLET, has_touch=True, is_mobile=True)
    page = touch.new_page()
    pid = _person(live)
    api_login(touch, live, "kari")
    page.goto(live(f"/personer/{pid}"))
    card = page.locator(f"#skjema-{KEY}")
    expect(card.get_by_role("heading", name=TITLE)).to_be_visible()
    check_page(page, "imported-form-person")
    card.get_by_role("button", name=f"Start {TITLE}").tap()

    expect(page.get_by_role("heading", name="Symptomer siste to uker")).to_be_visible()
    with live.db() as session:
        aid = session.query(Assessment).filter_by(person_id=pid, instrument_key=KEY).one().id
    page.evaluate("ms => { window.kartleggingForm.delay = ms; }", 200)
    prompt = page.locator("#live-oppfolging")
    expect(prompt).to_contain_text("Ingen særskilt oppfølging foreslått")
    for item_id, value in (("lite_glede", "1"), ("nedfor", "3"), ("sovn", "0")):
        item_block(page, item_id).locator(f'input[name="{item_id}"][value="{value}"]').tap()
    expect_saved(page)
    expect(prompt).to_contain_text("Følg opp med samtale om humør")   # its own rule, live
    wait_for_db(live, aid, lambda a: a.get("sovn") == 0)
    check_page(page, "imported-form-section")
    page.get_by_role("button", name="Neste →").tap()

    expect(page.get_by_role("heading", name="Hjelp og støtte")).to_be_visible()
    page.evaluate("ms => { window.kartleggingForm.delay = ms; }", 200)
    expect(item_block(page, "hjelp_hvem")).to_be_hidden()
    item_block(page, "far_hjelp").locator('input[name="far_hjelp"][value="ja"]').tap()
    expect(item_block(page, "hjelp_hvem")).to_be_visible()            # enableWhen, live
    page.locator("#hjelp_hvem").fill("Fastlegen på Furuset")
    expect_saved(page)
    wait_for_db(live, aid, lambda a: a.get("hjelp_hvem") == "Fastlegen på Furuset")
    page.get_by_role("button", name="Lagre og gå til oversikten").tap()

    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator("#skaar-h")).to_be_visible()
    expect(page.get_by_text("1,3 (snitt av 3 av 3)")).to_be_visible()
    expect(page.get_by_text("Personens egen vurdering av livskvalitet")).to_have_count(0)
    check_page(page, "imported-form-overview")
    assert live.answers(aid) == {"lite_glede": 1, "nedfor": 3, "sovn": 0, "far_hjelp": "ja",
                                 "hjelp_hvem": "Fastlegen på Furuset"}
