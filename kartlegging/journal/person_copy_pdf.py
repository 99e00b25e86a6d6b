"""«Din kartlegging» as PDF/A-2b: the person's own copy laid out large and plain (reportlab,
A4, embedded fonts only). Built from person_copy.build's dict; text in any script goes through
the journal's RichParagraph, right-to-left parts with their columns mirrored."""
from __future__ import annotations

import io

import pikepdf
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import pdf_bidi, pdfa, tounicode
from .pdf_fonts import BOLD, FONT
from .pdf_paragraph import RichParagraph
from .pdf_text import collect_missing

INK, MUTED = colors.HexColor("#1d2733"), colors.HexColor("#5f6b7a")
ACCENT, SHADE, LINE = colors.HexColor("#1f4e79"), colors.HexColor("#eef2f6"), \
    colors.HexColor("#b8c2cc")
WARN = colors.HexColor("#fff6d6")
WIDTH = A4[0] - 40 * mm


def _style(name, size=11.5, font=FONT, colour=INK, **kw):
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.4,
                          textColor=colour, **kw)


S = {"title": _style("title", 20, BOLD, ACCENT, spaceAfter=3 * mm),
     "part": _style("part", 16, BOLD, ACCENT, spaceAfter=2 * mm),
     "h2": _style("h2", 13.5, BOLD, ACCENT, spaceBefore=6 * mm, spaceAfter=2 * mm),
     "body": _style("body", spaceAfter=2 * mm), "bold": _style("bold", font=BOLD),
     "cell": _style("cell", 10.5), "head": _style("head", 10.5, BOLD),
     "small": _style("small", 9, colour=MUTED)}


def _p(text, style="body"):
    return RichParagraph(text, S[style])


def _table(rows, widths, *, header=False, shade_first=False, rtl=False, background=None):
    if rtl:  # the first column at the right-hand side, as the language reads
        rows, widths = [list(reversed(r)) for r in rows], list(reversed(widths))
    style = [("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("FONTNAME", (0, 0), (-1, 0), BOLD)]
    if shade_first:
        col = len(widths) - 1 if rtl else 0
        style.append(("BACKGROUND", (col, 0), (col, -1), SHADE))
    if background is not None:
        style.append(("BACKGROUND", (0, 0), (-1, -1), background))
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitInRow=1)
    t.setStyle(TableStyle(style))
    return t


def _section(section: dict, rtl: bool) -> list:
    out = [CondPageBreak(35 * mm), _p(section["title"], "h2")]
    for text in section.get("paragraphs") or []:
        out.append(_p(text))
    if section.get("pairs"):
        out.append(_table([[_p(k, "cell"), _p(v, "cell")] for k, v in section["pairs"]],
                          [62 * mm, WIDTH - 62 * mm], shade_first=True, rtl=rtl))
    table = section.get("table")
    if table:
        rows = [[_p(h, "head") for h in table["header"]]]
        rows += [[_p(c, "cell") for c in row] for row in table["rows"]]
        third = (WIDTH - 60 * mm) / 2
        out.append(_table(rows, [60 * mm, third, third], header=True, rtl=rtl))
    return out


def _story(doc: dict) -> list:
    story = []
    for n, part in enumerate(doc["parts"]):
        rtl = part["direction"] == "rtl"
        if n:
            story += [PageBreak(), _p(part["heading"], "part")]
        story += [_p(part["title"], "title"), _p(doc["person"], "bold"),
                  _p(part["intro"]), Spacer(1, 2 * mm)]
        if part.get("unchecked"):
            story.append(_table([[_p(part["unchecked"], "cell")]], [WIDTH], background=WARN))
        for section in part["sections"]:
            story += _section(section, rtl)
    if doc.get("language_name"):
        story += [Spacer(1, 6 * mm), _p(
            f"Livskvalitetsspørsmålene ble besvart på {doc['language_name']}. Spørsmålene står på "
            "bokmål først, deretter på språket personen brukte.", "small")]
    return story


def _footer(text):
    def draw(canvas, document):
        canvas.saveState()
        canvas.setFillColor(MUTED)
        pdf_bidi.draw_string(canvas, 20 * mm, 11 * mm, text, 8.5)
        canvas.setFont(FONT, 8.5)
        canvas.drawRightString(A4[0] - 20 * mm, 11 * mm, f"Side {document.page}")
        canvas.restoreState()
    return draw


def render(doc: dict) -> bytes:
    """The copy as PDF/A-2b bytes (not signed: it is the person's copy, not the record)."""
    with collect_missing():
        story = _story(doc)
    buf = io.BytesIO()
    footer = _footer(f"Din kartlegging · {doc['person']} · {doc['date']}")
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                      topMargin=18 * mm, bottomMargin=20 * mm, title="Din kartlegging",
                      author=doc.get("team") or "", subject="Din kartlegging",
                      creator="Kartlegging", lang="nb-NO").build(
        story, onFirstPage=footer, onLaterPages=footer)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(buf.getvalue())) as pdf:
        tounicode.fix_document(pdf)  # text extraction gets every script back
        pdf.save(out)
    return pdfa.to_pdfa(out.getvalue(), title="Din kartlegging", lang="nb-NO")
