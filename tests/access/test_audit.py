"""The audit log: who read or changed what, for whom, when and from where; append-only."""
import csv
import glob
import io
import os
import re

import pytest
from sqlalchemy import delete, select, update
from test_access_matrix import MATRIX, ROLES, Scenario

from conftest import PASSWORD
from kartlegging.access.audit import ACTIONS, AppendOnly
from kartlegging.extensions import db
from kartlegging.models import AuditEvent

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IP = "10.20.30.40"


@pytest.fixture
def setup(app, factory):
    """An ansatt and a teamleder of team A (logged in from IP), a person, a filled draft."""
    staff = factory.user("ansatt", username="kari", name="Kari Ansatt")
    lead = factory.user("teamleder", username="lars", name="Lars Leder")
    person = factory.person(contact=staff, name="Ola Nordmann")
    a = factory.assessment(person, staff)
    return staff, lead, person, a


def client_for(app, user):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = IP
    r = c.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 302
    return c


def events(action=None, **kw):
    db.session.expire_all()
    q = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        q = q.where(AuditEvent.action == action)
    for k, v in kw.items():
        q = q.where(getattr(AuditEvent, k) == v)
    return list(db.session.scalars(q))


def last(action, **kw) -> AuditEvent:
    found = events(action, **kw)
    assert found, f"ingen {action}-hendelse"
    return found[-1]


def assert_who(e, user, person=None, obj=None):
    assert e.user_id == user.id and e.username == user.username
    assert e.remote_addr == IP
    assert e.at is not None
    if person is not None:
        assert e.person_id == person.id
    if obj is not None:
        assert (e.object_type, e.object_id) == (type(obj).__name__.lower(), obj.id)


# ---------------------------------------------------------------- what is logged

def test_login_and_failed_login(app, setup):
    staff, *_ = setup
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = IP
    c.post("/logg-inn", data={"username": "kari", "password": "feil-passord"})
    e = last("login_failed")
    assert e.user_id is None and e.username == "kari" and e.remote_addr == IP
    c.post("/logg-inn", data={"username": "ukjent-bruker", "password": "x"})
    assert last("login_failed").username == "ukjent-bruker"
    c.post("/logg-inn", data={"username": "kari", "password": PASSWORD})
    assert_who(last("login"), staff)
    c.post("/logg-ut")
    assert_who(last("logout"), staff)


def test_reading_a_person_and_an_assessment(app, setup):
    staff, _, person, a = setup
    c = client_for(app, staff)
    assert c.get(f"/personer/{person.id}").status_code == 200
    assert_who(last("person_view"), staff, person, person)
    assert c.get(f"/kartlegginger/{a.id}").status_code == 200
    assert_who(last("assessment_view"), staff, person, a)
    assert c.get(f"/kartlegginger/{a.id}/del/bolig").status_code == 200
    e = last("assessment_view")
    assert_who(e, staff, person, a)
    assert e.detail == "bolig"


def test_other_team_is_not_logged_as_a_read(app, setup, factory):
    """A 404 for another team's person reads nothing, so it logs no person_view."""
    *_, person, _ = setup
    outsider = factory.user("ansatt", team=factory.team_b)
    c = client_for(app, outsider)
    assert c.get(f"/personer/{person.id}").status_code == 404
    assert not events("person_view", person_id=person.id)


@pytest.mark.parametrize("path", ["/personer/{p}", "/kartlegginger/{a}",
                                  "/kartlegginger/{a}/del/bolig", "/personer/{p}/samtykker/ny"])
def test_other_team_attempt_is_logged_as_denied(app, setup, factory, path):
    """Still 404 (existence is not leaked), but the attempt is in the person's log."""
    *_, person, a = setup
    outsider = factory.user("ansatt", team=factory.team_b)
    c = client_for(app, outsider)
    url = path.format(p=person.id, a=a.id)
    assert c.get(url).status_code == 404
    e = last("access_denied", person_id=person.id)
    assert_who(e, outsider, person, person)
    assert e.detail == f"GET {url.split('?')[0]}"
    assert not events("person_view", person_id=person.id)
    assert c.get("/personer/999999").status_code == 404
    assert len(events("access_denied")) == 1   # an unknown id is no one's record


def test_saving_by_form_and_by_autosave(app, setup):
    staff, _, person, a = setup
    v = a.version
    c = client_for(app, staff)
    r = c.post(f"/kartlegginger/{a.id}/del/viktig",
               data={"version": str(v), "hva_er_viktig": "Å få bolig"})
    assert r.status_code == 302
    e = last("assessment_save")
    assert_who(e, staff, person, a)
    assert e.detail == "viktig"
    r = c.post(f"/kartlegginger/{a.id}/autolagre", json={
        "version": v + 1, "section": "viktig", "answers": {"hva_er_viktig": "Jobb"}})
    assert r.status_code == 200
    assert len(events("assessment_save", object_id=a.id)) == 2
    # A refused save is logged as such, not as a save.
    r = c.post(f"/kartlegginger/{a.id}/autolagre", json={
        "version": v, "section": "viktig", "answers": {"hva_er_viktig": "gammel"}})
    assert r.status_code == 409
    assert_who(last("assessment_conflict"), staff, person, a)
    assert len(events("assessment_save", object_id=a.id)) == 2


def test_signing_and_pdf_download(app, setup):
    staff, _, person, a = setup
    c = client_for(app, staff)
    r = c.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert_who(last("assessment_sign"), staff, person, a)
    r = c.get(f"/kartlegginger/{a.id}/pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert_who(last("pdf_download"), staff, person, a)


def test_handover_start_and_end(app, setup):
    staff, _, person, a = setup
    c = client_for(app, staff)
    assert c.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet").status_code == 302
    start = last("handover_start")
    assert_who(start, staff, person)
    assert start.object_type == "assessment" and start.object_id != a.id  # the rating
    c.post("/egenvurdering/avslutt", data={"password": "feil-passord"})
    assert_who(last("handover_end_failed"), staff, person)
    r = c.post("/egenvurdering/avslutt", data={"password": PASSWORD})
    assert r.status_code == 302
    end = last("handover_end")
    assert_who(end, staff, person)
    assert end.object_id == start.object_id


def test_consent_contact_and_coordinator_changes(app, setup):
    staff, lead, person, _ = setup
    c = client_for(app, staff)
    r = c.post(f"/personer/{person.id}/samtykker/ny", data={
        "categories": ["helse"], "direction": "til", "party_kind": "nav",
        "valid_from": "2026-01-01", "until_withdrawn": "y", "given_how": "muntlig"})
    assert r.status_code == 302
    consent_event = last("consent_create")
    assert_who(consent_event, staff, person)
    r = c.post(f"/samtykker/{consent_event.object_id}/trekk-tilbake",
               data={"withdrawn_on": "2026-02-01"})
    assert r.status_code == 302
    assert_who(last("consent_withdraw"), staff, person)
    assert c.post(f"/personer/{person.id}/kontaktperson",
                  data={"kontaktperson": str(lead.id)}).status_code == 302
    assert_who(last("contact_set"), staff, person)
    assert c.post(f"/personer/{person.id}/koordinator", data={
        "name": "Kari Koordinator", "service": "NAV", "since": "2026-01-01"}).status_code == 302
    assert_who(last("coordinator_set"), staff, person)


# ---------------------------------------------------------------- the log page and export

def test_log_page_is_for_team_leads_and_shows_the_events(app, setup, factory):
    staff, lead, person, a = setup
    other = factory.person(contact=staff, name="Annen Person")
    sc = client_for(app, staff)
    sc.get(f"/personer/{person.id}")
    sc.get(f"/personer/{other.id}")
    assert sc.get(f"/personer/{person.id}/logg").status_code == 403
    assert sc.get(f"/personer/{person.id}/logg.csv").status_code == 403
    admin = factory.user("admin", username="ada")
    for user in (lead, admin):
        r = client_for(app, user).get(f"/personer/{person.id}/logg")
        assert r.status_code == 200
        page = r.get_data(as_text=True)
        assert "Åpnet personens side" in page and "kari" in page and IP in page
        assert "Ola Nordmann" in page
        assert f"person {other.id}" not in page  # only this person's events
    assert_who(last("audit_view"), admin, person)
    outsider_lead = factory.user("teamleder", team=factory.team_b)
    assert client_for(app, outsider_lead).get(f"/personer/{person.id}/logg").status_code == 404


def test_csv_export(app, setup):
    staff, lead, person, a = setup
    c = client_for(app, staff)
    c.get(f"/personer/{person.id}")
    c.post(f"/kartlegginger/{a.id}/del/viktig",
           data={"version": str(a.version), "hva_er_viktig": "Bolig; og «arbeid»\nny linje"})
    n_before = len(events(person_id=person.id))
    r = client_for(app, lead).get(f"/personer/{person.id}/logg.csv")
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == \
        f'attachment; filename="logg-person-{person.id}.csv"'
    assert r.headers["Cache-Control"] == "no-store"
    text = r.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 with BOM
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["Tidspunkt (Oslo)", "Bruker", "Handling", "Objekt", "Fra adresse",
                       "Detalj"]
    body = rows[1:]
    assert len(body) == n_before
    assert all(len(row) == 6 for row in body)
    actions = [row[2] for row in body]
    assert "Åpnet personens side" in actions and "Lagret svar" in actions
    save = next(row for row in body if row[2] == "Lagret svar")
    assert save[1] == "kari" and save[4] == IP and save[3] == f"assessment {a.id}"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} kl\. \d\d:\d\d", save[0])
    assert_who(last("audit_export"), lead, person)


def test_every_recorded_action_has_a_norwegian_label():
    used = set()
    for path in glob.glob(os.path.join(ROOT, "kartlegging", "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as f:
            used |= set(re.findall(r"""audit\.record\(\s*["']([a-z_]+)["']""", f.read()))
    assert used, "fant ingen audit.record-kall"
    missing = sorted(used - set(ACTIONS))
    assert not missing, f"Handlinger uten norsk tekst i audit.ACTIONS: {missing}"


# ---------------------------------------------------------------- append-only

def test_no_route_can_update_or_delete(app):
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert not methods & {"PUT", "PATCH", "DELETE"}, rule
        if rule.endpoint.startswith("auditlog."):
            assert methods == {"GET"}, rule


def test_no_code_updates_or_deletes_audit_events():
    pattern = re.compile(r"(update|delete)\(\s*AuditEvent|AuditEvent\.__table__\.(update|delete)"
                         r"|AuditEvent\.query\.[^\n]*\.(update|delete)\(")
    found = []
    for path in glob.glob(os.path.join(ROOT, "kartlegging", "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if pattern.search(line):
                    found.append(f"{os.path.relpath(path, ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_orm_refuses_to_change_or_delete_an_event(app, setup):
    staff, *_ = setup
    c = client_for(app, staff)
    c.get("/")
    e = events("login")[-1]
    e.detail = "endret"
    with pytest.raises(AppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, e.id))
    with pytest.raises(AppendOnly):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AppendOnly):
        db.session.execute(update(AuditEvent).values(detail="x"))
    db.session.rollback()
    with pytest.raises(AppendOnly):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()
    with pytest.raises(AppendOnly):
        db.session.execute(AuditEvent.__table__.delete())
    db.session.rollback()
    assert db.session.get(AuditEvent, e.id).detail is None


def test_no_request_changes_or_removes_existing_events(app):
    """Every route, every role: the rows that were there before are there after, unchanged."""
    snapshot = {}
    for role in ROLES:
        sc = Scenario(app)
        client = sc.client(role)
        for (endpoint, method) in MATRIX:
            if endpoint == "auth.logout":
                continue  # would end this client's session for the routes that follow
            before = {e.id: (e.at, e.user_id, e.action, e.person_id, e.detail)
                      for e in events()}
            snapshot.update(before)
            client.open(sc.url(endpoint), method=method,
                        **sc.request_kwargs(endpoint, method, role, client)).close()
            after = {e.id: (e.at, e.user_id, e.action, e.person_id, e.detail)
                     for e in events()}
            gone = {k: v for k, v in before.items() if after.get(k) != v}
            assert not gone, (role, endpoint, method, gone)
    assert len(snapshot) > 50
