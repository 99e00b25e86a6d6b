"""PAdES signing of the PDF/A summary: pyHanko and poppler's pdfsig must both agree."""

import datetime as dt
import io
import os
import shutil
import stat
import subprocess

import pikepdf
import pytest
from cryptography import x509
from pikepdf import Name, pdfa
from pikepdf.models.metadata import decode_pdf_date
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from kartlegging.journal.pades import (
    DEV_CN,
    MSG_COVERAGE,
    MSG_INVALID_PDF,
    MSG_MODIFIED,
    MSG_NO_SIGNATURE,
    MSG_UNTRUSTED,
    certificate_pem,
    ensure_dev_certificate,
    load_signer,
    sign_pdf,
    verify_pdf,
)
from kartlegging.journal.pdf import render
from kartlegging.journal.pdfa import to_pdfa
from pdf_sample import sample_doc

DOC_ID = b"KL-2026-000012-v1"


def _tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} mangler: installer poppler-utils og libnss3-tools "
                    "(scripts/system-packages.sh)")
    return path


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cert")
    p12, passphrase = ensure_dev_certificate(directory)
    return directory, p12, passphrase


@pytest.fixture(scope="module")
def unsigned():
    return to_pdfa(render(sample_doc()), title="Kartlegging i Bydel Alna – Kari Nordmann")


@pytest.fixture(scope="module")
def signed(cert, unsigned):
    _dir, p12, passphrase = cert
    return sign_pdf(unsigned, load_signer(p12, passphrase), reason="Kartlegging signert",
                    name="Ola Ansatt")


@pytest.fixture(scope="module")
def tampered(signed, unsigned):
    data = bytearray(signed)
    i = data.index(DOC_ID)
    assert i < len(unsigned)  # inside the first (signed) revision
    data[i] ^= 0x01  # 'K' -> 'J'
    return bytes(data)


def _pdfsig(data, tmp_path, *extra):
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    # pdfsig exits 0 even on "Digest Mismatch": read the output
    return subprocess.run([_tool("pdfsig"), *extra, str(path)], check=False,
                          capture_output=True, text=True).stdout


def test_dev_certificate_created_once(tmp_path):
    p12, passphrase = ensure_dev_certificate(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("signing*")}
    assert set(before) == {"signing.p12", "signing-cert.pem", "signing.pass"}
    assert stat.S_IMODE(os.stat(tmp_path / "signing.pass").st_mode) == 0o600
    assert ensure_dev_certificate(tmp_path) == (p12, passphrase)
    assert {p.name: p.read_bytes() for p in tmp_path.glob("signing*")} == before

    pem = certificate_pem(p12, passphrase)
    assert pem == before["signing-cert.pem"]
    cert = x509.load_pem_x509_certificate(pem)
    assert cert.subject.rfc4514_string() == f"CN={DEV_CN},O=Kartlegging,C=NO"
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.digital_signature and usage.content_commitment
    days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
    assert 3 * 365 - 1 <= days <= 3 * 366


def test_signer_is_cached(cert):
    _dir, p12, passphrase = cert
    assert load_signer(p12, passphrase) is load_signer(str(p12), passphrase)


def test_sign_and_verify(cert, signed):
    directory, p12, passphrase = cert
    pem = certificate_pem(p12, passphrase)
    for roots in ([pem], [directory / "signing-cert.pem"], [x509.load_pem_x509_certificate(pem)]):
        result = verify_pdf(signed, roots)
        assert (result.signed, result.intact, result.valid, result.trusted,
                result.coverage_ok) == (True, True, True, True, True)
        assert result.ok and result.errors == []
        assert result.signer_name == DEV_CN
        assert result.document_id == DOC_ID.decode()
        now = dt.datetime.now(dt.UTC)
        assert abs(now - result.signing_time) < dt.timedelta(minutes=5)


def test_first_revision_unchanged_and_dates_consistent(signed, unsigned):
    assert signed[: len(unsigned)] == unsigned  # incremental update only
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        info_date = decode_pdf_date(str(pdf.docinfo.ModDate))
        meta = pdf.open_metadata()
        assert info_date == dt.datetime.fromisoformat(meta["xmp:ModifyDate"])
        assert str(pdf.docinfo.Producer) == meta["pdf:Producer"]
        assert meta["pdfaid:part"] == "2"


def test_signed_file_rest_still_pdfa(signed):
    # pikepdf does not check AcroForm/ESIC ("not checked"); check everything else
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        del pdf.Root[Name.AcroForm]
        del pdf.Root[Name.Extensions]
        for page in pdf.pages:
            if Name.Annots in page.obj:
                del page.obj[Name.Annots]
        report = pdfa.check(pdf, "2b")
    assert report.verdict == "pass", report.findings


def test_tampered_is_not_intact(cert, tampered):
    _dir, p12, passphrase = cert
    result = verify_pdf(tampered, [certificate_pem(p12, passphrase)])
    assert result.signed and not result.intact and not result.ok
    assert MSG_MODIFIED in result.errors


def test_untrusted_root(tmp_path, signed):
    other_p12, other_pass = ensure_dev_certificate(tmp_path)
    result = verify_pdf(signed, [certificate_pem(other_p12, other_pass)])
    assert result.intact and result.valid and not result.trusted and not result.ok
    assert result.errors == [MSG_UNTRUSTED]


def test_update_after_signing_is_reported(cert, signed):
    _dir, p12, passphrase = cert
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = generic.TextStringObject("en-GB")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue(), [certificate_pem(p12, passphrase)])
    assert result.intact and not result.coverage_ok and not result.ok
    assert MSG_COVERAGE in result.errors


@pytest.mark.parametrize("data", [b"", b"garbage", b"%PDF-1.7\n1 0 obj\n<<", os.urandom(2000)])
def test_garbage_does_not_raise(data):
    result = verify_pdf(data, [])
    assert not result.signed and not result.ok
    assert result.errors == [MSG_INVALID_PDF]


def test_unsigned_pdf(unsigned):
    result = verify_pdf(unsigned, [])
    assert not result.signed and result.errors == [MSG_NO_SIGNATURE]
    assert result.document_id == DOC_ID.decode()


def test_pdfsig_valid_and_tampered(signed, tampered, tmp_path):
    out = _pdfsig(signed, tmp_path)
    assert "Signature is Valid." in out and "Total document signed" in out, out
    assert DEV_CN in out and "ETSI.CAdES.detached" in out
    out = _pdfsig(tampered, tmp_path)
    assert "Signature is Valid." not in out and "Digest Mismatch" in out, out


def test_pdfsig_trusts_certificate_from_nss_db(cert, signed, tmp_path):
    directory, _p12, _pass = cert
    db = tmp_path / "nss"
    db.mkdir()
    certutil = _tool("certutil")
    subprocess.run([certutil, "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run([certutil, "-A", "-d", f"sql:{db}", "-n", "signer", "-t", "C,C,C",
                    "-i", str(directory / "signing-cert.pem")], check=True)
    out = _pdfsig(signed, tmp_path, "-nssdir", f"sql:{db}")
    assert "Signature is Valid." in out and "Certificate is Trusted." in out, out


def test_date_mismatch_detected_and_resigned_once(cert, signed, unsigned, monkeypatch):
    from kartlegging.journal import pades

    assert pades._dates_agree(signed)
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        pdf.docinfo.ModDate = "D:20000101000000Z"
        skewed = io.BytesIO()
        pdf.save(skewed)
    assert not pades._dates_agree(skewed.getvalue())

    calls = []  # first check says "differ", second "agree": exactly one re-sign
    monkeypatch.setattr(pades, "_dates_agree", lambda data: calls.append(data) or len(calls) > 1)
    _dir, p12, passphrase = cert
    out = pades.sign_pdf(unsigned, load_signer(p12, passphrase), reason="Test")
    assert len(calls) == 2 and out is calls[1] and calls[0] != calls[1]
