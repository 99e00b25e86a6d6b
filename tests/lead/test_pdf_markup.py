"""User text that looks like reportlab markup is printed as typed, in every PDF.

reportlab's Paragraph reads its text as markup: a team named "<b>Rusteam" (never closed) broke
the merged print of the whole team, and a name could set fonts or line breaks. Every user text
that reaches a PDF goes through journal/pdf_paragraph.RichParagraph, which escapes it."""
import io
import re
from datetime import date

from pypdf import PdfReader

from conftest import PASSWORD
from kartlegging.extensions import db
from kartlegging.models import Consent, Coordinator

TEAM = '<b>Rusteam & "Alna"'                       # never closed: reportlab refused the page
LEAD = '<font name="x">Lea</font> Leder'           # an unknown font: reportlab refused it
STAFF = "Anne <br/> Ansatt"
PERSON = "<b>Kari</b> & <i>Nordmann"
PARTY = '<font name="Courier">Per</font> & Bror'
KOORDINATOR = "<b>Åse</b> <br/>Koordinator"
ANSWER = "Vil <b>vente</b> & <br/> se <font name=\"x\">an"


def text_of(data: bytes, pages=slice(None)) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages[pages]))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_markup_in_every_text_field_is_printed_as_typed(factory, login):
    team = factory.team(TEAM)
    lead = factory.user("teamleder", team=team, name=LEAD)
    staff = factory.user("ansatt", team=team, name=STAFF)
    person = factory.person(team=team, name=PERSON, contact=staff)
    a = factory.assessment(person, staff, fastlege_har="ja", oppfolgingstjenester=[
        "nav", "tsb", "boligoppfolging"], barnevern="nei", langvarig_behov="ja",
        tannhelse="ikke_behov", koordinering_behov="ja", har_ip="nei", ip_var_vurdering="ja",
        ip_tilbudt="ja", ip_svar="takket_nei", ip_avslag_grunn_oppgitt="ja",
        ip_avslag_grunn=ANSWER)
    factory.rating(a, staff)
    db.session.add(Consent(person_id=person.id, categories=["helse"], party_kind="parorende",
                           party_name=PARTY, party_relation="bror", direction="fra",
                           valid_from=date(2026, 1, 1), valid_until=date(2030, 1, 1),
                           given_how="skriftlig", recorded_by_id=staff.id))
    db.session.add(Coordinator(person_id=person.id, name=KOORDINATOR, service="NAV Alna",
                               since=date(2026, 10, 1), recorded_by_id=staff.id))
    db.session.commit()

    r = login(staff).post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    db.session.expire_all()
    signed = text_of(db.session.get(type(a), a.id).signed_pdf)
    for literal in (PERSON, STAFF, PARTY, KOORDINATOR, ANSWER):
        assert flat(literal) in signed, literal

    client = login(lead)
    r = client.post("/oppfolging/utskrift", data={"utvalg": "valgte",
                                                  "person": [str(person.id)]})
    html = r.get_data(as_text=True)
    token = re.search(r'/oppfolging/utskrift/([A-Za-z0-9_-]+)"', html)
    assert r.status_code == 200 and token, html[-1500:]
    r = client.get(f"/oppfolging/utskrift/{token.group(1)}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    cover = text_of(r.data, slice(0, 1))
    for literal in (TEAM, LEAD, PERSON):
        assert flat(literal) in cover, (literal, cover[:400])
    assert flat(ANSWER) in text_of(r.data)
