"""Document ids per kartlegging and version, one correction per document, hash coverage,
verification times in Oslo time: ids and times a reader of the journal can trust."""
import io
import logging
import re

from conftest import PASSWORD
from kartlegging.clock import oslo_datetime
from kartlegging.extensions import db
from kartlegging.journal import signing, summary
from kartlegging.models import Assessment, AuditEvent

from . import test_signing
from .test_signing import fresh, text_of

signed_setup = test_signing.signed_setup  # the shared signed kartlegging fixture


def _events(action):
    return db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def test_document_id_does_not_count_saves(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user)
    before = a.document_id
    for value in ("gift", "samboer", "enslig"):
        a = fresh(a.id)
        client.post(f"/kartlegginger/{a.id}/del/familie",
                    data={"version": str(a.version), "sivilstand": value})
    a = fresh(a.id)
    assert a.version > 1 and a.document_id == before == f"KL-{a.id:06d}, versjon 1"


def test_second_correction_is_refused_and_names_the_existing_one(signed_setup):
    client, _, _, a = signed_setup
    r = client.post(f"/kartlegginger/{a.id}/rettelse")
    assert r.status_code == 302 and "Rettelse opprettet" in client.get(r.location).data.decode()
    new = signing.correction_of(a)
    events = _events("assessment_correct")
    r = client.post(f"/kartlegginger/{a.id}/rettelse")
    html = r.data.decode()
    assert r.status_code == 409 and f"KL-{a.id:06d}, versjon 2" in html and "utkast" in html
    assert "Rettelse opprettet" not in html and _events("assessment_correct") == events
    assert db.session.scalar(db.select(db.func.count()).select_from(Assessment)
                             .where(Assessment.supersedes_id == a.id)) == 1
    r = client.post(f"/kartlegginger/{new.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302
    r = client.post(f"/kartlegginger/{a.id}/rettelse")  # even once it is signed
    assert r.status_code == 409 and "er signert" in r.data.decode()
    assert _events("assessment_correct") == events
    # the signed correction itself can be corrected: version 3 of the same document
    assert client.post(f"/kartlegginger/{new.id}/rettelse").status_code == 302
    third = signing.correction_of(fresh(new.id))
    assert third.document_label == f"KL-{a.id:06d}, versjon 3 (rettelse av versjon 2)"
    page = client.get(f"/kartlegginger/{third.id}").data.decode()
    assert third.document_label in page
    assert signing.find_document(third.document_id, a.person.team_id).id == third.id
    assert signing.find_document(f"KL-{a.id:06d}, versjon 9", a.person.team_id) is None


def test_correction_hash_covers_the_ratings_its_pdf_shows(signed_setup, factory):
    client, user, _, a = signed_setup
    client.post(f"/kartlegginger/{a.id}/rettelse")
    new = signing.correction_of(a)
    assert client.post(f"/kartlegginger/{new.id}/signer",
                       data={"password": PASSWORD}).status_code == 302
    new = fresh(new.id)
    doc = summary.build(new, summary.frozen_context(new, new.signed_at.date()),
                        factory.app.extensions["instruments"])
    shown = doc["livskvalitet"]["latest"]
    assert shown["items"] and shown["items"][0]["text"] in text_of(new.signed_pdf)
    assert summary.content_sha256(doc) == new.content_sha256
    # any shown rating changed -> another hash
    changed = dict(doc, livskvalitet=dict(doc["livskvalitet"], latest=dict(
        shown, items=[dict(shown["items"][0], text="1 – Kunne ikke vært verre")]
        + shown["items"][1:])))
    assert summary.content_sha256(changed) != new.content_sha256
    history = dict(doc, livskvalitet=dict(doc["livskvalitet"], history=[]))
    assert summary.content_sha256(history) != new.content_sha256
    assert new.content_sha256 in text_of(new.signed_pdf).replace(" ", "")


def test_verify_page_shows_the_signing_time_in_oslo_time(signed_setup, factory, login):
    _, _, _, a = signed_setup
    lead = login(factory.user("teamleder"))
    html = lead.post("/verifiser", data={"file": (io.BytesIO(a.signed_pdf), "k.pdf")},
                     content_type="multipart/form-data").data.decode()
    shown = re.search(r"Signeringstidspunkt \(fra signaturen\)</dt><dd>([^<]+)</dd>", html)
    assert shown and shown.group(1) == f"{oslo_datetime(a.signed_at)} (norsk tid)"
    assert html.count(oslo_datetime(a.signed_at)) >= 2  # same as the record's signing time


def test_cli_verify_ends_with_one_verdict_and_logs_no_traceback(signed_setup, app, tmp_path,
                                                                caplog):
    _, _, _, a = signed_setup
    good = tmp_path / "good.pdf"
    good.write_bytes(a.signed_pdf)
    runner = app.test_cli_runner()
    r = runner.invoke(args=["pdf", "verify", str(good)])
    lines = r.output.strip().splitlines()
    assert r.exit_code == 0 and lines[-1].startswith("Resultat: GYLDIG")
    assert f"Signert tidspunkt: {oslo_datetime(a.signed_at)} (norsk tid)" in r.output
    assert sum(line.startswith("Resultat:") for line in lines) == 1
    # untrusted: another certificate as the only trust root
    from kartlegging.journal import pades
    other = pades.certificate_pem(*pades.ensure_dev_certificate(tmp_path / "other"))
    caplog.set_level(logging.DEBUG)
    result = pades.verify_pdf(a.signed_pdf, [other])
    assert not result.ok and pades.MSG_UNTRUSTED in result.errors
    assert caplog.records and not any(rec.exc_info or rec.exc_text for rec in caplog.records)
    assert "Traceback" not in caplog.text
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 nonsense")
    r = runner.invoke(args=["pdf", "verify", str(bad)])
    assert r.exit_code == 1 and r.output.strip().splitlines()[-1].startswith(
        "Resultat: IKKE GODKJENT")


def test_documents_signed_with_milestone_1_ids_are_still_found(signed_setup, factory):
    """'KL-000004-v25' (the assessment's own id and its save count) still finds the document."""
    _, _, _, a = signed_setup
    team = a.person.team_id
    assert signing.find_document(f"KL-{a.id:06d}-v25", team).id == a.id
    assert signing.find_document(f"KL-{a.id:06d}-v25", factory.team_b.id) is None
    draft = factory.assessment(a.person, a.created_by)
    assert signing.find_document(f"KL-{draft.id:06d}-v3", team) is None  # not signed
    assert signing.find_document("KL-999999-v1", team) is None
