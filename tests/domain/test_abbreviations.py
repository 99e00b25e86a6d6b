"""Abbreviations of the forms' option labels are spelled out once per page."""
from kartlegging.domain.abbreviations import glossary, spell_once

TERMS = glossary(["TSB (tverrfaglig spesialisert rusbehandling)", "Uten fast bopel (UFB)",
                  "NAV", "Fastlege", "Bor hos familie (midlertidig)"])
TSB = "TSB (tverrfaglig spesialisert rusbehandling)"
ABBR = '<abbr title="tverrfaglig spesialisert rusbehandling">TSB</abbr>'


def test_glossary_reads_both_shapes_and_nothing_else():
    assert TERMS == {"TSB": ("tverrfaglig spesialisert rusbehandling", TSB),
                     "UFB": ("Uten fast bopel", "Uten fast bopel (UFB)")}


def test_first_use_spelled_out_then_short():
    page = set()
    first = spell_once(f"4 tjenester er involvert: fastlege, NAV, {TSB}", TERMS, page)
    assert str(first) == f"4 tjenester er involvert: fastlege, NAV, {TSB}"
    second = spell_once(f"Tjenester: NAV, {TSB}, og {TSB} igjen", TERMS, page)
    assert str(second) == f"Tjenester: NAV, {ABBR}, og {ABBR} igjen"
    # a new page spells it out again
    assert str(spell_once(TSB, TERMS, set())) == TSB


def test_a_bare_abbreviation_first_is_spelled_out_there():
    page = set()
    assert str(spell_once("Bor UFB nå; UFB siden mai", TERMS, page)) == (
        'Bor Uten fast bopel (UFB) nå; <abbr title="Uten fast bopel">UFB</abbr> siden mai')
    assert str(spell_once("UFB", TERMS, page)) == '<abbr title="Uten fast bopel">UFB</abbr>'
    assert str(spell_once("TSBX og XUFB er ord", TERMS, set())) == "TSBX og XUFB er ord"


def test_text_is_escaped():
    assert str(spell_once("<b>TSB</b>", TERMS, set())) == f"&lt;b&gt;{TSB}&lt;/b&gt;"
