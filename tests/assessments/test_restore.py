"""Restoring the device's copy of unsaved answers: the server decides per field whether the
copy may be saved again (apply), is there already, or meets a newer server answer (conflict:
the user chooses). A restore never replaces a newer server answer by itself."""
import json
import re

import pytest

from kartlegging.assessments.drafts import (
    ALREADY,
    APPLY,
    CONFLICT,
    LocalEdit,
    restore_outcome,
)


def edit(value, base_version=3, base_value=None, sent=(), has_base=True):
    return LocalEdit(value, base_version, base_value, has_base, tuple(sent))


@pytest.mark.parametrize("server, local, outcome", [
    ("Bo hjemme", edit("Bo hjemme og jobbe", base_value="Bo hjemme"), APPLY),
    (None, edit("Bo hjemme", base_value=""), APPLY),
    ("Bo hjemme og jobbe", edit("Bo hjemme og jobbe", base_value="Bo"), ALREADY),
    # The usual crash: the copy on disk is an earlier state of the text the server has in full.
    ("Bo hjemme og jobbe i Alna", edit("Bo hjemme og", base_value="Bo hjemme"), ALREADY),
    # ... but a copy that is not contained in the server's newer text is the user's choice.
    ("Bo hjemme og jobbe i Alna", edit("Bo hjemme, ikke", base_value="Bo hjemme"), CONFLICT),
    ("Bo hjemme", edit("Bo hjemme og jobbe", base_value="Bo"), CONFLICT),
    # Another device changed the field since the copy's base.
    ("Annen tekst", edit("Bo hjemme og jobbe", base_value="Bo hjemme"), CONFLICT),
    # The device's own save landed but its reply was lost: the copy is newer than it.
    ("Bo hjemme og", edit("Bo hjemme og jobbe", base_value="Bo", sent=["Bo hjemme og"]), APPLY),
    # Emptied on purpose on the device, unchanged on the server since.
    ("Bo hjemme", edit("", base_value="Bo hjemme"), APPLY),
    # Stored forms and typed forms of the same answer are the same.
    (2, edit("2", base_value="1"), ALREADY),
    (["b", "a"], edit(["a", "b"], base_value=[]), ALREADY),
    (["a"], edit(["a", "b"], base_value=["a"]), APPLY),
])
def test_rule(server, local, outcome):
    assert restore_outcome(server, local, version=7) == outcome


def test_a_copy_without_its_base_value_applies_only_at_its_own_version():
    old = edit("Bo hjemme", base_version=7, has_base=False)
    assert restore_outcome("Noe annet", old, version=7) == APPLY
    assert restore_outcome("Noe annet", old, version=8) == CONFLICT


@pytest.fixture
def setup(factory, login):
    kari = factory.user("ansatt", username="kari", name="Kari Ansatt")
    person = factory.person(contact=kari)
    a = factory.assessment(person, kari, filled=False)
    return login(kari), a


def autosave(client, a_id, version, answers):
    r = client.post(f"/kartlegginger/{a_id}/autolagre",
                    json={"version": version, "section": "viktig", "answers": answers})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["version"]


def ask(client, a_id, fields, section="viktig"):
    return client.post(f"/kartlegginger/{a_id}/gjenopprett",
                       json={"section": section, "fields": json.dumps(fields)})


def test_endpoint_decides_per_field_and_saves_nothing(setup):
    client, a = setup
    v1 = autosave(client, a.id, a.version, {"hva_er_viktig": "Bo hjemme", "spraak": "norsk"})
    v2 = autosave(client, a.id, v1, {"hva_er_viktig": "Bo hjemme og jobbe i Alna",
                                     "spraak": "norsk"})
    r = ask(client, a.id, {
        "hva_er_viktig": {"value": "Bo hjemme, ikke", "base_version": v1,
                          "base_value": "Bo hjemme"},
        "spraak": {"value": "norsk, litt engelsk", "base_version": v1, "base_value": "norsk"},
        "ukjent_felt": {"value": "x", "base_version": v1, "base_value": ""},
    })
    assert r.status_code == 200
    body = r.get_json()
    assert body["version"] == v2
    assert body["fields"] == {
        "hva_er_viktig": {"outcome": CONFLICT, "server": ["Bo hjemme og jobbe i Alna"]},
        "spraak": {"outcome": APPLY, "server": ["norsk"]},
    }
    page = client.get(f"/kartlegginger/{a.id}/del/viktig").get_data(as_text=True)
    assert int(re.search(r'name="version" value="(\d+)"', page).group(1)) == v2


def test_endpoint_refuses_what_it_cannot_read(setup):
    client, a = setup
    assert ask(client, a.id, {}, section="finnes_ikke").status_code == 400
    r = client.post(f"/kartlegginger/{a.id}/gjenopprett",
                    json={"section": "viktig", "fields": "{ikke json"})
    assert r.status_code == 400
    # Malformed fields are left out, not guessed at.
    r = ask(client, a.id, {"hva_er_viktig": {"value": "x"}, "spraak": "tekst"})
    assert r.get_json()["fields"] == {}


def test_endpoint_is_for_the_team_only(setup, factory, login):
    _, a = setup
    other = factory.user("ansatt", team=factory.team_b, username="ola", name="Ola Annet")
    r = ask(login(other), a.id, {"hva_er_viktig": {"value": "x", "base_version": 1}})
    assert r.status_code == 404
