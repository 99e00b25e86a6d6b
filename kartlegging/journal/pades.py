"""PAdES signing and verification of PDF/A summaries with pyHanko.

Signatures are appended as an incremental update, so the signed PDF/A revision stays
byte-identical. The development certificate is self-signed; production uses a real one.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pikepdf.models.metadata import decode_pdf_date
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from . import archive

DOCUMENT_ID_KEY = "/KartleggingDocumentId"  # written by kartlegging.pdf.render
P12_NAME, CERT_NAME, PASS_NAME = "signing.p12", "signing-cert.pem", "signing.pass"
DEV_CN = "Kartlegging utviklingssertifikat (ikke for produksjon)"



class _NoTraceback(logging.Filter):
    """An untrusted or broken upload is an expected outcome: log one line, no traceback."""

    def filter(self, record):
        record.exc_info, record.exc_text = None, None
        return True


for _name in ("pyhanko.sign.validation.generic_cms", "pyhanko.sign.validation.pdf_embedded",
              "pyhanko.sign.validation", "pyhanko_certvalidator"):
    logging.getLogger(_name).addFilter(_NoTraceback())

MSG_INVALID_PDF = "Filen er ikke en gyldig PDF"
MSG_NO_SIGNATURE = "Fant ingen signatur i dokumentet"
MSG_MODIFIED = "Dokumentet er endret etter signering"
MSG_BAD_SIGNATURE = "Signaturen er ikke gyldig"
MSG_UNTRUSTED = "Signaturens sertifikat er ikke klarert"
MSG_COVERAGE = "Signaturen dekker ikke hele filen: noe er lagt til etter signering"
MSG_ERROR = "Signaturen kunne ikke kontrolleres"


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically with 0600 permissions (temp file + rename)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def ensure_dev_certificate(directory: str | Path) -> tuple[Path, bytes]:
    """Create (once) a self-signed signing certificate; return (p12 path, passphrase)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    # lock: several app processes starting at once must not mix two key pairs
    with open(d / ".signing.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_locked(d)


def _ensure_locked(d: Path) -> tuple[Path, bytes]:
    p12_path, cert_path, pass_path = d / P12_NAME, d / CERT_NAME, d / PASS_NAME
    if p12_path.exists() and cert_path.exists() and pass_path.exists():
        return p12_path, pass_path.read_bytes().strip()
    passphrase = secrets.token_urlsafe(32).encode()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kartlegging"),
                      x509.NameAttribute(NameOID.COMMON_NAME, DEV_CN)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3 * 365))
        # CA:TRUE + keyCertSign: lets NSS (pdfsig) accept it as a trust anchor
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"kartlegging", key, cert, None, serialization.BestAvailableEncryption(passphrase))
    # each file is replaced atomically; all three must exist to count as complete
    _write_private(p12_path, p12)
    _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    _write_private(pass_path, passphrase)
    return p12_path, passphrase


def certificate_pem(p12_path: str | Path, passphrase: bytes) -> bytes:
    """PEM of the signer certificate inside a PKCS#12 file."""
    _key, cert, _extra = pkcs12.load_key_and_certificates(Path(p12_path).read_bytes(),
                                                         passphrase)
    return cert.public_bytes(serialization.Encoding.PEM)


_SIGNERS: dict[tuple[str, int], signers.SimpleSigner] = {}


def load_signer(p12_path: str | Path, passphrase: bytes) -> signers.SimpleSigner:
    """pyHanko signer from a PKCS#12 file, cached per path (reloaded if the file changes)."""
    path = Path(p12_path).resolve()
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _SIGNERS:
        _SIGNERS[key] = signers.SimpleSigner.load_pkcs12_data(
            path.read_bytes(), other_certs=[], passphrase=passphrase)
    return _SIGNERS[key]


def _dates_agree(pdf_bytes: bytes) -> bool:
    """Info /ModDate and XMP xmp:ModifyDate of the newest revision name the same instant."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        info_date = pdf.docinfo.get("/ModDate")
        xmp_date = pdf.open_metadata().get("xmp:ModifyDate")
    if info_date is None or xmp_date is None:
        return info_date is None and xmp_date is None
    try:
        return decode_pdf_date(str(info_date)) == dt.datetime.fromisoformat(str(xmp_date))
    except ValueError:
        return False


def sign_pdf(pdf_bytes: bytes, signer: signers.SimpleSigner, *, reason: str,
             location: str = "Oslo", name: str | None = None,
             field_name: str = "Signatur",
             archive_settings: archive.ArchiveSettings | None = None) -> bytes:
    """PAdES signature (sha256) in a new invisible field, as an incremental update: B-B, or
    with `archive_settings` B-LT/B-LTA (timestamp, embedded validation data, document
    timestamp). Raises archive.ArchiveUnavailable when the TSA or a responder fails."""
    meta = archive.signature_metadata(
        archive_settings, field_name=field_name, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, reason=reason, location=location, name=name)
    timestamper = archive_settings.timestamper() if archive_settings else None
    for _attempt in range(2):
        out = io.BytesIO()
        archive.run_signing(lambda out=out: signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf_bytes)), meta, signer=signer,
            timestamper=timestamper, output=out))
        signed = out.getvalue()
        # pyHanko reads the clock twice (Info ModDate, XMP ModifyDate); a second boundary
        # in between makes them differ, which PDF/A forbids: sign again once
        if _dates_agree(signed):
            break
    return signed


@dataclass
class VerificationResult:
    signed: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    coverage_ok: bool = False
    signer_name: str | None = None
    signing_time: dt.datetime | None = None
    document_id: str | None = None
    # PAdES baseline level of the file ("B-B", "B-T", "B-LT", "B-LTA"), when signed
    level: str = ""
    # when the newest timestamp's certificate expires: re-timestamp before then
    timestamp_expires: dt.datetime | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.signed and self.intact and self.valid and self.trusted
                and self.coverage_ok and not self.errors)


def _as_asn1_cert(root) -> asn1_x509.Certificate:
    if isinstance(root, asn1_x509.Certificate):
        return root
    if isinstance(root, x509.Certificate):
        return asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    if isinstance(root, (bytes, bytearray)):
        data = bytes(root)
        if asn1_pem.detect(data):
            _type, _headers, data = asn1_pem.unarmor(data)
        return asn1_x509.Certificate.load(data)
    return load_cert_from_pemder(str(root))


def _document_id(reader: PdfFileReader) -> str | None:
    info = reader.trailer_view.get("/Info")
    if info is None:
        return None
    info = info.get_object()
    value = info.get(DOCUMENT_ID_KEY)
    return str(value) if value is not None else None


def verify_pdf(pdf_bytes: bytes, trust_roots, at: dt.datetime | None = None
               ) -> VerificationResult:
    """Check every signature offline against trust_roots; never raises on bad input.

    After the signature only archive updates may follow: validation data (DSS) and document
    timestamps. Any other change after signing is reported. A timestamped file is validated
    the long-term way (AdES, at `at`, default now), with only the validation data it holds,
    so it stays valid after the signing certificate has expired."""
    result = VerificationResult()
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        sigs = list(reader.embedded_regular_signatures)
        # the AdES processes place a signature in time by its own timestamp; a signature
        # without one (B-B) is checked as before, at the validation time
        stamped = any(archive.signature_timestamp_token(s) is not None for s in sigs)
        result.document_id = _document_id(reader)
    except Exception:  # noqa: BLE001 - any parse failure means: not a readable PDF
        result.errors.append(MSG_INVALID_PDF)
        return result
    if not sigs:
        result.errors.append(MSG_NO_SIGNATURE)
        return result
    result.signed = True
    try:
        roots = [_as_asn1_cert(r) for r in trust_roots]
        if stamped:
            outcomes = [archive.validate_long_term(sig, roots, at) for sig in sigs]
            statuses = [o.status for o in outcomes]
            trusted = all(o.passed for o in outcomes)
            result.level = archive.level(pdf_bytes)
            result.timestamp_expires = archive.newest_timestamp_expiry(pdf_bytes)
        else:
            context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=at)
            statuses = [validate_pdf_signature(sig, context) for sig in sigs]
            trusted = all(s.trusted for s in statuses)
            result.level = "B-B"
    except Exception:  # noqa: BLE001 - a broken signature must not crash the caller
        result.errors.append(MSG_ERROR)
        return result
    if any(s is None for s in statuses):  # AdES stopped before the cryptographic check
        result.errors.append(MSG_ERROR)
        return result
    result.intact = all(s.intact for s in statuses)
    result.valid = all(s.valid for s in statuses)
    result.trusted = trusted
    result.coverage_ok = all(_only_archive_updates_after(s) for s in statuses)
    last = statuses[-1]
    result.signer_name = last.signing_cert.subject.native.get("common_name")
    result.signing_time = last.signer_reported_dt
    for failed, message in ((not result.intact, MSG_MODIFIED),
                            (result.intact and not result.valid, MSG_BAD_SIGNATURE),
                            (result.intact and not result.trusted, MSG_UNTRUSTED),
                            (result.intact and not result.coverage_ok, MSG_COVERAGE)):
        if failed:
            result.errors.append(message)
    return result


def _only_archive_updates_after(status) -> bool:
    """The signature covers the whole file, or what follows its revision is validation
    data and document timestamps only (pyHanko's difference analysis)."""
    coverage = status.coverage
    if coverage is not None and coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return (coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and status.modification_level is not None
            and status.modification_level <= ModificationLevel.LTA_UPDATES
            and status.docmdp_ok is not False)
