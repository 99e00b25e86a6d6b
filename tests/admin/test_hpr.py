"""The admin sets a user's HPR-nummer; a wrong one is refused and what was typed kept."""
from sqlalchemy import select

from kartlegging.extensions import db
from kartlegging.models import AuditEvent, User


def _form(user, **changes):
    data = {"name": user.name, "role": user.role, "team": str(user.team_id), "hpr_nummer": ""}
    data.update(changes)
    return data


def test_admin_sets_and_clears_the_hpr_nummer(factory, login):
    admin = factory.user("admin")
    worker = factory.user("ansatt", name="Hanne Helse")
    c = login(admin)
    assert "HPR-nummer" in c.get(f"/admin/brukere/{worker.id}").get_data(as_text=True)
    r = c.post(f"/admin/brukere/{worker.id}", data=_form(worker, hpr_nummer="9 144 889"))
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, worker.id).hpr_nummer == "9144889"
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "admin_user_update")).all()[-1]
    assert "HPR-nummer: ingen → 9144889" in event.detail
    page = c.get(f"/admin/brukere/{worker.id}").get_data(as_text=True)
    assert 'value="9144889"' in page
    r = c.post(f"/admin/brukere/{worker.id}", data=_form(worker, hpr_nummer=""))
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, worker.id).hpr_nummer is None


def test_a_wrong_hpr_nummer_is_refused_and_kept(factory, login):
    admin = factory.user("admin")
    worker = factory.user("ansatt", name="Hanne Helse")
    c = login(admin)
    r = c.post(f"/admin/brukere/{worker.id}", data=_form(worker, hpr_nummer="91A4889",
                                                           name="Hanne Ny"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "HPR-nummeret kan bare ha siffer." in page
    assert 'value="91A4889"' in page and 'value="Hanne Ny"' in page
    db.session.expire_all()
    assert db.session.get(User, worker.id).hpr_nummer is None
