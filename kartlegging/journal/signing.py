"""Signing a kartlegging into the journal: checks, freeze, PDF/A, PAdES; and corrections.

helsepersonelloven §§ 39–42: who wrote it and when; a signed entry never changes, a
correction is a new entry linked to the old one.
"""
from flask import current_app

from ..assessments import drafts
from ..clock import now_utc, today
from ..domain.rules import evaluate, problems
from ..extensions import db
from ..models import Assessment, User
from . import pades, pdf, pdfa, summary

SIGN_REASON = "Signert kartlegging for journal"


class NotReady(Exception):
    def __init__(self, found):
        super().__init__("Kartleggingen kan ikke signeres ennå.")
        self.problems = found


def signer_material():
    """(p12 path, passphrase): configured in production, generated in development."""
    cfg = current_app.config
    if cfg.get("SIGNING_P12"):
        return cfg["SIGNING_P12"], cfg["SIGNING_P12_PASSPHRASE"].encode()
    return pades.ensure_dev_certificate(current_app.instance_path)


def trust_roots() -> list[bytes]:
    return [pades.certificate_pem(*signer_material())]


def sign(a: Assessment, by: User) -> Assessment:
    """Freeze, render, sign and store. Raises drafts.Locked or NotReady."""
    if a.is_signed:
        raise drafts.Locked()
    inst = drafts.instrument_of(a)
    found = problems(inst, a.answers)
    if found:
        raise NotReady(found)
    ip = evaluate(inst, a.answers).derived.get("ip")
    a.signed_at = now_utc()
    a.signed_by_id = by.id
    a.signed_by = by
    context = summary.frozen_context(a, today())
    a.content_sha256 = summary.content_sha256(a, context)
    a.ip_outcome = ip.outcome if ip else None
    a.ip_decision = ip.record.get("decision") if ip else None
    a.ip_answer = ip.record.get("answer") if ip else None
    doc = summary.build(a, context, drafts.registry())
    raw = pdf.render(doc)
    archived = pdfa.to_pdfa(raw, title=f"{doc['title']} – {a.document_id}")
    signer = pades.load_signer(*signer_material())
    a.signed_pdf = pades.sign_pdf(archived, signer, reason=SIGN_REASON, name=by.name)
    a.status = "signed"
    a.set_aside = None  # answers of hidden items are never part of the journal
    db.session.commit()
    return a


def correct(a: Assessment, by: User) -> Assessment:
    """A new draft that supersedes the signed one, starting from its answers."""
    if not a.is_signed:
        raise ValueError("Bare signerte kartlegginger kan rettes.")
    existing = db.session.query(Assessment).filter_by(supersedes_id=a.id).first()
    if existing:
        return existing
    new = Assessment(person_id=a.person_id, instrument_key=a.instrument_key,
                     instrument_version=a.instrument_version, answers=dict(a.answers),
                     created_by_id=by.id, updated_by_id=by.id, supersedes_id=a.id)
    db.session.add(new)
    db.session.commit()
    return new
