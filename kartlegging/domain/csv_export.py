"""The one CSV writer. Every CSV the app hands out (the audit export, the trends, the ZIP's
innhold.csv) is written here, and no other module imports `csv`, so no cell reaches a
spreadsheet as a formula.

A spreadsheet runs a cell that starts with = + - @ as a formula, and some strip a leading tab
or carriage return before they look. Such a text cell gets a leading apostrophe, as OWASP's
CSV injection guidance advises: the spreadsheet shows it as text.

Numbers the app computed itself (int, float, Decimal) are not text anyone typed, so they are
written as numbers, a negative one with its minus sign, and a spreadsheet can still sum them.
A float is written with a decimal comma (the Norwegian spreadsheet's; the cells are therefore
separated by semicolons). Text that merely looks like a number ("-1" typed as a name) is text
and is escaped like any other.
"""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DELIMITER = ";"
BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it (æ, ø, å in names)


def cell(value, decimals: int = 2) -> str:
    """One cell as a spreadsheet will show it, never as a formula."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (float, Decimal)) and math.isfinite(value):
        return f"{value:.{decimals}f}".replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_text(rows: Iterable[Iterable], *, decimals: int = 2) -> str:
    """The CSV document (with its BOM) of these rows, every cell through `cell`."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=DELIMITER)
    for row in rows:
        w.writerow([cell(v, decimals) for v in row])
    return BOM + out.getvalue()
