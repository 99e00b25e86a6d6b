"""The section form at 768×1024 without small confusions: steps numbered stably with the
skipped sections said, the menu's red count explained, one quiet comment control per item
that shows in full when the item is in use. Axe finds nothing serious."""
import pytest
from playwright.sync_api import expect

from .browser_support import api_login, check_page, item_block, open_section
from .test_lead_tablet import no_axe_violations

pytestmark = pytest.mark.browser


def test_section_form_reads_without_noise(live, context, page):
    _, aid = live.draft()
    api_login(context, live, "kari")
    open_section(page, live, aid, "bolig")
    expect(page.locator("#del-steg")).to_have_text("Del 4 av 12")
    expect(page.locator("#del-hoppet")).to_contain_text("1 del gjelder ikke ut fra svarene")
    open_section(page, live, aid, "familie")   # many comment controls
    page.locator("#delmeny summary").click()
    legend = page.locator("#delmeny-forklaring")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("Rødt tall: obligatoriske spørsmål uten svar i delen")
    expect(page.locator("nav.sections")).to_have_accessible_description(
        "Rødt tall: obligatoriske spørsmål uten svar i delen. «3/10»: besvart av "
        "spørsmålene som gjelder.")

    words = page.locator("#section-form .comment-word")
    total = words.count()
    assert total >= 3
    opacities = words.evaluate_all("els => els.map(e => getComputedStyle(e).opacity)")
    assert set(opacities) == {"0"}, "ingen «Kommentar»-tekst før punktet er i bruk"
    summaries = page.locator("#section-form summary.comment-toggle")
    first = summaries.first
    name = first.evaluate("s => s.closest('.item').dataset.item")
    label = live.instrument().items[name].label
    expect(first).to_have_accessible_name(f"Kommentar til «{label}»")
    # tapping the item (its answer) brings its own control forward, and only that one
    block = item_block(page, name)
    block.locator("input, textarea, select").first.focus()
    shown = words.evaluate_all("els => els.filter(e => getComputedStyle(e).opacity === '1')"
                               ".map(e => e.closest('.item').dataset.item)")
    assert shown == [name]
    box = first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    check_page(page, "768-del-rolig")
    no_axe_violations(page)
