"""The team lead's journey at 1024×768: who is overdue, printing with progress, the originals
as a ZIP, the IP figures and the anonymised trends. Every new page passes axe; the same
journey works with JavaScript turned off."""
import io
import re
import zipfile
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from factories import Factory, tiny_pdf
from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.models import Assessment, Team, User

from .browser_support import LANDSCAPE, PASSWORD, check_page, login

pytestmark = pytest.mark.browser


def seed(live) -> dict:
    """Tone's team: three overdue persons with signed PDFs, one never mapped, one in rute
    with a koordinator and a draft; plus enough signed kartlegginger for a trend cell."""
    with live.db():
        kari = db.session.get(User, live.users["kari"])
        f = Factory.__new__(Factory)
        f.app, f.password, f._n = live.app, PASSWORD, 100
        f.team_a = db.session.get(Team, kari.team_id)
        ids = {}
        for name, days in (("Oline Overdue", 150), ("Frank Forfalt", 140),
                           ("Gro Gammel", 130)):
            p = f.person(name=name, contact=kari)
            a = f.signed(p, kari, signed_at=now_utc() - timedelta(days=days),
                         pdf=tiny_pdf(f"Sammendrag for {name}"))
            ids[name] = (p.id, a.id)
        f.person(name="Nils Ny", contact=kari)
        fresh = f.person(name="Rita Rute", contact=kari)
        f.signed(fresh, kari, signed_at=now_utc() - timedelta(days=5))
        f.coordinator(fresh, kari)
        f.assessment(fresh, kari)
        for i in range(5):
            f.signed(f.person(name=f"Trend {i}", contact=kari), kari)
        stored = {a.id: a.signed_pdf for a in db.session.query(Assessment).filter(
            Assessment.id.in_([aid for _, aid in ids.values()]))}
    return {"ids": ids, "stored": stored}


def test_team_lead_journey(live, new_context):
    data = seed(live)
    ctx = new_context(viewport=LANDSCAPE)
    page = ctx.new_page()
    login(page, live, "tone")

    # The start page: Mine personer and the team at a glance
    expect(page.get_by_role("heading", name="Mine personer")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("forfalt eller aldri kartlagt"))) \
        .to_contain_text("4")
    check_page(page, "lead-01-start")

    # Oppfølging: overdue first, in words (not colour alone)
    page.get_by_role("link", name=re.compile("forfalt eller aldri kartlagt")).click()
    expect(page.locator("p.count")).to_have_text("4 personer.")
    rows = page.locator("table.overview tbody tr")
    expect(rows.nth(0)).to_contain_text("Nils Ny")
    expect(rows.nth(0)).to_contain_text("Aldri kartlagt")
    expect(rows.nth(1)).to_contain_text("Oline Overdue")
    expect(rows.nth(1)).to_contain_text("Forfalt")
    check_page(page, "lead-02-oppfolging")
    page.goto(live("/oppfolging?uten_koordinator=y"))
    expect(page.locator("table.overview")).not_to_contain_text("Rita Rute")

    # Print the three overdue summaries as one PDF, progress shown
    page.goto(live("/oppfolging?forfall=forfalt"))
    page.get_by_label("Utvalg").select_option("forfalte")
    page.get_by_role("button", name="Se hva som skrives ut").click()
    expect(page.locator("ul.skipped")).to_contain_text("Nils Ny")   # never mapped: skipped
    check_page(page, "lead-03-forside")
    page.get_by_role("button", name=re.compile(r"Lag samlet PDF \(4 sider\)")).click()
    expect(page.get_by_text("Dokument 4 av 4")).to_be_visible()
    expect(page.get_by_role("heading", name="Ferdig")).to_be_visible()
    check_page(page, "lead-03-utskrift")
    with page.expect_download() as dl:
        page.get_by_role("link", name="Last ned samlet PDF").click()
    reader = PdfReader(io.BytesIO(dl.value.path().read_bytes()))
    texts = [p.extract_text() for p in reader.pages]
    assert "Signaturene er bare gyldige i originalfilene" in texts[0]
    assert [t.strip() for t in texts[1:]] == [
        "Sammendrag for Oline Overdue side 1", "Sammendrag for Frank Forfalt side 1",
        "Sammendrag for Gro Gammel side 1"]

    # The originals as a ZIP, byte for byte
    page.goto(live("/oppfolging?forfall=forfalt"))
    page.get_by_label("Utvalg").select_option("forfalte")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Last ned originalene (ZIP)").click()
    z = zipfile.ZipFile(io.BytesIO(dl.value.path().read_bytes()))
    pdfs = [n for n in z.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 3
    assert sorted(z.read(n) for n in pdfs) == sorted(data["stored"].values())

    # IP figures
    page.get_by_role("link", name="IP-tall").click()
    expect(page.get_by_role("heading", name="Hele teamet")).to_be_visible()
    check_page(page, "lead-04-ip-tall")

    # Trends: a chart, and no one can be identified
    page.get_by_role("link", name="Trender").click()
    # the seeded signings are of the running quarter: nothing to show yet, said in words
    expect(page.locator("#alt-skjult")).to_contain_text("Ingen tall kan vises ennå")
    expect(page.locator("main svg.chart")).to_have_count(0)
    main = page.locator("main").inner_text()
    for name in ("Oline", "Frank", "Gro", "Nils", "Rita", "Trend 0", "KL-0"):
        assert name not in main
    assert "færre enn 5" in main
    check_page(page, "lead-05-trender")

    # The person page: next evaluation and what is missing at the top
    pid = data["ids"]["Oline Overdue"][0]
    page.goto(live(f"/personer/{pid}"))
    expect(page.locator("#oppf-h + p")).to_contain_text("forfalt")
    expect(page.locator(".missing")).to_contain_text("Ingen koordinator")
    check_page(page, "lead-06-person")


def test_printing_without_javascript(live, new_context):
    seed(live)
    page = new_context(viewport=LANDSCAPE, java_script_enabled=False).new_page()
    page.goto(live("/logg-inn"))
    page.get_by_label("Brukernavn", exact=True).fill("tone")
    page.get_by_label("Passord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).not_to_have_url(re.compile(r"/logg-inn"))  # logged in before going on
    page.goto(live("/oppfolging?sorter=navn"))
    page.get_by_label("Velg Frank Forfalt").check()
    page.get_by_label("Velg Gro Gammel").check()
    page.get_by_role("button", name="Se hva som skrives ut").click()
    page.get_by_role("button", name=re.compile("Lag samlet PDF")).click()
    expect(page.get_by_text("Dokument 2 av 2")).to_be_visible()
    with page.expect_download() as dl:
        page.get_by_role("link", name="Last ned samlet PDF").click()
    data = dl.value.path().read_bytes()
    texts = [p.extract_text().strip() for p in PdfReader(io.BytesIO(data)).pages]
    assert texts[1:] == ["Sammendrag for Frank Forfalt side 1",
                         "Sammendrag for Gro Gammel side 1"]
    # filters and sorting are plain GET forms
    page.goto(live("/oppfolging"))
    page.get_by_text("Flere filtre og sortering").click()
    page.get_by_label("IP-status").select_option("takket_ja")
    page.get_by_role("button", name="Bruk filtrene").click()
    expect(page).to_have_url(re.compile(r"ip=takket_ja"))
