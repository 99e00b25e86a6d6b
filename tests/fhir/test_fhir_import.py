"""Imports: a QuestionnaireResponse as a new draft, a Questionnaire as a new instrument."""
import copy
import html
import json
import shutil

import pytest

from conftest import PASSWORD
from factories import WRITTEN_AGAINST
from fhir_support import BASE, INSTRUMENTS, validate
from kartlegging import create_app
from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.fhir.questionnaire import to_questionnaire
from kartlegging.models import Assessment, AuditEvent

INSTRUMENT_VERSIONS = WRITTEN_AGAINST


def qr_of(client, a) -> dict:
    bundle = client.get(f"/kartlegginger/{a.id}/fhir").get_json(force=True)
    return next(e["resource"] for e in bundle["entry"]
                if e["resource"]["resourceType"] == "QuestionnaireResponse")


@pytest.fixture
def exported(staff, factory):
    """A signed kartlegging with comments, multiple choices, dates and numbers, exported."""
    client, user = staff
    person = factory.person(contact=user)
    a = factory.assessment(person, user, har_barn="ja", oppfolgingstjenester=["nav", "dps"],
                           langvarig_behov="ja", ip_var_vurdering="ja", ip_tilbudt="ja",
                           ip_svar="takket_nei", ip_avslag_grunn="Ønsker ikke nå.")
    # Marked signed by hand (as the access matrix does): rendering the PDF is tested elsewhere.
    a.status, a.signed_at, a.signed_by_id = "signed", now_utc(), user.id
    a.signed_pdf = b"%PDF-1.7\n% test\n%%EOF\n"
    db.session.commit()
    return client, user, person, a, qr_of(client, a)


def post(client, person, qr) -> tuple:
    text = qr if isinstance(qr, str) else json.dumps(qr, ensure_ascii=False)
    return client.post(f"/personer/{person.id}/fhir-import", data={"text": text}), text


def test_export_then_import_reproduces_the_answers_as_a_new_draft(exported):
    client, user, person, a, qr = exported
    validate(qr)
    before = Assessment.query.count()
    r, _ = post(client, person, qr)
    assert r.status_code == 302, html.unescape(r.data.decode())[:3000]
    assert Assessment.query.count() == before + 1
    draft = Assessment.query.order_by(Assessment.id.desc()).first()
    assert draft.status == "draft" and draft.person_id == person.id
    assert (draft.instrument_key, draft.instrument_version) == (a.instrument_key,
                                                                a.instrument_version)
    assert draft.answers == a.answers
    assert any(k.endswith("__kommentar") for k in draft.answers)
    event = AuditEvent.query.filter_by(action="fhir_import").one()
    assert (event.person_id, event.object_id) == (person.id, draft.id)
    assert r.headers["Location"].endswith(f"/kartlegginger/{draft.id}")


def test_import_as_file_upload(exported):
    import io
    client, user, person, a, qr = exported
    r = client.post(f"/personer/{person.id}/fhir-import", data={
        "file": (io.BytesIO(json.dumps(qr).encode()), "svar.json")},
        content_type="multipart/form-data")
    assert r.status_code == 302


def _items(qr):
    return {it["linkId"]: it for g in qr["item"] for it in g["item"]}


def _unknown_link(qr):
    qr["item"][0]["item"].append({"linkId": "finnes_ikke", "answer": [{"valueString": "x"}]})


def _wrong_type(qr):
    _items(qr)["langvarig_behov"]["answer"] = [{"valueString": "ja"}]


def _outside_options(qr):
    _items(qr)["langvarig_behov"]["answer"][0]["valueCoding"]["code"] = "kanskje"


def _disabled(qr):
    _items(qr)["ip_svar"]["answer"][0]["valueCoding"]["code"] = "takket_ja"


def _two_answers(qr):
    it = _items(qr)["langvarig_behov"]
    it["answer"] = it["answer"] * 2


def _out_of_range(qr):
    _items(qr)["barn_antall_mindreaarige"]["answer"] = [{"valueInteger": 99}]


def _bad_date(qr):
    _items(qr)["ip_tilbudt_dato"]["answer"] = [{"valueDate": "31.12.2026"}]


def _unknown_version(qr):
    qr["questionnaire"] = qr["questionnaire"].rsplit("|", 1)[0] + "|99"


def _other_person(qr):
    qr["subject"]["identifier"]["value"] = "01018012345"


def _wrong_resource(qr):
    qr["resourceType"] = "Observation"


ERRORS = [
    ("unknown linkId", _unknown_link, "Ukjent linkId «finnes_ikke»"),
    ("wrong type", _wrong_type, "(langvarig_behov): feil type – ventet valueCoding, fikk "
                                "valueString."),
    ("outside options", _outside_options, "(langvarig_behov): «kanskje» er ikke et "
                                          "svaralternativ."),
    ("disabled item", _disabled, "(ip_avslag_grunn) er besvart, men spørsmålet er ikke aktivt"),
    ("two answers", _two_answers, "(langvarig_behov): har 2 svar, men tar bare ett."),
    ("out of range", _out_of_range, "(barn_antall_mindreaarige): 99 er utenfor det tillatte "
                                    "(minst 0 og høyst 20)."),
    ("bad date", _bad_date, "(ip_tilbudt_dato): valueDate må være en dato"),
    ("unknown version", _unknown_version, "Ukjent skjema eller versjon"),
    ("other person", _other_person, "Svarene gjelder en annen person."),
    ("resource type", _wrong_resource, "Ressursen er ikke en QuestionnaireResponse"),
]


@pytest.mark.parametrize("name,change,message", ERRORS, ids=[e[0] for e in ERRORS])
def test_each_kind_of_error_gives_its_message_and_changes_nothing(exported, name, change,
                                                                  message):
    client, user, person, a, qr = exported
    qr = copy.deepcopy(qr)
    change(qr)
    before = (Assessment.query.count(), AuditEvent.query.count())
    r, text = post(client, person, qr)
    page = html.unescape(r.data.decode())
    assert r.status_code == 422
    assert message in page, page[:3000]
    assert "Svarene ble ikke importert" in page
    assert text in page   # what was pasted is still there
    db.session.expire_all()
    assert (Assessment.query.count(), AuditEvent.query.count()) == before


def test_every_problem_is_named_at_once(exported):
    client, user, person, a, qr = exported
    for change in (_unknown_link, _wrong_type, _out_of_range):
        change(qr)
    page = html.unescape(post(client, person, qr)[0].data.decode())
    for _, _, message in (ERRORS[0], ERRORS[1], ERRORS[5]):
        assert message in page


@pytest.mark.parametrize("text,message", [
    ("{ikke json", "Innholdet er ikke gyldig JSON."),
    ("[1, 2]", "Innholdet må være et JSON-objekt"),
    ("", "Velg en fil eller lim inn"),
])
def test_input_that_is_not_a_resource(exported, text, message):
    client, user, person, a, qr = exported
    before = Assessment.query.count()
    r = client.post(f"/personer/{person.id}/fhir-import", data={"text": text})
    assert r.status_code == 422 and message in html.unescape(r.data.decode())
    assert Assessment.query.count() == before


def test_import_page_for_another_team_is_404(exported, factory, login):
    client, user, person, a, qr = exported
    other = login(factory.user("ansatt", team=factory.team_b))
    assert other.get(f"/personer/{person.id}/fhir-import").status_code == 404
    r, _ = post(other, person, qr)
    assert r.status_code == 404
    assert client.get(f"/personer/{person.id}/fhir-import").status_code == 200


# ------------------------------------------------------------------ Questionnaire import

def test_cli_imports_a_questionnaire_as_an_instrument_staff_can_fill(tmp_path, app):
    """A bydel's revised form, built in a FHIR form builder, becomes the next version of the
    kartlegging; after a restart new kartlegginger use it and staff fill it in."""
    from config import TestConfig
    from factories import Factory
    directory = tmp_path / "instruments"
    shutil.copytree(INSTRUMENTS, directory)
    reg = app.extensions["instruments"]
    latest = reg.latest("alna-kartlegging")
    q = to_questionnaire(latest, BASE)
    q["version"] = str(latest.version + 10)
    q["item"][0]["item"].append({"linkId": "bydelens_eget_sporsmal", "type": "string",
                                 "text": "Bydelens eget spørsmål", "maxLength": 200})
    src = tmp_path / "q.json"
    src.write_text(json.dumps(q, ensure_ascii=False))

    runner = app.test_cli_runner()
    r = runner.invoke(args=["fhir", "import-questionnaire", str(src), "--dir", str(directory)])
    assert r.exit_code == 0, r.output
    assert "Start appen på nytt" in r.output
    written = directory / f"alna-kartlegging.v{latest.version + 10}.yaml"
    assert written.exists()
    r = runner.invoke(args=["fhir", "import-questionnaire", str(src), "--dir", str(directory)])
    assert r.exit_code != 0 and "finnes allerede" in r.output

    class Cfg(TestConfig):
        INSTRUMENTS_DIR = str(directory)
    app2 = create_app(Cfg)
    app2.instance_path = str(tmp_path / "instance2")
    with app2.app_context():
        db.create_all()
        try:
            f = Factory(app2, PASSWORD)
            user = f.user("ansatt")
            person = f.person(contact=user)
            client = app2.test_client()
            client.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
            r = client.post(f"/personer/{person.id}/kartlegginger")
            assert r.status_code == 302
            a = Assessment.query.filter_by(person_id=person.id).one()
            assert a.instrument_version == latest.version + 10
            first = q["item"][0]["linkId"]
            page = client.get(f"/kartlegginger/{a.id}/del/{first}").data.decode()
            assert "Bydelens eget spørsmål" in page
            r = client.post(f"/kartlegginger/{a.id}/del/{first}", data={
                "version": str(a.version), "bydelens_eget_sporsmal": "Svar fra ansatt"})
            assert r.status_code == 302
            db.session.expire_all()
            assert db.session.get(Assessment, a.id).answers[
                "bydelens_eget_sporsmal"] == "Svar fra ansatt"
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_cli_refuses_what_it_cannot_represent_and_leaves_no_file(app, tmp_path):
    q = {"resourceType": "Questionnaire", "url": "https://x.example/Questionnaire/ny",
         "version": "1", "title": "Ny", "status": "active", "item": [
             {"linkId": "del", "type": "group", "text": "Del", "item": [
                 {"linkId": "vekt", "type": "decimal", "text": "Vekt"}]}]}
    src = tmp_path / "q.json"
    src.write_text(json.dumps(q))
    r = app.test_cli_runner().invoke(args=["fhir", "import-questionnaire", str(src), "--dir",
                                           str(tmp_path)])
    assert r.exit_code != 0
    assert "item «vekt»: type decimal: typen desimaltall støttes ikke" in r.output
    assert not list(tmp_path.glob("*.yaml"))
    # The loader's own checks apply too: an unknown option in a rule is refused, file removed.
    q["item"][0]["item"][0] = {"linkId": "vekt", "type": "integer", "text": "Vekt"}
    q["extension"] = [{"url": "https://x.example/StructureDefinition/kartlegging-regler",
                       "valueString": json.dumps({"scores": [{"id": "s", "label": "S",
                                                              "mean_of": ["vekt"]}]})}]
    src.write_text(json.dumps(q))
    r = app.test_cli_runner().invoke(args=["fhir", "import-questionnaire", str(src), "--dir",
                                           str(tmp_path)])
    assert r.exit_code != 0 and "'vekt' er ikke et skalaspørsmål" in r.output
    assert not list(tmp_path.glob("*.yaml"))
