"""«Start ny kartlegging» with a draft open leads to the draft; a second one needs a reason."""
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent


def drafts_of(person):
    db.session.expire_all()
    return db.session.scalars(db.select(Assessment).where(
        Assessment.person_id == person.id, Assessment.status == "draft")).all()


def test_person_page_leads_to_the_open_draft(staff, factory):
    client, user = staff
    person = factory.person()
    page = client.get(f"/personer/{person.id}").data.decode()
    assert "Start ny kartlegging" in page and "Fortsett utkastet" not in page
    a = factory.assessment(person, user, filled=False)
    page = client.get(f"/personer/{person.id}").data.decode()
    assert f'id="fortsett-utkast" href="/kartlegginger/{a.id}/del/viktig">Fortsett utkastet fra' \
        in page
    assert "Start en ny kartlegging likevel" in page
    assert ">Start ny kartlegging</button>" not in page


def test_second_draft_without_reason_is_refused_and_leads_back(staff, factory):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    r = client.post(f"/personer/{person.id}/kartlegginger")
    assert r.status_code == 409
    page = r.data.decode()
    assert "Det finnes allerede et utkast" in page
    assert f'href="/kartlegginger/{a.id}/del/viktig">Fortsett utkastet fra' in page
    assert "Skriv hvorfor et nytt utkast trengs" in page
    assert len(drafts_of(person)) == 1
    r = client.post(f"/personer/{person.id}/kartlegginger", data={"grunn": "x" * 501})
    assert r.status_code == 422 and "høyst 500 tegn" in r.data.decode()
    assert "x" * 501 in r.data.decode()          # what was typed is kept
    assert len(drafts_of(person)) == 1


def test_second_draft_with_a_reason_is_made_and_logged(staff, factory):
    client, user = staff
    person = factory.person()
    factory.assessment(person, user, filled=False)
    r = client.post(f"/personer/{person.id}/kartlegginger",
                    data={"grunn": "Utkastet ble startet på feil skjema"})
    assert r.status_code == 302
    assert len(drafts_of(person)) == 2
    event = db.session.scalars(db.select(AuditEvent).where(
        AuditEvent.action == "assessment_create").order_by(AuditEvent.id.desc())).first()
    assert "Utkastet ble startet på feil skjema" in event.detail


def test_first_draft_needs_no_reason(staff, factory):
    client, _ = staff
    person = factory.person()
    assert client.post(f"/personer/{person.id}/kartlegginger").status_code == 302
    assert len(drafts_of(person)) == 1
