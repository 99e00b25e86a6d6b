"""The hand-over ended early: by the person ("Jeg vil stoppe her") and by staff (password)."""
from conftest import PASSWORD
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent


def rating_of(a):
    db.session.expire_all()
    return db.session.scalar(db.select(Assessment).where(Assessment.parent_id == a.id))


def start(client, a):
    r = client.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet")
    assert r.status_code == 302


def last_event(action):
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id.desc())).first()


def test_every_question_offers_both_exits(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start(client, a)
    page = client.get("/egenvurdering?n=5").data.decode()
    assert 'name="stopp"' in page and "Jeg vil stoppe her" in page
    assert 'href="/egenvurdering/ferdig?ansatt=1">For ansatt: avslutt overleveringen' in page


def test_person_stops_and_staff_unlocks_answers_kept_marked_incomplete(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start(client, a)
    for n in (1, 2, 3):
        client.post(f"/egenvurdering?n={n}", data={"svar": "4"})
    r = client.post("/egenvurdering?n=4", data={"stopp": "1"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering/ferdig")
    assert "personen stoppet ved spørsmål 4 av 16" in last_event("handover_stop").detail
    page = client.get("/egenvurdering/ferdig").data.decode()
    assert "Greit, vi stopper her" in page and "3 av 16" in page
    # Still in hand-over: the kartlegging is out of reach until the password is given.
    assert client.get(f"/kartlegginger/{a.id}").status_code == 302
    r = client.post("/egenvurdering/avslutt", data={"password": PASSWORD},
                    follow_redirects=True)
    text = r.data.decode()
    assert "lagret som ufullstendig (3 av 16 spørsmål besvart)" in text
    assert "Ufullstendig: 3 av 16 spørsmål besvart" in text
    rating = rating_of(a)
    assert rating.completed_at is not None and len(rating.answers) == 3
    assert last_event("handover_end").detail == \
        "med eget passord; avsluttet før alle spørsmål var besvart (3 av 16), av personen"


def test_staff_ends_early_from_a_question_with_the_password(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start(client, a)
    client.post("/egenvurdering?n=1", data={"svar": "6"})
    page = client.get("/egenvurdering/ferdig?ansatt=1").data.decode()
    assert "Avslutte før alle spørsmålene er besvart?" in page
    assert "1 av 16 spørsmål er besvart" in page
    r = client.post("/egenvurdering/avslutt", data={"password": "feil-passord"})
    assert r.status_code == 403 and rating_of(a).completed_at is None
    r = client.post("/egenvurdering/avslutt", data={"password": PASSWORD})
    assert r.status_code == 302
    rating = rating_of(a)
    assert rating.completed_at is not None and rating.answers == {
        next(iter(rating.answers)): 6}
    assert last_event("handover_end").detail.endswith("(1 av 16), av ansatt")


def test_a_complete_rating_is_not_marked_incomplete(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    factory.rating(a, user)
    page = client.get(f"/kartlegginger/{a.id}/del/livskvalitet").data.decode()
    assert "Ufullstendig" not in page
    assert 'data-section="livskvalitet"' in page
    assert "1/2" in page   # the rating counts as answered in the section menu


def test_words_say_overlevering_and_what_tofaktor_is(staff, factory):
    client, user = staff
    # the staff pages' menu says what two-factor is
    menu = client.get("/personer").data.decode()
    assert '<a href="/konto/tofaktor">Tofaktor: kode fra app på telefonen</a>' in menu
    a = factory.assessment(factory.person(), user, filled=False)
    start(client, a)
    page = client.get("/egenvurdering/ferdig?ansatt=1").data.decode()
    assert "<title>Avslutt overleveringen" in page
    assert "For ansatt: avslutt overleveringen" in page
    page = client.get("/egenvurdering/ferdig?innlogging=1").data.decode()
    assert ("Engangskode fra appen på telefonen (bare hvis kontoen bruker tofaktor)"
            in page)
    assert "utlever" not in page.lower()
