"""The one writer of Person.due_order and Person.quality_order, and the mapper events that
call it whenever an assessment changes in a way that can move them.

Both are recomputed from the assessment rows, never nudged: a signing moved back in time, a
correction, a rating deleted or an assessment moved to another person all land on the same
value a fresh computation gives. One UPDATE with correlated subqueries, so it runs inside the
flush that changed the rows (from the events below) as well as over a whole table. The events
are registered when this module is imported, which the package does on import.
"""
from sqlalchemy import event, func, inspect, select, update

from ..domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from ..models import NEVER_SIGNED, NO_RATING, Assessment, Person

_person = Person.__table__
_assessment = Assessment.__table__


def due_order_of(person_id):
    """The newest signing of the person's kartlegging, or NEVER_SIGNED (SQL expression)."""
    a = _assessment.alias("signed_k")
    newest = (select(func.max(a.c.signed_at))
              .where(a.c.person_id == person_id, a.c.instrument_key == KARTLEGGING,
                     a.c.status == "signed")
              .scalar_subquery())
    return func.coalesce(newest, NEVER_SIGNED)


def quality_order_of(person_id):
    """The mean of the person's newest completed rating (completed_at, then id: the same
    "newest" as the overview's), or NO_RATING (SQL expression)."""
    r = _assessment.alias("rating_k")
    newest = (select(r.c.score)
              .where(r.c.person_id == person_id, r.c.instrument_key == LIVSKVALITET,
                     r.c.completed_at.is_not(None), r.c.score.is_not(None))
              .order_by(r.c.completed_at.desc(), r.c.id.desc()).limit(1).scalar_subquery())
    return func.coalesce(newest, NO_RATING)


def refresh(connection, person_ids=None) -> None:
    """Recompute both orders for these persons (every person when None)."""
    stmt = update(_person).values(due_order=due_order_of(_person.c.id),
                                  quality_order=quality_order_of(_person.c.id))
    if person_ids is not None:
        ids = sorted({i for i in person_ids if i is not None})
        if not ids:
            return
        stmt = stmt.where(_person.c.id.in_(ids))
    connection.execute(stmt)


def stored_and_expected(connection):
    """(person id, stored due, expected due, stored quality, expected quality) of every person."""
    p = _person
    return connection.execute(select(p.c.id, p.c.due_order, due_order_of(p.c.id),
                                     p.c.quality_order, quality_order_of(p.c.id))
                              .order_by(p.c.id)).all()


# Changes to these columns can move a person's due_order or quality_order.
_ORDER_INPUTS = ("person_id", "instrument_key", "status", "signed_at", "completed_at", "score")


def _refresh_orders(connection, person_ids) -> None:
    person_ids = set(person_ids)
    if person_ids:
        refresh(connection, person_ids)


def _counts_for_orders(a) -> bool:
    return a.status == "signed" or a.completed_at is not None


@event.listens_for(Assessment, "after_insert")
def _orders_after_insert(mapper, connection, a):
    if _counts_for_orders(a):  # a new draft changes no order (most inserts)
        _refresh_orders(connection, {a.person_id})


@event.listens_for(Assessment, "after_update")
def _orders_after_update(mapper, connection, a):
    state = inspect(a)
    changed = [state.attrs[k].history for k in _ORDER_INPUTS]
    if any(h.has_changes() for h in changed):
        # A move to another person changes the orders of both persons.
        _refresh_orders(connection, {a.person_id, *state.attrs.person_id.history.deleted})


@event.listens_for(Assessment, "after_delete")
def _orders_after_delete(mapper, connection, a):
    _refresh_orders(connection, {a.person_id})
