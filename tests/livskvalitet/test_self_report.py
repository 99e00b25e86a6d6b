"""AUDIT-C and DUDIT are self-report forms: staff hand the tablet over from the form's own
overview, the person answers behind the same fence as the livskvalitet rating (welcome,
one question a page, «Vil ikke svare»), and the form stays a draft with their answers for staff
to look over and sign; forms that are not self-report cannot be handed over."""
import html

from conftest import PASSWORD
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent


def _draft(client, person, key):
    r = client.post(f"/personer/{person.id}/kartlegginger", data={"skjema": key})
    assert r.status_code == 302
    return Assessment.query.filter_by(person_id=person.id, instrument_key=key).one()


def test_the_person_fills_audit_c_on_the_tablet_and_it_stays_a_draft(staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    a = _draft(client, person, "audit-c")
    overview = html.unescape(client.get(f"/kartlegginger/{a.id}").data.decode())
    assert 'id="gi-nettbrettet"' in overview
    r = client.post(f"/kartlegginger/{a.id}/selvrapport/gi-nettbrettet")
    assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering/velkommen")
    welcome = html.unescape(client.get("/egenvurdering/velkommen").data.decode())
    assert "Spørsmål om alkohol" in welcome and "Det er 4 spørsmål" in welcome
    # the fence: the person reaches no staff page, the form's own pages included
    for url in ("/", f"/personer/{person.id}", f"/kartlegginger/{a.id}"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering"), url
    page = html.unescape(client.get("/egenvurdering?n=1").data.decode())
    assert "Spørsmål 1 av 4" in page and "Hvor ofte drikker du alkohol?" in page
    assert "To til tre ganger i uka" in page and person.name not in page
    for n, value in enumerate(["2_3_i_uka", "vil_ikke_svare", "maanedlig", "kvinne"], 1):
        r = client.post(f"/egenvurdering?n={n}", data={"svar": value})
        assert r.status_code == 302
    assert r.headers["Location"].endswith("/egenvurdering/ferdig")
    assert client.post("/egenvurdering?n=1", data={"svar": "finnes_ikke"}).status_code == 400
    r = client.post("/egenvurdering/avslutt", data={"password": PASSWORD})
    assert r.status_code == 302
    back = html.unescape(client.get(r.headers["Location"]).data.decode())
    # staff are told the answers wait in the draft for them, not that a rating was saved
    assert "er lagret i utkastet. Nettbrettet er tilbake i ansattmodus. Se over svarene og " \
        "signer skjemaet." in back and "Egenvurderingen er lagret" not in back
    db.session.expire_all()
    a = db.session.get(Assessment, a.id)
    assert a.status == "draft" and a.completed_at is None
    assert a.answers == {"alkohol_hvor_ofte": "2_3_i_uka", "alkohol_enheter": "vil_ikke_svare",
                         "alkohol_seks_eller_mer": "maanedlig", "kjonn": "kvinne"}
    overview = html.unescape(client.get(f"/kartlegginger/{a.id}").data.decode())
    assert "Ikke beregnet: 2 av 3 besvart, alle trengs" in overview
    actions = [e.action for e in AuditEvent.query.filter_by(person_id=person.id)]
    assert "handover_start" in actions and "handover_end" in actions


def test_a_form_that_is_not_self_report_is_not_handed_over(staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    a = _draft(client, person, "audit")
    assert 'id="gi-nettbrettet"' not in client.get(f"/kartlegginger/{a.id}").data.decode()
    assert client.post(f"/kartlegginger/{a.id}/selvrapport/gi-nettbrettet").status_code == 404
