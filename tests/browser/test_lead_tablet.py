"""The team lead on a portrait tablet (768×1024, touch): Oppfølging as cards with the due
date in view, a row ticked by tapping its first cell, a print that fails keeps the selection,
the cover preview before the merged file, and every page passes axe."""
import io
import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from pypdf import PdfReader

from factories import Factory, tiny_pdf
from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.models import Team, User

from .browser_support import PASSWORD, TABLET, check_page, format_violations, login
from .test_lead import seed

pytestmark = pytest.mark.browser

DATE = re.compile(r"\d{1,2}\. \w+\.? \d{4}|\d\d\.\d\d\.\d{4}")


_axe = Axe()


def no_axe_violations(page) -> None:
    """Stricter than check_page: no violation of any impact."""
    found = _axe.run(page).response["violations"]
    assert not found, format_violations(page.url, found)


def no_sideways_scroll(page) -> None:
    """Neither the page nor any box inside it scrolls sideways."""
    wide = page.evaluate("""() => {
        const out = [];
        const d = document.documentElement;
        if (d.scrollWidth > window.innerWidth) out.push(`side: ${d.scrollWidth}`);
        for (const e of document.querySelectorAll('main *')) {
            const s = getComputedStyle(e);
            if (['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
                out.push(`${e.className || e.tagName}: ${e.scrollWidth} > ${e.clientWidth}`);
        }
        return out; }""")
    assert not wide, f"{page.url} rulles sidelengs: {wide}"


@pytest.fixture
def tablet(live, new_context):
    data = seed(live)
    ctx = new_context(viewport=TABLET, has_touch=True, is_mobile=False)
    page = ctx.new_page()
    login(page, live, "tone")
    return data, page


def test_oppfolging_cards_show_the_due_date_first(live, tablet):
    _, page = tablet
    page.goto(live("/oppfolging"))
    no_sideways_scroll(page)
    rows = page.locator("table.overview tbody tr")
    expect(rows).to_have_count(10)
    for n in range(3):  # the first rows: name, then the next evaluation with its date, in view
        row = rows.nth(n)
        due = row.locator("td.next")
        expect(due).to_be_visible()
        box, name = due.bounding_box(), row.locator("td.name").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= TABLET["width"], box
        assert box["y"] > name["y"], "Neste evaluering står rett under navnet"
        if n == 0:
            expect(due).to_contain_text("Aldri kartlagt")
        else:
            expect(due).to_contain_text("Forfalt")
            assert DATE.search(due.inner_text()), due.inner_text()
    first = rows.first.bounding_box()
    assert first["y"] + first["height"] < TABLET["height"], "første kort synes uten å rulle"
    # the tint is explained
    expect(page.locator("#radfarger")).to_contain_text("Rød rad: forfalt eller aldri kartlagt")
    check_page(page, "768-oppfolging-kort")
    no_axe_violations(page)


def test_tapping_the_first_cell_ticks_the_row(live, tablet):
    _, page = tablet
    page.goto(live("/oppfolging?sorter=navn"))
    row = page.locator("table.overview tbody tr", has_text="Frank Forfalt")
    box = row.locator("input[type=checkbox]")
    cell = row.locator("td.pick")
    size = cell.bounding_box()
    assert size["width"] >= 44 and size["height"] >= 44, size
    # a thumb lands below the box, not on it: the whole cell is the target
    cell.tap(position={"x": size["width"] / 2, "y": size["height"] - 8})
    expect(box).to_be_checked()
    cell.tap(position={"x": 8, "y": size["height"] / 2})
    expect(box).not_to_be_checked()
    # a person who cannot be printed: the box says why
    never = page.locator("table.overview tbody tr", has_text="Nils Ny")
    expect(never.locator("input[type=checkbox]")).to_be_disabled()
    expect(never.locator(".pick-why")).to_have_text("ingen signert kartlegging ennå")
    expect(never.locator("input[type=checkbox]")).to_have_accessible_description(
        "ingen signert kartlegging ennå")


def seed_nothing_overdue_signed(live) -> None:
    """A team whose only overdue person was never mapped; two persons signed lately."""
    with live.db():
        kari = db.session.get(User, live.users["kari"])
        f = Factory.__new__(Factory)
        f.app, f.password, f._n = live.app, PASSWORD, 150
        f.team_a = db.session.get(Team, kari.team_id)
        f.person(name="Nils Ny", contact=kari)
        for name, days in (("Rita Rute", 20), ("Siv Signert", 30)):
            f.signed(f.person(name=name, contact=kari), kari,
                     signed_at=now_utc() - timedelta(days=days),
                     pdf=tiny_pdf(f"Sammendrag for {name}", pages=2))


def test_print_error_keeps_the_selection(live, new_context):
    seed_nothing_overdue_signed(live)
    page = new_context(viewport=TABLET, has_touch=True).new_page()
    login(page, live, "tone")
    page.goto(live("/oppfolging?sorter=navn"))
    for name in ("Rita Rute", "Siv Signert"):
        page.locator("table.overview tbody tr", has_text=name).locator("td.pick").tap()
    # the wrong choice: the only overdue person has nothing signed
    page.get_by_label("Utvalg").select_option("forfalte")
    page.get_by_role("button", name="Se hva som skrives ut").click()
    error = page.locator("#utskrift-feil")
    expect(error).to_contain_text("Ingen av de forfalte personene har en signert kartlegging")
    expect(error).to_contain_text("Valget ditt i listen er beholdt")
    expect(page.locator("table.overview input[type=checkbox]:checked")).to_have_count(2)
    for name in ("Rita Rute", "Siv Signert"):
        expect(page.get_by_label(f"Velg {name}")).to_be_checked()
    expect(page.get_by_label("Utvalg")).to_have_value("forfalte")
    assert "sorter=navn" in page.url  # the list's own filter and order are kept
    no_sideways_scroll(page)
    check_page(page, "768-utskrift-feil")
    no_axe_violations(page)
    # the kept selection prints as it is, after the cover preview
    page.get_by_label("Utvalg").select_option("valgte")
    page.get_by_role("button", name="Se hva som skrives ut").click()
    expect(page.get_by_role("heading", name="Dette blir skrevet ut")).to_be_visible()
    expect(page.locator(".cover-preview tbody tr")).to_have_count(2)
    expect(page.locator("p.lead")).to_contain_text("5 sider")
    no_sideways_scroll(page)
    check_page(page, "768-utskrift-forside")
    no_axe_violations(page)
    page.get_by_role("button", name="Lag samlet PDF (5 sider)").click()
    expect(page.get_by_role("heading", name="Ferdig")).to_be_visible()
    with page.expect_download() as dl:
        page.get_by_role("link", name="Last ned samlet PDF").click()
    reader = PdfReader(io.BytesIO(dl.value.path().read_bytes()))
    assert len(reader.pages) == 5


def test_all_overdue_lists_who_is_skipped(live, tablet):
    _, page = tablet
    page.goto(live("/oppfolging?forfall=forfalt"))
    page.get_by_label("Utvalg").select_option("forfalte")
    page.get_by_role("button", name="Se hva som skrives ut").click()
    expect(page.locator(".cover-preview tbody tr")).to_have_count(3)
    skipped = page.locator("ul.skipped li")
    expect(skipped).to_have_count(1)
    expect(skipped).to_have_text("Nils Ny: Aldri kartlagt: ingen signert kartlegging å skrive ut")
    no_sideways_scroll(page)
    no_axe_violations(page)
