"""Damaged FHIR input never crashes an import: a named refusal and no change, or a draft."""
import copy
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_support import BASE, INSTRUMENTS
from kartlegging.domain.instrument_types import InstrumentError
from kartlegging.domain.instruments import load_all
from kartlegging.extensions import db
from kartlegging.fhir import operations
from kartlegging.fhir.questionnaire import to_questionnaire
from kartlegging.fhir.questionnaire_import import NotRepresentable, from_questionnaire
from kartlegging.fhir.response import response_items
from kartlegging.models import Assessment, AuditEvent

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(["ja", "nei", "5", "vil_ikke_svare", "\x00",
                                              "2026-02-30", "familie", "har_barn"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["linkId", "answer", "item", "valueCoding", "valueString",
                         "valueBoolean", "valueInteger", "code", "type", "text",
                         "enableWhen", "answerOption", "extension", "url", "x"]),
        inner, max_size=4), max_leaves=8)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


def mutate(doc, data):
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        all_paths = [p for p in paths(doc) if p]
        if not all_paths:
            break
        path = data.draw(st.sampled_from(all_paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(JUNK)
    return doc


@FUZZ
@given(data=st.data())
def test_damaged_questionnaire_response_is_refused_with_messages_or_imported(staff, factory,
                                                                            app, data):
    client, user = staff
    if not hasattr(app, "_fuzz_person"):
        app._fuzz_person = factory.person(contact=user)
    person = app._fuzz_person
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    answers = factory.assessment(person, user).answers
    qr = {"resourceType": "QuestionnaireResponse", "status": "completed",
          "questionnaire": f"{BASE}/Questionnaire/{inst.key}|{inst.version}",
          "subject": {"identifier": {"system": "urn:oid:2.16.578.1.12.4.1.4.1",
                                     "value": person.national_id}},
          "item": response_items(inst, answers, BASE)}
    bad = mutate(qr, data)
    before = (Assessment.query.count(), AuditEvent.query.count())
    r = client.post(f"/personer/{person.id}/fhir-import",
                    data={"text": json.dumps(bad, ensure_ascii=False)})
    if r.status_code == 302:
        return
    assert r.status_code in (400, 422), r.status_code
    assert 'role="alert"' in r.get_data(as_text=True) or "class=\"error\"" in r.get_data(
        as_text=True)
    db.session.expire_all()
    assert (Assessment.query.count(), AuditEvent.query.count()) == before


REGISTRY = load_all(INSTRUMENTS)


@FUZZ
@given(data=st.data())
def test_damaged_questionnaire_is_refused_naming_the_problem(app, tmp_path_factory, data):
    inst = data.draw(st.sampled_from(sorted(REGISTRY, key=lambda i: i.ref)))
    q = mutate(to_questionnaire(inst, BASE), data)
    try:
        from_questionnaire(q)
    except NotRepresentable as e:
        assert ": " in str(e)
    directory = tmp_path_factory.mktemp("import")
    try:
        operations.write_instrument(q, directory)
    except (NotRepresentable, InstrumentError) as e:
        assert str(e)
        assert not list(directory.glob("*.yaml"))
