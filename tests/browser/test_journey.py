"""The whole journey in a real browser at tablet size (768×1024), with axe on every page:
log in → register a person → fill every section of the Alna kartlegging → hand the tablet to the
person for the self-rating → sign → download the PDF → the team lead verifies the PDF."""
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from factories import filled_answers, fnr
from kartlegging.domain.instrument_facts import LIVSKVALITET
from kartlegging.domain.rules import evaluate
from kartlegging.extensions import db
from kartlegging.models import Assessment, Person

from .browser_support import (
    PASSWORD,
    check_page,
    fill_section,
    login,
    logout,
    section_url,
)

pytestmark = pytest.mark.browser

PERSON = "Åse Ødegård Testesen"


def rating_value(item):
    """What the person taps for each self-rating question."""
    return "5" if item.type == "scale" else "ja"


def do_handover(page, live, assessment_id, person_id):
    """«Gi nettbrettet til personen» → 16 questions → «Takk!» → unlock with the password."""
    rating_inst = live.instrument(LIVSKVALITET)
    questions = [i for s in rating_inst.sections for i in s.items]
    assert len(questions) == 16
    page.get_by_role("button", name="Gi nettbrettet til personen").click()
    page.get_by_role("link", name="Start").click()  # the welcome comes first
    expect(page).to_have_url(re.compile(r"/egenvurdering(\?n=1)?$"))
    check_page(page, "07-egenvurdering-sporsmal")
    assert page.locator(".who").count() == 0, "ansattes navn/meny skal ikke vises under overleveringen"

    # The fence: every staff URL lands back on the rating.
    for path in ("/", f"/personer/{person_id}", f"/kartlegginger/{assessment_id}",
                 f"/kartlegginger/{assessment_id}/del/viktig", "/personer/ny", "/verifiser"):
        page.goto(live(path))
        expect(page).to_have_url(re.compile(r"/egenvurdering"))
        expect(page.locator(".progress-text")).to_have_text("Spørsmål 1 av 16")

    for n, item in enumerate(questions, start=1):
        expect(page.locator(".progress-text")).to_have_text(f"Spørsmål {n} av 16")
        expect(page.locator("legend h1")).to_have_text(item.label)
        page.locator(f'button[name="svar"][value="{rating_value(item)}"]').click()
        if n == 12:   # the first yes/no question
            page.wait_for_url(re.compile(r"n=13"))
            check_page(page, "07b-egenvurdering-ja-nei")

    expect(page.get_by_role("heading", name="Takk! Gi nettbrettet tilbake.")).to_be_visible()
    check_page(page, "08-egenvurdering-takk")

    # A wrong password keeps the hand-over; the error is announced and linked to the field.
    page.get_by_label("Ditt passord").fill("feil-passord")
    page.get_by_role("button", name="Lås opp").click()
    summary = page.locator("#feiloppsummering")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("Feil passord")
    expect(summary.locator("a")).to_have_attribute("href", "#password")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password")).to_have_attribute("aria-describedby", "password-feil")
    check_page(page, "08b-egenvurdering-feil-passord")
    page.goto(live(f"/personer/{person_id}"))
    expect(page).to_have_url(re.compile(r"/egenvurdering"))

    page.goto(live("/egenvurdering/ferdig"))
    page.get_by_label("Ditt passord").fill(PASSWORD)
    page.get_by_role("button", name="Lås opp").click()
    expect(page).to_have_url(section_url(live, assessment_id, "livskvalitet"))
    expect(page.locator(".flash-success")).to_contain_text("Egenvurderingen er lagret")
    expect(page.get_by_text("Kari Ansatt · Ansatt")).to_be_visible()

    with live.db():
        rating = db.session.query(Assessment).filter_by(
            parent_id=assessment_id, instrument_key=LIVSKVALITET).one()
        assert rating.completed_at is not None and rating.rated_by_person
        assert rating.answers == {i.id: (5 if i.type == "scale" else "ja") for i in questions}


def test_full_journey_at_tablet_size(live, page, tmp_path):
    # Log in and the person list.
    login(page, live, "kari", check=True)
    check_page(page, "02-personer")

    # Register a person with a valid fødselsnummer.
    page.get_by_role("link", name="Registrer ny person").click()
    check_page(page, "03-ny-person")
    page.get_by_label("Fullt navn").fill(PERSON)
    page.get_by_label("Fødselsnummer eller D-nummer").fill(fnr(3, 4, 85))
    expect(page.get_by_label("Fast kontaktperson", exact=True)).to_have_value(
        str(live.users["kari"]))
    page.get_by_role("button", name="Registrer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PERSON)
    check_page(page, "04-person")
    with live.db():
        person_id = db.session.query(Person).filter_by(name=PERSON).one().id

    # Start the kartlegging and fill every section through the UI.
    page.get_by_role("button", name="Start ny kartlegging").click()
    expect(page).to_have_url(re.compile(r"/kartlegginger/\d+/del/viktig$"))
    assessment_id = int(re.search(r"/kartlegginger/(\d+)/", page.url).group(1))
    inst = live.instrument()
    want = filled_answers(inst, har_ip="nei")   # a new IP is proposed: no plan exists yet
    for index, section in enumerate(inst.sections):
        expect(page).to_have_url(section_url(live, assessment_id, section.id))
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        if index == 0:
            check_page(page, "05-del-viktig")
        if section.embed == "livskvalitet":
            do_handover(page, live, assessment_id, person_id)
            check_page(page, "09-del-livskvalitet")
        fill_section(page, section, want)
        if section.id == "familie":
            check_page(page, "06-del-familie-utfylt")
        # The live prompts placed in this section agree with the server's rules.
        derived = evaluate(inst, want).derived
        for spec in inst.derived:
            if (spec.get("place") or {}).get("section") == section.id:
                d = derived[spec["id"]]
                box = page.locator(f"#live-{d.id}")
                expect(box.locator(".prompt-text")).to_have_text(d.text)
                expect(box.locator("ul.reasons li")).to_have_text(d.reasons)
        if section.id == "vurdering":
            expect(page.locator("#live-ip .prompt-text")).to_have_text(
                "Vilkårene for individuell plan ser ut til å være oppfylt")
            check_page(page, "10-del-vurdering")
        last = index + 1 == len(inst.sections)
        page.get_by_role("button", name="Lagre og gå til oversikten" if last else "Neste →").click()

    expect(page).to_have_url(live(f"/kartlegginger/{assessment_id}"))
    expect(page.locator(".flash-success")).to_contain_text(re.compile(r"Lagret kl\. \d\d:\d\d"))
    assert live.answers(assessment_id) == want
    # Nothing blocks signing; the missing pårørende consent is listed before signing.
    expect(page.locator("ul.problems")).to_have_count(0)
    expect(page.locator("#parorende-mangler")).to_contain_text("ingen samtykke i kraft")
    check_page(page, "11-oversikt")

    # Sign: a wrong password is refused with a linked error, the right one signs and locks.
    page.get_by_role("link", name="Signer", exact=True).click()
    check_page(page, "12-signer")
    page.get_by_label("Ditt passord").fill("feil")
    page.get_by_role("button", name="Signer og lås").click()
    expect(page.locator("#feiloppsummering")).to_contain_text("Feil passord")
    expect(page.locator("#feiloppsummering")).to_be_focused()
    assert live.assessment(assessment_id)["status"] == "draft"
    page.get_by_label("Ditt passord").fill(PASSWORD)
    page.get_by_role("button", name="Signer og lås").click()
    expect(page).to_have_url(live(f"/kartlegginger/{assessment_id}"))
    expect(page.locator(".status-pill")).to_contain_text("Signert")
    check_page(page, "13-signert")
    assert live.assessment(assessment_id)["status"] == "signed"

    # Download the signed PDF.
    with page.expect_download() as info:
        page.get_by_role("link", name="Last ned signert PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert PERSON in text, text[:500]

    # The section pages of a signed kartlegging show the answers read-only.
    page.goto(section_url(live, assessment_id, "bolig"))
    expect(page.locator("#section-form")).to_have_count(0)
    check_page(page, "14-signert-del")

    # The team lead checks the PDF on «Kontroller PDF».
    logout(page, live)
    login(page, live, "tone")
    page.get_by_role("link", name="Kontroller PDF").click()
    check_page(page, "15-kontroller-pdf")
    page.get_by_label("PDF-fil").set_input_files(pdf_path)
    page.get_by_role("button", name="Kontroller").click()
    result = page.locator(".result")
    expect(result).to_contain_text("uendret og gyldig signert")
    expect(result).to_contain_text(PERSON)
    expect(result).to_contain_text("Kari Ansatt")
    check_page(page, "16-kontroller-pdf-resultat")
