"""Everything also works as plain HTML forms: a browser with JavaScript turned off."""
import re

import pytest
from playwright.sync_api import expect

from .browser_support import PASSWORD, fill_item, item_block, section_url

pytestmark = pytest.mark.browser


@pytest.fixture
def nojs(new_context):
    return new_context(java_script_enabled=False).new_page()


def test_fill_and_save_without_javascript(live, nojs):
    page = nojs
    _, aid = live.draft()
    inst = live.instrument()
    items = inst.items

    # Log in through the plain form (real CSRF token in the hidden field).
    page.goto(live("/logg-inn"))
    page.get_by_label("Brukernavn", exact=True).fill("kari")
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(live("/"))

    page.goto(section_url(live, aid, "familie"))
    fill_item(page, items["nettverk"], "Naboen Ali")
    fill_item(page, items["har_barn"], "ja")
    # Without JavaScript the follow-up questions appear after the save, not live.
    expect(item_block(page, "barn_antall_mindreaarige")).to_be_hidden()
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page).to_have_url(section_url(live, aid, "familie"))
    expect(page.locator(".flash-success")).to_contain_text(re.compile(r"Lagret kl\. \d\d:\d\d"))
    assert live.answers(aid) == {"nettverk": "Naboen Ali", "har_barn": "ja"}
    expect(page.locator("#nettverk")).to_have_value("Naboen Ali")
    expect(page.locator("#save-status")).to_have_text("")      # the JS status stays unused

    # A wrong value: the error summary is announced and links to the field.
    block = item_block(page, "barn_antall_mindreaarige")
    expect(block).to_be_visible()
    fill_item(page, items["barn_antall_mindreaarige"], 25)
    page.get_by_role("button", name="Lagre", exact=True).click()
    summary = page.locator("#feiloppsummering")
    expect(summary).to_have_attribute("role", "alert")
    link = summary.get_by_role("link", name=re.compile("Hvor mange av barna"))
    expect(link).to_have_attribute("href", "#barn_antall_mindreaarige")
    field = page.locator("#barn_antall_mindreaarige")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "barn_antall_mindreaarige-feil")
    expect(page.locator("#barn_antall_mindreaarige-feil")).to_have_text(
        "Skriv et tall fra 0 til 20.")
    assert "barn_antall_mindreaarige" not in live.answers(aid)

    # Corrected, «Neste» saves and goes on to the next section.
    fill_item(page, items["barn_antall_mindreaarige"], 1)
    page.get_by_role("button", name="Neste →").click()
    expect(page).to_have_url(section_url(live, aid, "bolig"))   # innvandrer is not relevant
    assert live.answers(aid) == {"nettverk": "Naboen Ali", "har_barn": "ja",
                                 "barn_antall_mindreaarige": 1}

    fill_item(page, items["bosituasjon"], "leier_kommunal")
    page.get_by_role("button", name="← Forrige").click()
    expect(page).to_have_url(section_url(live, aid, "familie"))
    assert live.answers(aid)["bosituasjon"] == "leier_kommunal"


def test_expired_session_without_javascript_loses_nothing(live, nojs):
    """The session ends while a form is open; "Lagre" → log in → "Lagre svarene" → saved."""
    page = nojs
    _, aid = live.draft()
    items = live.instrument().items
    page.goto(live("/logg-inn"))
    page.get_by_label("Brukernavn", exact=True).fill("kari")
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).not_to_have_url(re.compile(r"/logg-inn"))  # logged in before going on
    page.goto(section_url(live, aid, "familie"))
    fill_item(page, items["nettverk"], "Skrevet mens økten gikk ut")
    page.context.clear_cookies()                       # the session is gone
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()
    expect(page.locator(".notice")).to_contain_text("Økten var utløpt")
    page.get_by_label("Brukernavn", exact=True).fill("kari")
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_role("button", name="Lagre svarene").click()
    expect(page).to_have_url(section_url(live, aid, "familie"))
    assert live.answers(aid) == {"nettverk": "Skrevet mens økten gikk ut"}
