"""Signing a kartlegging into the journal: checks, freeze, PDF/A, PAdES; and corrections.

helsepersonelloven §§ 39–42: who wrote it and when; a signed entry never changes, a
correction is a new entry linked to the old one.
"""
import re
from datetime import datetime

from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from ..assessments import drafts
from ..clock import now_utc, today
from ..domain.due import local_date
from ..domain.rules import frozen_ip, problems
from ..extensions import db
from ..models import Assessment, User
from . import archive, pades, pdf, pdfa, summary

SIGN_REASON = "Signert kartlegging for journal"


class NotArchivable(Exception):
    """The rendered document failed the PDF/A-2b check: nothing is signed or stored."""

    message = ("Dokumentet besto ikke PDF/A-kontrollen og er ikke signert. Kartleggingen er "
               "uendret; kontakt systemansvarlig.")

    def __init__(self, findings):
        super().__init__(self.message)
        self.findings = findings


class AlreadyCorrected(Exception):
    def __init__(self, existing):
        super().__init__("Det finnes allerede en rettelse.")
        self.existing = existing


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


def configured_roots() -> tuple:
    """SIGNING_TRUST_ROOTS: a PEM file with the roots of the signer's CA and the TSA."""
    path = current_app.config.get("SIGNING_TRUST_ROOTS")
    if not path:
        return ()
    with open(path, "rb") as f:
        return archive.load_roots(f.read())


def trust_roots() -> list:
    """The configured roots; without them the signing certificate itself (development, and
    installations that trust exactly their own certificate). Not both: a leaf given as a
    trust anchor would be trusted without its revocation data."""
    return list(configured_roots()) or [pades.certificate_pem(*signer_material())]


def archive_settings() -> archive.ArchiveSettings | None:
    """B-LT/B-LTA settings when a TSA is configured; None signs at B-B as before."""
    cfg = current_app.config
    if not cfg.get("SIGNING_TSA_URL"):
        return None
    roots = configured_roots() or archive.load_roots(
        pades.certificate_pem(*signer_material()))
    return archive.ArchiveSettings(tsa_url=cfg["SIGNING_TSA_URL"], trust_roots=roots,
                                   document_timestamp=cfg.get("SIGNING_DOCUMENT_TIMESTAMP",
                                                              True))


def sign(a: Assessment, by: User, at: datetime | None = None, *,
         expected_version: int | None = None) -> Assessment:
    """Freeze, render, check PDF/A, sign and store (flushed, not committed: the view commits
    with the audit event). Raises drafts.Locked, drafts.Conflict, NotReady, NotArchivable or
    archive.ArchiveUnavailable (nothing changed).

    Guarded like every save: `expected_version` is the version the signer saw (None: the one
    loaded here), and the row is signed only by an UPDATE … WHERE version = n, so answers
    saved meanwhile (another tab, a colleague) are never signed unseen or lost.

    `at` (naive UTC, default now) is the signing time the document states; only seeding passes
    one, to build a history that went through the same steps as a signing today."""
    if a.is_signed:
        raise drafts.Locked()
    if expected_version is not None and expected_version != a.version:
        raise drafts.Conflict(a)
    seen = a.version
    # Nothing is written before the guarded UPDATE below: the rendering takes no write
    # lock (on SQLite, one for the whole database), and a lost race leaves nothing behind.
    with db.session.no_autoflush:
        inst = drafts.instrument_of(a)
        a_day = today() if at is None else local_date(at)
        found = problems(inst, a.answers, a_day)
        if found:
            raise NotReady(found)
        a.signed_at = at or now_utc()
        a.signed_by_id = by.id
        a.signed_by = by
        context = summary.frozen_context(a, a_day)
        for column, value in frozen_ip(inst, a.answers, a_day).items():
            setattr(a, column, value)
        doc = summary.build(a, context, drafts.registry())
        a.content_sha256 = summary.content_sha256(doc)
        doc["signature"]["content_sha256"] = a.content_sha256
        archived = pdfa.to_pdfa(pdf.render(doc), title=f"{doc['title']} – {a.document_id}")
        passed, findings = pdfa.validate(archived)  # never store a false PDF/A
        if not passed:
            db.session.rollback()
            current_app.logger.error("PDF/A-kontroll feilet ved signering: %s",
                                     "; ".join(findings))
            raise NotArchivable(findings)
        signer = pades.load_signer(*signer_material())
        try:
            signed_pdf = pades.sign_pdf(archived, signer, reason=SIGN_REASON, name=by.name,
                                        archive_settings=archive_settings())
        except archive.ArchiveUnavailable as e:
            db.session.rollback()
            current_app.logger.error("Langtidssignering feilet: %s", e.detail)
            raise
    t = Assessment.__table__
    claimed = db.session.execute(t.update().where(
        t.c.id == a.id, t.c.version == seen, t.c.status == "draft").values(version=seen + 1))
    if claimed.rowcount != 1:
        db.session.rollback()  # nothing of this signing is kept
        current = db.session.get(Assessment, a.id)
        if current.is_signed:
            raise drafts.Locked()
        raise drafts.Conflict(current)
    set_committed_value(a, "version", seen + 1)
    a.signed_pdf = signed_pdf
    a.status = "signed"
    a.set_aside = None  # answers of hidden items are never part of the journal
    db.session.flush()  # the caller commits together with the audit event
    return a


def correct(a: Assessment, by: User) -> Assessment:
    """A new draft that supersedes the signed one, starting from its answers."""
    if not a.is_signed:
        raise ValueError("Bare signerte kartlegginger kan rettes.")
    existing = correction_of(a)
    if existing:
        raise AlreadyCorrected(existing)
    new = Assessment(person_id=a.person_id, instrument_key=a.instrument_key,
                     instrument_version=a.instrument_version, answers=dict(a.answers),
                     created_by_id=by.id, updated_by_id=by.id, supersedes_id=a.id)
    db.session.add(new)
    db.session.flush()  # the caller commits together with the audit event
    return new


def correction_of(a: Assessment) -> Assessment | None:
    return db.session.query(Assessment).filter_by(supersedes_id=a.id).first()


_DOCUMENT_ID = re.compile(r"KL-(\d+), versjon (\d+)")
# Documents signed in milestone 1 carry "KL-<the assessment's own id>-v<save count>".
_OLD_DOCUMENT_ID = re.compile(r"KL-(\d+)-v\d+")


def find_document(document_id: str, team_id: int) -> Assessment | None:
    """'KL-000004, versjon 2' -> that version in the chain, if it belongs to the team."""
    old = _OLD_DOCUMENT_ID.fullmatch(document_id.strip())
    if old:
        a = db.session.get(Assessment, int(old.group(1)))
        return a if a is not None and a.is_signed and a.person.team_id == team_id else None
    m = _DOCUMENT_ID.fullmatch(document_id.strip())
    if not m:
        return None
    a = db.session.get(Assessment, int(m.group(1)))
    for _ in range(int(m.group(2)) - 1):
        a = correction_of(a) if a is not None else None
    if a is None or a.person.team_id != team_id or a.document_id != document_id.strip():
        return None
    return a
