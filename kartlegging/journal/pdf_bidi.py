"""Lines with right-to-left text, laid out so that every reader gets what was typed.

Text extractors read a right-to-left line differently. pdfminer.six and MuPDF take the glyphs
in the order the content stream draws them; pypdf too, each text piece as it comes; poppler
orders them by their place on the page. So each right-to-left glyph is drawn at its place (the
Unicode bidi algorithm's visual order) but in logical order: the first letter typed is drawn
first, at the right. Left-to-right pieces inside (digits in Arabic text, a Latin word) are
drawn whole, left to right, so "2026" keeps its place and its order.

No /ActualText span is written: measured on this platform, MuPDF 1.21 (`mutool draw -F txt`)
and pdfminer.six ignore it, and poppler 22.12 (pdftotext) puts its text through its own bidi
reordering as if it were in visual order, reversing every right-to-left run it marks.

Clusters move together: a letter with its marks, and characters joined by ZWJ (an emoji family
keeps its order in a right-to-left paragraph). Format characters (direction marks, embeddings,
isolates, ZWJ, ZWNJ) steer shaping and the bidi algorithm but are never drawn: a font draws a
visible box or bar for them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import arabic_reshaper
from bidi import algorithm as bidi_algorithm
from bidi.mirror import MIRRORED
from reportlab.pdfbase.pdfmetrics import stringWidth

from .pdf_text import FORMAT, runs

ZWJ = "\u200d"
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_LIGATURES = (0xFEF5, 0xFEFC)  # lam-alef: one glyph for two letters
# Harakat stay after their letter (logical order): the cluster draws letter, then mark.
_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={
    "delete_harakat": False, "shift_harakat_position": False, "support_ligatures": True,
    "ARABIC LIGATURE ALLAH": False})


def needs_layout(line: str) -> bool:
    """A line with a right-to-left character or a format character takes this module's
    way; everything else is drawn as before, run by run."""
    if FORMAT.search(line):
        return True
    return any(unicodedata.bidirectional(c) in ("R", "AL", "AN") for c in line)


def visible(text: str) -> str:
    return FORMAT.sub("", text)


@dataclass
class Piece:
    x: float  # from the line's left edge, points
    font: str
    text: str
    width: float
    ltr: bool  # drawn left to right

    @property
    def x1(self) -> float:
        return self.x + self.width


@dataclass
class Segment:
    """A run of the line in logical order: right-to-left (rtl) or not."""

    rtl: bool
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class Line:
    segments: list[Segment]
    width: float

    def visual_text(self) -> str:
        """The glyphs left to right (for callers that need one visual string)."""
        pieces = sorted((p for s in self.segments for p in s.pieces), key=lambda p: p.x)
        return "".join(p.text for p in pieces)


def _levels(text: str, rtl: bool) -> list[int]:
    """Resolved embedding levels (Unicode bidi algorithm, rules up to I2, then L1 for the
    whitespace at the line's end), from python-bidi's pure-Python implementation: its
    get_display returns only the reordered string, and the glyphs need their own places."""
    storage = bidi_algorithm.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    bidi_algorithm.get_embedding_levels(text, storage)
    for i, c in enumerate(storage["chars"]):
        c["index"] = i  # rule X9 drops embeddings and ZWJ from the list: find the rest again
    bidi_algorithm.explicit_embed_and_overrides(storage)
    bidi_algorithm.resolve_weak_types(storage)
    bidi_algorithm.resolve_neutral_types(storage, False)
    bidi_algorithm.resolve_implicit_levels(storage, False)
    base = storage["base_level"]
    found = {c["index"]: c["level"] for c in storage["chars"]}
    levels, level = [], base
    for i in range(len(text)):
        level = found.get(i, level)  # a dropped character goes with what precedes it
        levels.append(level)
    i = len(text) - 1
    while i >= 0 and (text[i].isspace() or FORMAT.match(text[i])):
        levels[i] = base
        i -= 1
    return levels


def _clusters(text: str) -> list[tuple[int, int]]:
    """[start, end) of each cluster: a character with the marks, format characters and
    ZWJ-joined characters that follow it."""
    out: list[list[int]] = []
    for i, ch in enumerate(text):
        joined = i > 0 and text[i - 1] == ZWJ
        attached = (unicodedata.category(ch) in ("Mn", "Me") or FORMAT.match(ch)
                    or 0x1F3FB <= ord(ch) <= 0x1F3FF)  # an emoji's skin tone
        if out and (joined or attached):
            out[-1][1] = i + 1
        else:
            out.append([i, i + 1])
    return [(a, b) for a, b in out]


def _shaped_glyphs(text: str, clusters: list[tuple[int, int]]) -> list[str] | None:
    """Each cluster's glyphs: Arabic letters in their contextual forms (shaped word by word
    between format characters: ZWNJ breaks the joining, as it should). A lam-alef ligature
    belongs to the lam's cluster and the alef's is left empty. None when the shaping cannot
    be lined up with the letters (the caller then draws the run unshaped)."""
    per_char = [""] * len(text)
    i = 0
    for chunk in re.split(f"({FORMAT.pattern})", text):
        if not chunk or FORMAT.fullmatch(chunk):
            i += len(chunk)
            continue
        shaped = _RESHAPER.reshape(chunk) if _ARABIC.search(chunk) else chunk
        j = 0
        for g in shaped:
            if j >= len(chunk):
                return None
            per_char[i + j] = g
            # the ligature stands for lam and the alef after it (with any marks between)
            j += 1
            if _LIGATURES[0] <= ord(g) <= _LIGATURES[1]:
                while j < len(chunk) and unicodedata.category(chunk[j]) == "Mn":
                    j += 1
                j += 1
        if j != len(chunk):
            return None
        i += len(chunk)
    return ["".join(per_char[a:b]) for a, b in clusters]


def _visual_order(levels: list[int]) -> list[int]:
    """Rule L2: indices of the clusters left to right."""
    order = list(range(len(levels)))
    if not levels:
        return order
    highest = max(levels)
    odd = [lv for lv in levels if lv % 2]
    lowest_odd = min(odd) if odd else highest + 1
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order


def layout(line: str, rtl: bool, size: float, bold: bool) -> Line:
    """Place one logical (unshaped) line: its segments in logical order, each with the
    glyph pieces it draws and where."""
    if not line:
        return Line([], 0.0)
    levels_by_char = _levels(line, rtl)
    clusters = _clusters(line)
    levels = [levels_by_char[a] for a, _b in clusters]
    glyphs = _shaped_glyphs(line, clusters)
    if glyphs is None:  # draw the letters as typed rather than guess
        glyphs = [visible(line[a:b]) for a, b in clusters]
    # rule L4: a bracket in right-to-left text is drawn as its mirror image, "(" opening
    # to the left (its glyph then reads back as the mirror character, as before)
    glyphs = ["".join(MIRRORED.get(c, c) for c in g) if lv % 2 else g
              for g, lv in zip(glyphs, levels)]
    widths = [sum(stringWidth(t, f, size) for f, t in runs(visible(g), bold)) if g else 0.0
              for g in glyphs]
    xs = [0.0] * len(clusters)
    x = 0.0
    for k in _visual_order(levels):
        xs[k] = x
        x += widths[k]
    total = x

    segments: list[Segment] = []
    for start, end, right_to_left in _segments(levels, rtl):
        seg = Segment(right_to_left)
        for k in range(start, end):
            _add(seg.pieces, xs[k], visible(glyphs[k]), size, bold, levels[k] % 2 == 0)
        segments.append(seg)
    return Line(segments, total)


def _segments(levels: list[int], rtl: bool):
    """(first, end, right_to_left) cluster ranges in logical order: the whole line in a
    right-to-left paragraph, else each run at an odd level or above, and what lies between."""
    if rtl:
        yield 0, len(levels), True
        return
    start = 0
    for k in range(1, len(levels) + 1):
        if k == len(levels) or (levels[k] > 0) != (levels[start] > 0):
            yield start, k, levels[start] > 0
            start = k


def _add(pieces: list[Piece], x: float, text: str, size: float, bold: bool, ltr: bool):
    """Append a cluster's glyphs; left-to-right clusters that continue the previous piece
    in the same font join it (one string, drawn left to right)."""
    for font, part in runs(text, bold):
        w = stringWidth(part, font, size)
        last = pieces[-1] if pieces else None
        if ltr and last is not None and last.ltr and last.font == font and abs(last.x1 - x) < 0.01:
            last.text += part
            last.width += w
        elif part:
            pieces.append(Piece(x, font, part, w, ltr))
        x += w


def draw(canvas, x: float, y: float, line: Line, size: float, color=None) -> None:
    """Draw a laid-out line with its left edge at x, baseline y, one text object per
    segment, its pieces in logical order."""
    for seg in line.segments:
        if not seg.pieces:
            continue
        tx = canvas.beginText(x, y)
        if color is not None:
            tx.setFillColor(color)
        for piece in seg.pieces:
            tx.setTextOrigin(x + piece.x, y)
            tx.setFont(piece.font, size)
            tx.textOut(piece.text)
        canvas.drawText(tx)


def draw_string(canvas, x: float, y: float, text: str, size: float) -> None:
    """One line of any script straight on the canvas (a page footer), left edge at x: font by
    font, and through layout() when it holds right-to-left or format characters."""
    if needs_layout(text):
        draw(canvas, x, y, layout(text, False, size, False), size)
        return
    for name, part in runs(text):
        canvas.setFont(name, size)
        canvas.drawString(x, y, part)
        x += stringWidth(part, name, size)
