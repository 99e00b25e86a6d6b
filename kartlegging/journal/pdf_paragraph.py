"""The paragraph flowable for user text in the summary PDF (lines prepared by pdf_text)."""

from __future__ import annotations

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paragraph import split as _words

from .pdf_fonts import BOLD, FONT, is_bold
from .pdf_text import clean, covered, is_rtl, logical_lines, markup, runs, shape, visual


class RichParagraph(Flowable):
    """User text in any script; breaks its own lines and draws them on the canvas.

    The lines are ours (logical_lines), so a left-aligned paragraph without a bullet is drawn
    as one text object, line by line and font run by font run, where reportlab's Paragraph
    would parse markup and break the lines once more to the same result. Its layout is
    Paragraph's: the first baseline one font size below the top, one leading per line, runs of
    spaces drawn as one, right-to-left text right-aligned. A bullet, another alignment or a
    split across pages goes through a reportlab Paragraph built from the same lines.
    """

    def __init__(self, text, style, bullet: str | None = None):
        super().__init__()
        self.style, self.bullet = style, bullet
        self.bold = is_bold(style.fontName)
        self.text = covered(clean(text), self.bold)
        self.rtl = is_rtl(self.text)
        self.direct = bullet is None and style.alignment == TA_LEFT
        self._inner: Paragraph | None = None
        self._width = None
        self._lines: tuple[float, list[str]] | None = None
        self._wrapped: tuple[float, float, float] | None = None
        self._drawn: list[list[tuple[str, str]]] = []

    def _visual_lines(self, avail: float) -> list[str]:
        """The lines in visual order, broken for `avail` points (once per width)."""
        if self._lines is None or self._lines[0] != avail:
            style = self.style
            inner_avail = avail - style.leftIndent - style.rightIndent - 1
            lines = logical_lines(shape(self.text), max(inner_avail, 20), style.fontSize,
                                  self.bold)
            self._lines = (avail, [visual(line, self.rtl) for line in lines])
        return self._lines[1]

    def _paragraph(self, avail: float) -> Paragraph:
        if self._inner is None or self._width != avail:
            body = "<br/>".join(markup(line, self.bold, self.style.fontName)
                                for line in self._visual_lines(avail))
            style = self.style
            if self.rtl and style.alignment == TA_LEFT:
                style = style.clone(style.name + "-rtl", alignment=TA_RIGHT)
            self._inner = Paragraph(body, style, bulletText=self.bullet)
            self._width = avail
        return self._inner

    def _drawn_lines(self, avail: float) -> list[list[tuple[str, str]]]:
        """[(font, text)] per line as Paragraph lays out the same markup: runs of spaces
        drawn as one, no line for a trailing line break nor for an empty paragraph."""
        lines = self._visual_lines(avail)
        if len(lines) > 1 and not lines[-1]:
            lines = lines[:-1]
        if lines == [""]:
            return []
        own = (FONT, BOLD)
        return [[(self.style.fontName if name in own else name, part)
                 for name, part in runs(" ".join(w for w in _words(line) if w), self.bold)]
                for line in lines]

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
        return self._paragraph(avail_width).split(avail_width, avail_height)

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
        tx = c.beginText(style.leftIndent, self.height - size)
        tx.setFillColor(style.textColor)
        tx.setFont(style.fontName, size, leading)
        tx.setLeading(leading)  # written now: a TrueType font's Tf/TL wait for its first text
        font = style.fontName
        for line in lines:
            # right-to-left text is right-aligned, as the Paragraph's TA_RIGHT
            offset = room - sum(stringWidth(t, f, size) for f, t in line) if self.rtl else 0
            if offset:
                tx.setXPos(offset)
            for i, (name, part) in enumerate(line):
                if name != font:
                    tx.setFont(name, size, leading)
                    font = name
                if i < len(line) - 1:
                    tx.textOut(part)
                else:
                    tx.textLine(part)
            if not line:
                tx.textLine()
            if offset:
                tx.setXPos(-offset)
        c.drawText(tx)
        c.restoreState()

    def getSpaceBefore(self):
        return self.style.spaceBefore

    def getSpaceAfter(self):
        return self.style.spaceAfter
