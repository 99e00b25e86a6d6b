"""Summary PDF of one kartlegging (reportlab, A4, embedded fonts only).

`render(doc)` turns an already formatted dict (see tests/pdf_sample.py) into plain PDF
bytes; `kartlegging.pdfa.to_pdfa` makes it PDF/A-2b and `kartlegging.signing` signs it.
"""

from __future__ import annotations

import io

import pikepdf
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import CondPageBreak, KeepTogether

from . import pdf_bidi, tounicode
from .pdf_charts import BarChart, LineChart
from .pdf_fonts import BOLD, FONT, ITALIC
from .pdf_paragraph import RichParagraph
from .pdf_rows import CONTINUED, Row
from .pdf_text import collect_missing, fit, marker

DOCUMENT_ID_KEY = "/KartleggingDocumentId"  # custom Info key read by signing.verify_pdf

# --- styles -------------------------------------------------------------------------------
INK, MUTED = colors.HexColor("#1d2733"), colors.HexColor("#5f6b7a")
LINE = colors.HexColor("#b8c2cc")
ACCENT, SHADE = colors.HexColor("#1f4e79"), colors.HexColor("#eef2f6")
RATING_COLOURS = {"gronn": colors.HexColor("#2e7d32"), "gul": colors.HexColor("#f2b705"),
                  "rod": colors.HexColor("#c62828")}
CONTENT_WIDTH = A4[0] - 36 * mm
LABEL_WIDTH = 58 * mm
_PALETTE = {"accent": ACCENT, "grid": LINE, "axis": MUTED}


def _style(name, size=9.5, font=FONT, colour=INK, **kw):
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.3,
                          textColor=colour, **kw)


S = {
    "title": _style("title", 17, BOLD, ACCENT, spaceAfter=2 * mm),
    "h2": _style("h2", 12.5, BOLD, ACCENT, spaceBefore=5 * mm, spaceAfter=2 * mm),
    "h3": _style("h3", 10, BOLD, spaceBefore=2 * mm, spaceAfter=1 * mm),
    "body": _style("body"),
    "bold": _style("bold", font=BOLD),
    "label": _style("label", 9, colour=MUTED),
    "small": _style("small", 8, colour=MUTED),
    "missing": _style("missing", font=ITALIC, colour=MUTED),
    "bullet": _style("bullet", leftIndent=5 * mm, bulletIndent=1 * mm, bulletFontName=FONT),
    "hash": _style("hash", 7),
}
MISSING = "Ikke besvart"


def _p(text, style="body"):
    """Paragraph from any text: every script, right-to-left too, line breaks kept."""
    return RichParagraph(text, S[style])


def _answer_cell(answer, comment=None, style="body", mark=None):
    cell = [_p(answer, style) if answer not in (None, "") else _p(MISSING, "missing")]
    if comment:
        cell.append(_p(f"Kommentar: {comment}", "small"))
    if mark:
        cell.append(_p(mark, "small"))
    return cell


def _table(rows, widths, *, box=False, header=False, lines=True, extra=()):
    # splitInRow: a very long free-text answer may continue on the next page
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
    style = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    if lines:
        style.append(("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE))
    if header:
        style += [("FONTNAME", (0, 0), (-1, 0), BOLD), ("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    if box:
        style += [("BOX", (0, 0), (-1, -1), 0.8, ACCENT), ("LEFTPADDING", (0, 0), (-1, -1), 6)]
    t.setStyle(TableStyle(style + list(extra)))
    return t


def _label(text, style="label"):
    return lambda continued: _p(text + (CONTINUED if continued else ""), style)


def _qa_table(rows, box=False):
    """Label | answer rows (answer None -> 'Ikke besvart'), each splitting on its own."""
    widths = [LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH]
    return [Row(_label(r["label"]), (),
                _answer_cell(r.get("answer"), r.get("comment"), r.get("style", "body"),
                             r.get("mark")),
                widths, line=None if box else (LINE, 0.4), frame=(ACCENT, 0.8) if box else None,
                first=i == 0, last=i == len(rows) - 1)
            for i, r in enumerate(rows)]


class RatingChip(Flowable):
    """Small coloured square followed by the rating text (colour is never the only cue)."""

    def __init__(self, rating, label):
        super().__init__()
        self.rating, self.label = rating, label or "Ikke vurdert"

    def wrap(self, avail_width, avail_height):
        return 5 * mm + pdfmetrics.stringWidth(self.label, FONT, 9.5), 12

    def draw(self):
        c = self.canv
        fill = RATING_COLOURS.get(self.rating)
        c.setStrokeColor(INK if fill else MUTED)
        c.setLineWidth(0.5)
        if fill:
            c.setFillColor(fill)
        c.rect(0, 1, 3.2 * mm, 3.2 * mm, stroke=1, fill=1 if fill else 0)
        c.setFillColor(INK if fill else MUTED)
        c.setFont(FONT if fill else ITALIC, 9.5)
        c.drawString(5 * mm, 2, self.label)


def _box(title, flowables=(), rows=(), empty_text=None):
    """Framed box as a list of two stacked tables: title + full-width text, then label | answer.

    Two tables instead of SPAN rows: reportlab splits spanned rows at the wrong width.
    """
    head = [[_p(title, "h3")]] + [[f] for f in flowables]
    if not rows and empty_text:
        head.append([_p(empty_text, "missing")])
    parts = [_table(head, [CONTENT_WIDTH], box=True, lines=False, extra=[
        ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, 0), 0.4, LINE),
        ("TOPPADDING", (0, 1), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 1), (-1, -1), 1.5),
        ("TOPPADDING", (0, 1), (-1, 1), 4), ("BOTTOMPADDING", (0, -1), (-1, -1), 5)])]
    return parts + (_qa_table(rows, box=True) if rows else [])


def _bar_chart(items):
    if not any(isinstance(i.get("value"), (int, float)) for i in items):
        return None
    return BarChart([_shorten(i["label"], 38) for i in items], [i.get("value") for i in items],
                    CONTENT_WIDTH, "Siste registrering per område (1–7)", **_PALETTE)


def _line_chart(history):
    points = [h for h in history if isinstance(h.get("mean"), (int, float))]
    if len(points) < 2:
        return None
    return LineChart([h["date"] for h in points], [h["mean"] for h in points], CONTENT_WIDTH,
                     "Gjennomsnitt over tid (1–7)", **_PALETTE)


def _shorten(text, n):
    return text if len(text) <= n else text[: n - 1] + "…"


def _header(doc):
    person = doc.get("person") or {}
    number = person.get("number") or person.get("number_note") or "Ikke oppgitt"
    rows = [("Person", person.get("name")),
            (person.get("number_label") or "Fødselsnummer", number), ("Team", doc.get("team")),
            ("Skjema", doc.get("instrument")),
            ("Dokument-ID", doc.get("document_label") or doc.get("document_id")),
            ("Status", doc.get("status_line"))]
    data = [[_p(k, "label"), _p(v or "–", "bold" if k in ("Person", "Status") else "body")]
            for k, v in rows]
    return [_p(doc.get("title") or "Kartlegging", "title"),
            _table(data, [38 * mm, CONTENT_WIDTH - 38 * mm], extra=[
                ("BACKGROUND", (0, 0), (-1, -1), SHADE), ("LINEBELOW", (0, 0), (-1, -1), 0, SHADE),
                ("LINEABOVE", (0, 0), (-1, 0), 1.5, ACCENT), ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])]


def _livskvalitet(lk):
    latest = lk.get("latest") or {}
    out = [_p("Livskvalitet", "h2"),
           _p(f"Registrert {latest.get('date', '–')} – {latest.get('answered_by', '–')}", "small"),
           Spacer(1, 1.5 * mm)]
    rows = [{"label": i["label"], "answer": i.get("text")} for i in latest.get("items", [])]
    rows.append({"label": "Gjennomsnitt (1–7)", "answer": latest.get("mean")})
    rows += [{"label": i["label"], "answer": i.get("text")} for i in latest.get("yes_no", [])]
    out += _qa_table(rows)
    for chart in (_bar_chart(latest.get("items", [])), _line_chart(lk.get("history") or [])):
        if chart is not None:
            out += [Spacer(1, 4 * mm), chart]
    return out


def _vurdering(v):
    widths = [52 * mm, 32 * mm, CONTENT_WIDTH - 84 * mm]
    head = _table([["Område", "Vurdering", "Kommentar"]], widths, header=True)
    rows = [Row(_label(r["area"], "body"), [RatingChip(r.get("rating"), r.get("rating_label"))],
                [_p(r["comment"], "small")] if r.get("comment") else [], widths,
                line=(LINE, 0.4)) for r in v.get("rows", [])]
    out = [_p("Vurdering", "h2"), head, *rows]
    index = v.get("index")
    if index:
        out += [Spacer(1, 2 * mm),
                _p(f"{index['label']}: {index.get('value') or 'Ikke beregnet'}", "bold")]
        if index.get("note"):
            out.append(_p(index["note"], "small"))
    return out


def _ip(ip):
    flow = [_p(ip["prompt"], "bold")] if ip.get("prompt") else []
    flow += [RichParagraph(r, S["bullet"], bullet="•") for r in ip.get("reasons", [])]
    if ip.get("earlier"):
        flow.append(_p(ip["earlier"]))
    if ip.get("legal_basis"):
        flow.append(_p(ip["legal_basis"], "small"))
    return [Spacer(1, 5 * mm), *_box("Individuell plan", flow, ip.get("rows", []))]


def _signature(sig):
    if not sig:
        return _box("Signatur", [_p("Dokumentet er ikke signert (utkast).", "missing")])
    rows = [{"label": "Signert av", "answer": f"{sig['name']} ({sig['role']})"},
            {"label": "Team", "answer": sig.get("team")},
            {"label": "Tidspunkt", "answer": sig.get("signed_at")},
            {"label": "Dokument-ID", "answer": sig.get("document_label") or sig.get("document_id")}]
    return _box("Elektronisk signatur", rows=rows + [
        {"label": "Innholdets SHA-256", "answer": sig["content_sha256"], "style": "hash"}],
        flowables=[_p("Dokumentet er signert elektronisk med en PAdES-signatur. Endringer "
                      "etter signering gjør signaturen ugyldig.", "small")])


FOOTER_SIZE = 8


def _footer_text(doc) -> str:
    """'Dokument-ID … · name', the name shortened to one line; the id is never cut."""
    doc_id = doc.get("document_id") or ""
    name = (doc.get("person") or {}).get("name") or ""
    head = f"Dokument-ID {doc_id}" if doc_id else ""
    room = CONTENT_WIDTH - pdfmetrics.stringWidth("Side 999 av 999", FONT, FOOTER_SIZE) - 8 * mm
    if not name:
        return head
    if not head:
        return fit(name, room, FOOTER_SIZE)
    sep = " · "
    used = pdfmetrics.stringWidth(head + sep, FONT, FOOTER_SIZE)
    return head + sep + fit(name, room - used, FOOTER_SIZE)


def _canvas_maker(footer_left):
    class NumberedCanvas(rl_canvas.Canvas):
        """Two passes: keep every page's state, then draw 'Side x av y' when the total is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for state in self._pages:
                self.__dict__.update(state)
                self.setFillColor(MUTED)
                self.setStrokeColor(LINE)
                self.line(18 * mm, 14 * mm, A4[0] - 18 * mm, 14 * mm)
                pdf_bidi.draw_string(self, 18 * mm, 10 * mm, footer_left, FOOTER_SIZE)
                self.setFont(FONT, FOOTER_SIZE)
                self.drawRightString(A4[0] - 18 * mm, 10 * mm,
                                     f"Side {self._pageNumber} av {len(self._pages)}")
                super().showPage()
            super().save()

    return NumberedCanvas


def _missing_note(missing: set[str]):
    shown = ", ".join(marker(ch) for ch in sorted(missing))
    return [Spacer(1, 2 * mm), _box("Merknad om tegn", [_p(
        f"Noen tegn i svarene finnes ikke i dokumentets innebygde skrifter. De er vist som "
        f"� fulgt av tegnets Unicode-nummer: {shown}. Teksten i journalen er uendret.",
        "small")])[0]]


def render(doc: dict) -> bytes:
    """Render the summary dict to PDF bytes (not yet PDF/A, not signed)."""
    with collect_missing() as missing:
        story = _story(doc)
        footer = _footer_text(doc)
    if missing:
        story[2:2] = _missing_note(missing)
    doc_id = doc.get("document_id") or ""
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=20 * mm, title=doc.get("title") or "Kartlegging", author=doc.get("team") or "",
        subject=f"Kartlegging – dokument-ID {doc_id}" if doc_id else "Kartlegging",
        creator="Kartlegging", lang="nb-NO",
    ).build(story, canvasmaker=_canvas_maker(footer))
    # reportlab cannot write custom Info keys nor UTF-16 ToUnicode entries: fix with pikepdf
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(buf.getvalue())) as pdf:
        tounicode.fix_document(pdf)
        if doc_id:
            pdf.docinfo[DOCUMENT_ID_KEY] = doc_id
        pdf.save(out)
    return out.getvalue()


def _story(doc: dict) -> list:
    story = _header(doc)
    for section in doc.get("sections", []):
        story += [CondPageBreak(30 * mm), _p(section["title"], "h2"), *_qa_table(section["rows"])]
    if doc.get("livskvalitet"):
        story += [CondPageBreak(60 * mm)] + _livskvalitet(doc["livskvalitet"])
    if doc.get("vurdering"):
        story += [CondPageBreak(40 * mm)] + _vurdering(doc["vurdering"])
    if doc.get("ip"):
        story += _ip(doc["ip"])
    for box in doc.get("extra_boxes") or []:
        story += [Spacer(1, 5 * mm), *_box(box["title"], rows=box.get("rows", []),
                                           empty_text=box.get("empty_text"))]
    story += [Spacer(1, 6 * mm), KeepTogether(_signature(doc.get("signature")))]
    return story
