"""Make every glyph's ToUnicode entry name the text as typed.

reportlab writes each subset font's ToUnicode CMap as `<code> <%04X>` of the code point,
which is wrong outside the BMP (PDF wants UTF-16BE: U+1F600 is `<D83DDE00>`, not
`<1F600>`), and the Arabic contextual forms drawn by pdf_text map to presentation-form
code points instead of the letters typed. This rewrites each bfchar destination as the
UTF-16BE of the logical text: the code point itself, or for an Arabic presentation form
its compatibility decomposition (U+FEE3 → U+0645; lam-alef U+FEFB → U+0644 U+0627).
"""

from __future__ import annotations

import re
import unicodedata

import pikepdf
from pikepdf import Name

_BFCHAR = re.compile(rb"(\d+\s+beginbfchar)(.*?)(endbfchar)", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_PRESENTATION = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def logical_text(cp: int) -> str:
    """The letters a glyph stands for, in the order typed (lam-alef as lam, alef): right-to-
    left glyphs are drawn in logical order (pdf_bidi), so readers take them as they come."""
    ch = chr(cp)
    if any(lo <= cp <= hi for lo, hi in _PRESENTATION):
        decomposed = unicodedata.normalize("NFKC", ch)
        if decomposed and decomposed != ch:
            return decomposed
    return ch


def utf16_hex(text: str) -> bytes:
    return text.encode("utf-16-be").hex().upper().encode()


def _destination(hexstr: bytes) -> bytes:
    """reportlab writes the bare code point; anything else is left alone."""
    cp = int(hexstr, 16)
    if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        return hexstr
    return utf16_hex(logical_text(cp))


def fix_cmap(data: bytes) -> bytes:
    def block(m):
        pairs = _PAIR.sub(lambda p: b"<" + p.group(1) + b"> <" + _destination(p.group(2))
                          + b">", m.group(2))
        return m.group(1) + pairs + m.group(3)
    return _BFCHAR.sub(block, data)


def _fonts(resources, seen):
    if not isinstance(resources, pikepdf.Dictionary):
        return
    fonts = resources.get(Name.Font)
    if isinstance(fonts, pikepdf.Dictionary):
        for _key, font in fonts.items():
            yield font
    xobjects = resources.get(Name.XObject)
    if isinstance(xobjects, pikepdf.Dictionary):
        for _key, xobj in xobjects.items():
            if xobj.objgen in seen or xobj.get(Name.Subtype) != Name.Form:
                continue
            seen.add(xobj.objgen)
            yield from _fonts(xobj.get(Name.Resources), seen)


def fix_document(pdf: pikepdf.Pdf) -> int:
    """Rewrite every font's ToUnicode CMap in place; returns how many were rewritten."""
    done, seen = set(), set()
    for page in pdf.pages:
        for font in _fonts(page.obj.get(Name.Resources), seen):
            cmap = font.get(Name.ToUnicode)
            if not isinstance(cmap, pikepdf.Stream) or cmap.objgen in done:
                continue
            done.add(cmap.objgen)
            fixed = fix_cmap(cmap.read_bytes())
            cmap.write(fixed)  # written uncompressed; pikepdf compresses on save
    return len(done)
