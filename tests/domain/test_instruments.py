"""Instrument loading: the real files load, and every validation error names file and path."""
import textwrap
from pathlib import Path

import pytest

from kartlegging.domain.instrument_types import InstrumentError
from kartlegging.domain.instruments import load_all, load_file

INSTRUMENTS = Path(__file__).parents[2] / "instruments"

BASE = """
key: test
version: 1
title: "Test"
option_lists:
  ja_nei: [{value: "ja", label: "Ja"}, {value: "nei", label: "Nei"}]
sections:
  - id: s1
    title: "Del 1"
    items:
      - {id: har_barn, type: single_choice, options: ja_nei, label: "Har personen barn?"}
      - {id: antall, type: number, min: 0, max: 20, label: "Antall", show_if: {q: har_barn, eq: "ja"}}
"""


def write(tmp_path, text, name="test.v1.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path, text, name="test.v1.yaml") -> str:
    with pytest.raises(InstrumentError) as e:
        load_file(write(tmp_path, text, name))
    return str(e.value)


def test_real_instruments_load():
    reg = load_all(INSTRUMENTS)
    alna = reg.latest("alna-kartlegging")
    assert alna.version == 4
    assert [reg.get("alna-kartlegging", v).version for v in (1, 2, 3)] == [1, 2, 3]
    assert reg.latest("livskvalitet").version == 3 and reg.get("livskvalitet", 1).version == 1
    ids = [s.id for s in alna.sections]
    for sid in ("familie", "innvandrer", "bolig", "helse", "okonomi", "utdanning_arbeid",
                "samarbeid", "livskvalitet", "vurdering"):
        assert sid in ids
    assert ids[0] == "viktig"  # Tiltak 1: "Hva er viktig for deg?" first
    types = {i.type for i in alna.items.values()}
    assert types >= {"text", "long_text", "single_choice", "multiple_choice", "yes_no", "date",
                     "number"}
    assert reg.latest("livskvalitet").items["liv_helhet"].type == "scale"


def test_alna_covers_every_point_of_vedlegg_3():
    alna = load_all(INSTRUMENTS).latest("alna-kartlegging")
    labels = " ".join([f"{i.id} {i.label}".lower() for i in alna.items.values()]
                      + [s.title.lower() for s in alna.sections])
    for word in ("sivilstand", "barn", "samvær", "nettverk", "pårørende", "nasjonalitet",
                 "til norge", "opphold", "folkeregistrert", "bosituasjon", "tidligere",
                 "psykisk", "fysisk", "ernæring", "rus", "seksuell", "vold", "spill",
                 "inntekt", "forvaltning", "gjeld", "bankid", "legitimasjon", "frikort",
                 "arbeidssøker", "oppfølgingsveileder", "fastlege", "tannhelse",
                 "behandling", "fengsel", "barnevern", "langvarig", "individuell plan",
                 "koordinator", "tolk", "hva er viktig for deg", "kriseplan"):
        missing = [w for w in [word] if w not in labels]
        assert not missing, missing


def test_v2_additions_are_marked_with_their_tiltak():
    reg = load_all(INSTRUMENTS)
    v1, v2 = reg.get("alna-kartlegging", 1), reg.get("alna-kartlegging", 2)
    added = set(v2.items) - set(v1.items)
    assert added and all(v2.items[i].tiltak or v2.section(v2.items[i].section_id).tiltak
                         for i in added)


def test_minimal_file_loads(tmp_path):
    inst = load_file(write(tmp_path, BASE))
    assert inst.items["antall"].show_if == {"q": "har_barn", "eq": "ja"}


@pytest.mark.parametrize("change,expected", [
    (("id: antall", "id: har_barn"), "test.v1.yaml: sections[0].items[1].id: id 'har_barn' er brukt før"),
    (("type: number", "type: slider"), "items[1] (antall).type: ukjent type 'slider'"),
    ((', label: "Antall"', ""), "items[1] (antall): mangler 'label'"),
    (("show_if: {q: har_barn", "show_if: {q: barn_antal"),
     "items[1] (antall).show_if.q: ukjent spørsmål 'barn_antal' (må være et tidligere spørsmål)"),
    (('eq: "ja"}', 'eq: "kanskje"}'), "show_if.eq: 'kanskje' er ikke et svaralternativ for 'har_barn'"),
    (("options: ja_nei", "options: ja_nei_vet"), "options: ukjent svarliste 'ja_nei_vet'"),
    (('show_if: {q: har_barn, eq: "ja"}', 'show_if: {q: har_barn, gt: 2}'),
     "show_if.gt: 'gt' passer ikke for spørsmål av typen single_choice"),
    (("min: 0, max: 20", "min: 20, max: 0"), "'min' må være mindre enn 'max'"),
    (("id: har_barn, type", "id: Har-Barn, type"), "'Har-Barn' er ikke en gyldig id"),
    (('label: "Antall"', 'label: "Antall", colour: red'), "ukjent nøkkel 'colour'"),
])
def test_validation_errors_name_file_and_item(tmp_path, change, expected):
    old, new = change
    assert old in BASE
    message = error_of(tmp_path, BASE.replace(old, new, 1))
    assert message.startswith("test.v1.yaml: ")
    assert expected in message


def test_condition_must_name_an_earlier_item(tmp_path):
    text = BASE.replace('      - {id: har_barn', '      - {id: forst, type: text, label: "F", '
                        'show_if: {q: har_barn, eq: "ja"}}\n      - {id: har_barn')
    assert "sections[0].items[0] (forst).show_if.q: ukjent spørsmål 'har_barn'" in \
        error_of(tmp_path, text)


def test_file_name_must_match_key_and_version(tmp_path):
    assert "filnavnet må være 'test.v1.yaml'" in error_of(tmp_path, BASE, name="test.v2.yaml")


def test_invalid_yaml(tmp_path):
    assert "ugyldig YAML" in error_of(tmp_path, "key: [unclosed")


def test_missing_sections(tmp_path):
    assert "mangler 'sections'" in error_of(tmp_path, "key: test\nversion: 1\ntitle: T\n")


def test_scale_anchor_out_of_range(tmp_path):
    text = BASE + ('      - {id: sk, type: scale, label: "S", anchors: {1: "Verst", 9: "Best"}}\n')
    assert "ankeret 9 ligger utenfor skalaen 1–7" in error_of(tmp_path, text)


def test_rules_must_name_known_things(tmp_path):
    text = BASE + textwrap.dedent("""
    counters:
      - id: barn
        from:
          - {q: ukjent, eq: "ja", name: "x"}
    """)
    assert "counters[0].from[0].q: ukjent spørsmål 'ukjent'" in error_of(tmp_path, text)
    text = BASE + textwrap.dedent("""
    derived:
      - id: d
        title: D
        outcomes:
          - {id: a, text: A, when: {count: finnes_ikke, gte: 1}}
    """)
    assert "derived[0].outcomes[0].when.count: ukjent teller 'finnes_ikke'" in error_of(tmp_path, text)
    text = BASE + textwrap.dedent("""
    checks:
      - {id: c, field: ingen_slik, message: "M", when: {always: true}}
    """)
    assert "checks[0].field: ukjent spørsmål 'ingen_slik'" in error_of(tmp_path, text)


def test_yes_no_values_must_be_quoted_strings(tmp_path):
    """Bare yes/no in YAML 1.1 become booleans: caught as invalid option values."""
    text = BASE.replace('ja_nei: [{value: "ja", label: "Ja"}', "ja_nei: [{value: yes, label: \"Ja\"}")
    assert "må være str" in error_of(tmp_path, text)


def test_broken_instrument_stops_app_start(tmp_path):
    from config import TestConfig
    from kartlegging import create_app
    for f in INSTRUMENTS.glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    broken = tmp_path / "livskvalitet.v1.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("type: scale", "type: skala", 1),
                      encoding="utf-8")

    class Cfg(TestConfig):
        INSTRUMENTS_DIR = str(tmp_path)
    with pytest.raises(InstrumentError, match="livskvalitet.v1.yaml: .*ukjent type 'skala'"):
        create_app(Cfg)


def test_prompt_placement_must_name_a_section_and_one_of_its_items(tmp_path):
    rules = """
    derived:
      - id: d
        title: D
        place: {place}
        outcomes:
          - {{id: a, text: A, when: {{always: true}}}}
    """
    ok = BASE + textwrap.dedent(rules.format(place="{section: s1, before: antall}"))
    assert load_file(write(tmp_path, ok)).derived[0]["place"]["before"] == "antall"
    bad = BASE + textwrap.dedent(rules.format(place="{section: s9}"))
    assert "derived[0].place.section: ukjent del 's9'" in error_of(tmp_path, bad)
    bad = BASE + textwrap.dedent(rules.format(place="{section: s1, before: finnes_ikke}"))
    assert "'finnes_ikke' er ikke et spørsmål i delen 's1'" in error_of(tmp_path, bad)


# ----------------------------------------------------------------- rule shapes added in v3

DATED = BASE + """      - {id: losl, type: date, label: "Løslatt"}
"""
RULE = """
derived:
  - id: d
    title: D
    outcomes:
      - {id: a, text: A, when: {always: true}}
"""


def test_days_since_needs_a_date_item_and_one_comparison(tmp_path):
    ok = DATED + "      - {id: x, type: text, label: X, show_if: {q: losl, days_since: {lte: 56}}}\n"
    assert load_file(write(tmp_path, ok)).items["x"].show_if["days_since"] == {"lte": 56}
    bad = DATED + "      - {id: x, type: text, label: X, show_if: {q: antall, days_since: {lte: 5}}}\n"
    assert "'days_since' gjelder bare datoer, ikke typen number" in error_of(tmp_path, bad)
    bad = DATED + "      - {id: x, type: text, label: X, show_if: {q: losl, days_since: 56}}\n"
    assert ("sections[0].items[3] (x).show_if.days_since: 'days_since' trenger én av eq, gt, "
            "gte, lt, lte med et heltall") in error_of(tmp_path, bad)


def test_outcome_text_may_name_an_item(tmp_path):
    ok = BASE + RULE.replace("{id: a, text: A,", "{id: a, q: antall, text: 'A {answer}',")
    assert load_file(write(tmp_path, ok)).derived[0]["outcomes"][0]["q"] == "antall"
    bad = BASE + RULE.replace("{id: a, text: A,", "{id: a, q: ukjent, text: 'A {answer}',")
    assert "derived[0].outcomes[0].q: ukjent spørsmål 'ukjent'" in error_of(tmp_path, bad)


def test_reason_may_name_its_own_outcome(tmp_path):
    ok = BASE + RULE + "    reasons:\n      - {when: {derived: d, eq: a}, text: R}\n"
    assert load_file(write(tmp_path, ok)).derived[0]["reasons"][0]["text"] == "R"
    bad = BASE + RULE + "    reasons:\n      - {when: {derived: d, eq: b}, text: R}\n"
    assert "derived[0].reasons[0].when.eq: 'b' er ikke et utfall av 'd'" in error_of(tmp_path, bad)


def test_legal_basis_parts(tmp_path):
    parts = "    legal_basis:\n      - {text: L1}\n      - {text: L2, when: {q: har_barn, eq: \"ja\"}}\n"
    assert load_file(write(tmp_path, BASE + RULE + parts)).derived[0]["legal_basis"][1]["text"] == "L2"
    bad = "    legal_basis:\n      - {text: L1, hvis: x}\n"
    assert "derived[0].legal_basis[0]: ukjent nøkkel 'hvis'" in error_of(tmp_path, BASE + RULE + bad)
    bad = "    legal_basis: []\n"
    assert "derived[0].legal_basis: må være en tekst eller en ikke-tom liste" in error_of(
        tmp_path, BASE + RULE + bad)


def test_reminder(tmp_path):
    ok = "    reminder: {outcomes: [a], unless: koordinator, text: T}\n"
    assert load_file(write(tmp_path, BASE + RULE + ok)).derived[0]["reminder"]["text"] == "T"
    bad = "    reminder: {outcomes: [b], unless: koordinator, text: T}\n"
    assert "derived[0].reminder.outcomes: 'b' er ikke et utfall" in error_of(tmp_path, BASE + RULE + bad)
    bad = "    reminder: {outcomes: [a], unless: kontaktperson, text: T}\n"
    assert "derived[0].reminder.unless: må være en av: koordinator" in error_of(
        tmp_path, BASE + RULE + bad)
    bad = "    reminder: {outcomes: [a], unless: koordinator}\n"
    assert "derived[0].reminder: mangler 'text'" in error_of(tmp_path, BASE + RULE + bad)


def test_prefill(tmp_path):
    ok = BASE + "      - {id: p, type: text, label: P, prefill: last_signed}\n"
    assert load_file(write(tmp_path, ok)).items["p"].prefill == "last_signed"
    bad = BASE + "      - {id: p, type: text, label: P, prefill: alltid}\n"
    assert "sections[0].items[2] (p).prefill: ukjent forhåndsutfylling 'alltid'" in error_of(
        tmp_path, bad)


def test_score_minimum_and_count_label(tmp_path):
    scales = BASE + "      - {id: s1s, type: scale, label: S}\n      - {id: s2s, type: scale, label: S}\n"
    ok = scales + ("scores:\n  - {id: m, label: M, mean_of: [s1s, s2s], min_answered: 2, "
                   "count_label: 'snitt av {answered} av {total}'}\n")
    assert load_file(write(tmp_path, ok)).scores[0]["min_answered"] == 2
    bad = scales + "scores:\n  - {id: m, label: M, mean_of: [s1s, s2s], min_answered: 3}\n"
    assert "scores[0].min_answered: må være et heltall fra 1 til 2" in error_of(tmp_path, bad)
    bad = scales + "scores:\n  - {id: m, label: M, mean_of: [s1s], count_label: 'av {n}'}\n"
    assert "scores[0].count_label: kan bare bruke {answered} og {total}" in error_of(tmp_path, bad)
