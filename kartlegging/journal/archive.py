"""Signatures that outlive their certificate: PAdES B-LT and B-LTA with pyHanko.

A signed journal document is kept for decades, far longer than the signing certificate is
valid. With a time-stamping authority (TSA) configured, the signature carries an RFC 3161
timestamp, the validation data of the whole chain (certificates, OCSP responses, CRLs) is
stored in the document's DSS, and a document timestamp seals it all (B-LTA). Before that
timestamp's own certificate expires, `retimestamp` adds the validation data of the newest
timestamp and a fresh one on top: each link proves the one below it was valid when sealed.

Without a TSA nothing here is used and documents are signed at B-B, as before.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
from dataclasses import dataclass

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import DocumentSecurityStore, add_validation_info
from pyhanko.sign.validation.ades import ades_lta_validation, ades_with_time_validation
from pyhanko.sign.validation.dss import NoDSSFoundError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

TSA_TIMEOUT_SECONDS = 10
MSG_TSA_UNAVAILABLE = ("Tidsstempeltjenesten eller sertifikatenes statustjeneste svarte ikke, "
                       "så dokumentet kunne ikke signeres for langtidslagring. Kartleggingen er "
                       "ikke signert og ingenting er endret; prøv igjen om litt.")


class ArchiveUnavailable(Exception):
    """The TSA or a revocation responder could not be reached or refused: nothing signed."""

    message = MSG_TSA_UNAVAILABLE

    def __init__(self, detail: str = ""):
        super().__init__(detail or self.message)
        self.detail = detail


class NotTimestamped(ArchiveUnavailable):
    """Signed at B-B: there is no timestamp chain to extend."""

    message = "Dokumentet er signert uten tidsstempel (PAdES B-B) og kan ikke tidsstemples nå."

    def __init__(self):
        super().__init__("signert uten tidsstempel (B-B)")


@dataclass(frozen=True)
class ArchiveSettings:
    """Where timestamps come from and which roots anchor the signer and the TSA."""

    tsa_url: str
    trust_roots: tuple[asn1_x509.Certificate, ...]
    document_timestamp: bool = True  # B-LTA; False stops at B-LT

    def validation_context(self) -> ValidationContext:
        # fetching on: signing is when the revocation data is collected to be embedded
        return ValidationContext(trust_roots=list(self.trust_roots), allow_fetching=True,
                                 revocation_mode="require")

    def timestamper(self) -> timestamps.HTTPTimeStamper:
        return timestamps.HTTPTimeStamper(self.tsa_url, timeout=TSA_TIMEOUT_SECONDS)


def load_roots(pem_data: bytes) -> tuple[asn1_x509.Certificate, ...]:
    return tuple(load_certs_from_pemder_data(pem_data))


def signature_metadata(settings: ArchiveSettings | None, **fields) -> signers.PdfSignatureMetadata:
    """The signature's metadata: B-B without settings, B-LT/B-LTA with them."""
    if settings is None:
        return signers.PdfSignatureMetadata(**fields)
    return signers.PdfSignatureMetadata(
        **fields, embed_validation_info=True, use_pades_lta=settings.document_timestamp,
        validation_context=settings.validation_context())


# What an unreachable service or an unusable answer looks like from inside pyHanko.
_SERVICE_ERRORS = (TimestampRequestError, SigningError, PathBuildingError, PathValidationError,
                   SignatureValidationError, OSError)


def run_signing(sign_call):
    """Run a pyHanko signing call; a failing TSA or responder becomes ArchiveUnavailable."""
    try:
        return sign_call()
    except _SERVICE_ERRORS as e:
        raise ArchiveUnavailable(f"{type(e).__name__}: {e}") from e


def newest_timestamp_expiry(pdf_bytes: bytes) -> dt.datetime | None:
    """When the certificate of the newest timestamp in the file expires (document timestamp,
    or else the signature's own timestamp); None when the file has no timestamp at all."""
    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    doc_stamps = reader.embedded_timestamp_signatures
    if doc_stamps:
        return doc_stamps[-1].signer_cert.not_valid_after
    newest = None
    for sig in reader.embedded_regular_signatures:
        token = signature_timestamp_token(sig)
        if token is not None:
            newest = _token_signer(token)["tbs_certificate"]["validity"]["not_after"].native
    return newest


def signature_timestamp_token(sig):
    """The RFC 3161 token in a signature's unsigned attributes, if any."""
    unsigned = sig.signer_info["unsigned_attrs"]
    if not unsigned or unsigned.native is None:
        return None
    for attr in unsigned:
        if attr["type"].native == "signature_time_stamp_token":
            return attr["values"][0]
    return None


def _token_signer(token) -> asn1_x509.Certificate:
    signed_data = token["content"]
    sid = signed_data["signer_infos"][0]["sid"]
    for choice in signed_data["certificates"]:
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if cert.issuer == ias["issuer"] and cert.serial_number == ias["serial_number"].native:
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    raise ValueError("timestamp token without its signer certificate")


def level(pdf_bytes: bytes) -> str:
    """The PAdES baseline level the file's structure shows (not whether it validates).
    Without a signature timestamp it is B-B, whatever was added later: the AdES processes
    need the signature's own timestamp to place it in time."""
    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    sigs = reader.embedded_regular_signatures
    if not sigs:
        return ""
    if signature_timestamp_token(sigs[-1]) is None:
        return "B-B"
    if not _has_dss(reader):
        return "B-T"
    return "B-LTA" if reader.embedded_timestamp_signatures else "B-LT"


def _has_dss(reader: PdfFileReader) -> bool:
    try:
        return DocumentSecurityStore.read_dss(reader) is not None
    except Exception:  # noqa: BLE001 - no DSS, or an unreadable one, is "none"
        return False


def retimestamp(pdf_bytes: bytes, settings: ArchiveSettings) -> bytes:
    """Extend the archive chain: validation data for the newest timestamp, then a new
    document timestamp, both as incremental updates. A B-LT document gets its first document
    timestamp the same way. A document signed without a TSA (B-B) cannot be brought into the
    chain (raises NotTimestamped): its signature has no time of its own to build on."""
    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    sigs = reader.embedded_regular_signatures
    if not sigs or signature_timestamp_token(sigs[-1]) is None:
        raise NotTimestamped()
    vc = settings.validation_context()
    stamper = signers.PdfTimeStamper(settings.timestamper())

    def _do():
        if reader.embedded_timestamp_signatures:
            out = stamper.update_archival_timestamp_chain(reader, vc, in_place=False)
            return out.getvalue()
        # validation data of the signature and its timestamp first, sealed by the new one
        with_dss = add_validation_info(sigs[-1], vc, output=io.BytesIO()).getvalue()
        out = io.BytesIO()
        stamper.timestamp_pdf(IncrementalPdfFileWriter(io.BytesIO(with_dss)), "sha256", vc,
                              output=out)
        return out.getvalue()

    return run_signing(_do)


def validation_spec(trust_roots) -> PdfSignatureValidationSpec:
    """Offline long-term validation: only what the file itself holds counts, and every
    certificate below a trust root needs revocation data."""
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=list(trust_roots)),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO))
    return PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy,
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))


@dataclass
class LongTermStatus:
    passed: bool
    status: object  # pyHanko's PdfSignatureStatus, for intact/valid/coverage/modifications
    best_signature_time: dt.datetime | None


def validate_long_term(sig, trust_roots, at: dt.datetime | None = None) -> LongTermStatus:
    """AdES validation of one signature at `at` (default now), offline.

    With a document timestamp after the signature: the long-term archival process (ETSI EN
    319 102-1 § 5.6.3), the timestamps being the proof of existence of the validation data.
    Without one (B-T, B-LT): the process for signatures with time (§ 5.5), with the DSS's
    certificates and revocation data as what the validator knows; the signature timestamp
    proves the signature existed while the certificate was valid."""
    timing = None
    if at is not None:
        timing = ValidationTimingInfo(validation_time=at, best_signature_time=at,
                                      point_in_time_validation=True)
    spec = validation_spec(trust_roots)
    sealed = any(ts.signed_revision > sig.signed_revision
                 for ts in sig.reader.embedded_timestamp_signatures)
    if sealed:
        result = asyncio.run(ades_lta_validation(sig, spec, timing_info=timing))
    else:
        sig.compute_integrity_info(diff_policy=spec.diff_policy)  # coverage, modifications
        sig_spec = dataclasses.replace(spec.signature_validation_spec,
                                       local_knowledge=_dss_knowledge(sig.reader))
        result = asyncio.run(ades_with_time_validation(
            sig.signed_data, sig_spec, timing_info=timing, raw_digest=sig.compute_digest(),
            extra_status_kwargs=sig.summarise_integrity_info(), status_cls=PdfSignatureStatus))
    return LongTermStatus(passed=result.ades_subindic == AdESPassed.OK,
                          status=result.api_status,
                          best_signature_time=getattr(result, "best_signature_time", None))


def _dss_knowledge(reader: PdfFileReader) -> LocalKnowledge:
    """The certificates, OCSP answers and CRLs stored in the file's DSS."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return LocalKnowledge()
    return LocalKnowledge(
        known_ocsps=[c for ref in dss.ocsps for c in OCSPContainer.load_multi(
            asn1_ocsp.OCSPResponse.load(ref.get_object().data))],
        known_crls=[CRLContainer(crl_data=asn1_crl.CertificateList.load(ref.get_object().data))
                    for ref in dss.crls],
        known_certs=list(dss.load_certs()))
