"""Browser journey: an admin creates a user; that user logs in with the temporary password
and must choose a new one before anything else."""
from playwright.sync_api import expect
from sqlalchemy import select

from kartlegging.extensions import db
from kartlegging.models import User

from .browser_support import check_page, login, logout

NEW_PASSWORD = "mitt-eget-passord-2026"


def test_admin_creates_user_who_must_change_password(live, page):
    login(page, live, "ada")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Brukere").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brukere")
    check_page(page, "admin-brukere")
    page.get_by_role("navigation", name="Administrasjon").get_by_role(
        "link", name="Ny bruker").click()
    check_page(page, "admin-ny-bruker")
    page.get_by_label("Brukernavn").fill("nora")
    page.get_by_label("Navn", exact=True).fill("Nora Ny")
    page.get_by_label("Rolle").select_option("ansatt")
    page.get_by_label("Team").select_option(label="Rusteam Alna")
    page.get_by_role("button", name="Opprett bruker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brukeren er opprettet")
    check_page(page, "admin-midlertidig-passord")
    temporary = page.locator("#midlertidig-passord").inner_text().strip()
    assert len(temporary) >= 12
    logout(page, live)

    # The new user logs in with the temporary password and is sent to change it.
    page.goto(live("/logg-inn"))
    page.get_by_label("Brukernavn", exact=True).fill("nora")
    page.get_by_label("Passord", exact=True).fill(temporary)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    expect(page).to_have_url(live("/konto/passord"))
    check_page(page, "bytt-passord")
    page.goto(live("/"))  # every page leads back here until the password is changed
    expect(page).to_have_url(live("/konto/passord"))
    page.get_by_label("Nytt passord").fill("for-kort")
    page.get_by_label("Gjenta det nye passordet").fill("for-kort")
    page.get_by_role("button", name="Bytt passord").click()
    expect(page.get_by_role("alert")).to_contain_text("minst 12 tegn")
    page.get_by_label("Nytt passord").fill(NEW_PASSWORD)
    page.get_by_label("Gjenta det nye passordet").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Bytt passord").click()
    expect(page).to_have_url(live("/"))
    expect(page.get_by_text("Passordet er byttet.")).to_be_visible()
    logout(page, live)
    login(page, live, "nora", NEW_PASSWORD)
    with live.db():
        user = db.session.scalar(select(User).where(User.username == "nora"))
        assert not user.must_change_password and user.role == "ansatt"
