"""Signing, locking, the signed PDF/A for the journal, corrections and verification."""
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from conftest import PASSWORD
from kartlegging.domain.rules import Evaluator, display_value
from kartlegging.extensions import db
from kartlegging.journal import pades, signing
from kartlegging.models import Assessment, Consent, Coordinator


def fresh(a_id) -> Assessment:
    db.session.expire_all()
    return db.session.get(Assessment, a_id)


def text_of(pdf_bytes: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@pytest.fixture
def signed_setup(staff, factory, app):
    """A fully filled v3 kartlegging with a self-rating, a consent and a koordinator, signed."""
    client, user = staff
    person = factory.person(name="Kari Nordmann", contact=user)
    a = factory.assessment(person, user, fastlege_har="ja", oppfolgingstjenester=["nav", "tsb",
                           "boligoppfolging"], barnevern="nei", langvarig_behov="ja",
                           tannhelse="ikke_behov", koordinering_behov="ja", har_ip="nei",
                           ip_var_vurdering="ja",
                           ip_tilbudt="ja", ip_svar="takket_nei", ip_avslag_grunn_oppgitt="ja",
                           ip_avslag_grunn="Vil vente til etter behandlingen.")
    factory.rating(a, user)
    db.session.add(Consent(person_id=person.id, categories=["helse"], party_kind="parorende",
                           party_name="Per Bror", party_relation="bror", direction="fra",
                           valid_from=date(2026, 1, 1), valid_until=date(2030, 1, 1),
                           given_how="skriftlig", recorded_by_id=user.id))
    db.session.add(Coordinator(person_id=person.id, name="Åse Koordinator", service="NAV Alna",
                               since=date(2026, 10, 1), recorded_by_id=user.id))
    db.session.commit()
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, r.data.decode()[:2000]
    return client, user, person, fresh(a.id)


def test_signing_refused_with_list_of_what_is_missing(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    page = client.get(f"/kartlegginger/{a.id}/signer").data.decode()
    assert "Kartleggingen kan ikke signeres ennå" in page
    assert "Den faglige vurderingen av individuell plan mangler" in page
    assert "må besvares" in page
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 422
    assert not fresh(a.id).is_signed


def test_signing_needs_the_password(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user)
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": "feil"})
    assert r.status_code == 403 and "Feil passord" in r.data.decode()
    assert not fresh(a.id).is_signed


def test_signed_assessment_is_frozen_and_queryable(signed_setup):
    _, user, _, a = signed_setup
    assert a.is_signed and a.signed_by_id == user.id and a.signed_at
    assert a.ip_outcome == "oppfylt" and a.ip_decision == "ja" and a.ip_answer == "takket_nei"
    assert re.fullmatch(r"[0-9a-f]{64}", a.content_sha256)
    assert a.signed_pdf.startswith(b"%PDF")


def test_person_page_shows_ip_status_in_words(signed_setup):
    client, _, person, _ = signed_setup
    html = client.get(f"/personer/{person.id}").data.decode()
    history = html.split("<caption>Historikk</caption>")[1].split("</table>")[0]
    assert "Vilkårene for individuell plan ser ut til å være oppfylt" in history
    assert "<td>Ja</td>" in history and "<td>Takket nei</td>" in history


def test_download_returns_the_exact_signed_bytes(signed_setup):
    client, _, _, a = signed_setup
    r1, r2 = client.get(f"/kartlegginger/{a.id}/pdf"), client.get(f"/kartlegginger/{a.id}/pdf")
    assert r1.status_code == 200 and r1.mimetype == "application/pdf"
    assert r1.data == r2.data == a.signed_pdf
    assert f'filename="{a.document_filename}"' in r1.headers["Content-Disposition"]
    assert a.document_filename == f"KL-{a.id:06d}-versjon-1.pdf"


def test_pdf_contains_every_answer_and_the_signature_block(signed_setup, app):
    _, user, person, a = signed_setup
    text = text_of(a.signed_pdf)
    inst = app.extensions["instruments"].get(a.instrument_key, a.instrument_version)
    ev = Evaluator(inst, a.answers)
    for item in inst.items.values():
        if ev.visible(item) and item.id in a.answers:
            assert norm(item.label) in text, item.label
            assert norm(display_value(item, a.answers[item.id])) in text, item.id
            if item.comment:
                assert norm(a.answers[item.comment_id]) in text
    for needle in ["Kari Nordmann", person.national_id_formatted, "Rusteam Alna",
                   f"alna-kartlegging versjon {a.instrument_version}", a.document_id, user.name, a.content_sha256,
                   "Vilkårene for individuell plan ser ut til å være oppfylt",
                   "4 tjenester er involvert", "langvarig behov: ja",
                   "Personen ser ut til å ha rett til koordinator",
                   "Vil vente til etter behandlingen.", "Samtykker i kraft ved signering",
                   "Per Bror (bror)", "Åse Koordinator", "Fast kontaktperson",
                   "Informert om rettigheter", "Hva er viktig for deg?", "Levekårsindeks",
                   "Side 1 av"]:
        assert norm(needle) in text, needle
    assert "Personen selv" in text  # who answered the livskvalitet rating


def test_pdf_is_pdfa_with_embedded_fonts(signed_setup, tmp_path):
    _, _, _, a = signed_setup
    import pikepdf
    with pikepdf.open(io.BytesIO(a.signed_pdf)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert "/OutputIntents" in pdf.Root
    path = tmp_path / "signed.pdf"
    path.write_bytes(a.signed_pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)


def test_signature_validates_and_one_byte_breaks_it(signed_setup, app):
    _, _, _, a = signed_setup
    roots = signing.trust_roots()
    ok = pades.verify_pdf(a.signed_pdf, roots)
    assert ok.ok and ok.document_id == a.document_id
    data = bytearray(a.signed_pdf)
    i = data.index(a.document_id.encode())
    data[i] ^= 0x01
    bad = pades.verify_pdf(bytes(data), roots)
    assert not bad.intact and "Dokumentet er endret etter signering" in bad.errors


def test_pdfsig_confirms_the_signature(signed_setup, tmp_path):
    _, _, _, a = signed_setup
    assert shutil.which("pdfsig"), "pdfsig mangler: kjør scripts/system-packages.sh"
    path = tmp_path / "signed.pdf"
    path.write_bytes(a.signed_pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in out


def test_first_page_renders_to_png(signed_setup, tmp_path):
    _, _, _, a = signed_setup
    path = tmp_path / "signed.pdf"
    path.write_bytes(a.signed_pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "side")], check=True)
    png = next(tmp_path.glob("side*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_no_route_can_change_a_signed_assessment(signed_setup):
    client, _, _, a = signed_setup
    before = (dict(a.answers), a.version, a.signed_pdf)
    attempts = [
        client.post(f"/kartlegginger/{a.id}/del/familie", data={"version": str(a.version),
                                                                "sivilstand": "gift"}),
        client.post(f"/kartlegginger/{a.id}/autolagre", json={
            "version": a.version, "section": "familie", "answers": {"sivilstand": "gift"}}),
        client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD}),
        client.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet"),
        client.post(f"/kartlegginger/{a.id}/livskvalitet/ansatt",
                    data={"tilfredshet-liv_helhet": "2"}),
    ]
    assert [r.status_code for r in attempts] == [409] * len(attempts)
    assert "signert og kan ikke endres" in attempts[0].data.decode()
    after = fresh(a.id)
    assert (after.answers, after.version, after.signed_pdf) == before


def test_correction_supersedes_and_keeps_the_original(signed_setup):
    client, user, _, a = signed_setup
    r = client.post(f"/kartlegginger/{a.id}/rettelse")
    assert r.status_code == 302
    new = db.session.scalar(db.select(Assessment).where(Assessment.supersedes_id == a.id))
    assert new.status == "draft" and new.answers == a.answers
    again = client.post(f"/kartlegginger/{a.id}/rettelse")  # one correction, not many
    assert again.status_code == 409 and new.document_id in again.data.decode()
    client.post(f"/kartlegginger/{new.id}/del/familie",
                data={"version": str(new.version), "sivilstand": "samboer"})
    r = client.post(f"/kartlegginger/{new.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302
    old, new = fresh(a.id), fresh(new.id)
    assert old.is_signed and new.is_signed and new.supersedes_id == old.id
    assert old.answers.get("sivilstand") != "samboer" or old.signed_pdf != new.signed_pdf
    page = client.get(f"/kartlegginger/{new.id}").data.decode()
    assert old.document_id in page and new.document_id in page
    assert "Erstatter dokument" in text_of(new.signed_pdf)
    assert new.document_id == f"KL-{a.id:06d}, versjon 2" and old.document_id in text_of(
        new.signed_pdf)
    assert f"KL-{a.id:06d}, versjon 2 (rettelse av versjon 1)" in text_of(new.signed_pdf)


def test_earlier_instrument_version_opens_and_prints(staff, factory, app):
    client, user = staff
    a = factory.assessment(factory.person(), user, version=1)
    assert a.instrument_version == 1
    for s in app.extensions["instruments"].get("alna-kartlegging", 1).sections:
        assert client.get(f"/kartlegginger/{a.id}/del/{s.id}").status_code == 200
    assert client.get(f"/kartlegginger/{a.id}/del/viktig").status_code == 404
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302
    text = text_of(fresh(a.id).signed_pdf)
    assert "alna-kartlegging versjon 1" in text and "Hva er viktig for deg?" not in text


def test_verify_page_for_team_leads(signed_setup, factory, login):
    _, _, _, a = signed_setup
    lead = login(factory.user("teamleder"))
    r = lead.post("/verifiser", data={"file": (io.BytesIO(a.signed_pdf), "k.pdf")},
                  content_type="multipart/form-data")
    html = r.data.decode()
    assert r.status_code == 200 and "Dokumentet er uendret og gyldig signert" in html
    assert a.document_id in html and a.signed_by.name in html
    data = bytearray(a.signed_pdf)
    data[data.index(a.document_id.encode())] ^= 0x01
    r = lead.post("/verifiser", data={"file": (io.BytesIO(bytes(data)), "k.pdf")},
                  content_type="multipart/form-data")
    assert "Dokumentet er endret etter signering" in r.data.decode()
    r = lead.post("/verifiser", data={"file": (io.BytesIO(b"not a pdf"), "x.pdf")},
                  content_type="multipart/form-data")
    assert r.status_code == 422 and "Filen er ikke en gyldig PDF" in r.data.decode()
    assert lead.post("/verifiser", data={}).status_code == 400
    staff_client = signed_setup[0]
    assert staff_client.get("/verifiser").status_code == 403


def test_cli_pdf_verify(signed_setup, app, tmp_path):
    _, _, _, a = signed_setup
    good = tmp_path / "good.pdf"
    good.write_bytes(a.signed_pdf)
    bad = tmp_path / "bad.pdf"
    data = bytearray(a.signed_pdf)
    data[data.index(a.document_id.encode())] ^= 0x01
    bad.write_bytes(bytes(data))
    runner = app.test_cli_runner()
    r = runner.invoke(args=["pdf", "verify", str(good)])
    assert r.exit_code == 0 and "Uendret: ja" in r.output and a.document_id in r.output
    r = runner.invoke(args=["pdf", "verify", str(bad)])
    assert r.exit_code == 1 and "Dokumentet er endret etter signering" in r.output


def _seen_version(page: str) -> int:
    return int(re.search(r'name="version"[^>]*value="(\d+)"', page)[1])


def test_a_save_after_the_sign_page_opened_stops_the_signing(staff, factory):
    """The signer saw version n; a colleague (or another tab) saved since: nothing is
    signed, the conflict is said in Norwegian (409), and the page carries the new version."""
    client, user = staff
    a = factory.assessment(factory.person(), user)
    seen = _seen_version(client.get(f"/kartlegginger/{a.id}/signer").get_data(as_text=True))
    assert seen == a.version
    db.session.execute(Assessment.__table__.update().where(Assessment.id == a.id)
                       .values(version=Assessment.version + 1))
    db.session.commit()
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD,
                                                          "version": str(seen)})
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "er ikke signert" in page and "signer på nytt" in page
    assert _seen_version(page) == seen + 1
    assert not fresh(a.id).is_signed and fresh(a.id).signed_pdf is None
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD,
                                                          "version": str(seen + 1)})
    assert r.status_code == 302 and fresh(a.id).is_signed
    assert fresh(a.id).version == seen + 2


def test_a_save_while_the_pdf_is_made_stops_the_signing(staff, factory, monkeypatch):
    """The race the version check alone cannot see: a save lands while the PDF is rendered
    and signed. The signing's UPDATE is guarded by the version, so it loses, signs nothing
    and keeps the colleague's answer."""
    client, user = staff
    a = factory.assessment(factory.person(), user)
    seen = a.version
    real_sign_pdf = pades.sign_pdf

    def colleague_saves_meanwhile(*args, **kwargs):
        with db.engine.connect() as other:
            other.execute(Assessment.__table__.update().where(Assessment.id == a.id)
                          .values(version=seen + 1, last_section="kollega"))
            other.commit()
        return real_sign_pdf(*args, **kwargs)

    monkeypatch.setattr(pades, "sign_pdf", colleague_saves_meanwhile)
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD,
                                                          "version": str(seen)})
    assert r.status_code == 409 and "er ikke signert" in r.get_data(as_text=True)
    now = fresh(a.id)
    assert not now.is_signed and now.signed_pdf is None and now.signed_at is None
    assert (now.version, now.last_section) == (seen + 1, "kollega")
