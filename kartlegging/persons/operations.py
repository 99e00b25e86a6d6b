"""Domain operations on persons: registration, fast kontaktperson and koordinator."""
from sqlalchemy import literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..clock import now_utc
from ..domain import name_search
from ..domain.instrument_types import Instrument
from ..extensions import db
from ..models import ContactAssignment, Coordinator, Person, PersonNameToken, User


class DuplicatePerson(ValueError):
    """The number is registered already, in this team or another. The message is the same
    either way, so it does not tell who receives services in another team."""
    message = ("Dette nummeret kan ikke registreres på nytt. Finnes personen i teamet ditt, "
               "søk den opp i personlisten. Finnes den ikke der, kontakt administrator, som "
               "kan flytte personen til teamet ditt.")

    def __init__(self, person_id: int | None):
        super().__init__(self.message)
        self.person_id = person_id


def _holder(national_id: str) -> int | None:
    return db.session.scalar(select(Person.id).where(Person.national_id == national_id))


def create_person(*, team_id: int, name: str, national_id: str | None, birth_date,
                  no_id_reason: str | None, contact_user_id: int, by: User) -> Person:
    if national_id and (holder := _holder(national_id)):
        raise DuplicatePerson(holder)
    person = Person(team_id=team_id, name=name.strip(), national_id=national_id,
                    birth_date=birth_date, no_id_reason=(no_id_reason or None) and
                    no_id_reason.strip(), created_by_id=by.id)
    db.session.add(person)
    try:
        db.session.flush()
    except IntegrityError:  # registered by someone else a moment ago
        db.session.rollback()
        raise DuplicatePerson(_holder(national_id) if national_id else None) from None
    db.session.add(ContactAssignment(person_id=person.id, user_id=contact_user_id,
                                     recorded_by_id=by.id))
    return person


def team_users(team_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.team_id == team_id, User.active.is_(True)).order_by(User.name)))


def current_contact(person_id: int) -> ContactAssignment | None:
    return db.session.scalar(select(ContactAssignment).where(
        ContactAssignment.person_id == person_id, ContactAssignment.ended_at.is_(None)))


def contact_history(person_id: int) -> list[ContactAssignment]:
    return list(db.session.scalars(select(ContactAssignment).where(
        ContactAssignment.person_id == person_id).order_by(ContactAssignment.started_at.desc(),
                                                             ContactAssignment.id.desc())))


def set_contact(person: Person, user_id: int, by: User) -> ContactAssignment:
    """Exactly one kontaktperson: the open assignment is closed before a new one opens."""
    now = now_utc()
    current = current_contact(person.id)
    if current and current.user_id == user_id:
        return current
    if current:
        current.ended_at = now
    new = ContactAssignment(person_id=person.id, user_id=user_id, started_at=now,
                            recorded_by_id=by.id)
    db.session.add(new)
    return new


def current_coordinator(person_id: int) -> Coordinator | None:
    return db.session.scalar(select(Coordinator).where(
        Coordinator.person_id == person_id, Coordinator.ended_at.is_(None)))


def set_coordinator(person: Person, *, name: str, service: str, since, by: User) -> Coordinator:
    current = current_coordinator(person.id)
    if current:
        current.ended_at = now_utc()
    new = Coordinator(person_id=person.id, name=name.strip(), service=service.strip(),
                      since=since, recorded_by_id=by.id)
    db.session.add(new)
    return new


LEGACY_REMINDER = ("Ingen koordinator er registrert for personen. Informer om retten til "
                   "koordinator (helse- og omsorgstjenesteloven § 7-2) og hvordan koordinator "
                   "kan nås.")


def coordinator_reminders(person_id: int, instrument: Instrument, derived: list) -> list[str]:
    """Reminders about the right to a koordinator, when none is recorded.

    An instrument version that declares `reminder: {unless: koordinator}` on a derived prompt
    reminds only when that prompt's outcome calls for it (v3: the koordinator prompt says
    "tilby"). Older versions declare none and keep their reminder beside the IP prompt.
    """
    if current_coordinator(person_id) is not None:
        return []
    if not any(d.get("reminder") for d in instrument.derived):
        return [LEGACY_REMINDER] if any(d.id == "ip" for d in derived) else []
    return [d.reminder["text"] for d in derived
            if d.reminder and d.reminder["unless"] == "koordinator"]


SEARCH_LIMIT = 100


# A name word's prefix matching up to this many different words is read word by word, each in
# name order from the index; more (a very short prefix) sorts the hits.
SEARCH_WORDS = 20


def word_range(token, team_id: int, word: str) -> list:
    """`token` (PersonNameToken or an alias) is a word of a name in the team beginning `word`."""
    return [token.team_id == team_id, token.token >= word, token.token < word + name_search.TOP]


def _words(team_id: int, prefix: str, n: int) -> list[str]:
    """The first n different name words of the team beginning `prefix`, in order: a skip scan,
    one index probe per word (a recursive query), so a prefix that thousands of names share is
    not read name by name to find its few words, however large the team grows."""
    top = prefix + name_search.TOP

    def next_word(after):
        t = aliased(PersonNameToken)
        return (select(t.token).where(t.team_id == team_id, *after(t), t.token < top)
                .order_by(t.token).limit(1).scalar_subquery())
    found = select(next_word(lambda t: [t.token >= prefix]).label("token"),
                   literal(1).label("n")).cte("words", recursive=True)
    found = found.union_all(
        select(next_word(lambda t: [t.token > found.c.token]), found.c.n + 1)
        .where(found.c.token.is_not(None), found.c.n < n))
    return list(db.session.scalars(select(found.c.token).where(found.c.token.is_not(None))
                                   .order_by(found.c.n)))


def search(team_id: int, query: str | None, limit: int | None = None) -> list[Person]:
    """The team's persons by name, or those matching a query: every word of it must begin a word
    of the name, or 4+ digits begin the identity number. Index-backed on both databases.

    At most limit + 1 persons come back, in name order (one more than a page shows tells the
    view there are more); the hits are never counted. A name search reads the first query
    word's hits from the (team_id, token, name, person_id) index: each name word that the
    prefix matches gives its first limit + 1 persons already in name order, and only those are
    merged, so a common name costs the same in a team of 1,000 or of 100,000. A number search
    reads the number index (`team_id + 0` keeps SQLite's planner off the team's indexes)."""
    limit = SEARCH_LIMIT if limit is None else limit
    q = (query or "").strip()
    digits = name_search.number_prefix(q) if q else None
    if not q or digits:
        stmt = select(Person.id).where((Person.team_id + 0 if q else Person.team_id) == team_id)
        if digits:
            stmt = stmt.where(Person.national_id >= digits,
                              Person.national_id < digits + name_search.TOP)
        ids = stmt.order_by(Person.name, Person.id).limit(limit + 1).subquery("hits")
        return list(db.session.scalars(select(Person).join(ids, ids.c.id == Person.id)
                                       .order_by(Person.name, Person.id)))
    first, *rest = name_search.tokens(q) or [""]
    t = PersonNameToken
    # Every further word must begin another word of the same name.
    also = [t.person_id.in_(select(u.person_id).where(*word_range(u, team_id, w)))
            for w in rest for u in [aliased(PersonNameToken)]]
    words = _words(team_id, first, SEARCH_WORDS + 1)
    if len(words) <= SEARCH_WORDS:
        parts = [select(t.person_id, t.name).where(t.team_id == team_id, t.token == w, *also)
                 .order_by(t.name, t.person_id).limit(limit + 1) for w in words]
    else:
        parts = [select(t.person_id, t.name).where(*word_range(t, team_id, first), *also)]
    if not parts:
        return []
    hits = union_all(*[p.subquery().select() for p in parts]).subquery("hits")
    # A person whose name has two words with the prefix comes once (grouped by person).
    page = (select(hits.c.person_id).group_by(hits.c.person_id, hits.c.name)
            .order_by(hits.c.name, hits.c.person_id).limit(limit + 1)).subquery("page")
    return list(db.session.scalars(select(Person).join(page, page.c.person_id == Person.id)
                                   .where(Person.team_id + 0 == team_id)  # from the page
                                   .order_by(Person.name, Person.id)))
