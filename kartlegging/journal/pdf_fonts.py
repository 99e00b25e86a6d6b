"""Fonts for the summary PDF: the base family plus per-character fallback fonts.

Every glyph drawn must come from an embedded TrueType font (PDF/A forbids .notdef glyphs),
so each character is drawn in the first font that covers it: DejaVu Sans (or reportlab's
Vera) for Latin, Greek and Cyrillic, then Noto fonts for Arabic, Hebrew, Devanagari and
Ethiopic, Droid Sans Fallback for CJK, and monochrome symbol fonts (Noto Sans Symbols 2,
Symbola) for emoji. A character no installed font covers gets `None` here and is printed as
a visible marker by pdf_text. A missing fallback file is skipped, never an error.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache
from pathlib import Path

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

FONT, BOLD, ITALIC, BOLD_ITALIC = "KLSans", "KLSans-Bold", "KLSans-Italic", "KLSans-BoldItalic"

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_VERA = Path(reportlab.__file__).parent / "fonts"
if (_DEJAVU / "DejaVuSans.ttf").exists():
    _files = [_DEJAVU / f"DejaVuSans{s}.ttf" for s in ("", "-Bold", "-Oblique", "-BoldOblique")]
else:
    _files = [_VERA / f"Vera{s}.ttf" for s in ("", "Bd", "It", "BI")]
for _name, _file in zip((FONT, BOLD, ITALIC, BOLD_ITALIC), _files):
    pdfmetrics.registerFont(TTFont(_name, str(_file)))
pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)
# reportlab otherwise falls back to (unembedded) Helvetica in the canvas preamble and charts
rl_config.canvas_basefontname = FONT
rl_config.defaultGraphicsFontName = FONT

_NOTO = Path("/usr/share/fonts/truetype/noto")
# (name, regular file, bold file or None, Unicode ranges it is preferred for)
# Ranges: a script font wins over the base font for its own script (DejaVu has a few
# Arabic and Hebrew glyphs, but Noto's are complete and consistent).
FALLBACKS: list[tuple[str, Path, Path | None, tuple[tuple[int, int], ...]]] = [
    ("KLArabic", _NOTO / "NotoSansArabic-Regular.ttf", _NOTO / "NotoSansArabic-Bold.ttf",
     ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
      (0xFE70, 0xFEFF))),
    ("KLHebrew", _NOTO / "NotoSansHebrew-Regular.ttf", _NOTO / "NotoSansHebrew-Bold.ttf",
     ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    ("KLDevanagari", _NOTO / "NotoSansDevanagari-Regular.ttf",
     _NOTO / "NotoSansDevanagari-Bold.ttf", ((0x0900, 0x097F), (0xA8E0, 0xA8FF))),
    ("KLEthiopic", _NOTO / "NotoSansEthiopic-Regular.ttf", _NOTO / "NotoSansEthiopic-Bold.ttf",
     ((0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F))),
    ("KLNoto", _NOTO / "NotoSans-Regular.ttf", _NOTO / "NotoSans-Bold.ttf", ()),
    ("KLCJK", Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), None,
     ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))),
    ("KLSymbols", _NOTO / "NotoSansSymbols2-Regular.ttf", None, ()),
    ("KLEmoji", Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"), None,
     ((0x1F000, 0x1FAFF),)),
]
_BASE = {False: FONT, True: BOLD}


@cache
def _load(name: str, path: Path) -> TTFont | None:
    """Register a fallback font on first use; None if its file is missing or unreadable."""
    try:
        font = TTFont(name, str(path))
    except (OSError, TTFError) as e:
        log.warning("Reserveskrift %s kunne ikke lastes (%s)", path, type(e).__name__)
        return None
    pdfmetrics.registerFont(font)
    return font


def _covers(name: str, cp: int) -> bool:
    font = pdfmetrics.getFont(name) if name in (FONT, BOLD) else None
    if font is None:
        return False
    return cp in font.face.charToGlyph


def _fallback(entry, bold: bool) -> str | None:
    name, regular, bold_file, _ranges = entry
    if bold and bold_file is not None and _load(name + "-Bold", bold_file):
        return name + "-Bold"
    return name if _load(name, regular) else None


@lru_cache(maxsize=8192)
def font_for(ch: str, bold: bool = False) -> str | None:
    """Name of the registered font that draws `ch` (None: no installed font has it)."""
    cp = ord(ch)
    preferred = [e for e in FALLBACKS if any(lo <= cp <= hi for lo, hi in e[3])]
    others = [e for e in FALLBACKS if e not in preferred]
    for entry in preferred:
        name = _fallback(entry, bold)
        if name and cp in pdfmetrics.getFont(name).face.charToGlyph:
            return name
    if _covers(_BASE[bold], cp):
        return _BASE[bold]
    for entry in others:
        name = _fallback(entry, bold)
        if name and cp in pdfmetrics.getFont(name).face.charToGlyph:
            return name
    return None


def is_bold(font_name: str) -> bool:
    return font_name in (BOLD, BOLD_ITALIC)
