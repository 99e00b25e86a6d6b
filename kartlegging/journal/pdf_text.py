"""User text in the summary PDF: any script, right-to-left included, line-broken by us.

reportlab draws glyphs in the order it is given and has no bidi algorithm here, so each
paragraph is prepared in three steps:
1. every character gets the first font that covers it (pdf_fonts); one that no font covers
   becomes a visible marker (`�U+12000` for U+12000), collected so the document can explain it;
2. the text is broken into lines in logical order at the width reportlab offers, measured as
   drawn: Arabic script shaped into its contextual forms (arabic-reshaper);
3. a line with right-to-left text is laid out by pdf_bidi (bidi algorithm, glyphs drawn in
   logical order at their visual places; format characters never drawn).
The glyphs' ToUnicode entries map the contextual forms back to the logical letters
(tounicode.py), so text extraction returns the text as it was typed. pdf_paragraph.RichParagraph
draws the lines.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from contextvars import ContextVar
from functools import lru_cache
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth

from .pdf_fonts import BOLD, FONT, font_for

# Keep everything typed: harakat stay (moved so they follow their letter once reversed);
# only the obligatory lam-alef ligatures, whose ToUnicode mapping is two letters.
_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={
    "delete_harakat": False, "shift_harakat_position": True, "support_ligatures": True,
    "ARABIC LIGATURE ALLAH": False})
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_MISSING: ContextVar[set[str] | None] = ContextVar("missing_glyphs", default=None)
_TOKENS = re.compile(r"\s+|\S+")
_STAY = ("Mn", "Me", "Zs", "Cf")
# direction marks, embeddings, isolates, ZWJ, ZWNJ, the Arabic letter mark: never drawn
FORMAT = re.compile("[\u061c\u200c-\u200f\u202a-\u202e\u2066-\u2069]")


def marker(ch: str) -> str:
    return f"\ufffdU+{ord(ch):04X}"  # not a bracket: brackets are mirrored in RTL text


@contextlib.contextmanager
def collect_missing():
    """Collect, while rendering one document, the characters printed as markers."""
    found: set[str] = set()
    token = _MISSING.set(found)
    try:
        yield found
    finally:
        _MISSING.reset(token)


# Characters known to be drawn in the base font (regular, bold): most text is nothing else, and
# a string of them needs no per-character font lookup (one run, one width, nothing missing).
_IN_BASE: dict[bool, set[str]] = {False: set(), True: set()}


def _all_base(text: str, bold: bool) -> bool:
    known = _IN_BASE[bold]
    chars = set(text)
    if chars <= known:
        return True
    base = BOLD if bold else FONT
    for ch in chars - known:
        if font_for(ch, bold) != base:
            return False
        known.add(ch)
    return True


def covered(text: str, bold: bool) -> str:
    """Replace characters no font covers with markers (and note them)."""
    if _all_base(text.replace("\n", ""), bold):
        return text
    out = []
    for ch in text:
        if ch == "\n" or font_for(ch, bold):
            out.append(ch)
            continue
        found = _MISSING.get()
        if found is not None:
            found.add(ch)
        out.append(marker(ch))
    return "".join(out)


def clean(text) -> str:
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return unicodedata.normalize("NFC", text)


def is_rtl(text: str) -> bool:
    """Base direction as HTML's dir="auto": the first strong character decides."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """[(font name, text)] with consecutive characters of one font joined."""
    out: list[tuple[str, str]] = []
    base = BOLD if bold else FONT
    if _all_base(text, bold):
        return [(base, text)] if text else []
    for ch in text:
        name = font_for(ch, bold) or base  # markers are ASCII; this is only a guard
        if (out and name != out[-1][0] and unicodedata.category(ch) in _STAY
                and ord(ch) in pdfmetrics.getFont(out[-1][0]).face.charToGlyph):
            name = out[-1][0]  # a space or mark stays in the font of what it follows
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + ch)
        else:
            out.append((name, ch))
    return out


@lru_cache(maxsize=16384)
def width(text: str, size: float, bold: bool = False) -> float:
    """Width in points (cached: line breaking measures the same words over and over)."""
    return sum(stringWidth(t, f, size) for f, t in runs(text, bold))


def _pieces(token: str, size: float, bold: bool, limit: float) -> list[str]:
    """Split a token wider than a line between characters (never before a combining mark)."""
    parts, cur = [], ""
    for ch in token:
        if cur and not unicodedata.combining(ch) and shaped_width(cur + ch, size, bold) > limit:
            parts.append(cur)
            cur = ""
        cur += ch
    return parts + ([cur] if cur else [])


def shaped_width(text: str, size: float, bold: bool = False) -> float:
    """Width of logical text as drawn: Arabic in its contextual forms, format characters
    (never drawn) taking no room."""
    return width(FORMAT.sub("", shape(text)), size, bold)


def logical_lines(text: str, avail: float, size: float, bold: bool) -> list[str]:
    """Greedy line breaking of logical (unshaped) text, measured as drawn; explicit
    newlines are kept. Breaks fall at spaces, where Arabic letters do not join anyway."""
    lines = []
    for para in text.split("\n"):
        line, line_w = "", 0.0
        for tok in _TOKENS.findall(para):
            tok_w = shaped_width(tok, size, bold)
            if line and line_w + tok_w > avail and not tok.isspace():
                lines.append(line.rstrip())
                line, line_w = "", 0.0
            if not line and tok.isspace():
                continue
            if tok_w > avail:
                *full, tok = _pieces(tok, size, bold, avail)
                lines += full
                tok_w = shaped_width(tok, size, bold)
            line += tok
            line_w += tok_w
        lines.append(line.rstrip())
    return lines


@lru_cache(maxsize=16384)
def shape(text: str) -> str:
    return _RESHAPER.reshape(text) if _ARABIC.search(text) else text


def visual(line: str, rtl: bool) -> str:
    """One visual string for reportlab's Paragraph (bullets, other alignments) and short
    labels; user text drawn by RichParagraph goes through pdf_bidi instead. Format
    characters are dropped: a font would draw a box or a bar for them."""
    line = FORMAT.sub("", line)
    if not rtl and (not line or max(line) < "\u0590"):
        return line  # nothing right-to-left before Hebrew: no look at each character
    if not any(unicodedata.bidirectional(c) in ("R", "AL", "AN") for c in line) and not rtl:
        return line
    return get_display(line, base_dir="R" if rtl else "L")


def markup(line: str, bold: bool, base_font: str) -> str:
    """reportlab paragraph markup for one visual line, one <font> per fallback run."""
    out = []
    for name, t in runs(line, bold):
        t = escape(t)
        out.append(t if name in (FONT, BOLD, base_font) else f'<font name="{name}">{t}</font>')
    return "".join(out)


def fit(text, avail: float, size: float, bold: bool = False) -> str:
    """Shorten logical text with '…' so that it fits on one line of `avail` points."""
    text = covered(clean(text).replace("\n", " "), bold)
    if shaped_width(text, size, bold) <= avail:
        return text
    while text and shaped_width(text + "…", size, bold) > avail:
        text = text[:-1]
    return text.rstrip() + "…"
