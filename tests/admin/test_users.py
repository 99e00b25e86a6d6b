"""User administration: create, deactivate (ends live sessions), password reset forcing a
change, role/team changes, teams, and moving a person with its history and audit."""
import html
import re

from sqlalchemy import select

from conftest import PASSWORD
from kartlegging.extensions import db
from kartlegging.models import AuditEvent, LoginSession, Person, Team, User


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _temporary(resp) -> str:
    m = re.search(r'id="midlertidig-passord">([^<]+)<', resp.get_data(as_text=True))
    assert m, resp.get_data(as_text=True)[:500]
    return m.group(1)


def test_admin_lists_and_searches_users(factory, login):
    admin = factory.user("admin")
    factory.user("ansatt", team=factory.team_b, name="Berit Borte")
    c = login(admin)
    page = c.get("/admin/brukere").get_data(as_text=True)
    assert "Berit Borte" in page and "Lokalt passord" in page and "Rusteam Nordstrand" in page
    found = c.get("/admin/brukere?q=nordstrand").get_data(as_text=True)
    assert "Berit Borte" in found and admin.name not in found.split("<tbody>")[1]
    assert _events("admin_users_view")


def test_create_user_then_first_login_must_change_password(app, factory, login):
    admin = factory.user("admin")
    c = login(admin)
    r = c.post("/admin/brukere/ny", data={"username": "Nina", "name": "Nina Ny",
                                          "role": "teamleder", "team": str(factory.team_b.id)})
    assert r.status_code == 200
    temp = _temporary(r)
    user = db.session.scalar(select(User).where(User.username == "nina"))
    assert user.role == "teamleder" and user.team_id == factory.team_b.id
    assert user.must_change_password
    ev = _events("admin_user_create")[0]
    assert ev.user_id == admin.id and ev.object_id == user.id

    n = app.test_client()
    r = n.post("/logg-inn", data={"username": "nina", "password": temp})
    assert r.status_code == 302
    # Every page leads to the password change until it is done.
    assert n.get("/").headers["Location"].endswith("/konto/passord")
    r = n.post("/konto/passord", data={"password": "kort", "confirm": "kort"})
    assert r.status_code == 422 and "minst 12 tegn" in r.get_data(as_text=True)
    r = n.post("/konto/passord", data={"password": temp, "confirm": temp})
    assert r.status_code == 422 and "annet passord" in r.get_data(as_text=True)
    r = n.post("/konto/passord", data={"password": "nytt-passord-2026",
                                       "confirm": "nytt-passord-2026"})
    assert r.status_code == 302
    assert n.get("/").status_code == 200
    db.session.refresh(user)
    assert not user.must_change_password and user.check_password("nytt-passord-2026")
    assert _events("password_changed")


def test_duplicate_username_is_refused_keeping_the_form(factory, login):
    admin = factory.user("admin")
    factory.user("ansatt", username="kari")
    r = login(admin).post("/admin/brukere/ny", data={
        "username": "kari", "name": "Kari To", "role": "ansatt",
        "team": str(factory.team_a.id)})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "finnes allerede" in text and 'value="Kari To"' in text


def test_deactivation_ends_a_live_session(app, factory, login):
    admin = factory.user("admin")
    worker = factory.user("ansatt")
    live = login(worker)
    assert live.get("/").status_code == 200
    r = login(admin).post(f"/admin/brukere/{worker.id}/deaktiver")
    assert r.status_code == 302
    assert live.get("/").headers["Location"].startswith("/logg-inn")
    assert db.session.scalar(select(LoginSession).where(
        LoginSession.user_id == worker.id, LoginSession.ended_at.is_(None))) is None
    r = app.test_client().post("/logg-inn", data={"username": worker.username,
                                                  "password": PASSWORD})
    assert r.status_code == 401
    assert _events("admin_user_deactivate")[0].object_id == worker.id
    page = login(admin).get("/admin/sikkerhetshendelser").get_data(as_text=True)
    assert "Deaktiverte bruker" in page and "Mislykket innlogging" in page
    # ... and can be let in again.
    login(admin).post(f"/admin/brukere/{worker.id}/aktiver")
    assert login(worker).get("/").status_code == 200


def test_admin_cannot_lock_themselves_out(factory, login):
    admin = factory.user("admin")
    c = login(admin)
    r = c.post(f"/admin/brukere/{admin.id}/deaktiver", follow_redirects=True)
    assert "egen konto" in r.get_data(as_text=True)
    r = c.post(f"/admin/brukere/{admin.id}", data={"name": admin.name, "role": "ansatt",
                                                   "team": str(admin.team_id)})
    assert r.status_code == 422 and "administratorrolle" in r.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"


def test_password_reset_forces_a_change_and_ends_sessions(app, factory, login):
    admin = factory.user("admin")
    worker = factory.user("ansatt")
    live = login(worker)
    r = login(admin).post(f"/admin/brukere/{worker.id}/nytt-passord")
    temp = _temporary(r)
    assert live.get("/").status_code == 302  # the old session is gone
    c = app.test_client()
    assert c.post("/logg-inn", data={"username": worker.username,
                                     "password": PASSWORD}).status_code == 401
    assert c.post("/logg-inn", data={"username": worker.username,
                                     "password": temp}).status_code == 302
    assert c.get("/").headers["Location"].endswith("/konto/passord")
    assert _events("admin_password_reset")


def test_role_team_and_two_factor_change(factory, login):
    admin = factory.user("admin")
    worker = factory.user("ansatt")
    c = login(admin)
    r = c.post(f"/admin/brukere/{worker.id}", data={
        "name": "Ola Omplassert", "role": "teamleder", "team": str(factory.team_b.id),
        "require_totp": "y"})
    assert r.status_code == 302
    db.session.refresh(worker)
    assert (worker.role, worker.team_id, worker.totp_required) == (
        "teamleder", factory.team_b.id, True)
    detail = _events("admin_user_update")[0].detail
    assert "rolle: ansatt → teamleder" in detail and "Rusteam Nordstrand" in detail
    # The worker now has to set up two-factor before anything else.
    assert login(worker).get("/").headers["Location"].endswith("/konto/tofaktor")


def test_teams_create_and_rename(factory, login):
    c = login(factory.user("admin"))
    assert c.post("/admin/team", data={"name": "Rusteam Furuset"}).status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Rusteam Furuset"))
    assert team is not None
    r = c.post("/admin/team", data={"name": "rusteam furuset"})
    assert r.status_code == 422 and "finnes allerede" in r.get_data(as_text=True)
    assert c.post(f"/admin/team/{team.id}", data={"name": "Rusteam Furuset og Lindeberg"}
                  ).status_code == 302
    db.session.refresh(team)
    assert team.name == "Rusteam Furuset og Lindeberg"
    assert _events("admin_team_rename")[0].detail == \
        "Rusteam Furuset → Rusteam Furuset og Lindeberg"


def test_team_contact_is_edited_kept_on_error_and_audited(factory, login):
    c = login(factory.user("admin"))
    team = factory.team_a
    page = c.get(f"/admin/team/{team.id}").get_data(as_text=True)
    assert "Slik når personene teamet" in page and "«Din kartlegging»" in page
    too_long = "Ring oss på 21 80 21 80. " + "x" * 500
    r = c.post(f"/admin/team/{team.id}", data={"name": team.name, "contact": too_long})
    assert r.status_code == 422
    page = html.unescape(r.get_data(as_text=True))
    assert "Skriv høyst 500 tegn." in page and too_long in page  # what was typed is kept
    assert not _events("admin_team_contact")
    text = "  Ring 21 80 21 80, hverdager 08–15.  \n\n  Besøk: Trondheimsveien 1  "
    r = c.post(f"/admin/team/{team.id}", data={"name": team.name, "contact": text})
    assert r.status_code == 302
    db.session.refresh(team)
    assert team.contact == "Ring 21 80 21 80, hverdager 08–15.\nBesøk: Trondheimsveien 1"
    assert [e.detail for e in _events("admin_team_contact")] == [team.name]
    assert not _events("admin_team_rename")  # the name did not change
    # saving again without a change writes no event; emptying the field removes the text
    c.post(f"/admin/team/{team.id}", data={"name": team.name, "contact": team.contact})
    assert len(_events("admin_team_contact")) == 1
    c.post(f"/admin/team/{team.id}", data={"name": team.name, "contact": "  "})
    db.session.refresh(team)
    assert team.contact is None and len(_events("admin_team_contact")) == 2


def test_move_person_keeps_history_and_audit(factory, login):
    admin = factory.user("admin")
    worker_a = factory.user("ansatt", team=factory.team_a)
    worker_b = factory.user("ansatt", team=factory.team_b)
    person = factory.person(team=factory.team_a, contact=worker_a)
    kartlegging = factory.assessment(person, worker_a)
    # Team A has read the person: that audit row must survive the move.
    assert login(worker_a).get(f"/personer/{person.id}").status_code == 200
    before = len(list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.person_id == person.id))))
    c = login(admin)
    found = c.get(f"/admin/personer?nummer={person.national_id}").get_data(as_text=True)
    assert f"/admin/personer/{person.id}/flytt" in found
    r = c.post(f"/admin/personer/{person.id}/flytt", data={"team": str(factory.team_b.id),
                                                           "reason": ""})
    assert r.status_code == 422 and "hvorfor" in r.get_data(as_text=True)
    r = c.post(f"/admin/personer/{person.id}/flytt", data={
        "team": str(factory.team_b.id), "reason": "Dobbeltregistrert fødselsnummer"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).team_id == factory.team_b.id
    move = _events("person_move")[0]
    assert move.person_id == person.id and "Dobbeltregistrert" in move.detail
    assert "Rusteam Alna → Rusteam Nordstrand" in move.detail
    after = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.person_id == person.id)))
    assert len(after) > before  # nothing removed, the move added
    # The new team sees the person and the kartlegging; the old team gets 404.
    b = login(worker_b)
    assert b.get(f"/personer/{person.id}").status_code == 200
    assert b.get(f"/kartlegginger/{kartlegging.id}").status_code == 200
    assert login(worker_a).get(f"/personer/{person.id}").status_code == 404


def test_non_admins_get_403(factory, login):
    lead = factory.user("teamleder")
    c = login(lead)
    for url in ("/admin/brukere", "/admin/team", "/admin/personer", "/admin/brukere/ny"):
        assert c.get(url).status_code == 403
