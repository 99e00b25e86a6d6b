"""At login, Mine personer says what fell due since the previous visit (own persons; the team
for a lead); the settings page turns the weekly digest on and off."""
from datetime import timedelta

from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.models import AuditEvent, Person, ReminderSetting


def box(html: str) -> str:
    return html.split('class="card since-visit"', 1)[1].split("</section>", 1)[0] \
        if 'class="card since-visit"' in html else ""


def test_what_fell_due_since_the_previous_login(factory, login):
    f = factory
    anne = f.user("ansatt")
    lead = f.user("teamleder")
    p_due = f.person(name="Forfalt Nylig", contact=anne)
    f.signed(p_due, anne, signed_at=now_utc() - timedelta(days=125))   # due 5 days ago
    p_old = f.person(name="Forfalt Lenge", contact=anne)
    f.signed(p_old, anne, signed_at=now_utc() - timedelta(days=200))   # due long before
    p_soon = f.person(name="Snart", contact=anne)
    f.signed(p_soon, anne, signed_at=now_utc() - timedelta(days=100))  # due in 20 days
    p_lead = f.person(name="Leders Egen", contact=lead)
    f.signed(p_lead, lead, signed_at=now_utc() - timedelta(days=122))  # due 2 days ago

    # the first login ever: nothing to compare with
    first = login(anne).get("/").get_data(as_text=True)
    assert box(first) == "" and "/varsler" in first
    # that visit was 10 days ago; a person registered since then is due at once
    for user in (anne, lead):
        row = db.session.get(ReminderSetting, user.id) or ReminderSetting(user_id=user.id)
        row.last_visit_at = now_utc() - timedelta(days=10)
        db.session.add(row)
    db.session.commit()
    new = f.person(name="Ny Person", contact=anne)
    assert new.created_at > now_utc() - timedelta(minutes=1)
    # an older never-mapped person does not count again
    old_new = f.person(name="Gammel Ny", contact=anne)
    old_new.created_at = now_utc() - timedelta(days=30)
    db.session.commit()

    html = login(anne).get("/").get_data(as_text=True)
    b = box(html)
    assert "Siden sist du var innom" in b
    assert "<strong>2</strong> av dine personer har forfalt" in b   # Forfalt Nylig, Ny Person
    assert "i teamet" not in b
    for name in ("Forfalt Nylig", "Ny Person"):   # counts only
        assert name not in b

    lead_box = box(login(lead).get("/").get_data(as_text=True))
    assert "<strong>1</strong> av dine personer har forfalt" in lead_box   # Leders Egen
    assert "<strong>3</strong> i teamet har forfalt" in lead_box
    assert "/oppfolging?forfall=forfalt" in lead_box
    assert db.session.query(Person).count() == 6


def test_digest_settings(factory, login):
    user = factory.user("ansatt")
    c = login(user)
    page = c.get("/varsler").get_data(as_text=True)
    assert "aldri navn, fødselsnummer eller helseopplysninger" in page
    r = c.post("/varsler", data={"digest_weekly": "y", "digest_email": ""})
    assert r.status_code == 400
    assert "Skriv e-postadressen e-posten skal sendes til." in r.get_data(as_text=True)
    r = c.post("/varsler", data={"digest_weekly": "y", "digest_email": "ikke en adresse"})
    assert r.status_code == 400 and "gyldig e-postadresse" in r.get_data(as_text=True)
    assert 'value="ikke en adresse"' in r.get_data(as_text=True)   # what was typed is kept
    r = c.post("/varsler", data={"digest_weekly": "y", "digest_email": " meg@alna.test "})
    assert r.status_code == 302
    row = db.session.get(ReminderSetting, user.id)
    assert row.digest_weekly and row.digest_email == "meg@alna.test"
    assert 'checked' in c.get("/varsler").get_data(as_text=True)
    c.post("/varsler", data={"digest_email": "meg@alna.test"})
    db.session.expire_all()
    assert not db.session.get(ReminderSetting, user.id).digest_weekly
    details = [e.detail for e in db.session.query(AuditEvent).filter_by(
        action="reminder_settings")]
    assert details == ["ukentlig e-post på", "ukentlig e-post av"]
