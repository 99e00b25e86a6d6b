"""Translation files beside an instrument: the shipped languages load whole, and a file with
anything missing or extra stops loading with a message naming file and path."""
import shutil
from pathlib import Path

import pytest
import yaml

from kartlegging.domain import translations
from kartlegging.domain.instrument_types import InstrumentError
from kartlegging.domain.instruments import load_all

INSTRUMENTS = Path(__file__).parents[2] / "instruments"
SHIPPED = ("nb", "nn", "en", "ar")


def _load(folder):
    return translations.load_all(folder, load_all(folder))


def test_shipped_languages_cover_every_item_anchor_and_option():
    reg = load_all(INSTRUMENTS)
    words = translations.load_all(INSTRUMENTS, reg)
    inst = reg.latest("livskvalitet")
    langs = words.languages(inst)
    assert [t.language for t in langs][:2] == ["nb", "nn"]
    assert {t.language for t in langs} == set(SHIPPED)
    for t in langs:
        for item in inst.items.values():
            label = t.label(item)
            assert label.strip()
            if t.language != "nb":
                assert label != item.label, (t.language, item.id)
            for value, _ in item.anchors:
                assert t.anchor(item, value), (t.language, item.id, value)
            for option in item.options:
                assert t.option_label(item, option.value) != option.value
        assert t.sensitive_notice and t.decline
    arabic = words.get(inst, "ar")
    assert arabic.rtl and not arabic.quality_assured
    assert words.get(inst, "nb").quality_assured and not words.get(inst, "nb").rtl
    # Bokmål's questions are the instrument's own.
    assert words.get(inst, "nb").label(inst.items["bolig"]) == inst.items["bolig"].label


def test_versions_without_files_borrow_bokmål_page_words_but_keep_their_questions():
    reg = load_all(INSTRUMENTS)
    words = translations.load_all(INSTRUMENTS, reg)
    old = reg.get("livskvalitet", 2)
    assert words.languages(old) == []
    t = words.for_instrument(old, "ar")
    assert t.language == "nb" and t.instrument is old
    assert t.label(old.items["bolig"]) == old.items["bolig"].label
    assert t.text("start") == "Start"


def test_only_sensitive_items_are_marked_and_each_can_be_declined():
    inst = load_all(INSTRUMENTS).latest("livskvalitet")
    sensitive = [i.id for i in inst.items.values() if i.sensitive]
    assert sensitive == ["anklaget_lovbrudd_siste_aar", "utsatt_vold_siste_aar"]
    assert all(inst.items[i].decline for i in sensitive)
    assert inst.sensitive_notice.startswith("Dette er et personlig spørsmål.")


@pytest.fixture
def folder(tmp_path):
    for f in INSTRUMENTS.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _edit(folder, lang, change):
    path = folder / f"livskvalitet.v3.{lang}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["items"].pop("bolig"), "livskvalitet.v3.en.yaml: items: mangler 'bolig'"),
    (lambda d: d["items"]["bolig"].update(anchors={k: v for k, v in d["items"]["bolig"][
        "anchors"].items() if k != 7}),
     "livskvalitet.v3.en.yaml: items.bolig.anchors: mangler ankeret 7"),
    (lambda d: d["items"]["arbeid"].pop("help"),
     "livskvalitet.v3.en.yaml: items.arbeid: mangler 'help'"),
    (lambda d: d["items"]["bolig"].update(help="Extra"),
     "livskvalitet.v3.en.yaml: items.bolig.help: skjemaet har ingen 'help' her"),
    (lambda d: d["items"].update(ukjent={"label": "x"}),
     "livskvalitet.v3.en.yaml: items: 'ukjent' finnes ikke i skjemaet"),
    (lambda d: d["ui"].pop("start"), "livskvalitet.v3.en.yaml: ui: mangler 'start'"),
    (lambda d: d["ui"].update(question_of="Question {n}"),
     "livskvalitet.v3.en.yaml: ui.question_of: må ha de samme {feltene} som bokmål: n, total"),
    (lambda d: d.pop("sensitive_notice"),
     "livskvalitet.v3.en.yaml: (rot): mangler 'sensitive_notice' (tekst)"),
    (lambda d: d.update(direction="up"), "livskvalitet.v3.en.yaml: direction: må være"),
    (lambda d: d.update(quality_assured=True),
     "livskvalitet.v3.en.yaml: (rot): mangler 'translator' (tekst)"),
    (lambda d: d["yes_no"].pop("nei"), "livskvalitet.v3.en.yaml: yes_no: må gi 'ja' og 'nei'"),
])
def test_a_broken_translation_stops_loading_naming_file_and_path(folder, change, message):
    _edit(folder, "en", change)
    with pytest.raises(InstrumentError) as e:
        _load(folder)
    assert str(e.value).startswith(message)


def test_bokmål_file_holds_no_questions_and_is_required(folder):
    _edit(folder, "nb", lambda d: d.update(items={}))
    with pytest.raises(InstrumentError, match="bokmålsfilen har ikke spørsmål"):
        _load(folder)
    (folder / "livskvalitet.v3.nb.yaml").unlink()
    with pytest.raises(InstrumentError, match="krever også 'livskvalitet.v3.nb.yaml'"):
        _load(folder)


def test_a_bokmål_file_without_a_word_the_pages_show_stops_loading(folder):
    """Every language is checked against bokmål; bokmål is checked against the pages, so a
    missing word stops the start-up, not a page in front of the person."""
    _edit(folder, "nb", lambda d: d["ui"].pop("skip_to_content"))
    with pytest.raises(InstrumentError) as e:
        _load(folder)
    assert str(e.value).startswith(
        "livskvalitet.v3.nb.yaml: ui: mangler 'skip_to_content' (sidene for personen viser den)")


def test_page_words_are_the_words_the_pages_use():
    """translations.PAGE_WORDS in step with the templates: every `t.text('…')` they call is
    in it, and it names nothing they do not (the comparison's words are picked by name)."""
    import re
    templates = Path(__file__).parents[2] / "kartlegging" / "templates"
    used = set()
    for path in templates.rglob("*.html"):
        used |= set(re.findall(r"t\.text\(['\"]([a-z_]+[a-z])['\"]", path.read_text()))
    compare = {f"compare_{w}" for w in ("better", "worse", "same", "missing")}
    assert "question_of" in used and used | compare == translations.PAGE_WORDS


def test_an_authorised_translation_replaces_the_file(folder):
    """What the README tells a municipality: set quality_assured and name the translator."""
    _edit(folder, "en", lambda d: d.update(quality_assured=True,
                                           translator="Statsautorisert translatør N.N."))
    inst = load_all(folder).latest("livskvalitet")
    t = _load(folder).get(inst, "en")
    assert t.quality_assured and t.translator == "Statsautorisert translatør N.N."


def test_instrument_refuses_a_sensitive_item_without_decline_or_notice(folder):
    path = folder / "livskvalitet.v3.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('sensitive_notice: "Dette er', 'x_notice: "Dette er'),
                    encoding="utf-8")
    with pytest.raises(InstrumentError, match="ukjent nøkkel 'x_notice'"):
        load_all(folder)
    path.write_text("\n".join(line for line in text.splitlines()
                              if not line.startswith("sensitive_notice")), encoding="utf-8")
    with pytest.raises(InstrumentError, match="sensitive spørsmål krever 'sensitive_notice'"):
        load_all(folder)
    lines = text.splitlines()
    at = lines.index("      - id: utsatt_vold_siste_aar")
    lines = lines[:at] + [x for x in lines[at:] if x.strip() != "decline: true"]
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InstrumentError, match="må ha 'decline: true'"):
        load_all(folder)
