"""«Din kartlegging», the person's own copy of a signed kartlegging: their own words and answers
(with last time's) in bokmål and in the language they used, what was agreed, their rights;
none of the staff-only fields; PDF/A; each copy made is audited; fenced during a hand-over."""
import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.journal.pdfa import validate
from kartlegging.livskvalitet.ratings import answered_by
from kartlegging.models import Assessment, AuditEvent

OWN_WORDS = "Å få egen leilighet og se barna mine oftere."


def pdftotext(data: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext mangler: installer poppler-utils (scripts/system-packages.sh)")
    out = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                         check=True)
    # Without the direction marks pdftotext puts around right-to-left runs.
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", out.stdout.decode("utf-8"))
    return " ".join(text.split())


def without_lam_alef(text: str) -> str:
    """Arabic with lam and the alefs left out: a lam-alef ligature's text comes back from the
    PDF in either order, which says nothing about the copy's content."""
    return re.sub("[\u0644\u0627\u0623\u0625\u0622]", "", text)


@pytest.fixture
def signed(factory, staff):
    client, user = staff
    person = factory.person(name="Kari Kopi", contact=user)
    a = factory.signed(person, user, signed_at=now_utc() + timedelta(minutes=5),
                       hva_er_viktig=OWN_WORDS, har_ip="nei", ip_var_vurdering="ja", ip_tilbudt="ja",
                       ip_svar="takket_ja", kriseplan_status="under_arbeid",
                       ip_begrunnelse="INTERN BEGRUNNELSE SOM PERSONEN IKKE HAR SETT")
    earlier = factory.rating(a, user, values={"liv_helhet": 3, "bolig": 6, "naer_venn": "nei"})
    earlier.completed_at = now_utc() - timedelta(days=90)
    earlier.parent_id = None
    this = factory.rating(a, user, values={"liv_helhet": 5, "bolig": "vil_ikke_svare",
                                           "naer_venn": "ja"})
    this.language = "ar"
    db.session.commit()
    return client, user, person, a


def test_copy_holds_their_words_and_answers_and_no_staff_only_field(signed, app):
    client, user, person, a = signed
    r = client.get(f"/kartlegginger/{a.id}/din-kartlegging.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("inline;")
    text = pdftotext(r.data)
    # Their own words, the bokmål part and then the Arabic part.
    assert text.count(OWN_WORDS) == 2
    for words in ("Din kartlegging", "Det du sa er viktig for deg", "Dine svar om livskvalitet",
                  "Livet som helhet", "5 – Stort sett fornøyd", "3 – Stort sett misfornøyd",
                  "Vil ikke svare", "Forrige gang", "Det vi ble enige om",
                  "Har du fått tilbud om individuell plan? Ja", "Ditt svar på tilbudet Takket ja",
                  "Kriseplan Under arbeid", "Du kan klage", "Statsforvalteren",
                  "Du kan se journalen din", "Slik når du oss", f"Kontaktperson {user.name}"):
        assert words in text, words
    for words in ("تقييمك", "إجاباتك عن جودة الحياة", "الحياة بشكل عام",
                  "لا أريد الإجابة", "يمكنك تقديم شكوى", "Ikke kvalitetssikret oversettelse",
                  "Livskvalitetsspørsmålene ble besvart på arabisk"):
        assert without_lam_alef(words) in without_lam_alef(text), words
    # Nothing the person was not told: no staff assessment, internal codes or colours.
    inst = app.extensions["instruments"].get(a.instrument_key, a.instrument_version)
    for item in inst.items.values():
        answer = a.answers.get(item.id)
        if item.id != "hva_er_viktig" and isinstance(answer, str) and len(answer) > 15:
            assert answer not in text, item.id
        comment = a.answers.get(item.comment_id)
        if comment:
            assert comment not in text, item.comment_id
    for hidden in ("INTERN BEGRUNNELSE", "Vår vurdering", "Levekårsindeks", "levekårsindeks",
                   "Dokument-ID", a.document_id, person.national_id, "takket_ja",
                   "vil_ikke_svare", "under_arbeid", "Grønn", "Gul", "Rød", "Lilla", "SHA-256"):
        assert hidden not in text, hidden


def test_copy_is_pdfa_and_every_font_is_embedded(signed):
    client, _, _, a = signed
    data = client.get(f"/kartlegginger/{a.id}/din-kartlegging.pdf?last_ned=1").data
    ok, findings = validate(data)
    assert ok, findings
    fonts = subprocess.run([shutil.which("pdffonts"), "-"], input=data, capture_output=True,
                           check=True).stdout.decode().splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", f) for f in fonts)


def test_each_copy_is_audited_with_how_and_in_which_languages(signed):
    client, user, person, a = signed
    client.get(f"/kartlegginger/{a.id}/din-kartlegging")
    client.get(f"/kartlegginger/{a.id}/din-kartlegging.pdf")
    r = client.get(f"/kartlegginger/{a.id}/din-kartlegging.pdf?last_ned=1")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    rows = AuditEvent.query.filter_by(action="person_copy").order_by(AuditEvent.id).all()
    assert [(e.person_id, e.user_id, e.object_id) for e in rows] == [
        (person.id, user.id, a.id)] * 2
    assert [e.detail for e in rows] == [
        "«Din kartlegging» åpnet for utskrift, på bokmål og arabisk",
        "«Din kartlegging» lastet ned, på bokmål og arabisk"]
    page = AuditEvent.query.filter_by(action="assessment_view", person_id=person.id).all()
    assert any("Din kartlegging" in (e.detail or "") for e in page)


def test_staff_page_in_bokmål_links_print_and_download(signed):
    client, _, person, a = signed
    page = client.get(f"/kartlegginger/{a.id}/din-kartlegging").data.decode()
    assert '<html lang="nb">' in page
    assert f"«Din kartlegging»: kopi til {person.name}" in page
    assert f'href="/kartlegginger/{a.id}/din-kartlegging.pdf"' in page
    assert f'href="/kartlegginger/{a.id}/din-kartlegging.pdf?last_ned=1"' in page
    assert "Språk: bokmål, og arabisk" in page
    overview = client.get(f"/kartlegginger/{a.id}").data.decode()
    assert f'href="/kartlegginger/{a.id}/din-kartlegging"' in overview


def test_only_signed_and_only_the_team(staff, factory, app):
    client, user = staff
    draft = factory.assessment(factory.person(contact=user), user)
    r = client.get(f"/kartlegginger/{draft.id}/din-kartlegging.pdf")
    assert r.status_code == 409 and "signert kartlegging" in r.data.decode()
    other_team = factory.signed(factory.person(team=factory.team_b), user)
    assert client.get(f"/kartlegginger/{other_team.id}/din-kartlegging.pdf").status_code == 404
    assert not AuditEvent.query.filter_by(action="person_copy").count()


def test_bokmål_only_when_the_rating_was_in_bokmål(staff, factory):
    client, user = staff
    a = factory.signed(factory.person(contact=user), user,
                       signed_at=now_utc() + timedelta(minutes=5))
    factory.rating(a, user, values={"liv_helhet": 4})
    text = pdftotext(client.get(f"/kartlegginger/{a.id}/din-kartlegging.pdf").data)
    assert "4 – Blandet" in text and "Forrige gang Ikke svart" not in text
    assert "بلغتك" not in text and "kvalitetssikret" not in text


def test_the_copy_is_fenced_during_a_handover(signed, factory):
    client, user, person, a = signed
    draft = factory.assessment(person, user, filled=False)
    client.post(f"/kartlegginger/{draft.id}/livskvalitet/gi-nettbrettet")
    for url in (f"/kartlegginger/{a.id}/din-kartlegging",
                f"/kartlegginger/{a.id}/din-kartlegging.pdf"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering"), url
    assert not AuditEvent.query.filter_by(action="person_copy").count()


def test_the_rating_pdf_line_names_the_language(signed, app):
    rating = db.session.scalar(db.select(Assessment).where(Assessment.language == "ar"))
    assert answered_by(rating) == ("Personen selv (på nettbrettet; spørsmålene på arabisk, "
                                   "ikke kvalitetssikret oversettelse)")


def test_the_journal_prints_bokmål_questions_and_names_the_language(signed, app):
    from kartlegging.journal import summary
    _, _, _, a = signed
    doc = summary.build(a, {"consents": [], "kontaktperson": None, "koordinator": None},
                        app.extensions["instruments"])
    latest = doc["livskvalitet"]["latest"]
    assert latest["answered_by"].endswith(
        "spørsmålene på arabisk, ikke kvalitetssikret oversettelse)")
    assert latest["items"][0]["label"] == "Livet som helhet"
    assert latest["items"][0]["text"] == "5 – Stort sett fornøyd"


def test_a_name_in_arabic_script_reads_back_as_typed_in_the_footer(signed, tmp_path):
    """The copy's page footer («Din kartlegging · name · date») draws right-to-left text the
    way the journal does: at its visual place in logical order, no glyph for a format
    character. MuPDF and pypdf read such a line back as typed (see test_pdf_bidi)."""
    import io

    from pypdf import PdfReader

    from kartlegging.journal import pdf_bidi
    client, _, person, a = signed
    person.name = "فاطمة حسن"
    db.session.commit()
    data = client.get(f"/kartlegginger/{a.id}/din-kartlegging.pdf").data
    (tmp_path / "kopi.pdf").write_bytes(data)
    mutool = subprocess.run([shutil.which("mutool"), "draw", "-F", "txt", str(tmp_path / "kopi.pdf")],
                            capture_output=True, check=True).stdout.decode()
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    for reader, text in (("mutool", mutool), ("pypdf", "\n".join(pages))):
        text = " ".join(pdf_bidi.FORMAT.sub("", text).split())
        assert "Din kartlegging · فاطمة حسن ·" in text, reader
    # the footer is on every page
    assert all("فاطمة حسن" in pdf_bidi.FORMAT.sub("", p) for p in pages) and len(pages) > 1


def test_the_copy_says_how_to_reach_the_persons_own_team(signed, app):
    """The team's own contact text (an admin writes it) under «Slik når du oss», line by line;
    a team without one gets the bydel's general sentence from person_copy.yaml."""
    client, _, person, a = signed
    general = app.extensions["person_copy"].reach_team
    assert general in pdftotext(client.get(f"/kartlegginger/{a.id}/din-kartlegging.pdf").data)
    no_text = "teamet har ingen egen tekst for dette ennå"  # staff are told, on the copy's page
    assert no_text in client.get(f"/kartlegginger/{a.id}/din-kartlegging").get_data(as_text=True)
    person.team.contact = "Ring 21 80 21 80, hverdager 08.00–15.30.\nBesøk: Trondheimsveien 1"
    db.session.commit()
    text = pdftotext(client.get(f"/kartlegginger/{a.id}/din-kartlegging.pdf").data)
    assert "Ring 21 80 21 80, hverdager 08.00–15.30." in text
    assert "Besøk: Trondheimsveien 1" in text and general not in text
    page = client.get(f"/kartlegginger/{a.id}/din-kartlegging").get_data(as_text=True)
    assert no_text not in page
