"""One question row of the summary PDF that splits across pages the way a reader needs.

A reportlab Table row split across pages leaves the question behind on the first page and
can strand a comment away from its item. A `Row` instead splits only its last column (the
answer), repeats the other columns with "(forts.)" on the new page, and never splits a
comment off on its own: a comment that does not fit moves, whole, to the continued row.
"""

from __future__ import annotations

from reportlab.platypus import Flowable

CONTINUED = " (forts.)"
PAD_X, PAD_TOP, PAD_BOTTOM = 6, 3, 4


class Row(Flowable):
    """Columns of flowables side by side; `make_label(continued)` builds the first column."""

    def __init__(self, make_label, middle, content, widths, *, line=None, frame=None,
                 first=True, last=True, continued=False):
        super().__init__()
        self.make_label, self.middle, self.content = make_label, list(middle), list(content)
        self.widths, self.line, self.frame = widths, line, frame
        self.first, self.last, self.continued = first, last, continued
        self.label = make_label(continued)

    def _columns(self):
        columns = [[self.label]]
        if len(self.widths) == 3:
            columns.append([] if self.continued else self.middle)
        return columns + [self.content]

    def _inner(self, i):
        return self.widths[i] - 2 * PAD_X

    def wrap(self, avail_width, avail_height):
        heights = []
        for i, column in enumerate(self._columns()):
            heights.append(sum(f.wrap(self._inner(i), 1e6)[1] for f in column))
        self.width = sum(self.widths)
        self.height = max(heights) + PAD_TOP + PAD_BOTTOM
        return self.width, self.height

    def split(self, avail_width, avail_height):
        self.wrap(avail_width, avail_height)
        if self.height <= avail_height:
            return [self]
        space = avail_height - PAD_TOP - PAD_BOTTOM
        for i, column in enumerate(self._columns()[:-1]):  # the question fits whole here
            if sum(f.wrap(self._inner(i), 1e6)[1] for f in column) > space:
                return []
        inner = self._inner(len(self.widths) - 1)
        head, tail, used = [], list(self.content), 0.0
        while tail:
            f = tail[0]
            h = f.wrap(inner, 1e6)[1]
            if used + h <= space:
                head.append(tail.pop(0))
                used += h
                continue
            if head:  # a later flowable (a comment) is never split off its item
                break
            parts = f.split(inner, space - used)
            if len(parts) < 2:
                break
            head.append(parts[0])
            tail[0:1] = parts[1:]
            break
        if not head or not tail:
            return []
        return [self._copy(head, continued=self.continued, last=False),
                self._copy(tail, continued=True, first=False)]

    def _copy(self, content, *, continued, first=None, last=None):
        return Row(self.make_label, self.middle, content, self.widths, line=self.line,
                   frame=self.frame, continued=continued,
                   first=self.first if first is None else first,
                   last=self.last if last is None else last)

    def draw(self):
        c = self.canv
        x = 0.0
        for i, column in enumerate(self._columns()):
            y = self.height - PAD_TOP
            for f in column:
                _w, h = f.wrap(self._inner(i), 1e6)
                y -= h
                f.drawOn(c, x + PAD_X, y)
            x += self.widths[i]
        c.saveState()
        if self.line is not None:
            colour, width = self.line
            c.setStrokeColor(colour)
            c.setLineWidth(width)
            c.line(0, 0, self.width, 0)
        if self.frame is not None:
            colour, width = self.frame
            c.setStrokeColor(colour)
            c.setLineWidth(width)
            c.line(0, 0, 0, self.height)
            c.line(self.width, 0, self.width, self.height)
            if self.first:
                c.line(0, self.height, self.width, self.height)
            if self.last:
                c.line(0, 0, self.width, 0)
        c.restoreState()
