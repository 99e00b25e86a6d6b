"""Long-term signatures (PAdES B-LT, B-LTA) against a real local TSA, OCSP responder and CRLs
(certomancer, tests/journal/certomancer_support.py): valid after the signing certificate has
expired, later archive updates accepted, every other change after signing refused."""
import asyncio
import datetime as dt
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from sqlalchemy import select

from conftest import PASSWORD
from journal import certomancer_support
from kartlegging.extensions import db
from kartlegging.journal import archive, pades, signing
from kartlegging.journal.pdf import render
from kartlegging.journal.pdfa import to_pdfa
from kartlegging.models import Assessment, AuditEvent
from pdf_sample import sample_doc


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    running = certomancer_support.start(tmp_path_factory.mktemp("pki"))
    yield running
    running.stop()


def settings(pki, lta=True, url=None):
    return archive.ArchiveSettings(
        tsa_url=url or pki.tsa_url, trust_roots=archive.load_roots(pki.roots_pem.read_bytes()),
        document_timestamp=lta)


@pytest.fixture(scope="module")
def signer(pki):
    return pades.load_signer(pki.p12, certomancer_support.P12_PASSPHRASE)


@pytest.fixture(scope="module")
def unsigned():
    return to_pdfa(render(sample_doc()), title="Kartlegging i Bydel Alna – Kari Nordmann")


@pytest.fixture(scope="module")
def signed(pki, signer, unsigned):
    """The same document signed three ways by the same short-lived certificate."""
    def sign(archive_settings):
        return pades.sign_pdf(unsigned, signer, reason="Signert kartlegging for journal",
                              name="Ola Ansatt", archive_settings=archive_settings)
    return {"B-B": sign(None), "B-LT": sign(settings(pki, lta=False)),
            "B-LTA": sign(settings(pki, lta=True))}


def roots(pki):
    return list(archive.load_roots(pki.roots_pem.read_bytes()))


def after_expiry(pki):
    """A validation time when the signing certificate has been expired for days, while the
    CRLs and OCSP answers embedded at signing are still the newest there are."""
    return pki.signer_not_after + dt.timedelta(days=4)


def ades(pdf_bytes, pki, at):
    """pyHanko's AdES engine, as verify_pdf runs it: the archival process when a document
    timestamp follows the signature, the process for signatures with time otherwise."""
    sig = PdfFileReader(io.BytesIO(pdf_bytes)).embedded_regular_signatures[0]
    return archive.validate_long_term(sig, roots(pki), at)


def test_structure_of_each_level(signed, unsigned):
    for name, data in signed.items():
        assert data[: len(unsigned)] == unsigned, name  # the PDF/A revision is untouched
        assert archive.level(data) == name
        reader = PdfFileReader(io.BytesIO(data))
        sig = reader.embedded_regular_signatures[0]
        assert (archive.signature_timestamp_token(sig) is None) == (name == "B-B")
        assert len(reader.embedded_timestamp_signatures) == (name == "B-LTA")
    for name in ("B-LT", "B-LTA"):
        dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(signed[name])))
        # the signer's OCSP answer and the root's CRL (for the intermediate CA and the TSA)
        assert len(dss.ocsps) >= 1 and len(dss.crls) >= 1, name
        assert len(dss.certs) >= 4, name  # signer, intermediate, TSA, OCSP responder


@pytest.mark.parametrize("name", ["B-LT", "B-LTA"])
def test_valid_now_and_after_the_signing_certificate_expired(signed, pki, name):
    assert ades(signed[name], pki, dt.datetime.now(dt.UTC)).passed
    later = ades(signed[name], pki, after_expiry(pki))
    assert later.passed
    status = later.status
    assert status.intact and status.valid and status.trusted
    # the signature is proven to exist at signing, not at the (later) validation time
    assert later.best_signature_time < pki.signer_not_after
    result = pades.verify_pdf(signed[name], roots(pki), at=after_expiry(pki))
    assert result.ok, result.errors
    assert result.level == name and result.signer_name == "Rusteam Alna signering"


def test_b_lta_by_the_archival_process_itself(signed, pki):
    """ETSI EN 319 102-1 § 5.6.3 straight from pyHanko, long after the signer expired."""
    sig = PdfFileReader(io.BytesIO(signed["B-LTA"])).embedded_regular_signatures[0]
    at = after_expiry(pki)
    timing = ValidationTimingInfo(validation_time=at, best_signature_time=at,
                                  point_in_time_validation=True)
    result = asyncio.run(ades_lta_validation(sig, archive.validation_spec(roots(pki)),
                                             timing_info=timing))
    assert result.ades_subindic == AdESPassed.OK, result.failure_msg
    assert result.oldest_evidence_record_timestamp < pki.signer_not_after


def test_without_timestamp_the_signature_dies_with_its_certificate(signed, pki):
    assert pades.verify_pdf(signed["B-B"], roots(pki)).ok  # offline, today: fine
    assert not ades(signed["B-B"], pki, after_expiry(pki)).passed
    assert not pades.verify_pdf(signed["B-B"], roots(pki), at=after_expiry(pki)).ok


def test_timestamp_expiry_is_the_tsa_certificate(signed):
    expires = archive.newest_timestamp_expiry(signed["B-LTA"])
    assert expires > dt.datetime.now(dt.UTC) + dt.timedelta(days=365 * 39)
    assert archive.newest_timestamp_expiry(signed["B-B"]) is None


def test_a_later_document_timestamp_is_accepted(signed, pki):
    extended = archive.retimestamp(signed["B-LTA"], settings(pki))
    assert extended.startswith(signed["B-LTA"])
    assert len(PdfFileReader(io.BytesIO(extended)).embedded_timestamp_signatures) == 2
    result = pades.verify_pdf(extended, roots(pki), at=after_expiry(pki))
    assert result.ok and result.coverage_ok, result.errors
    assert result.level == "B-LTA"
    # a B-LT document gets its first document timestamp
    sealed = archive.retimestamp(signed["B-LT"], settings(pki))
    assert sealed.startswith(signed["B-LT"]) and archive.level(sealed) == "B-LTA"
    assert pades.verify_pdf(sealed, roots(pki), at=after_expiry(pki)).ok
    # one signed without a TSA has no time of its own to build a chain on
    with pytest.raises(archive.NotTimestamped):
        archive.retimestamp(signed["B-B"], settings(pki))


def _change_root(data: bytes, key="/Lang", value="en-GB") -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root[key] = generic.TextStringObject(value)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("name", ["B-LT", "B-LTA"])
def test_any_other_change_after_signing_is_refused(signed, pki, name):
    changed = _change_root(signed[name])
    result = pades.verify_pdf(changed, roots(pki))
    assert result.intact and not result.coverage_ok and not result.ok
    assert pades.MSG_COVERAGE in result.errors
    # sealing the change under a fresh document timestamp does not make it acceptable
    sealed = archive.retimestamp(changed, settings(pki))
    result = pades.verify_pdf(sealed, roots(pki))
    assert not result.ok and pades.MSG_COVERAGE in result.errors


def test_unreachable_tsa_signs_nothing(pki, signer, unsigned):
    with pytest.raises(archive.ArchiveUnavailable):
        pades.sign_pdf(unsigned, signer, reason="x",
                       archive_settings=settings(pki, url="http://127.0.0.1:9/tsa"))


@pytest.fixture
def archiving_app(app, pki):
    app.config.update(SIGNING_P12=str(pki.p12),
                      SIGNING_P12_PASSPHRASE=certomancer_support.P12_PASSPHRASE.decode(),
                      SIGNING_TRUST_ROOTS=str(pki.roots_pem), SIGNING_TSA_URL=pki.tsa_url)
    return app


def test_cli_verify_accepts_timestamps_and_refuses_other_changes(archiving_app, signed, pki,
                                                                tmp_path):
    runner = archiving_app.test_cli_runner()
    good = tmp_path / "good.pdf"
    good.write_bytes(archive.retimestamp(signed["B-LTA"], settings(pki)))
    r = runner.invoke(args=["pdf", "verify", str(good)])
    assert r.exit_code == 0, r.output
    assert "Langtidsnivå: PAdES B-LTA" in r.output and "GYLDIG" in r.output
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(_change_root(good.read_bytes()))
    r = runner.invoke(args=["pdf", "verify", str(bad)])
    assert r.exit_code == 1 and pades.MSG_COVERAGE in r.output


def test_cli_retimestamp_files(archiving_app, signed, tmp_path):
    runner = archiving_app.test_cli_runner()
    path = tmp_path / "arkiv.pdf"
    path.write_bytes(signed["B-LTA"])
    r = runner.invoke(args=["pdf", "retimestamp", "--within-days", "30", str(path)])
    assert r.exit_code == 0 and path.read_bytes() == signed["B-LTA"]  # 40 years left: not due
    r = runner.invoke(args=["pdf", "retimestamp", "--within-days", str(365 * 50), str(path)])
    assert r.exit_code == 0 and "Fornyet: 1" in r.output, r.output
    data = path.read_bytes()
    assert data.startswith(signed["B-LTA"])
    assert len(PdfFileReader(io.BytesIO(data)).embedded_timestamp_signatures) == 2


def test_signing_in_the_app_stores_b_lta_and_the_lead_sees_it(archiving_app, staff, factory,
                                                              login):
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user)
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, r.data.decode()[:500]
    stored = db.session.get(Assessment, a.id)
    assert stored.is_signed and archive.level(stored.signed_pdf) == "B-LTA"
    lead = login(factory.user("teamleder", team=factory.team_a))
    r = lead.post("/verifiser", data={"file": (io.BytesIO(stored.signed_pdf), "k.pdf")},
                  content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Dokumentet er uendret og gyldig signert" in page
    assert "PAdES B-LTA" in page and "Tidsstempelet må fornyes før" in page


def test_unreachable_tsa_in_the_app_signs_nothing(archiving_app, staff, factory):
    archiving_app.config["SIGNING_TSA_URL"] = "http://127.0.0.1:9/tsa"
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user)
    version = a.version
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 503
    assert "Tidsstempeltjenesten" in r.get_data(as_text=True)
    db.session.expire_all()
    again = db.session.get(Assessment, a.id)
    assert not again.is_signed and again.signed_pdf is None and again.version == version


def test_cli_retimestamp_stored_documents(archiving_app, staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user)
    assert client.post(f"/kartlegginger/{a.id}/signer",
                       data={"password": PASSWORD}).status_code == 302
    before = db.session.get(Assessment, a.id).signed_pdf
    runner = archiving_app.test_cli_runner()
    r = runner.invoke(args=["pdf", "retimestamp", "--within-days", "30"])
    assert r.exit_code == 0 and "Fornyet: 0" in r.output, r.output
    r = runner.invoke(args=["pdf", "retimestamp", "--dry-run", "--within-days", str(365 * 50)])
    assert r.exit_code == 0 and "trenger nytt tidsstempel" in r.output
    db.session.expire_all()
    assert db.session.get(Assessment, a.id).signed_pdf == before
    r = runner.invoke(args=["pdf", "retimestamp", "--within-days", str(365 * 50)])
    assert r.exit_code == 0 and "Fornyet: 1" in r.output, r.output
    db.session.expire_all()
    after = db.session.get(Assessment, a.id).signed_pdf
    assert after.startswith(before) and len(after) > len(before)
    assert len(PdfFileReader(io.BytesIO(after)).embedded_timestamp_signatures) == 2
    with archiving_app.test_request_context():
        assert pades.verify_pdf(after, signing.trust_roots()).ok
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "pdf_retimestamp", AuditEvent.object_id == a.id)) is not None


def test_production_refuses_a_tsa_without_trust_roots(monkeypatch, tmp_path):
    from config import ProductionConfig
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://kartlegging@db/kartlegging")
    monkeypatch.setenv("SIGNING_P12", str(tmp_path / "s.p12"))
    monkeypatch.setenv("SIGNING_P12_PASSPHRASE", "p")
    monkeypatch.delenv("SIGNING_TRUST_ROOTS", raising=False)
    monkeypatch.delenv("SIGNING_TSA_URL", raising=False)
    ProductionConfig.check()  # no TSA: B-B, as before
    monkeypatch.setenv("SIGNING_TSA_URL", "https://tsa.example.kommune.no")
    with pytest.raises(RuntimeError, match="SIGNING_TRUST_ROOTS må settes"):
        ProductionConfig.check()
    monkeypatch.setenv("SIGNING_TRUST_ROOTS", str(tmp_path / "roots.pem"))
    ProductionConfig.check()
