"""Tests for kartlegging.identity (fødselsnummer / D-nummer / H-nummer validation).

The reference check compares against python-stdnum's ``stdnum.no.fodselsnummer`` (a test-only
dependency) on a seeded, generated corpus. The numbers are built by an independent generator in
this file that follows domain.md section 7 literally.

What stdnum (2.x) supports, read from its source:
* plain fødselsnummer, D-nummer (day > 40 → day - 40) and H-nummer (month > 40 → month - 40);
* the century rules from the individnummer, and it rejects birth dates in the future;
* it does NOT know the 2032 rule (K1 remainder 1–3) -> we compare with ``rule_2032=False``;
* it does NOT support Tenor synthetic numbers (month + 80): it subtracts only 40, so the month
  stays > 12 and the number is rejected. Our validate() with ``allow_synthetic=False`` rejects
  them too, so synthetic numbers stay in the comparison; the accepting side is checked against
  the generator instead;
* it ACCEPTS a number with both the D and the H offset (it strips both). No such number is
  issued, and we reject it, so those numbers are left out of the comparison (and checked
  separately);
* FH-numbers (first digit 8/9): stdnum raises; we accept them by their own rule (tested below);
  the random strings in the corpus that start with 8 or 9 are left out of the comparison;
* separators differ (stdnum strips " -:", we strip whitespace, "." and dashes); the corpus is
  digits only.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.no import fodselsnummer as stdnum_fnr

from kartlegging.domain.identity import (
    IdentityNumber,
    InvalidIdentityNumber,
    check_control_digits,
    is_valid,
    normalize,
    validate,
)

FIXED_TODAY = date(2026, 1, 1)

# ---------------------------------------------------------------------------------------------
# Independent generator (domain.md section 7, written out literally).

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def control_digits(first9: str, k1_remainder: int = 0) -> str | None:
    """K1K2 for nine digits, or None when a control digit would be 10.

    ``k1_remainder`` 0 is the current rule (K1 = 11 - (s mod 11), 11 → 0); 1, 2 or 3 gives a
    number that is valid only under the 2032 rule ((s + K1) mod 11 == remainder).
    """
    s1 = sum(w * int(c) for w, c in zip(_W1, first9))
    if k1_remainder == 0:
        k1 = 11 - (s1 % 11)
        if k1 == 11:
            k1 = 0
    else:  # also used for remainders 4–10, which no rule accepts
        k1 = next(k for k in range(11) if (s1 + k) % 11 == k1_remainder)
    if k1 == 10:
        return None
    s2 = sum(w * int(c) for w, c in zip(_W2, first9 + str(k1)))
    k2 = 11 - (s2 % 11)
    if k2 == 11:
        k2 = 0
    if k2 == 10:
        return None
    return f"{k1}{k2}"


def compose(
    born: date,
    ind: int,
    *,
    d: bool = False,
    h: bool = False,
    synthetic: bool = False,
    k1_remainder: int = 0,
) -> str | None:
    dd = born.day + (40 if d else 0)
    mm = born.month + (40 if h else 0) + (80 if synthetic else 0)
    first9 = f"{dd:02d}{mm:02d}{born.year % 100:02d}{ind:03d}"
    k = control_digits(first9, k1_remainder)
    return None if k is None else first9 + k


def make(born: date, inds, **kw) -> str:
    """First individnummer from ``inds`` that gives usable control digits."""
    for ind in inds:
        number = compose(born, ind, **kw)
        if number is not None:
            return number
    raise AssertionError("no individnummer gave valid control digits")


def individnummer_for(year: int, rng: random.Random) -> int:
    if year < 1900:
        return rng.randint(500, 749)
    if year < 2000:
        ranges = [(0, 499)] + ([(900, 999)] if year >= 1940 else [])
        return rng.randint(*rng.choice(ranges))
    return rng.randint(500, 999)


START, END = date(1854, 1, 1), date(2039, 12, 31)


def random_date(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange((END - START).days + 1))


def build_corpus(seed: int = 20320101):
    """Returns (numbers, expected) where expected maps consistent numbers to their birth date
    and variant flags. Around 11 000 numbers."""
    rng = random.Random(seed)
    numbers: list[str] = []
    expected: dict[str, tuple[date, str, bool]] = {}
    variants = [  # (d, h, synthetic, kind)
        (False, False, False, "fodselsnummer"),
        (True, False, False, "d_nummer"),
        (False, True, False, "h_nummer"),
        (False, False, True, "fodselsnummer"),
        (True, False, True, "d_nummer"),
    ]
    valid_ones: list[str] = []
    while len(valid_ones) < 4000:  # century-consistent numbers
        born = random_date(rng)
        d, h, synth, kind = rng.choices(variants, weights=[5, 3, 1, 1, 1])[0]
        n = compose(born, individnummer_for(born.year, rng), d=d, h=h, synthetic=synth)
        if n is not None:
            valid_ones.append(n)
            expected[n] = (born, kind, synth)
    numbers += valid_ones
    for _ in range(2500):  # any individnummer: exercises the "no century rule" cases
        born = random_date(rng)
        n = compose(born, rng.randint(0, 999), d=rng.random() < 0.3)
        if n is not None:
            numbers.append(n)
    for _ in range(3000):  # random 11-digit strings
        numbers.append("".join(rng.choice("0123456789") for _ in range(11)))
    for n in rng.sample(valid_ones, 1500):  # single-digit mutations
        pos = rng.randrange(11)
        new = rng.choice([c for c in "0123456789" if c != n[pos]])
        numbers.append(n[:pos] + new + n[pos + 1 :])
    for _ in range(1000):  # valid only under the 2032 rule
        born = random_date(rng)
        n = compose(
            born, rng.randint(0, 999), d=rng.random() < 0.3, k1_remainder=rng.choice([1, 2, 3])
        )
        if n is not None:
            numbers.append(n)
    return numbers, expected


@pytest.fixture(scope="module")
def corpus():
    return build_corpus()


def is_d_and_h(n: str) -> bool:
    return n[0] in "4567" and n[2] in "4567"


# ---------------------------------------------------------------------------------------------
# Reference check against stdnum.


def test_agrees_with_stdnum_under_current_rule(corpus):
    numbers, _ = corpus
    compared = accepted = 0
    disagreements = []
    for n in numbers:
        if is_d_and_h(n) or n[0] in "89":  # FH-numbers: their own rule, stdnum has none
            continue
        ours = is_valid(n, rule_2032=False)
        theirs = stdnum_fnr.is_valid(n)
        compared += 1
        accepted += ours
        if ours != theirs:
            disagreements.append((n, ours, theirs))
        elif ours:
            assert validate(n, rule_2032=False).birth_date == stdnum_fnr.get_birth_date(n)
    assert not disagreements, disagreements[:20]
    assert compared > 10_000
    assert accepted > 3000  # the comparison isn't vacuous
    assert accepted < compared - 3000


def test_d_and_h_combination_rejected_though_stdnum_accepts(corpus):
    numbers, _ = corpus
    combos = [n for n in numbers if is_d_and_h(n)]
    assert combos
    assert not any(
        is_valid(n, rule_2032=r, allow_synthetic=True) for n in combos for r in (False, True)
    )
    n = make(date(1985, 5, 17), range(100, 200), d=True, h=True)
    assert stdnum_fnr.is_valid(n)
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate(n)
    assert exc.value.code == "d_and_h"


def test_generated_numbers_match_generator(corpus):
    """Covers H-nummer and synthetic numbers, which stdnum can't judge fully."""
    _, expected = corpus
    for n, (born, kind, synth) in expected.items():
        for rule in (False, True):
            if born > FIXED_TODAY:
                if not rule:
                    with pytest.raises(InvalidIdentityNumber) as exc:
                        validate(n, rule_2032=rule, allow_synthetic=True, today=FIXED_TODAY)
                    assert exc.value.code == "future"
                continue
            result = validate(n, rule_2032=rule, allow_synthetic=True, today=FIXED_TODAY)
            assert (result.value, result.kind, result.synthetic, result.birth_date) == (
                n,
                kind,
                synth,
                born,
            )
            assert is_valid(n, rule_2032=rule, today=FIXED_TODAY) is (not synth)


def test_rule_2032_accepts_superset(corpus):
    numbers, _ = corpus
    only_2032 = 0
    for n in numbers:
        old = is_valid(n, rule_2032=False, allow_synthetic=True)
        new = is_valid(n, rule_2032=True, allow_synthetic=True)
        assert new or not old, n
        if new and not old:
            only_2032 += 1
            assert validate(n, allow_synthetic=True).birth_date is None
        elif old:
            assert (
                validate(n, allow_synthetic=True).birth_date
                == validate(n, rule_2032=False, allow_synthetic=True).birth_date
            )
    assert only_2032 > 500


def test_single_digit_mutations_always_detected(corpus):
    _, expected = corpus
    rng = random.Random(7)
    for n in rng.sample(sorted(expected), 300):
        for pos in range(11):
            for c in "0123456789":
                if c != n[pos]:
                    m = n[:pos] + c + n[pos + 1 :]
                    assert not check_control_digits(m, rule_2032=True), (n, m)


# ---------------------------------------------------------------------------------------------
# Properties.

_SETTINGS = [{"rule_2032": r, "allow_synthetic": s} for r in (False, True) for s in (False, True)]


@settings(max_examples=400, deadline=None, database=None)
@given(st.text(alphabet="0123456789", min_size=0, max_size=14))
def test_digit_strings_only_raise_invalid_identity_number(raw):
    for kw in _SETTINGS:
        try:
            result = validate(raw, **kw)
        except InvalidIdentityNumber as exc:
            assert exc.message and exc.code
        else:
            assert len(result.value) == 11 and result.value.isdigit()
            assert result.formatted == f"{raw[:6]} {raw[6:]}"


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=20))
def test_arbitrary_text_only_raises_invalid_identity_number(raw):
    assert is_valid(raw) in (True, False)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.dates(min_value=START, max_value=date(2025, 12, 31)),
    st.integers(0, 999),
    st.booleans(),
    st.lists(st.sampled_from([" ", ".", "-", "\u00a0"]), max_size=3),
)
def test_separators_do_not_matter(born, ind, d, seps):
    n = compose(born, ind, d=d)
    if n is None:
        return
    spaced = n[:2] + "".join(seps) + n[2:6] + " " + n[6:]
    assert is_valid(spaced, rule_2032=False) == is_valid(n, rule_2032=False)
    assert normalize(spaced) == n


# ---------------------------------------------------------------------------------------------
# Skatteetaten's examples and the 2032 rule.


def test_skatteetaten_example_valid_under_both_rules():
    for rule in (False, True):
        result = validate("30108299920", rule_2032=rule)
        assert result.birth_date == date(1982, 10, 30)
        assert result.kind == "fodselsnummer"


def test_skatteetaten_example_valid_only_under_2032_rule():
    result = validate("30108299939")
    assert result.birth_date is None  # century can't be derived from a 2032-rule number
    assert validate("30108299939", rule_2032=True).value == "30108299939"
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate("30108299939", rule_2032=False)
    assert exc.value.message == (
        "Kontrollsifrene stemmer ikke. Sjekk at nummeret er skrevet riktig."
    )
    assert check_control_digits("30108299939", rule_2032=True)
    assert not check_control_digits("30108299939", rule_2032=False)
    assert not stdnum_fnr.is_valid("30108299939")


@pytest.mark.parametrize("remainder", range(11))
def test_2032_rule_k1_remainders(remainder):
    """K1 sum remainder 0 (current rule) and 1, 2, 3 (2032 rule) are accepted; 4–10 never."""
    rng = random.Random(remainder)
    checked = 0
    while checked < 50:
        born = random_date(rng)
        if born > FIXED_TODAY:
            continue
        n = compose(
            born, individnummer_for(born.year, rng), d=rng.random() < 0.5, k1_remainder=remainder
        )
        if n is None:
            continue
        checked += 1
        assert is_valid(n, rule_2032=True, today=FIXED_TODAY) is (remainder <= 3), n
        assert is_valid(n, rule_2032=False, today=FIXED_TODAY) is (remainder == 0), n
        assert check_control_digits(n, rule_2032=True) is (remainder <= 3)
        if 1 <= remainder <= 3:
            assert validate(n, today=FIXED_TODAY).birth_date is None
        elif remainder == 0:
            assert validate(n, today=FIXED_TODAY).birth_date == born


def test_2032_rule_k2_unchanged():
    # K1 accepted by the 2032 rule, K2 wrong.
    assert not is_valid("30108299930")
    assert not is_valid("30108299938")


# ---------------------------------------------------------------------------------------------
# Error messages.


def _message(raw: str, **kw) -> str:
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate(raw, **kw)
    return exc.value.message


def test_message_wrong_length():
    assert _message("3010829992") == "Fødselsnummer må ha 11 siffer (du skrev 10)."
    assert _message("301082 999200") == "Fødselsnummer må ha 11 siffer (du skrev 12)."
    assert _message("") == "Skriv inn fødselsnummeret (11 siffer)."
    assert _message("  ") == "Skriv inn fødselsnummeret (11 siffer)."


def test_message_letters():
    assert _message("3010829992O") == "Fødselsnummeret inneholder andre tegn enn siffer."
    assert _message("abc") == "Fødselsnummeret inneholder andre tegn enn siffer."
    assert _message("３０１０８２９９９２０") == "Fødselsnummeret inneholder andre tegn enn siffer."


def test_message_bad_date():
    assert _message("31028512345") == (
        "Datoen i nummeret (31.02.85) finnes ikke. Sjekk de seks første sifrene."
    )
    assert "(01.13.85)" in _message("01138512345")
    assert "(00.05.85)" in _message("00058512345")
    assert "(29.02.85)" in _message("29028512345")
    # D-nummer: the shown date has the offset removed.
    assert "(31.04.85)" in _message("71048512345")


def test_message_bad_control_digits():
    n = make(date(1985, 5, 17), range(100, 200))
    bad = n[:10] + str((int(n[10]) + 1) % 10)
    assert _message(bad) == "Kontrollsifrene stemmer ikke. Sjekk at nummeret er skrevet riktig."


def test_synthetic_refused_unless_allowed():
    n = make(date(1985, 5, 17), range(100, 200), synthetic=True)
    assert n[2] == "8"
    assert _message(n) == "Dette er et syntetisk testnummer, som ikke er tillatt her."
    assert not is_valid(n)
    result = validate(n, allow_synthetic=True)
    assert result.synthetic and result.kind == "fodselsnummer"
    assert result.birth_date == date(1985, 5, 17)

    dn = make(date(1990, 12, 24), range(100, 200), d=True, synthetic=True)
    assert dn[0] == "6" and dn[2] == "9"
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate(dn)
    assert exc.value.code == "synthetic"
    result = validate(dn, allow_synthetic=True)
    assert (result.kind, result.synthetic, result.birth_date) == (
        "d_nummer",
        True,
        date(1990, 12, 24),
    )


def test_invalid_synthetic_reports_the_real_problem():
    n = make(date(1985, 5, 17), range(100, 200), synthetic=True)
    bad = n[:10] + str((int(n[10]) + 1) % 10)
    assert _message(bad).startswith("Kontrollsifrene stemmer ikke")


def test_error_is_value_error_with_code():
    with pytest.raises(ValueError):
        validate("123")
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate("123")
    assert exc.value.code == "length"
    assert str(exc.value) == exc.value.message


# ---------------------------------------------------------------------------------------------
# Formatting, normalizing, kind detection.


def test_formatting_and_normalize():
    assert validate("30108299920").formatted == "301082 99920"
    assert normalize(" 30.10.82-999 20 ") == "30108299920"
    assert normalize("301082\u00a099920") == "30108299920"
    assert normalize("301082–99920") == "30108299920"
    for raw in ("301082 99920", "30.10.82 999 20", "301082-99920", "\t30108299920\n"):
        assert validate(raw).value == "30108299920"


def test_identity_number_is_frozen_and_repr_hides_number():
    result = validate("30108299920")
    assert isinstance(result, IdentityNumber)
    with pytest.raises(AttributeError):
        result.value = "x"  # type: ignore[misc]
    assert "30108299920" not in repr(result)
    assert "1982" not in repr(result)
    assert "301082" not in str(result)


@pytest.mark.parametrize(
    ("born", "kw", "kind", "first", "third"),
    [
        (date(1985, 5, 17), {}, "fodselsnummer", "1", "0"),
        (date(1985, 5, 17), {"d": True}, "d_nummer", "5", "0"),
        (date(1985, 5, 31), {"d": True}, "d_nummer", "7", "0"),
        (date(1985, 11, 17), {"h": True}, "h_nummer", "1", "5"),
        (date(1985, 5, 17), {"h": True}, "h_nummer", "1", "4"),
    ],
)
def test_kind_detection(born, kw, kind, first, third):
    n = make(born, range(100, 200), **kw)
    assert (n[0], n[2]) == (first, third)
    result = validate(n, rule_2032=False)
    assert result.kind == kind and not result.synthetic
    assert result.birth_date == born


# ---------------------------------------------------------------------------------------------
# Birth date and century rules.


@pytest.mark.parametrize(
    ("born", "inds"),
    [
        (date(1854, 1, 1), range(500, 750)),  # 500–749, year 54–99 → 1854–1899
        (date(1899, 12, 31), range(500, 750)),
        (date(1900, 1, 1), range(500)),  # 000–499 → 1900s
        (date(1939, 6, 15), range(500)),
        (date(1999, 12, 31), range(400, 500)),
        (date(2000, 1, 1), range(500, 1000)),  # 500–999, year 00–39 → 2000s
        (date(2020, 2, 29), range(900, 1000)),
        (date(1940, 3, 1), range(900, 1000)),  # 900–999, year 40–99 → 1940–1999
        (date(1999, 7, 7), range(900, 1000)),
    ],
)
def test_birth_date_century_rules(born, inds):
    n = make(born, inds)
    for rule in (False, True):
        assert validate(n, rule_2032=rule, today=FIXED_TODAY).birth_date == born


def test_d_nummer_birth_date():
    n = make(date(1971, 3, 9), range(300, 400), d=True)
    assert n.startswith("49")
    result = validate(n)
    assert result.kind == "d_nummer"
    assert result.birth_date == date(1971, 3, 9)
    assert stdnum_fnr.get_birth_date(n) == date(1971, 3, 9)


@pytest.mark.parametrize(
    ("born", "inds"),
    [
        (date(1960, 4, 4), range(750, 900)),  # 750–899 with year 40–99
        (date(1945, 4, 4), range(500, 750)),  # 500–749 with year 40–53
    ],
)
def test_no_century_rule(born, inds):
    n = make(born, inds)
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate(n, rule_2032=False)
    assert exc.value.code == "century"
    assert "Individnummeret" in exc.value.message
    assert not stdnum_fnr.is_valid(n)
    # Under the 2032 rule the individnummer no longer tells the century.
    result = validate(n, rule_2032=True)
    assert result.birth_date is None


def test_feb_29_needs_leap_year_of_derived_century():
    in_1900 = "290200" + next(  # individnummer 000–499 → 1900, not a leap year
        f"{i:03d}" + k
        for i in range(100, 500)
        if (k := control_digits(f"290200{i:03d}")) is not None
    )
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate(in_1900, rule_2032=False)
    assert exc.value.code == "date"
    assert "(29.02.00)" in exc.value.message and "1900" in exc.value.message
    assert not stdnum_fnr.is_valid(in_1900)
    assert validate(in_1900, rule_2032=True).birth_date is None

    in_2000 = make(date(2000, 2, 29), range(500, 1000))
    assert validate(in_2000, rule_2032=False).birth_date == date(2000, 2, 29)


def test_future_birth_date():
    n = make(date(2030, 6, 1), range(500, 1000))
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate(n, rule_2032=False, today=FIXED_TODAY)
    assert exc.value.code == "future"
    assert "01.06.2030" in exc.value.message
    assert validate(n, rule_2032=False, today=date(2030, 6, 1)).birth_date == date(2030, 6, 1)
    # Could be a 2032-rule number for someone born 1930: valid, birth date unknown.
    assert validate(n, rule_2032=True, today=FIXED_TODAY).birth_date is None


# ---------------------------------------------------------------------------------------------
# FH-nummer: first digit 8 or 9, no date, the fødselsnummer's control digits.


def _fh(first: int, running: int) -> str | None:
    """An FH-nummer built by the rule, or None when K1 or K2 would be 10 (not issued)."""
    body = f"{first}{running:08d}"
    digits = [int(c) for c in body]
    k1 = (11 - sum(w * d for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), digits)) % 11) % 11
    if k1 == 10:
        return None
    digits.append(k1)
    k2 = (11 - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), digits)) % 11) % 11
    if k2 == 10:
        return None
    return body + f"{k1}{k2}"


def test_fh_nummer_accepted_by_its_own_rule():
    rng = random.Random(7)
    made = [n for n in (_fh(rng.choice([8, 9]), rng.randrange(10**8)) for _ in range(2000)) if n]
    assert len(made) > 1000
    for n in made:
        ident = validate(n)
        assert (ident.kind, ident.birth_date, ident.synthetic) == ("fh_nummer", None, False)
        assert not stdnum_fnr.is_valid(n)  # the fødselsnummer rule alone refuses them
    # digits 2–9 are no date: "month" 99, "day" 00 are fine
    assert validate(_fh(9, 99999999) or _fh(9, 99999998)).kind == "fh_nummer"
    # every single-digit change is caught by the control digits
    n = made[0]
    for i in range(11):
        for d in "0123456789":
            changed = n[:i] + d + n[i + 1:]
            if changed != n and changed[0] in "89":
                assert not is_valid(changed)


def test_fh_nummer_bad_control_digits_message():
    n = _fh(8, 12345678) or _fh(8, 12345679)
    bad = n[:10] + str((int(n[10]) + 1) % 10)
    with pytest.raises(InvalidIdentityNumber) as e:
        validate(bad)
    assert e.value.code == "control_digits"
    assert e.value.message == ("Kontrollsifrene stemmer ikke for et FH-nummer (første siffer 8 "
                               "eller 9). Sjekk at nummeret er skrevet riktig.")


def test_fh_nummer_label():
    from kartlegging.domain.identity import number_label
    assert number_label(_fh(8, 1) or _fh(8, 2)) == "FH-nummer"
