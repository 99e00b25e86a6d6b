"""An SSO staff member in Chromium: ends a hand-over and signs by logging in again at the
identity provider (the mock provider on 127.0.0.1), with the app's real CSP and CSRF.

Chromium checks the CSP form-action directive against the redirect a form submission
produces, so «Lås opp med …» and «Bekreft med …» (same-origin POSTs answered with a redirect
to the provider) only work if the provider is allowed there."""
import re

import pytest
from access import test_sso as base
from playwright.sync_api import expect

from factories import Factory, filled_answers
from kartlegging.domain.instrument_facts import LIVSKVALITET
from kartlegging.extensions import db
from kartlegging.models import Assessment, User

from .browser_support import PASSWORD, check_page
from .conftest import Live, serving

insecure_transport, provider = base.insecure_transport, base.provider

SUB = "sub-browser-signe"
CLAIMS = {"preferred_username": "signe", "name": "Signe SSO", "groups": ["alna-rus-ansatt"]}


@pytest.fixture
def sso_live(tmp_path, provider):  # noqa: F811
    app = base.make_app(tmp_path, provider.url, WTF_CSRF_ENABLED=True,
                        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'k.db'}")
    with app.app_context():
        db.create_all()
        Factory(app, PASSWORD)  # the teams the group map names
        db.session.remove()
    with serving(app) as (url, errors):
        yield Live(app=app, url=url, server_errors=errors)


def at_provider(page, provider, sub, reauth=True):  # noqa: F811
    """The mock provider's own page: who logs in (again, for a re-authentication)."""
    expect(page).to_have_url(re.compile(re.escape(provider.url) + r"/oauth2/authorize\?"))
    assert ("prompt=login" in page.url and "max_age=0" in page.url) == reauth
    page.locator('input[name="sub"]').fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_sso_staff_end_the_hand_over_and_sign_through_the_provider(context, sso_live,
                                                                   provider):  # noqa: F811
    live = sso_live
    provider.set_user(SUB, **CLAIMS)
    # The mock's page links a stylesheet on a CDN: never fetched in the tests.
    context.route(re.compile(r"^https://"), lambda route: route.abort())
    page = context.new_page()
    page.goto(live("/logg-inn"))
    page.get_by_role("link", name="Logg inn med kommunens innlogging").click()
    at_provider(page, provider, SUB, reauth=False)
    expect(page).to_have_url(live("/"))
    with live.db():
        user = db.session.scalar(db.select(User).where(User.sso_subject == SUB))
        live.users["signe"] = user.id
    inst = live.instrument()
    person_id, a_id = live.draft(contact="signe", answers=filled_answers(inst))

    # The hand-over: the person answers, the staff member takes the tablet back.
    page.goto(live(f"/kartlegginger/{a_id}/del/livskvalitet"))
    page.get_by_role("button", name="Gi nettbrettet til personen").click()
    page.get_by_role("link", name="Start").click()  # the welcome comes first
    rating_inst = live.instrument(LIVSKVALITET)
    for item in (i for s in rating_inst.sections for i in s.items):
        page.locator(f'button[name="svar"][value="{5 if item.type == "scale" else "ja"}"]'
                     ).click()
    expect(page.get_by_role("heading", name="Takk! Gi nettbrettet tilbake.")).to_be_visible()
    expect(page.locator('input[name="password"]')).to_have_count(0)
    check_page(page, "sso-egenvurdering-takk")
    page.get_by_role("button", name="Lås opp med kommunens innlogging").click()
    expect(page).to_have_url(re.compile(re.escape(provider.url)))
    # While the staff member is at the provider, the tablet shows no staff page.
    other = context.new_page()
    for path in ("/", f"/personer/{person_id}", f"/kartlegginger/{a_id}"):
        other.goto(live(path))
        expect(other).to_have_url(re.compile(r"/egenvurdering"))
    other.close()
    at_provider(page, provider, SUB)
    expect(page).to_have_url(re.compile(rf"/kartlegginger/{a_id}/del/livskvalitet$"))
    expect(page.locator(".flash-success")).to_contain_text("Egenvurderingen er lagret")
    expect(page.get_by_text("Signe SSO · Ansatt")).to_be_visible()

    # Signing.
    page.goto(live(f"/kartlegginger/{a_id}/signer"))
    expect(page.locator('input[name="password"]')).to_have_count(0)
    check_page(page, "sso-signer")
    page.get_by_role("button", name="Bekreft med kommunens innlogging og signer").click()
    at_provider(page, provider, SUB)
    expect(page).to_have_url(live(f"/kartlegginger/{a_id}"))
    expect(page.locator(".status-pill")).to_contain_text("Signert")
    with live.db():
        a = db.session.get(Assessment, a_id)
        assert a.is_signed and a.signed_by_id == live.users["signe"]
        assert a.signed_pdf.startswith(b"%PDF")

    # Logging out (a POST redirected to the provider's end-session endpoint) works too.
    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(re.compile(re.escape(provider.url) + r"/oauth2/end_session\?"))
