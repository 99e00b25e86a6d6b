"""Contradicting answers are flagged at the item as the person types, in the browser: ticking
«Ingen overgang nå» after a recent release shows the message under the question once the
autosave answers, and un-ticking it takes the message away; the koordinator reminder changes
with «Er personen tilbudt koordinator?» without reloading the page."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kartlegging.clock import today

from .browser_support import api_login, assert_accessible, open_section

pytestmark = pytest.mark.browser

CONFLICT_START = "Du har krysset av for «Ingen overgang nå», men personen ble løslatt"


def test_conflict_flag_follows_the_answers(live, context, page):
    released = (today() - timedelta(days=21)).isoformat()
    _, aid = live.draft(answers={"fengsel": "ja", "fengsel_losl_dato": released})
    api_login(context, live, "kari")
    open_section(page, live, aid, "overganger")
    flag = page.locator("#flagg-overgang")
    expect(flag).to_have_text("")

    page.locator('input[name="overgang"][value="ingen"]').check()
    expect(flag).to_contain_text(CONFLICT_START)
    assert_accessible(page)

    page.locator('input[name="overgang"][value="ingen"]').uncheck()
    page.locator('input[name="overgang"][value="losl_fengsel"]').check()
    expect(flag).to_have_text("")


def test_koordinator_reminder_follows_the_offer(live, context, page):
    _, aid = live.draft(answers={"langvarig_behov": "ja", "koordinering_behov": "ja"})
    api_login(context, live, "kari")
    open_section(page, live, aid, "vurdering")
    note = page.locator("#koordinator-paaminnelser")
    expect(note).to_contain_text("Ingen koordinator er registrert for personen")

    page.locator('input[name="koordinator_tilbudt"][value="ja"]').check()
    expect(note).to_contain_text("Personen er tilbudt koordinator. Det som mangler, er hvem")
    expect(note.get_by_role("link", name="Registrer koordinator")).to_be_visible()
