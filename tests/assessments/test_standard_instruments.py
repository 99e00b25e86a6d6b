"""AUDIT, AUDIT-C and DUDIT as staff forms: started from the person page, filled section by
section, signed into the journal with the sum, its cut-off text and its source in the PDF, and
the person page shows the newest signed sum with its signing."""
import html
import io

from pypdf import PdfReader

from conftest import PASSWORD
from kartlegging.extensions import db
from kartlegging.models import Assessment


def _text(r) -> str:
    return html.unescape(r.data.decode())


def _version(a) -> str:
    db.session.expire_all()
    return str(db.session.get(Assessment, a.id).version)


def _start(client, person, key):
    r = client.post(f"/personer/{person.id}/kartlegginger", data={"skjema": key})
    assert r.status_code == 302, _text(r)[:2000]
    a = Assessment.query.filter_by(person_id=person.id, instrument_key=key,
                                   status="draft").one()
    return a


def test_started_from_the_person_page_filled_and_signed_with_the_score(staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    page = _text(client.get(f"/personer/{person.id}"))
    for key, title in (("audit", "Alkoholvaner – basert på AUDIT (WHO)"),
                       ("audit-c", "Alkoholvaner, kort – basert på AUDIT-C"),
                       ("dudit", "Narkotika og legemidler – basert på DUDIT")):
        assert f'name="skjema" value="{key}"' in page and title in page
    assert 'id="siste-skarer"' not in page               # nothing signed yet
    a = _start(client, person, "audit-c")
    form = _text(client.get(f"/kartlegginger/{a.id}/del/forbruk"))
    assert "Hvor ofte drikker du alkohol?" in form and "Fire ganger i uka eller oftere" in form
    r = client.post(f"/kartlegginger/{a.id}/del/forbruk", data={
        "version": _version(a), "alkohol_hvor_ofte": "2_4_i_maaneden",
        "alkohol_enheter": "1_2", "alkohol_seks_eller_mer": "sjeldnere_enn_maanedlig",
        "kjonn": "kvinne", "neste": "1"})
    assert r.status_code == 302, _text(r)[:2000]
    overview = _text(client.get(f"/kartlegginger/{a.id}"))
    expected = ("3 poeng – over grensen for kvinner (3 eller mer): tyder på at alkoholbruken "
                "kan være risikofylt")
    assert "AUDIT-C-sum (0–12)" in overview and expected in overview
    assert "Basert på AUDIT-C" in overview and "Arch Intern Med 1998" in overview
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, _text(r)[:2000]
    db.session.expire_all()
    signed = db.session.get(Assessment, a.id)
    assert signed.status == "signed"
    pdf = client.get(f"/kartlegginger/{a.id}/pdf").data
    flat = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for text in ("AUDIT-C-sum (0–12)", expected, "ikke en diagnose",
                 "Basert på AUDIT-C (de tre første spørsmålene i AUDIT", "Bradley KA",
                 "To til fire ganger i måneden", signed.document_id):
        assert text in flat, text
    page = _text(client.get(f"/personer/{person.id}"))
    assert 'id="siste-skarer"' in page
    latest = page.split('id="siste-skarer"', 1)[1].split("</dl>", 1)[0]
    assert "AUDIT-C-sum (0–12)" in latest and expected in latest
    assert signed.document_id in latest and "signert " in latest


def test_the_newest_signing_is_the_one_shown(staff, factory):
    """Two signed AUDIT-C for one person: the newer one's sum is shown; a score that cannot
    be computed says how many answers it lacks."""
    from datetime import datetime
    client, user = staff
    person = factory.person(contact=user)
    factory.signed(person, user, key="audit-c", signed_at=datetime(2026, 3, 1, 10),
                   alkohol_hvor_ofte="4_i_uka_eller_mer", alkohol_enheter="10_eller_flere",
                   alkohol_seks_eller_mer="daglig", kjonn="mann")
    newer = factory.signed(person, user, key="audit-c", signed_at=datetime(2026, 6, 1, 10),
                           alkohol_hvor_ofte="aldri", alkohol_enheter="1_2",
                           alkohol_seks_eller_mer="aldri", kjonn="mann")
    page = _text(client.get(f"/personer/{person.id}"))
    latest = page.split('id="siste-skarer"', 1)[1].split("</dl>", 1)[0]
    assert "0 poeng – under grensen for risikofylt bruk" in latest
    assert "12 poeng" not in latest and newer.document_id in latest
