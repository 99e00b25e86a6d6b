"""A small PHQ-like FHIR Questionnaire built here, imported with `flask fhir import-questionnaire`
into a copy of instruments/ (the committed directory is never touched). Shared by the HTTP
journey (tests/fhir/test_fhir_imported_form.py) and the browser test."""
import contextlib
import json
import os
import shutil
from pathlib import Path

INSTRUMENTS = Path(__file__).resolve().parents[1] / "instruments"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
RULES = "https://skjema.example.no/fhir/StructureDefinition/kartlegging-regler"
KEY = "humor-screening"
TITLE = "Screening av humør (PHQ-lik)"
FREQUENCY = [("0", "Ikke i det hele tatt"), ("1", "Flere dager"),
             ("2", "Mer enn halvparten av dagene"), ("3", "Nesten hver dag")]
QUESTIONS = [("lite_glede", "Lite interesse for eller glede av å gjøre ting"),
             ("nedfor", "Følt deg nedfor, deprimert eller fått følelsen av håpløshet"),
             ("sovn", "Problemer med å sovne eller sove hele natten, eller sovet for mye")]


def _frequency_item(link_id: str, text: str) -> dict:
    return {"linkId": link_id, "type": "choice", "text": text, "required": True,
            "answerOption": [{"valueCoding": {"code": code, "display": display},
                              "extension": [{"url": ORDINAL, "valueDecimal": int(code)}]}
                             for code, display in FREQUENCY]}


def questionnaire(version: int = 1) -> dict:
    """Two groups: three 0–3 frequency items (a mean score, a prompt placed in the section, a
    check before signing) and a yes/no with an item shown only for "ja" (enableWhen)."""
    rules = {
        "scores": [{"id": "snitt", "label": "Gjennomsnitt symptomer",
                    "mean_of": [q for q, _ in QUESTIONS],
                    "count_label": "snitt av {answered} av {total}"}],
        "derived": [{"id": "oppfolging", "title": "Forslag til oppfølging",
                     "place": {"section": "symptomer"},
                     "outcomes": [
                         {"id": "folg_opp", "text": "Følg opp med samtale om humør",
                          "when": {"any": [{"q": "nedfor", "gte": 2},
                                           {"q": "lite_glede", "gte": 2}]}},
                         {"id": "ingen", "text": "Ingen særskilt oppfølging foreslått",
                          "when": {"always": True}}]}],
        "checks": [{"id": "plan_ved_hjelp", "field": "hjelp_hvem",
                    "message": "Skriv hvem som gir hjelp når personen får hjelp.",
                    "when": {"all": [{"q": "far_hjelp", "eq": "ja"},
                                     {"q": "hjelp_hvem", "answered": False}]}}]}
    return {
        "resourceType": "Questionnaire",
        "url": f"https://skjema.example.no/fhir/Questionnaire/{KEY}",
        "version": str(version), "title": TITLE, "status": "active",
        "extension": [{"url": RULES, "valueString": json.dumps(rules, ensure_ascii=False)}],
        "item": [
            {"linkId": "symptomer", "type": "group", "text": "Symptomer siste to uker",
             "item": [_frequency_item(q, text) for q, text in QUESTIONS]},
            {"linkId": "hjelp", "type": "group", "text": "Hjelp og støtte", "item": [
                {"linkId": "far_hjelp", "type": "boolean", "required": True,
                 "text": "Får personen hjelp for dette i dag?"},
                {"linkId": "hjelp_hvem", "type": "string", "text": "Hvem gir hjelpen?",
                 "maxLength": 200,
                 "enableWhen": [{"question": "far_hjelp", "operator": "=",
                                 "answerBoolean": True}]}]}]}


def import_into(app, tmp_path) -> Path:
    """A copy of instruments/ with the questionnaire imported by the CLI; returns the folder."""
    directory = Path(tmp_path) / "instruments"
    shutil.copytree(INSTRUMENTS, directory)
    src = Path(tmp_path) / "humor.questionnaire.json"
    src.write_text(json.dumps(questionnaire(), ensure_ascii=False), encoding="utf-8")
    with app.app_context():   # as `flask` gives its commands
        r = app.test_cli_runner().invoke(args=["fhir", "import-questionnaire", str(src),
                                               "--dir", str(directory)])
    assert r.exit_code == 0, r.output
    assert (directory / f"{KEY}.v1.yaml").exists()
    return directory


@contextlib.contextmanager
def app_on(directory: Path, tmp_path):
    """(app, factory) of a second app started on `directory` as its instruments folder, with
    its own tables for the length of the block."""
    from config import TestConfig
    from conftest import PASSWORD
    from factories import Factory
    from kartlegging import create_app
    from kartlegging.extensions import db

    class Cfg(TestConfig):
        INSTRUMENTS_DIR = str(directory)
    app2 = create_app(Cfg)
    app2.instance_path = str(tmp_path / "instance2")
    os.makedirs(app2.instance_path, exist_ok=True)
    with app2.app_context():
        db.create_all()
        try:
            yield app2, Factory(app2, PASSWORD)
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
