"""HPR-nummer: a health worker's number in Helsepersonellregisteret (OID
2.16.578.1.12.4.1.4.4). Pure, no Flask.

The register publishes no control digit: a number is checked for its form only, digits
(spaces allowed when typed), no leading zero, at most nine digits. Whether it belongs to the
person is for the administrator who types it, or the identity provider that sends it, to know.
"""
from __future__ import annotations

import re

MAX_DIGITS = 9
_SPACES = re.compile(r"[\s\u00a0]+")


class InvalidHpr(ValueError):
    """Not an HPR-nummer's form; ``message`` is for the user (bokmål)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalise(raw: str | None) -> str | None:
    """The digits of an HPR-nummer, or None when nothing was given; raises InvalidHpr."""
    value = _SPACES.sub("", str(raw or ""))
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        raise InvalidHpr("HPR-nummeret kan bare ha siffer.")
    if value.startswith("0"):
        raise InvalidHpr("HPR-nummeret begynner ikke med 0.")
    if len(value) > MAX_DIGITS:
        raise InvalidHpr(f"HPR-nummeret har høyst {MAX_DIGITS} siffer (du skrev {len(value)}).")
    return value
