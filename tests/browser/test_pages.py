"""The pages around the journey, each through the UI and checked with axe at tablet size:
samtykke, koordinator, livskvalitet registered by staff, the person page with charts, the audit
log (team lead), two-factor enrolment, the admin's security page and the error page."""
import re

import pytest
from playwright.sync_api import expect

from .browser_support import api_login, check_page, login, logout

pytestmark = pytest.mark.browser


def test_pages_around_the_journey(live, context, page):
    person_id, aid = live.draft(name="Nils Nilsen")
    api_login(context, live, "kari")
    page.goto(live(f"/personer/{person_id}"))

    # Samtykke: register one for a named relative, then look at it.
    page.get_by_role("link", name="Registrer samtykke").click()
    check_page(page, "50-samtykke-ny")
    page.get_by_role("radio", name="Begge deler").check()
    page.get_by_role("checkbox", name="Helseopplysninger").check()
    page.get_by_label("Med hvem?").select_option("parorende")
    page.get_by_label("Navn (på pårørende, eller tjenesten)").fill("Kari Nilsen")
    page.get_by_label("Relasjon til personen").fill("søster")
    page.get_by_label("Gjelder til det trekkes tilbake").check()
    page.get_by_role("radio", name="Skriftlig").check()
    page.get_by_role("button", name="Registrer samtykke").click()
    expect(page.locator(".flash-success")).to_contain_text("Samtykket er registrert")
    page.get_by_role("link", name="Kari Nilsen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Samtykke")
    check_page(page, "51-samtykke")

    # Koordinator, from the person page.
    page.goto(live(f"/personer/{person_id}"))
    page.get_by_text("Registrer koordinator", exact=True).click()
    page.get_by_label("Koordinatorens navn").fill("Berit Koordinator")
    page.get_by_label("Tjeneste/enhet").fill("Tildelingskontoret")
    page.get_by_label("Koordinator fra dato").fill("2026-01-15")
    page.get_by_role("button", name="Lagre koordinator").click()
    expect(page.locator(".flash-success")).to_contain_text("Koordinator er registrert")

    # Livskvalitet registered by staff on the person's behalf.
    page.goto(live(f"/kartlegginger/{aid}/livskvalitet/ansatt"))
    check_page(page, "52-livskvalitet-ansatt")
    rating = live.instrument("livskvalitet")
    for item in rating.items.values():
        block = page.locator(f'.item[data-item="{item.id}"]')
        value = "4" if item.type == "scale" else "nei"
        block.locator(f'input[type=radio][value="{value}"]').check()
    page.get_by_role("button", name="Lagre livskvalitet").click()
    expect(page.locator(".flash-success")).to_contain_text("registrert av ansatt")
    check_page(page, "53-del-livskvalitet-med-svar")

    page.goto(live(f"/personer/{person_id}"))
    expect(page.get_by_role("heading", name="Livskvalitet over tid")).to_be_visible()
    check_page(page, "54-person-med-data")
    page.goto(live(f"/kartlegginger/{aid}"))
    check_page(page, "55-oversikt-med-mangler")

    # Two-factor enrolment page and the error page.
    page.goto(live("/konto/tofaktor"))
    check_page(page, "56-tofaktor")
    response = page.goto(live("/personer/99999"))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Fant ikke siden")
    check_page(page, "57-feil-404")

    # The team lead's audit log for the person.
    logout(page, live)
    login(page, live, "tone")
    page.goto(live(f"/personer/{person_id}"))
    page.get_by_role("link", name=re.compile("Vis logg over hvem")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Logg")
    check_page(page, "58-logg")

    # The admin's security settings.
    logout(page, live)
    login(page, live, "ada")
    page.goto(live("/admin/sikkerhet"))
    check_page(page, "59-admin-sikkerhet")

