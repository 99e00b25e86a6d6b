"""The livskvalitet charts of the summary PDF, drawn straight on the canvas.

They keep the geometry, the colours and the drawing order (so the order of the extracted
text) of the reportlab.graphics charts they replace (a HorizontalBarChart and a
HorizontalLineChart in a Drawing), without building and walking a widget tree per document:
a few lines, rectangles and strings on the canvas. Every number a chart shows is printed as
text too (bar and point labels, axis labels), and the same figures are in the table above it.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from .pdf_fonts import BOLD, FONT

TITLE_SIZE, LABEL_SIZE = 9, 8
TICK = 5  # tick length; axis labels sit just beyond the tick
CENTRE = 0.4 * LABEL_SIZE  # baseline offset that centres a label vertically on a point
NUDGE, RISE = 6, 16  # a bar's label this far past its end, a point's label this far above it
TEXT = colors.black


class _Chart(Flowable):
    """A title on top, then the plot area (x0, y0, w, h) in the flowable's own space."""

    def __init__(self, width, height, title, plot, *, accent, grid, axis):
        super().__init__()
        self.width, self.height, self.title = width, height, title
        self.x0, self.y0, self.w, self.h = plot
        self.accent, self.grid, self.axis = accent, grid, axis

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def _title(self, c):
        c.setFillColor(TEXT)
        c.setFont(BOLD, TITLE_SIZE)
        c.drawString(0, self.height - TITLE_SIZE, self.title)

    @staticmethod
    def _strokes(c, colour, width, segments):
        c.setStrokeColor(colour)
        c.setLineWidth(width)
        c.lines(segments)


class BarChart(_Chart):
    """Horizontal bars on a 0–7 scale, the first item on top; an item without a value keeps
    its label and gets no bar."""

    TOP = 7

    def __init__(self, labels, values, width, title, **palette):
        height = 14 * mm + 7 * mm * len(labels)
        super().__init__(width, height, title,
                         (62 * mm, 6 * mm, width - 70 * mm, height - 17 * mm), **palette)
        # bottom-up, as the categories of a vertical category axis
        self.labels, self.values = list(reversed(labels)), list(reversed(values))

    def _x(self, value):
        return self.x0 + value * self.w / self.TOP

    def _slot(self):
        return self.h / len(self.labels)

    def bars(self) -> list[tuple[float, float, float, float, float]]:
        """(x, y, width, height, value) of each bar: two thirds of its category's band."""
        slot = self._slot()
        return [(self.x0, self.y0 + i * slot + slot / 6, v * self.w / self.TOP, slot * 2 / 3, v)
                for i, v in enumerate(self.values) if isinstance(v, (int, float))]

    def draw(self):
        c, x0, y0, slot = self.canv, self.x0, self.y0, self._slot()
        self._title(c)
        self._strokes(c, self.grid, 0.25,
                      [(self._x(v), y0, self._x(v), y0 + self.h) for v in range(self.TOP + 1)])
        bars = self.bars()
        c.setFillColor(self.accent)
        for x, y, w, h, _v in bars:
            c.rect(x, y, w, h, stroke=0, fill=1)
        c.setFillColor(TEXT)
        c.setFont(FONT, LABEL_SIZE)
        for x, y, w, h, v in bars:
            c.drawCentredString(x + w + NUDGE, y + h / 2 - CENTRE, str(int(v)))
        self._strokes(c, self.axis, 1, [(x0, y0, x0, y0 + self.h)] + [
            (x0, y0 + i * slot, x0 - TICK, y0 + i * slot) for i in range(len(self.labels) + 1)])
        for i, label in enumerate(self.labels):
            c.drawRightString(x0 - TICK, y0 + (i + 0.5) * slot - CENTRE, label)
        self._strokes(c, self.axis, 1, [(x0, y0, x0 + self.w, y0)] + [
            (self._x(v), y0, self._x(v), y0 - TICK) for v in range(self.TOP + 1)])
        for v in range(self.TOP + 1):
            c.drawCentredString(self._x(v), y0 - TICK - LABEL_SIZE, str(v))


class LineChart(_Chart):
    """Means over time on a 1–7 scale: one point per date, joined, each labelled."""

    LOW, TOP = 1, 7

    def __init__(self, dates, means, width, title, **palette):
        height = 55 * mm
        super().__init__(width, height, title,
                         (12 * mm, 8 * mm, width - 20 * mm, height - 19 * mm), **palette)
        self.dates, self.means = list(dates), list(means)

    def _y(self, value):
        return self.y0 + (value - self.LOW) * self.h / (self.TOP - self.LOW)

    def points(self) -> list[tuple[float, float, float]]:
        """(x, y, mean) of each point, in the middle of its date's band."""
        band = self.w / len(self.dates)
        return [(self.x0 + (i + 0.5) * band, self._y(v), v) for i, v in enumerate(self.means)]

    def draw(self):
        c, x0, y0, band = self.canv, self.x0, self.y0, self.w / len(self.dates)
        points = self.points()
        self._title(c)
        self._strokes(c, self.axis, 1, [(x0, y0, x0 + self.w, y0)] + [
            (x0 + i * band, y0, x0 + i * band, y0 - TICK) for i in range(len(self.dates) + 1)])
        c.setFont(FONT, LABEL_SIZE)
        for (x, _y, _v), date in zip(points, self.dates):
            c.drawCentredString(x, y0 - TICK - LABEL_SIZE, date)
        values = range(self.LOW, self.TOP + 1)
        self._strokes(c, self.axis, 1, [(x0, y0, x0, y0 + self.h)] + [
            (x0, self._y(v), x0 - TICK, self._y(v)) for v in values])
        for v in values:
            c.drawRightString(x0 - TICK, self._y(v) - CENTRE, str(v))
        self._strokes(c, self.grid, 0.25, [(x0, self._y(v), x0 + self.w, self._y(v))
                                           for v in values])
        c.saveState()
        c.setStrokeColor(self.accent)
        c.setLineWidth(1.5)
        c.setLineJoin(1)
        path = c.beginPath()
        path.moveTo(*points[0][:2])
        for x, y, _v in points[1:]:
            path.lineTo(x, y)
        c.drawPath(path, stroke=1, fill=0)
        c.restoreState()
        c.setStrokeColor(TEXT)
        c.setLineWidth(0.1)
        c.setFillColor(self.accent)
        for x, y, _v in points:
            c.circle(x, y, 2, stroke=1, fill=1)
        c.setFillColor(TEXT)
        for x, y, v in points:
            c.drawCentredString(x, y + RISE - CENTRE, f"{v:.1f}".replace(".", ","))
