"""Every number answer fits what it is stored and read as: within ±(2^53 - 1), the integers a
JSON number holds exactly in the browser's JavaScript, and within the item's own limits.

A 300-digit number was accepted through FHIR answer import for an item with no maximum."""
import json

import pytest

from factories import WRITTEN_AGAINST
from fhir_support import write_instrument
from kartlegging.assessments import drafts
from kartlegging.clock import now_utc
from kartlegging.domain.instrument_types import SAFE_INTEGER
from kartlegging.extensions import db
from kartlegging.fhir.response import answers_from_items
from kartlegging.forms.builder import SAFE_MESSAGE
from kartlegging.models import Assessment

INSTRUMENT_VERSIONS = WRITTEN_AGAINST
HUGE = int("9" * 300)


@pytest.fixture
def tall(tmp_path):
    return write_instrument(tmp_path, {
        "key": "tall", "version": 1, "title": "Tall", "sections": [{"id": "del", "title": "Del",
        "items": [{"id": "ubegrenset", "type": "number", "label": "Et tall uten grenser"},
                  {"id": "minst_null", "type": "number", "label": "Minst null", "min": 0}]}]})


def items(link_id, value):
    return [{"linkId": "del", "item": [{"linkId": link_id, "answer": [{"valueInteger": value}]}]}]


@pytest.mark.parametrize("link_id", ["ubegrenset", "minst_null"])
@pytest.mark.parametrize("value", [HUGE, -HUGE, SAFE_INTEGER + 1, -SAFE_INTEGER - 1],
                         ids=["300-siffer", "minus-300-siffer", "2^53", "minus-2^53"])
def test_a_number_beyond_what_json_holds_is_refused_naming_the_item(tall, link_id, value):
    if link_id == "minst_null" and value < 0:
        value = -value  # below 0 has its own message; beyond the bound is what is tested
    answers, problems = answers_from_items(tall, items(link_id, value))
    assert len(problems) == 1, problems
    label = tall.items[link_id].label
    assert problems[0].startswith(f"«{label}» ({link_id}): ")
    assert "utenfor det som kan lagres" in problems[0] and str(SAFE_INTEGER) in problems[0]
    if abs(value) == HUGE:
        assert "mer enn 20 siffer" in problems[0] and "9" * 30 not in problems[0]


def test_the_largest_number_a_json_number_holds_is_accepted(tall):
    for value in (SAFE_INTEGER, -SAFE_INTEGER, 0):
        answers, problems = answers_from_items(tall, items("ubegrenset", value))
        assert not problems and answers == {"ubegrenset": value}


@pytest.fixture
def debt(staff, factory):
    """A kartlegging with debt, so "Omtrentlig gjeld i kroner" (min 0, no max) is asked."""
    client, user = staff
    person = factory.person(contact=user)
    a = factory.assessment(person, user, gjeld="ja", gjeld_belop=1000)
    return client, person, a


def test_import_of_a_300_digit_number_is_refused(debt):
    client, person, a = debt
    a.status, a.signed_at, a.signed_by_id = "signed", now_utc(), a.created_by_id
    a.signed_pdf = b"%PDF-1.7\n% test\n%%EOF\n"
    db.session.commit()
    bundle = client.get(f"/kartlegginger/{a.id}/fhir").get_json(force=True)
    qr = next(e["resource"] for e in bundle["entry"]
              if e["resource"]["resourceType"] == "QuestionnaireResponse")
    found = [i for g in qr["item"] for i in g.get("item", []) if i["linkId"] == "gjeld_belop"]
    assert found and found[0]["answer"] == [{"valueInteger": 1000}]
    found[0]["answer"] = [{"valueInteger": HUGE}]
    before = Assessment.query.count()
    r = client.post(f"/personer/{person.id}/fhir-import", data={"text": json.dumps(qr)})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "«Omtrentlig gjeld i kroner» (gjeld_belop): et tall med mer enn 20 siffer er " \
           "utenfor det som kan lagres" in page
    assert Assessment.query.count() == before


def test_the_form_refuses_a_300_digit_number_and_keeps_what_was_typed(debt):
    client, person, a = debt
    section = drafts.instrument_of(a).items["gjeld_belop"].section_id
    typed = "9" * 300
    r = client.post(f"/kartlegginger/{a.id}/del/{section}", data={
        "version": str(a.version), "gjeld": "ja", "gjeld_belop": typed})
    page = r.get_data(as_text=True)
    assert 400 <= r.status_code < 500
    assert SAFE_MESSAGE in page and f'value="{typed}"' in page
    r = client.post(f"/kartlegginger/{a.id}/autolagre", json={
        "version": a.version, "section": section, "answers": {"gjeld_belop": typed}})
    assert r.status_code == 422 and r.get_json()["errors"] == {"gjeld_belop": [SAFE_MESSAGE]}
    db.session.expire_all()
    assert db.session.get(Assessment, a.id).answers["gjeld_belop"] == 1000
