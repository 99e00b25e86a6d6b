"""The paragraph flowable for user text in the summary PDF (lines prepared by pdf_text)."""

from __future__ import annotations

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paragraph import split as _words

from . import pdf_bidi
from .pdf_fonts import BOLD, FONT, is_bold
from .pdf_text import clean, covered, is_rtl, logical_lines, markup, runs, shape, visual


class RichParagraph(Flowable):
    """User text in any script; breaks its own lines and draws them on the canvas.

    The lines are ours (logical_lines), so a left-aligned paragraph without a bullet is drawn
    as one text object, line by line and font run by font run, where reportlab's Paragraph
    would parse markup and break the lines once more to the same result. Its layout is
    Paragraph's: the first baseline one font size below the top, one leading per line, runs of
    spaces drawn as one, right-to-left text right-aligned. A line with right-to-left text is
    laid out and drawn by pdf_bidi (glyphs in logical order). A split across pages gives two
    such paragraphs; a bullet or another alignment goes through a reportlab Paragraph built
    from the same lines in visual order.
    """

    def __init__(self, text, style, bullet: str | None = None, *, _lines=None):
        super().__init__()
        self.style, self.bullet = style, bullet
        self.bold = is_bold(style.fontName)
        self.text = covered(clean(text), self.bold) if _lines is None else text
        self.rtl = is_rtl(self.text)
        self.direct = bullet is None and style.alignment == TA_LEFT
        self._inner: Paragraph | None = None
        self._width = None
        self._lines: tuple[float, list[str]] | None = _lines
        self._wrapped: tuple[float, float, float] | None = None
        self._drawn: list = []

    def _logical_lines(self, avail: float) -> list[str]:
        """The lines in logical order, broken for `avail` points (once per width)."""
        if self._lines is None or self._lines[0] != avail:
            style = self.style
            inner_avail = avail - style.leftIndent - style.rightIndent - 1
            self._lines = (avail, logical_lines(self.text, max(inner_avail, 20),
                                                style.fontSize, self.bold))
        return self._lines[1]

    def _paragraph(self, avail: float) -> Paragraph:
        if self._inner is None or self._width != avail:
            body = "<br/>".join(markup(visual(shape(line), self.rtl), self.bold,
                                       self.style.fontName)
                                for line in self._logical_lines(avail))
            style = self.style
            if self.rtl and style.alignment == TA_LEFT:
                style = style.clone(style.name + "-rtl", alignment=TA_RIGHT)
            self._inner = Paragraph(body, style, bulletText=self.bullet)
            self._width = avail
        return self._inner

    def _drawn_lines(self, avail: float) -> list:
        """Per line, as Paragraph lays out the same markup (runs of spaces drawn as one, no
        line for a trailing line break nor for an empty paragraph): [(font, text)] for a
        left-to-right line, a pdf_bidi.Line for one with right-to-left text."""
        lines = self._logical_lines(avail)
        if len(lines) > 1 and not lines[-1]:
            lines = lines[:-1]
        if lines == [""]:
            return []
        own = (FONT, BOLD)
        out = []
        for line in lines:
            line = " ".join(w for w in _words(line) if w)
            if pdf_bidi.needs_layout(line):
                out.append(pdf_bidi.layout(line, self.rtl, self.style.fontSize, self.bold))
            else:
                out.append([(self.style.fontName if name in own else name, part)
                            for name, part in runs(line, self.bold)])
        return out

    def wrap(self, avail_width, avail_height):
        # A table row wraps its cells to measure, to split and again to draw: the size
        # depends on the width alone, so the lines are broken once per width (a Paragraph
        # again only when a refused split dropped reportlab's line breaks).
        if not self.direct:
            if (self._wrapped is None or self._wrapped[0] != avail_width
                    or not hasattr(self._inner, "blPara")):
                w, h = self._paragraph(avail_width).wrap(avail_width, avail_height)
                self._wrapped = (avail_width, w, h)
        elif self._wrapped is None or self._wrapped[0] != avail_width:
            self._drawn = self._drawn_lines(avail_width)
            self._wrapped = (avail_width, avail_width, len(self._drawn) * self.style.leading)
        _, self.width, self.height = self._wrapped
        return self.width, self.height

    def split(self, avail_width, avail_height):
        if not self.direct:
            return self._paragraph(avail_width).split(avail_width, avail_height)
        lines = self._logical_lines(avail_width)
        if len(lines) > 1 and not lines[-1]:
            lines = lines[:-1]
        fits = int((avail_height + 1e-6) // self.style.leading)
        if fits < 1:
            return []
        if fits >= len(lines):
            return [self]
        return [RichParagraph(self.text, self.style, _lines=(avail_width, lines[:fits])),
                RichParagraph(self.text, self.style, _lines=(avail_width, lines[fits:]))]

    def draw(self):
        if not self.direct:
            # At our own origin: no second save/translate/restore around the paragraph,
            # which keeps its own graphics state.
            self._inner._drawOn(self.canv)
            return
        style, c = self.style, self.canv
        lines = self._drawn  # of the last wrap, at the width drawn
        if not lines:
            return
        size, leading = style.fontSize, style.leading
        room = self.width - style.leftIndent - style.rightIndent
        c.saveState()
        tx = None
        font = style.fontName
        for i, line in enumerate(lines):
            y = self.height - size - i * leading
            if isinstance(line, pdf_bidi.Line):
                # drawn in its place in the stream: readers that follow the stream (MuPDF,
                # pdfminer) keep the lines in order
                if tx is not None:
                    c.drawText(tx)
                    tx = None
                offset = room - line.width if self.rtl else 0
                pdf_bidi.draw(c, style.leftIndent + offset, y, line, size, style.textColor)
                continue
            if tx is None:
                tx = c.beginText(style.leftIndent, y)
                tx.setFillColor(style.textColor)
                font = style.fontName
                tx.setFont(font, size, leading)
                tx.setLeading(leading)  # now: a TrueType font's Tf/TL wait for its first text
            # right-to-left text is right-aligned, as the Paragraph's TA_RIGHT
            offset = room - sum(stringWidth(t, f, size) for f, t in line) if self.rtl else 0
            if offset:
                tx.setXPos(offset)
            for j, (name, part) in enumerate(line):
                if name != font:
                    tx.setFont(name, size, leading)
                    font = name
                if j < len(line) - 1:
                    tx.textOut(part)
                else:
                    tx.textLine(part)
            if not line:
                tx.textLine()
            if offset:
                tx.setXPos(-offset)
        if tx is not None:
            c.drawText(tx)
        c.restoreState()

    def getSpaceBefore(self):
        return self.style.spaceBefore

    def getSpaceAfter(self):
        return self.style.spaceAfter
