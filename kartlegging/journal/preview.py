"""The document a signing will lock, rendered before it is signed, for the sign page.

The same steps as signing.sign up to the signature (frozen context and IP columns, summary,
PDF, PDF/A), with the signer and the time of the preview as the signing's; the signing itself
later states its own time. Nothing is written: the columns the steps set on the assessment are
expired (never flushed) before returning, so a preview never changes what is stored. The test
(tests/journal/test_preview.py) compares its text with the signed file's.
"""
from ..assessments import drafts
from ..clock import now_utc, today
from ..domain.rules import frozen_ip
from ..extensions import db
from ..models import Assessment, User
from . import pdf, pdfa, summary


def unsigned_pdf(a: Assessment, by: User) -> bytes:
    inst = drafts.instrument_of(a)
    day = today()
    try:
        with db.session.no_autoflush:
            a.signed_at, a.signed_by_id, a.signed_by = now_utc(), by.id, by
            context = summary.frozen_context(a, day)
            for column, value in frozen_ip(inst, a.answers, day).items():
                setattr(a, column, value)
            doc = summary.build(a, context, drafts.registry())
            doc["signature"]["content_sha256"] = summary.content_sha256(doc)
            return pdfa.to_pdfa(pdf.render(doc), title=f"{doc['title']} – {a.document_id}")
    finally:
        db.session.expire(a)  # drops the columns set above: they were never flushed
