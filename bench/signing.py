"""Signing: summary, rendering, PDF/A and PAdES of a fully filled kartlegging, each step's median;
rendering against a plain reportlab document with the same text and the same embedded font."""
import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from .measure import median, timed

RUNS = 7


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _texts(v)


def plain_pdf(doc: dict) -> bytes:
    """The baseline: every string of the summary as paragraphs, same font, no layout."""
    from kartlegging.journal import pdf
    style = ParagraphStyle("plain", fontName=pdf.FONT, fontSize=9.5, leading=12)
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4).build(
        [Paragraph(escape(t), style) for t in _texts(doc) if t.strip()])
    return out.getvalue()


def measure(app, assessment_id: int, signer_user_id: int) -> dict:
    """Median milliseconds per step, on a copy of a filled kartlegging (rolled back)."""
    from kartlegging.assessments import drafts
    from kartlegging.clock import now_utc, today
    from kartlegging.extensions import db
    from kartlegging.journal import pades, pdf, pdfa, summary
    from kartlegging.journal.signing import signer_material
    from kartlegging.models import Assessment, User
    with app.app_context():
        src = db.session.get(Assessment, assessment_id)
        by = db.session.get(User, signer_user_id)
        a = Assessment(person_id=src.person_id, instrument_key=src.instrument_key,
                       instrument_version=src.instrument_version, answers=dict(src.answers),
                       created_by_id=by.id, updated_by_id=by.id, signed_at=now_utc(),
                       signed_by_id=by.id, signed_by=by)
        db.session.add(a)
        db.session.flush()
        ctx = summary.frozen_context(a, today())
        doc = summary.build(a, ctx, drafts.registry())
        raw = pdf.render(doc)
        archived = pdfa.to_pdfa(raw, title=doc["title"])
        signer = pades.load_signer(*signer_material())
        # The rendering and its baseline take turns, run by run, so that load from others on
        # a shared machine falls on both sides of the ratio alike.
        plain_ms, render_ms = [], []
        for _ in range(RUNS):
            plain_ms += timed(lambda: plain_pdf(doc), 1)
            render_ms += timed(lambda: pdf.render(doc), 1)
        steps = {
            "Sammendrag (summary.build)": timed(
                lambda: summary.build(a, summary.frozen_context(a, today()), drafts.registry()),
                RUNS),
            "Ren reportlab (grunnlinje)": plain_ms,
            "Oppsett (pdf.render)": render_ms,
            "PDF/A (pdfa.to_pdfa)": timed(lambda: pdfa.to_pdfa(raw, title=doc["title"]), RUNS),
            "PAdES (pades.sign_pdf)": timed(
                lambda: pades.sign_pdf(archived, signer, reason="Bench", name=by.name), RUNS),
        }
        db.session.rollback()
    med = {k: median(v) for k, v in steps.items()}
    ratio = med["Oppsett (pdf.render)"] / med["Ren reportlab (grunnlinje)"]
    return {"steps_ms": med, "render_ratio": ratio, "pages_bytes": len(raw)}
