"""Validation of Norwegian identity numbers (fødselsnummer, D-nummer, H-nummer, FH-nummer).

Pure functions, no Flask. See /work/shared/domain.md section 7.

Layout: ``DDMMYY`` + individnummer (3 digits) + control digits K1, K2.

* D-nummer: 4 added to the first digit (day 41–71).
* H-nummer: 4 added to the third digit (month 41–52).
* Synthetic test numbers (Skatteetaten's Tenor): 8 added to the third digit (month 81–92);
  accepted only with ``allow_synthetic=True``. A synthetic D-nummer (both offsets) is reported
  as ``kind="d_nummer"``, ``synthetic=True``.
* A number with both the D offset and the H offset is rejected: no such number is issued
  (NAV's Dolly test data uses month + 40 for synthetic numbers; those look like H-numbers and
  are out of scope here).
* FH-nummer (felles hjelpenummer, issued by the health sector to a person who has no, or no
  known, fødselsnummer or D-nummer; OID 2.16.578.1.12.4.1.4.3): first digit 8 or 9, digits 2–9
  a running number with no date in it, digits 10–11 control digits computed exactly as for a
  fødselsnummer (today's rule: the 2032 change concerns numbers from Folkeregisteret only).
  It tells neither birth date nor century: ``birth_date=None``.

Control digits, current rule: the weighted sum over the first ten digits with weights
3,7,6,1,8,9,4,5,2,1 must be ≡ 0 (mod 11) -- equivalent to K1 = 11 - (s mod 11), 11 → 0,
10 → invalid -- and the sum over all eleven digits with weights 5,4,3,2,7,6,5,4,3,2,1 must be
≡ 0 (mod 11). The 2032 rule (Skatteetaten, "Nye fødselsnummer og d-nummer fra 2032") also
accepts a K1 sum ≡ 1, 2 or 3; K2 is unchanged. With ``rule_2032=True`` (default) both rules are
accepted in parallel. The rule lives in :func:`check_control_digits`.

Under the current rule the century follows from the individnummer and the derived birth date
must be real and not in the future. From 2032 the individnummer no longer tells the century, so
a number that is only valid under the 2032 rule gets ``birth_date=None`` (the birth date must
then come from Folkeregisteret). Gender is never derived from the number.

Privacy: ``repr()``/``str()`` of :class:`IdentityNumber` does not show the number or the birth
date, so it can't leak into logs by accident. Error messages name the date part (needed for the
user to correct their input) but never the whole number.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

__all__ = [
    "IdentityNumber",
    "InvalidIdentityNumber",
    "Kind",
    "check_control_digits",
    "is_valid",
    "normalize",
    "validate",
]

Kind = Literal["fodselsnummer", "d_nummer", "h_nummer", "fh_nummer"]

K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)  # the trailing 1 is K1 itself
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)  # the trailing 1 is K2 itself
K1_REMAINDERS_CURRENT = frozenset({0})
K1_REMAINDERS_2032 = frozenset({0, 1, 2, 3})

_DIGITS = frozenset("0123456789")
# Whitespace (incl. no-break spaces), dots, and hyphen/dash variants people paste in.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")


class InvalidIdentityNumber(ValueError):
    """The number is not a valid identity number.

    ``message`` is user-facing Norwegian bokmål; ``code`` is a stable machine-readable reason:
    ``missing``, ``characters``, ``length``, ``date``, ``d_and_h``, ``control_digits``,
    ``century``, ``future`` or ``synthetic``.
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class IdentityNumber:
    value: str = field(repr=False)  # 11 digits, normalized
    kind: Kind
    synthetic: bool
    birth_date: date | None = field(repr=False)

    @property
    def formatted(self) -> str:
        """``"DDMMYY NNNNN"``."""
        return f"{self.value[:6]} {self.value[6:]}"


def normalize(raw: str) -> str:
    """Remove spaces (any whitespace), dots and dashes."""
    if raw is None:
        return ""
    return _SEPARATORS.sub("", raw)


def check_control_digits(value: str, *, rule_2032: bool) -> bool:
    """Check K1 and K2 of an 11-digit string.

    ``rule_2032=False``: the current rule only. ``rule_2032=True``: the current rule or the 2032
    rule (K1 sum remainder 0, 1, 2 or 3; K2 unchanged) -- both are accepted in parallel.
    """
    if len(value) != 11 or not set(value) <= _DIGITS:
        return False
    digits = [int(c) for c in value]
    k1_remainder = sum(w * d for w, d in zip(K1_WEIGHTS, digits[:10])) % 11
    k2_remainder = sum(w * d for w, d in zip(K2_WEIGHTS, digits)) % 11
    allowed = K1_REMAINDERS_2032 if rule_2032 else K1_REMAINDERS_CURRENT
    return k1_remainder in allowed and k2_remainder == 0


def _century_year(individnummer: int, yy: int) -> int | None:
    """Four-digit birth year from individnummer and two-digit year (current rule)."""
    if individnummer <= 499:
        return 1900 + yy
    if individnummer <= 749 and yy >= 54:
        return 1800 + yy
    if yy <= 39:  # 500–999
        return 2000 + yy
    if individnummer >= 900:  # 900–999, year 40–99
        return 1900 + yy
    return None


def _date_possible(day: int, month: int, yy: int) -> bool:
    """Is DD.MM real in at least one century for this YY? (29.02 needs a leap year.)"""
    if not (1 <= month <= 12 and day >= 1):
        return False
    if month == 2 and day == 29:
        return calendar.isleap(1900 + yy) or calendar.isleap(2000 + yy)
    return day <= calendar.monthrange(2001, month)[1]


_CHECK_NUMBER = "Sjekk at nummeret er skrevet riktig."


def validate(
    raw: str,
    *,
    allow_synthetic: bool = False,
    rule_2032: bool = True,
    today: date | None = None,
) -> IdentityNumber:
    """Validate a fødselsnummer, D-nummer, H-nummer or FH-nummer.

    Raises :class:`InvalidIdentityNumber` with a Norwegian message saying what is wrong.
    ``today`` (for the "born in the future" check) defaults to ``date.today()``.
    """
    if raw is not None and not isinstance(raw, str):
        raise TypeError(f"raw must be str, not {type(raw).__name__}")
    value = normalize(raw)

    if not value:
        raise InvalidIdentityNumber("Skriv inn fødselsnummeret (11 siffer).", "missing")
    if not set(value) <= _DIGITS:
        raise InvalidIdentityNumber(
            "Fødselsnummeret inneholder andre tegn enn siffer.", "characters"
        )
    if len(value) != 11:
        raise InvalidIdentityNumber(
            f"Fødselsnummer må ha 11 siffer (du skrev {len(value)}).", "length"
        )

    if value[0] in "89":
        return _fh_number(value)

    # --- Date part, with the D / H / synthetic offsets removed.
    day, month, yy = int(value[0:2]), int(value[2:4]), int(value[4:6])
    is_d = value[0] in "4567"
    if is_d:
        day -= 40
    month_offset = 80 if value[2] in "89" else 40 if value[2] in "4567" else 0
    month -= month_offset
    synthetic = month_offset == 80
    is_h = month_offset == 40

    if not _date_possible(day, month, yy):
        raise InvalidIdentityNumber(
            f"Datoen i nummeret ({day:02d}.{month:02d}.{yy:02d}) finnes ikke. "
            "Sjekk de seks første sifrene.",
            "date",
        )
    if is_d and is_h:
        raise InvalidIdentityNumber(
            "Nummeret er både merket som D-nummer (første siffer) og H-nummer (tredje siffer), "
            "og et slikt nummer finnes ikke. Sjekk de seks første sifrene.",
            "d_and_h",
        )

    # --- Control digits.
    current_ok = check_control_digits(value, rule_2032=False)
    if not current_ok and not (rule_2032 and check_control_digits(value, rule_2032=True)):
        raise InvalidIdentityNumber(
            f"Kontrollsifrene stemmer ikke. {_CHECK_NUMBER}", "control_digits"
        )

    # --- Century and birth date (current rule only). A number that fails here can still be a
    # valid 2032-rule number, whose individnummer no longer tells the century.
    birth_date: date | None = None
    if current_ok:
        problem: InvalidIdentityNumber | None = None
        year = _century_year(int(value[6:9]), yy)
        if year is None:
            problem = InvalidIdentityNumber(
                f"Individnummeret (siffer 7–9) passer ikke med fødselsåret ({yy:02d}), så "
                f"fødselsåret kan ikke bestemmes. {_CHECK_NUMBER}",
                "century",
            )
        else:
            try:
                candidate = date(year, month, day)
            except ValueError:  # only 29.02 in a non-leap year gets here
                problem = InvalidIdentityNumber(
                    f"Datoen i nummeret ({day:02d}.{month:02d}.{yy:02d}) finnes ikke: "
                    f"individnummeret viser at fødselsåret er {year}, som ikke var et "
                    f"skuddår. {_CHECK_NUMBER}",
                    "date",
                )
            else:
                if candidate > (today or date.today()):
                    problem = InvalidIdentityNumber(
                        f"Fødselsdatoen i nummeret ({candidate:%d.%m.%Y}) er fram i tid. "
                        f"{_CHECK_NUMBER}",
                        "future",
                    )
                else:
                    birth_date = candidate
        if problem is not None and not rule_2032:
            raise problem

    if synthetic and not allow_synthetic:
        raise InvalidIdentityNumber(
            "Dette er et syntetisk testnummer, som ikke er tillatt her.", "synthetic"
        )

    kind: Kind = "d_nummer" if is_d else "h_nummer" if is_h else "fodselsnummer"
    return IdentityNumber(value=value, kind=kind, synthetic=synthetic, birth_date=birth_date)


def _fh_number(value: str) -> IdentityNumber:
    """An FH-nummer: its own layout (no date), the fødselsnummer's control digits."""
    if not check_control_digits(value, rule_2032=False):
        raise InvalidIdentityNumber(
            f"Kontrollsifrene stemmer ikke for et FH-nummer (første siffer 8 eller 9). "
            f"{_CHECK_NUMBER}", "control_digits")
    return IdentityNumber(value=value, kind="fh_nummer", synthetic=False, birth_date=None)


def is_valid(raw: str, **kwargs: object) -> bool:
    """``True`` if :func:`validate` accepts ``raw`` with the same keyword settings."""
    try:
        validate(raw, **kwargs)  # type: ignore[arg-type]
    except InvalidIdentityNumber:
        return False
    return True


def number_label(value: str) -> str:
    """What a stored (already validated) number is called: «Fødselsnummer», «D-nummer»,
    «H-nummer» or «FH-nummer», with «(testnummer)» for a synthetic test number (month + 80)."""
    value = normalize(value)
    if len(value) != 11 or not value.isdigit():
        return "Nummer"
    if value[0] in "89":
        return "FH-nummer"
    month_digit = int(value[2])
    synthetic = month_digit >= 8
    if int(value[0]) >= 4:
        kind = "D-nummer"
    elif month_digit % 8 >= 4:
        kind = "H-nummer"
    else:
        kind = "Fødselsnummer"
    return f"{kind} (testnummer)" if synthetic else kind
