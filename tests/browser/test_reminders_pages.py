"""Reminders at 768×1024: the «since your last visit» box on Mine personer after a second
login, and the settings page with its error; no sideways scroll, no axe violation."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.models import ReminderSetting

from .browser_support import TABLET, api_login, check_page
from .test_lead import seed
from .test_lead_tablet import no_axe_violations, no_sideways_scroll

pytestmark = pytest.mark.browser


def test_since_last_visit_and_settings(live, new_context):
    seed(live)
    context = new_context(viewport=TABLET)
    page = context.new_page()
    api_login(context, live, "tone")
    with live.db():
        row = db.session.get(ReminderSetting, live.users["tone"])
        row.last_visit_at = now_utc() - timedelta(days=40)   # Frank and Gro fell due since
        db.session.commit()
    api_login(context, live, "tone")
    page.goto(live("/"))
    box = page.locator(".since-visit")
    expect(box).to_contain_text("Siden sist du var innom")
    expect(box.get_by_role("link", name="i teamet har forfalt")).to_have_attribute(
        "href", "/oppfolging?forfall=forfalt")
    no_sideways_scroll(page)
    check_page(page, "768-siden-sist")
    no_axe_violations(page)

    box.get_by_role("link", name="Varsler").click()
    page.get_by_label("Send meg en ukentlig e-post med antall").check()
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("#feiloppsummering, .error").first).to_contain_text(
        "Skriv e-postadressen e-posten skal sendes til.")
    no_sideways_scroll(page)
    no_axe_violations(page)
    page.get_by_label("E-postadresse på jobben").fill("tone@alna.test")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator(".flash-success")).to_have_text("Varslene er lagret.")
    check_page(page, "768-varsler")
    no_axe_violations(page)
