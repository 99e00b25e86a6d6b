"""User names people cannot tell apart are one name. Pure.

A name is compared and stored in one form: Unicode NFKC (full-width `ａｄｍｉｎ` is `admin`)
and case-folded (`ADMIN`, `Straße` → `strasse`). Characters that show nothing (zero-width
spaces and joiners, soft hyphens, direction marks, fillers, control characters) are refused
rather than removed: a name that differs from another only by them is meant to deceive.
"""
import unicodedata

MAX_LENGTH = 80
# Categories that never show as a letter: control, format (zero-width space, joiners, soft
# hyphen, direction marks), private use, surrogates, unassigned, line and paragraph breaks.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
# Default-ignorable or blank-looking characters of other categories (Unicode's
# Default_Ignorable_Code_Point list, plus the blank Braille pattern).
_HIDDEN_RANGES = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
                  (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0),
                  (0xE0100, 0xE01EF))

INVISIBLE = ("Brukernavnet har et usynlig tegn eller kontrolltegn (for eksempel et "
             "nullbredde-mellomrom). Skriv det med vanlige bokstaver, tall og tegn.")
EMPTY_OR_SPACE = "Brukernavnet kan ikke være tomt eller inneholde mellomrom."
TOO_LONG = f"Brukernavnet kan ha høyst {MAX_LENGTH} tegn."


def _hidden(ch: str) -> bool:
    if unicodedata.category(ch) in _HIDDEN_CATEGORIES:
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _HIDDEN_RANGES)


def normalise(raw: str | None) -> str:
    """The one form a user name is stored and compared in."""
    text = unicodedata.normalize("NFKC", raw or "")
    return unicodedata.normalize("NFKC", text.casefold()).strip()


def problem(raw: str | None) -> str | None:
    """Why `raw` cannot be a user name (Norwegian), or None."""
    if any(_hidden(ch) for ch in raw or ""):
        return INVISIBLE
    name = normalise(raw)
    if not name or any(ch.isspace() for ch in name):
        return EMPTY_OR_SPACE
    if len(name) > MAX_LENGTH:
        return TOO_LONG
    return None
