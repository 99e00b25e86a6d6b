"""Form builder: every item type, Norwegian validation messages, conditional items."""
import textwrap

import pytest
from werkzeug.datastructures import MultiDict

from kartlegging.domain.instrument_types import ITEM_TYPES as DEFINED_TYPES
from kartlegging.domain.instruments import load_file
from kartlegging.domain.rules import clean
from kartlegging.forms.builder import (
    ITEM_TYPES,
    checked_changes,
    form_class,
    processed_form,
    stored_to_formdata,
)

YAML = """
key: typer
version: 1
title: "Alle typer"
option_lists:
  farger: [{value: "rod", label: "Rød"}, {value: "gul", label: "Gul"}, {value: "gronn", label: "Grønn"}]
sections:
  - id: alt
    title: "Alt"
    items:
      - {id: tekst, type: text, label: "Tekst", max_length: 10}
      - {id: lang, type: long_text, label: "Lang tekst"}
      - {id: valg, type: single_choice, options: farger, label: "Ett valg", comment: true}
      - {id: flere, type: multiple_choice, options: farger, label: "Flere valg"}
      - {id: janei, type: yes_no, label: "Ja eller nei"}
      - {id: dato, type: date, label: "Dato"}
      - {id: tall, type: number, min: 0, max: 20, label: "Tall"}
      - {id: skala, type: scale, label: "Skala", decline: true, anchors: {1: "Verst", 7: "Best"}}
      - {id: betinget, type: text, label: "Bare ved ja", show_if: {q: janei, eq: "ja"}}
"""


@pytest.fixture
def inst(tmp_path):
    path = tmp_path / "typer.v1.yaml"
    path.write_text(textwrap.dedent(YAML), encoding="utf-8")
    return load_file(path)


def build(app, inst, data: dict):
    md = MultiDict()
    for k, v in data.items():
        for x in v if isinstance(v, list) else [v]:
            md.add(k, x)
    with app.test_request_context(method="POST"):
        form = form_class(inst, "alt")(formdata=md, meta={"csrf": False})
        ok = form.validate()
        return ok, form.errors, form.answers() if ok else None


def test_every_defined_type_has_a_field_and_macro():
    assert set(ITEM_TYPES) == set(DEFINED_TYPES)


def test_valid_answers_for_every_type(app, inst):
    ok, errors, answers = build(app, inst, {
        "tekst": "  kort  ", "lang": "lang tekst æøå", "valg": "gul", "valg__kommentar": "k",
        "flere": ["rod", "gronn"], "janei": "ja", "dato": "2026-11-25", "tall": "3",
        "skala": "6", "betinget": "vises"})
    assert ok, errors
    assert answers == {"tekst": "kort", "lang": "lang tekst æøå", "valg": "gul",
                       "valg__kommentar": "k", "flere": ["rod", "gronn"], "janei": "ja",
                       "dato": "2026-11-25", "tall": 3, "skala": 6, "betinget": "vises"}


def test_scale_decline_is_stored_as_such(app, inst):
    ok, _, answers = build(app, inst, {"skala": "vil_ikke_svare"})
    assert ok and answers["skala"] == "vil_ikke_svare"


def test_empty_form_is_a_valid_draft(app, inst):
    ok, errors, answers = build(app, inst, {})
    assert ok, errors
    assert clean(inst, answers) == {}


@pytest.mark.parametrize("data,field,message", [
    ({"tekst": "x" * 11}, "tekst", "Svaret kan være høyst 10 tegn."),
    ({"valg": "blaa"}, "valg", "Velg et av alternativene."),
    ({"flere": ["rod", "lilla"]}, "flere", "Velg et av alternativene."),
    ({"janei": "kanskje"}, "janei", "Velg et av alternativene."),
    ({"dato": "31.02.2026"}, "dato", "Skriv en gyldig dato (dd.mm.åååå)."),
    ({"dato": "2026-02-31"}, "dato", "Skriv en gyldig dato (dd.mm.åååå)."),
    ({"tall": "tre"}, "tall", "Skriv et helt tall (bare siffer)."),
    ({"tall": "21"}, "tall", "Skriv et tall fra 0 til 20."),
    ({"tall": "-1"}, "tall", "Skriv et tall fra 0 til 20."),
    ({"skala": "8"}, "skala", "Velg et av alternativene."),
    ({"skala": "0"}, "skala", "Velg et av alternativene."),
])
def test_invalid_values_get_norwegian_messages(app, inst, data, field, message):
    ok, errors, _ = build(app, inst, data)
    assert not ok
    assert errors[field] == [message]


def test_a_reused_form_keeps_nothing_from_the_last_request(app, inst):
    """The autosave's form is bound once per thread and processed again for each save: no
    value, error or comment of one save may reach the next."""
    def save(data):
        md = MultiDict()
        for k, v in data.items():
            for x in v if isinstance(v, list) else [v]:
                md.add(k, x)
        with app.test_request_context(method="POST", json={}):
            form = processed_form(inst, "alt", md)
            ok = form.validate()
            return form, ok, dict(form.errors), form.answers() if ok else None
    first, ok, errors, _ = save({"tekst": "x" * 11, "dato": "31.02.2026", "tall": "tre"})
    assert not ok and set(errors) == {"tekst", "dato", "tall"}
    again, ok, errors, answers = save({"valg": "gul", "valg__kommentar": "k",
                                       "flere": ["rod"], "skala": "6"})
    assert again is first, "one bound form per section and thread"
    assert ok and errors == {}, errors
    assert answers == {"tekst": None, "lang": None, "valg": "gul", "valg__kommentar": "k",
                       "flere": ["rod"], "janei": None, "dato": None, "tall": None,
                       "skala": 6, "betinget": None}
    _, ok, errors, answers = save({"tekst": "kort"})
    assert ok and answers == {"tekst": "kort", "lang": None, "valg": None,
                              "valg__kommentar": "", "flere": [], "janei": None, "dato": None,
                              "tall": None, "skala": None, "betinget": None}


def test_conditional_item_dropped_when_condition_false(app, inst):
    ok, _, answers = build(app, inst, {"janei": "nei", "betinget": "skjult svar"})
    assert ok
    assert clean(inst, answers) == {"janei": "nei"}
    ok, _, answers = build(app, inst, {"janei": "ja", "betinget": "synlig"})
    assert clean(inst, answers) == {"janei": "ja", "betinget": "synlig"}


def test_stored_answers_round_trip_into_form(app, inst):
    stored = {"skala": 4, "dato": "2026-01-02", "flere": ["gul"], "valg__kommentar": "k"}
    data = stored_to_formdata(inst.section("alt"), stored)
    assert data["skala"] == "4" and data["dato"].isoformat() == "2026-01-02"
    with app.test_request_context():
        form = form_class(inst, "alt")(data=data, meta={"csrf": False})
        assert form.answers()["skala"] == 4 and form.answers()["dato"] == "2026-01-02"
        assert form.answers()["valg__kommentar"] == "k"


def test_conditional_items_render_hidden_with_their_condition(staff, factory):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    html = client.get(f"/kartlegginger/{a.id}/del/familie").data.decode()
    assert 'data-item="barn_antall_mindreaarige"' in html
    block = html.split('data-item="barn_antall_mindreaarige"')[1].split(">")[0]
    assert "data-show-if" in block and "hidden" in block


def test_prompts_are_placed_where_the_file_says(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    html = client.get(f"/kartlegginger/{a.id}/del/vurdering").data.decode()
    assert html.index('id="live-levekarsindeks"') > html.index('data-item="koordinator_tilbudt"')
    assert html.index('data-item="langvarig_behov"') < html.index('id="live-ip"') \
        < html.index('data-item="ip_var_vurdering"')
    html = client.get(f"/kartlegginger/{a.id}/del/overganger").data.decode()
    assert 'id="live-kriseplan"' in html and 'id="live-ip"' not in html
    assert 'id="live-' not in client.get(f"/kartlegginger/{a.id}/del/familie").data.decode()


# Values a browser (or anyone) may post per field: valid ones, and some the form refuses.
POSTED = {"tekst": ["", "kort", "  kort  ", "x" * 11], "lang": ["", "lang æøå"],
          "valg": ["", "gul", "rod", "lilla"], "valg__kommentar": ["", "k", " k "],
          "flere": [[], ["rod"], ["rod", "gronn"], ["gul", "svart"]],
          "janei": ["", "ja", "nei", "kanskje"], "dato": ["", "2026-11-25", "31.02.2026"],
          "tall": ["", "0", "20", "21", "tre"], "skala": ["", "1", "7", "vil_ikke_svare", "9"],
          "betinget": ["", "vises"]}


def _multidict(data: dict) -> MultiDict:
    md = MultiDict()
    for k, v in data.items():
        for x in v if isinstance(v, list) else [v]:
            md.add(k, x)
    return md


def _answered(answers: dict) -> dict:
    return {k: v for k, v in answers.items() if v not in (None, "", [])}


def test_checked_changes_agrees_with_the_whole_form(app, inst):
    """The autosave validates only the fields whose posted value differs from the stored
    answer: its answers and messages are those of the whole form, save after save on the
    same (reused) bound form, whatever changed."""
    import random
    rnd = random.Random(7)
    stored, seen_errors, seen_unchanged = {}, 0, 0
    for _ in range(400):
        posted = {k: rnd.choice(v) for k, v in POSTED.items() if rnd.random() < 0.9}
        if stored and rnd.random() < 0.5:  # as the browser: the stored answers, one field new
            key = rnd.choice(list(POSTED))
            posted = {k: (stored[k] if isinstance(stored.get(k), list) else
                          str(stored[k])) for k in stored}
            posted[key] = rnd.choice(POSTED[key])
        ok, errors, answers = build(app, inst, posted)
        with app.test_request_context(method="POST", json={}):
            checked = checked_changes(inst, "alt", _multidict(posted), stored)
        changed = {k for k in form_class(inst, "alt").field_names
                   if [v for v in _multidict(posted).getlist(k) if v != ""]
                   != ([] if stored.get(k) in (None, "", []) else
                       [str(x) for x in stored[k]] if isinstance(stored[k], list)
                       else [str(stored[k])])}
        seen_unchanged += len(changed) < len(POSTED)
        assert checked.errors == {k: v for k, v in errors.items() if k in changed}, posted
        if ok:
            assert _answered(checked.answers) == _answered(answers), posted
            assert set(checked.answers) == set(answers)
            stored = _answered(answers)
        else:
            seen_errors += 1
    assert seen_errors > 50 and seen_unchanged > 100  # both kinds were tried


def test_checked_changes_checks_a_changed_field_and_keeps_an_unchanged_one(app, inst):
    stored = {"tekst": "kort", "skala": 6, "flere": ["rod"], "dato": "2026-11-25"}
    with app.test_request_context(method="POST", json={}):
        checked = checked_changes(inst, "alt", _multidict(
            {"tekst": "kort", "skala": "6", "flere": ["rod"], "dato": "2026-11-25",
             "tall": "tre"}), stored)
        assert checked.errors == {"tall": ["Skriv et helt tall (bare siffer)."]}
        checked = checked_changes(inst, "alt", _multidict(
            {"tekst": "kort", "skala": "6", "flere": ["rod"], "tall": "3"}), stored)
    assert checked.errors == {}
    assert _answered(checked.answers) == {"tekst": "kort", "skala": 6, "flere": ["rod"],
                                          "tall": 3}  # the date was emptied
