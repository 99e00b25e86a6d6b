"""AUDIT, AUDIT-C and DUDIT as data: each file loads, and its sum lands in the published
cut-off band at every boundary (WHO 2001 zones; Bradley 2007 by sex; Berman 2005 by sex and 25
for all), with worked examples; and the format's checks name file and path."""
import textwrap
from pathlib import Path

import pytest

from kartlegging.domain.instrument_types import DECLINE, InstrumentError
from kartlegging.domain.instruments import load_file
from kartlegging.domain.rules import evaluate
from kartlegging.domain.sum_scores import sum_score, sum_scores

INSTRUMENTS = Path(__file__).parents[2] / "instruments"


def inst(key):
    return load_file(INSTRUMENTS / f"{key}.v1.yaml")


def answers_summing_to(instrument, score_id, total, **extra):
    """Answers to every summed item whose weights add up to `total` (greedy from the first)."""
    spec = next(s for s in instrument.scores if s["id"] == score_id)
    left, out = total, {}
    for q in spec["sum_of"]:
        option = max((o for o in instrument.items[q].options if o.weight <= left),
                     key=lambda o: o.weight)
        out[q] = option.value
        left -= option.weight
    assert left == 0, f"{total} cannot be reached"
    return {**out, **extra}


def outcome(key, score_id, total, **extra):
    i = inst(key)
    result = sum_score(i, answers_summing_to(i, score_id, total, **extra), score_id)
    assert result.value == total
    return result.outcome


def test_the_files_load_with_codes_source_and_weights():
    audit, audit_c, dudit = inst("audit"), inst("audit-c"), inst("dudit")
    assert [c["code"] for c in audit.codes] == ["72110-0"]
    assert [c["code"] for c in audit_c.codes] == ["72109-2"]
    assert dudit.codes == ()
    assert audit.source["text"].startswith("Basert på AUDIT")
    assert dudit.source["text"].startswith("Basert på DUDIT")
    assert len(audit.sum_scores[0]["sum_of"]) == 10
    assert len(audit_c.sum_scores[0]["sum_of"]) == 3
    assert len(dudit.sum_scores[0]["sum_of"]) == 11
    # the three consumption items are the same in AUDIT and AUDIT-C: same ids, codes, weights
    for q in audit_c.sum_scores[0]["sum_of"]:
        a, c = audit.items[q], audit_c.items[q]
        assert a.codes == c.codes and a.codes[0]["system"] == "http://loinc.org"
        assert [(o.value, o.weight) for o in a.options] == [(o.value, o.weight) for o in c.options]
    assert [i.codes[0]["code"] for i in list(audit_c.items.values())[:3]] == \
        ["68518-0", "68519-8", "68520-6"]
    # WHO: items 1-8 score 0-4, items 9-10 score 0, 2 or 4 (DUDIT: 1-9 and 10-11 alike)
    weights = {q: [o.weight for o in audit.items[q].options]
               for q in audit.sum_scores[0]["sum_of"]}
    assert list(weights.values()) == [[0, 1, 2, 3, 4]] * 8 + [[0, 2, 4]] * 2
    d_weights = [[o.weight for o in dudit.items[q].options] for q in dudit.sum_scores[0]["sum_of"]]
    assert d_weights == [[0, 1, 2, 3, 4]] * 9 + [[0, 2, 4]] * 2
    assert sum(max(w) for w in weights.values()) == 40
    assert sum(max(w) for w in d_weights) == 44


@pytest.mark.parametrize("total,zone", [(0, "sone_1"), (7, "sone_1"), (8, "sone_2"),
                                        (15, "sone_2"), (16, "sone_3"), (19, "sone_3"),
                                        (20, "sone_4"), (40, "sone_4")])
def test_audit_zones_at_every_boundary(total, zone):
    assert outcome("audit", "audit_sum", total) == zone


@pytest.mark.parametrize("sex,total,expected", [
    ("mann", 0, "under_grensen"), ("mann", 3, "under_grensen"), ("mann", 4, "over_grensen"),
    ("mann", 12, "over_grensen"),
    ("kvinne", 2, "under_grensen"), ("kvinne", 3, "over_grensen_kvinne"),
    ("kvinne", 12, "over_grensen_kvinne"),
    (None, 2, "under_grensen"), (None, 3, "avhenger_av_kjonn"), (None, 4, "over_grensen"),
    ("annet", 3, "avhenger_av_kjonn"), ("annet", 4, "over_grensen")])
def test_audit_c_cut_offs_by_sex(sex, total, expected):
    extra = {"kjonn": sex} if sex else {}
    assert outcome("audit-c", "audit_c_sum", total, **extra) == expected


@pytest.mark.parametrize("sex,total,expected", [
    ("mann", 5, "under_grensen"), ("mann", 6, "over_grensen"), ("mann", 24, "over_grensen"),
    ("mann", 25, "sannsynlig_avhengighet"), ("mann", 44, "sannsynlig_avhengighet"),
    ("kvinne", 1, "under_grensen"), ("kvinne", 2, "over_grensen_kvinne"),
    ("kvinne", 24, "over_grensen_kvinne"), ("kvinne", 25, "sannsynlig_avhengighet"),
    (None, 0, "under_grensen"), (None, 1, "under_grensen"), (None, 2, "avhenger_av_kjonn"),
    (None, 5, "avhenger_av_kjonn"), (None, 6, "over_grensen"),
    (None, 25, "sannsynlig_avhengighet")])
def test_dudit_cut_offs_by_sex_and_for_all(sex, total, expected):
    extra = {"kjonn": sex} if sex else {}
    assert outcome("dudit", "dudit_sum", total, **extra) == expected


def test_worked_example_audit():
    """Drinks 2-3 times a week (3), 5-6 units a day (2), six or more monthly (2), could not
    stop less than monthly (1), injury but not in the last year (2), the rest never: 10, zone
    II, whatever the order the answers came in."""
    i = inst("audit")
    answers = {"alkohol_hvor_ofte": "2_3_i_uka", "alkohol_enheter": "5_6",
               "alkohol_seks_eller_mer": "maanedlig", "klarte_ikke_stoppe":
               "sjeldnere_enn_maanedlig", "forventninger": "aldri", "morgendrink": "aldri",
               "skyld": "aldri", "hukommelse": "aldri", "skade": "ja_ikke_siste_aar",
               "bekymring": "nei"}
    result = sum_score(i, answers, "audit_sum")
    assert (result.value, result.outcome) == (10, "sone_2")
    assert result.text == ("10 poeng – sone II (8–15): tyder på risikofylt bruk; enkle råd om "
                           "å drikke mindre anbefales")
    assert "ikke en diagnose" in result.note


def test_worked_example_audit_c_woman():
    """Monthly or less (1), 1-2 units (0), six or more less than monthly (1), a woman: 2, under
    the limit; monthly binges instead (2): 3, over the women's limit, under the men's."""
    i = inst("audit-c")
    answers = {"alkohol_hvor_ofte": "maanedlig_eller_sjeldnere", "alkohol_enheter": "1_2",
               "alkohol_seks_eller_mer": "sjeldnere_enn_maanedlig", "kjonn": "kvinne"}
    assert sum_score(i, answers, "audit_c_sum").outcome == "under_grensen"
    answers["alkohol_seks_eller_mer"] = "maanedlig"
    assert sum_score(i, answers, "audit_c_sum").outcome == "over_grensen_kvinne"
    assert sum_score(i, {**answers, "kjonn": "mann"}, "audit_c_sum").outcome == "under_grensen"


def test_no_sum_until_every_item_is_answered_and_declines_count_nothing():
    i = inst("audit-c")
    full = answers_summing_to(i, "audit_c_sum", 12)
    partial = {k: v for k, v in full.items() if k != "alkohol_enheter"}
    result = sum_score(i, partial, "audit_c_sum")
    assert (result.value, result.answered, result.outcome) == (None, 2, None)
    assert result.text == "Ikke beregnet: 2 av 3 besvart, alle trengs"
    declined = sum_score(i, {**partial, "alkohol_enheter": DECLINE}, "audit_c_sum")
    assert declined.value is None and declined.answered == 2


def test_sum_scores_are_left_out_of_the_mean_scores():
    i = inst("dudit")
    answers = answers_summing_to(i, "dudit_sum", 7, kjonn="mann")
    assert evaluate(i, answers).scores == {}
    assert [(s.id, s.value, s.outcome) for s in sum_scores(i, answers)] == \
        [("dudit_sum", 7, "over_grensen")]


BASE = """
key: test
version: 1
title: "Test"
sections:
  - id: s1
    title: "Del 1"
    items:
      - id: a
        type: single_choice
        code: {system: "http://loinc.org", code: "1-8"}
        prefix: "1."
        options: [{value: "x", label: "X", weight: 0}, {value: "y", label: "Y", weight: 3, system: "http://loinc.org"}]
      - {id: fritt, type: text, label: "Fritt", initial: "start"}
scores:
  - id: sum
    label: "Sum"
    sum_of: [a]
    outcomes: [{id: hoy, min: 2, text: "høy"}, {id: lav, min: 0, text: "lav"}]
"""


def load(tmp_path, text):
    path = tmp_path / "test.v1.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_file(path)


def error_of(tmp_path, text):
    with pytest.raises(InstrumentError) as e:
        load(tmp_path, text)
    return str(e.value)


def test_format_reads_codes_prefix_initial_weight_and_system(tmp_path):
    i = load(tmp_path, BASE.replace('type: single_choice\n', 'type: single_choice\n'
                                    '        label: "A"\n'))
    a = i.items["a"]
    assert a.codes == ({"system": "http://loinc.org", "code": "1-8"},)
    assert a.prefix == "1."
    assert [(o.value, o.weight, o.system) for o in a.options] == \
        [("x", 0, None), ("y", 3, "http://loinc.org")]
    assert i.items["fritt"].initial == "start"
    assert sum_score(i, {"a": "y"}, "sum").outcome == "hoy"


@pytest.mark.parametrize("change,message", [
    (("weight: 0}", "weight: nul}"), "sections[0].items[0] (a).options[0].weight: må være et heltall"),
    (("weight: 0}", "}"), "scores[0].sum_of: 'a': svaralternativet 'x' mangler 'weight'"),
    (('code: "1-8"}', '}'), "sections[0].items[0] (a).code: mangler 'code'"),
    (('initial: "start"', "initial: 7"), "sections[0].items[1] (fritt).initial: må være en tekst"),
    (("sum_of: [a]", "sum_of: [fritt]"), "scores[0].sum_of: 'fritt' er ikke et enkeltvalgs- eller skalaspørsmål"),
    (("{id: lav, min: 0,", "{id: lav,"), "scores[0].outcomes[1]: mangler 'min'"),
    (("min: 2,", "min: 2, when: {q: ukjent, eq: 1},"),
     "scores[0].outcomes[0].when.q: ukjent spørsmål 'ukjent'"),
])
def test_format_errors_name_file_and_path(tmp_path, change, message):
    text = BASE.replace('type: single_choice\n', 'type: single_choice\n        label: "A"\n')
    assert change[0] in text
    err = error_of(tmp_path, text.replace(*change, 1))
    assert err.startswith("test.v1.yaml: ") and message in err


PARENTS = """
key: test
version: 1
title: "Test"
sections:
  - id: s1
    title: "Del 1"
    show_if: {always: true}
    items:
      - {id: a, type: yes_no, label: "A"}
  - id: s2
    title: "Del 2"
    items:
      - {id: b, type: yes_no, label: "B"}
  - id: under
    title: "Underdel"
    parent: s1
    show_if: {all: [{always: true}, {q: a, eq: "ja"}]}
    items:
      - {id: c, type: text, label: "C"}
      - {id: tekst, type: display, label: "Bare til å lese"}
"""


S2 = '  - id: s2\n    title: "Del 2"\n    items:\n      - {id: b, type: yes_no, label: "B"}\n'
NESTED = PARENTS.replace(S2, "")


def test_a_sub_section_and_a_display_item_load(tmp_path):
    assert S2 in PARENTS
    i = load(tmp_path, NESTED + "self_report: true\n")
    assert i.section("under").parent == "s1" and i.self_report
    assert i.items["tekst"].type == "display"


def test_a_sub_section_comes_right_after_its_parent(tmp_path):
    assert "sections[2].parent: en underdel må stå rett etter delen 's1'" in \
        error_of(tmp_path, PARENTS)


@pytest.mark.parametrize("change,message", [
    (("parent: s1", "parent: finnes_ikke"), "sections[1].parent: 'finnes_ikke' er ikke en del"),
    (('show_if: {all: [{always: true}, {q: a, eq: "ja"}]}', 'show_if: {q: a, eq: "ja"}'),
     "sections[1].show_if: må gjenta show_if fra 's1'"),
    (('{id: tekst, type: display, label: "Bare til å lese"}',
      '{id: tekst, type: display, label: "Bare til å lese", required: true}'),
     "(tekst).required: passer ikke for en visningstekst"),
])
def test_sub_section_and_display_errors_name_the_path(tmp_path, change, message):
    assert change[0] in NESTED
    err = error_of(tmp_path, NESTED.replace(*change, 1))
    assert err.startswith("test.v1.yaml: ") and message in err, err


def test_self_report_must_be_true_or_false(tmp_path):
    text = BASE.replace('type: single_choice\n', 'type: single_choice\n        label: "A"\n')
    assert "self_report: må være true eller false" in error_of(tmp_path, text + "self_report: ja\n")
