"""Without network the form goes on (issue «Trust at the seams», finding 5): every section of
the draft is fetched when a section opens, so «Neste», «Forrige» and the section menu move
between sections offline; the pending count covers every section, and when the network
returns everything is sent, one save after the other, with no conflict."""
import pytest
from playwright.sync_api import expect

from .browser_support import api_login, assert_accessible, expect_saved, open_section, wait_for_db

pytestmark = pytest.mark.browser


def test_sections_work_offline_and_everything_is_sent_when_back(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "viktig")
    page.wait_for_load_state("networkidle")           # the draft's sections are fetched
    context.set_offline(True)
    page.locator("#hva_er_viktig").fill("Skrevet i kjelleren")
    page.get_by_role("button", name="Neste →").click()
    expect(page.locator("h1")).to_have_text("Familieforhold og nettverk")
    expect(page.locator("#nettverk")).to_be_visible()
    assert page.url.endswith(f"/kartlegginger/{aid}/del/familie")
    page.locator("#nettverk").fill("Søsteren Eva")
    page.locator('input[name="har_barn"][value="ja"]').check()
    expect(page.locator('.item[data-item="barn_antall_mindreaarige"]')).to_be_visible()
    note = page.locator("#pending-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("3 svar venter på lagring")
    expect(note).to_contain_text("Hva er viktig for deg?")
    expect(page.locator('nav.sections li.current')).to_have_attribute("data-section", "familie")
    assert_accessible(page)

    # The section menu, and back: the answers typed there are still in the page.
    page.locator("#delmeny summary").click()
    page.locator('nav.sections li[data-section="bolig"] a').click()
    expect(page.locator("h1")).to_have_text("Bolig")
    page.get_by_role("button", name="← Forrige").click()
    expect(page.locator("h1")).to_have_text("Familieforhold og nettverk")
    expect(page.locator("#nettverk")).to_have_value("Søsteren Eva")
    page.get_by_role("button", name="← Forrige").click()
    expect(page.locator("h1")).to_have_text("Hva er viktig for deg?")
    expect(page.locator("#hva_er_viktig")).to_have_value("Skrevet i kjelleren")
    page.locator("#spraak").fill("Norsk")
    expect(page.locator("#pending-note")).to_contain_text("4 svar venter på lagring")
    assert live.answers(aid) == {}

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    answers = wait_for_db(live, aid, lambda a: len(a) == 4)
    assert answers == {"hva_er_viktig": "Skrevet i kjelleren", "spraak": "Norsk",
                       "nettverk": "Søsteren Eva", "har_barn": "ja"}
    expect_saved(page)
    expect(page.locator("#konflikt-live")).to_have_count(0)
    expect(page.locator("#pending-note")).to_be_hidden()
    page.wait_for_function("() => Object.keys(localStorage).length === 0")
    # Online again, moving on is the ordinary page load.
    page.get_by_role("button", name="Neste →").click()
    expect(page.locator("h1")).to_have_text("Familieforhold og nettverk")
    expect(page.locator("#nettverk")).to_have_value("Søsteren Eva")
