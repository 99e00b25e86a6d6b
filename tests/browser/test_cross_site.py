"""Penetration-test findings in a real browser: a page on another site cannot use the expired-session carry
pages as a CSRF bypass, and a staff tab opened before a hand-over blanks itself."""
import re
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from kartlegging.access import twofactor
from kartlegging.extensions import db
from kartlegging.models import Consent

from .browser_support import PASSWORD, login, section_url


@pytest.fixture
def evil(live):
    """Another site: http://localhost:<port> is a different site from http://127.0.0.1
    (so the browser leaves out our SameSite=Lax cookie, as on a real attacker's domain)."""
    person_id, _ = live.draft(name="Offer Offersen")
    target = live.url
    html = f"""<!doctype html><html lang="nb"><head><meta charset="utf-8">
<title>Vinn en premie</title></head><body><main>
<form method="post" action="{target}/admin/sikkerhet">
  <input type="hidden" name="require" value="y">
  <button type="submit" id="policy">Vinn en premie</button></form>
<form method="post" action="{target}/personer/{person_id}/samtykker/ny">
  <input type="hidden" name="categories" value="helse">
  <input type="hidden" name="categories" value="rus">
  <input type="hidden" name="direction" value="til">
  <input type="hidden" name="party_kind" value="annen">
  <input type="hidden" name="party_name" value="Fremmed Person">
  <input type="hidden" name="valid_from" value="2026-01-01">
  <input type="hidden" name="until_withdrawn" value="y">
  <input type="hidden" name="given_how" value="muntlig">
  <button type="submit" id="consent">Hent gavekort</button></form>
</main></body></html>"""

    def app(environ, start_response):
        return Response(html, mimetype="text/html")(environ, start_response)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://localhost:{srv.server_port}/"
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def _consents(live) -> int:
    with live.db():
        return db.session.scalar(select(func.count(Consent.id)))


@pytest.mark.parametrize("button", ["policy", "consent"])
def test_cross_site_post_is_not_carried_through_the_login(live, page, evil, button):
    """Before: the login page held the other site's fields as carry:* inputs, and one click
    on "Lagre svarene" after logging in saved them with a fresh token."""
    page.goto(evil)                             # the victim is not logged in (session over)
    page.locator(f"#{button}").click()
    expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()
    assert page.locator('input[name^="carry:"]').count() == 0
    assert "Fremmed Person" not in page.content()
    page.get_by_label("Brukernavn", exact=True).fill("ada")
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Lagre svarene")).to_have_count(0)
    # Logged in now, the same click still changes nothing (no cookie, no token).
    page.goto(evil)
    page.locator(f"#{button}").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.locator('input[name^="carry:"]').count() == 0
    with live.db():
        assert twofactor.required_roles() == set()
    assert _consents(live) == 0


def test_tab_opened_before_a_hand_over_blanks_itself(live, context):
    person_id, aid = live.draft(name="Synlig Personsen")
    staff_tab = context.new_page()
    login(staff_tab, live, "kari")
    staff_tab.goto(live(f"/personer/{person_id}"))
    expect(staff_tab.get_by_role("heading", name="Synlig Personsen")).to_be_visible()
    tablet = context.new_page()
    embed = next(s.id for s in live.instrument().sections if s.embed == "livskvalitet")
    tablet.goto(section_url(live, aid, embed))
    tablet.get_by_role("button", name="Gi nettbrettet til personen").click()
    tablet.get_by_role("link", name="Start").click()  # the welcome comes first
    expect(tablet).to_have_url(re.compile(r"/egenvurdering"))
    # The older tab leaves the person's page without being reloaded by anyone.
    expect(staff_tab).to_have_url(re.compile(r"/egenvurdering"))
    expect(staff_tab.get_by_role("heading", name="Synlig Personsen")).to_have_count(0)
    assert "Synlig Personsen" not in staff_tab.content()
