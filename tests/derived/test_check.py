"""derived: one writer for each value stored for speed, and a check that recomputes them."""
from datetime import timedelta

from sqlalchemy import text

from kartlegging.clock import now_utc, today
from kartlegging.derived import check
from kartlegging.domain import due as due_rule
from kartlegging.extensions import db
from kartlegging.lead import overview
from kartlegging.models import NEVER_SIGNED, NO_RATING, Assessment, Person


def _person(factory, name="Per Test"):
    user = factory.user("ansatt", team=factory.team_a)
    return factory.person(name=name, contact=user), user


def test_a_signing_moved_back_moves_the_due_order_back(factory):
    # The demo seed used to sign today and move signed_at back afterwards: the due order
    # stayed at today, so the lists called the person «i rute» while the column said overdue.
    p, user = _person(factory)
    a = factory.signed(p, user)
    a.signed_at = now_utc() - timedelta(days=150)
    db.session.commit()
    db.session.refresh(p)
    assert p.due_order == a.signed_at
    assert check.find() == []


def test_orders_follow_corrections_deletions_and_moves_between_persons(factory):
    p, user = _person(factory)
    q, _ = _person(factory, "Kari Test")
    old = factory.signed(p, user, signed_at=now_utc() - timedelta(days=200))
    new = factory.signed(p, user, signed_at=now_utc() - timedelta(days=10))
    r = factory.rating(new, user)
    db.session.refresh(p)
    assert p.due_order == new.signed_at and p.quality_order == r.score
    new.person_id = q.id  # registered on the wrong person, moved
    r.person_id = q.id
    db.session.commit()
    db.session.refresh(p)
    db.session.refresh(q)
    assert p.due_order == old.signed_at and p.quality_order == NO_RATING
    assert q.due_order == new.signed_at and q.quality_order == r.score
    db.session.delete(r)
    db.session.commit()
    db.session.refresh(q)
    assert q.quality_order == NO_RATING
    assert check.find() == []


def test_drift_written_around_the_app_is_found_and_repaired(app, factory):
    p, user = _person(factory)
    a = factory.signed(p, user, signed_at=now_utc() - timedelta(days=130))
    r = factory.rating(a, user)
    db.session.execute(text("UPDATE person SET due_order = :d, quality_order = 1.5, name = 'Ny'"
                            " WHERE id = :id"), {"d": now_utc(), "id": p.id})
    db.session.execute(text("UPDATE assessment SET ip_outcome = 'tull' WHERE id = :id"),
                       {"id": a.id})
    db.session.execute(text("UPDATE assessment SET score = 6.5 WHERE id = :id"), {"id": r.id})
    db.session.commit()
    found = {d.what for d in check.find()}
    assert found == {"Person.due_order", "Person.quality_order", "PersonNameToken",
                     "Assessment.ip_outcome", "Assessment.score"}

    runner = app.test_cli_runner()
    res = runner.invoke(args=["derived", "check"])
    assert res.exit_code == 1
    assert "Avvik: Person.due_order" in res.output and "--repair" in res.output
    res = runner.invoke(args=["derived", "check", "--repair"])
    assert res.exit_code == 0, res.output
    assert "5 avvik rettet; 0 igjen." in res.output
    db.session.expire_all()
    assert check.find() == []
    assert db.session.get(Person, p.id).due_order == a.signed_at
    assert db.session.get(Assessment, a.id).ip_outcome != "tull"
    assert runner.invoke(args=["derived", "check"]).exit_code == 0


def test_never_signed_reads_back_as_none(factory):
    p, _ = _person(factory)
    assert p.due_order == NEVER_SIGNED and p.last_signing is None


def test_demo_seed_has_no_drift_and_its_counts_equal_its_lists(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    res = runner.invoke(args=["derived", "check"])
    assert res.exit_code == 0, res.output
    assert "Ingen avvik" in res.output
    team_id = db.session.scalar(db.select(Person.team_id).limit(1))
    interval = app.config["REASSESS_AFTER_DAYS"]
    counts = overview.summary_counts(team_id, today(), interval)
    everyone = overview.fetch(overview.Query(team_id=team_id, today=today(),
                                             interval_days=interval)).rows
    states = [r.due.state for r in everyone]
    assert counts["forfalt"] == states.count("forfalt") + states.count("aldri")
    assert counts["snart"] == states.count("snart") >= 1
    # The demo's back-dated signings are due: three overdue with a signed document to print.
    overdue_signed = [r for r in everyone if r.due.state == "forfalt"]
    assert len(overdue_signed) == 3 and all(r.signed_id for r in overdue_signed)
    # Each row's «Sist signert» column and its due state (from the stored order) agree.
    for r in everyone:
        assert r.due == due_rule.due(r.signed_at, today(), interval)
