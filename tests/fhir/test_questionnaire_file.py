"""The instrument file that `flask fhir import-questionnaire` writes holds only the form.

Its header once named the source by string formatting: a line break in Questionnaire.url or
.version ended the comment, and what followed was read as keys of the form (here a check that
blocks every signing). Control characters are refused in every value that reaches the file,
and the header's lines are comments whatever they hold."""
import json
from pathlib import Path

import pytest
import yaml

from kartlegging.fhir import operations
from kartlegging.fhir.questionnaire_import import NotRepresentable, from_questionnaire

INJECTED = ('\nchecks: [{id: blokk, field: har_bolig, message: "Kan ikke signeres",'
            ' when: {q: har_bolig, answered: true}}]\n#')


def questionnaire():
    return {"resourceType": "Questionnaire", "url": "https://skjema.example.no/Questionnaire/"
            "oppfolging-bolig", "version": "1", "title": "Oppfølging bolig", "status": "active",
            "description": "Første linje.\nAndre linje.",
            "item": [{"linkId": "bolig", "type": "group", "text": "Bolig", "item": [
                {"linkId": "har_bolig", "type": "boolean", "text": "Har personen bolig?"}]}]}


@pytest.mark.parametrize("field", ["url", "version"])
def test_a_line_break_in_the_source_cannot_add_a_check(tmp_path, field):
    q = questionnaire()
    q[field] += INJECTED
    with pytest.raises(NotRepresentable) as e:
        operations.write_instrument(q, tmp_path, key="oppfolging-bolig", version=1)
    assert f"Questionnaire.{field}" in str(e.value) and "kontrolltegn" in str(e.value)
    assert "U+000A" in str(e.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("char", ["\r", "\x85", "\u2028", "\u2029", "\x00", "\x1b"])
def test_every_line_break_yaml_knows_is_refused_in_the_source(tmp_path, char):
    q = questionnaire()
    q["url"] += char + "checks: []"
    with pytest.raises(NotRepresentable, match="kontrolltegn"):
        operations.write_instrument(q, tmp_path, key="oppfolging-bolig", version=1)
    assert list(tmp_path.iterdir()) == []


def test_control_characters_in_the_form_are_refused_with_the_place_named(tmp_path):
    q = questionnaire()
    q["item"][0]["item"][0]["text"] = "Har personen\x07 bolig?"
    with pytest.raises(NotRepresentable) as e:
        operations.write_instrument(q, tmp_path)
    assert "sections[0].items[0].label" in str(e.value) and "U+0007" in str(e.value)
    assert list(tmp_path.iterdir()) == []


def test_the_written_file_is_exactly_the_form_and_the_header_only_comments(tmp_path):
    q = questionnaire()
    path, inst = operations.write_instrument(q, tmp_path)
    text = path.read_text(encoding="utf-8")
    header = text.split("\nkey:", 1)[0].splitlines()
    assert header and all(line.startswith("# ") for line in header)
    assert q["url"] in text.splitlines()[0]
    assert yaml.safe_load(text) == from_questionnaire(q)
    assert inst.description == "Første linje.\nAndre linje."  # a line break in text is kept


def test_the_header_is_commented_line_by_line():
    """Even text that was not checked first stays inside comments."""
    out = operations.header_comment("Kilde: a\nchecks: []\r\x85b\u2028c\u2029d")
    assert yaml.safe_load(out + "key: x\n") == {"key": "x"}
    assert all(line.startswith("# ") for line in out.splitlines())


def test_cli_refuses_the_injection_with_a_norwegian_message(tmp_path, app):
    q = questionnaire()
    q["version"] += INJECTED
    src = tmp_path / "q.json"
    src.write_text(json.dumps(q, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "ut"
    out.mkdir()
    r = app.test_cli_runner().invoke(args=["fhir", "import-questionnaire", str(src), "--dir",
                                           str(out), "--key", "oppfolging-bolig",
                                           "--version", "1"])
    assert r.exit_code != 0 and "Ikke importert" in r.output and "kontrolltegn" in r.output
    assert list(Path(out).iterdir()) == []
