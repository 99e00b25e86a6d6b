"""The follow-up overview as SQL: one row per person, a constant number of queries per page.

Each person's last signed kartlegging, current draft and last two livskvalitet ratings are
joined through correlated "newest id" subqueries (an index lookup per person on
(person_id, instrument_key, status); SQLite and PostgreSQL alike), for the page's persons only.
The next evaluation follows Person.due_order (the last signing, kept when a kartlegging is
signed), so the default order, the due filters and their counts walk the (team_id, due_order,
name, id) index and stop at the page; sorting by name walks the (team_id, name) index; a
kontaktperson's persons start from their open assignments; text search uses the name word
index (lead/name_hits.py). A page costs two queries (rows and count). `make bench` times it
with 1,000 and 100,000 persons.
"""
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache

from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import aliased

from ..domain import due as due_rule
from ..domain import ip_status, name_search
from ..domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from ..extensions import db
from ..models import (
    NEVER_SIGNED,
    NO_RATING,
    Assessment,
    ContactAssignment,
    Coordinator,
    Person,
    PersonNameToken,
    User,
)
from ..persons.operations import word_range
from . import name_hits

PER_PAGE = 50
# Bounded counts (the start page's team counts, a text search's hits) stop here: past it they
# read «over 1000» / «flere enn 1000 treff».
COUNT_CAP = 1000

# Filter "forfall" values.
DUE_FILTERS = {"forfalt": "Forfalt eller aldri kartlagt", "snart": "Forfaller innen 14 dager",
               "ok": "I rute"}
SORTS = ("navn", "kontakt", "signert", "utkast", "livskvalitet", "endring", "ip",
         "koordinator", "neste")


@dataclass
class Query:
    """What the user asked for; every field has been checked (see views.parse_query)."""
    team_id: int
    today: date
    interval_days: int
    q: str = ""
    forfall: str = ""            # "", forfalt, snart, ok
    utkast: bool = False         # only persons with a draft in progress
    ip: str = ""                 # an ip_status key
    kontakt: int | None = None   # kontaktperson user id
    uten_koordinator: bool = False
    person_ids: list[int] | None = None
    signed_from: date | None = None  # last signing on or after this Oslo date
    signed_to: date | None = None    # ... and on or before this one
    sort: str = "neste"
    desc: bool = False
    page: int = 1
    per_page: int = PER_PAGE


@dataclass
class Row:
    person_id: int
    name: str
    national_id: str | None
    contact_id: int | None
    contact_name: str | None
    signed_id: int | None
    signed_at: object
    draft_id: int | None
    draft_updated_at: object
    draft_by: str | None
    mean: float | None
    previous_mean: float | None
    ip: str
    has_coordinator: bool
    due: due_rule.Due

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return round(self.mean - self.previous_mean, 2)


@dataclass
class Page:
    rows: list[Row]
    total: int
    page: int
    per_page: int
    more: bool = False   # a text search with more than COUNT_CAP hits: total is COUNT_CAP
    pages: int = field(init=False)

    def __post_init__(self):
        self.pages = max(1, -(-self.total // self.per_page))


def _newest(alias, where, *, order, offset: int = 0):
    """Join condition: `alias` is the person's newest assessment matching `where`.

    The person and kind conditions come first so that both SQLite and PostgreSQL fetch the
    person's few candidate rows through the (person_id, instrument_key, status, signed_at)
    index; the correlated subquery then keeps the newest of them.
    """
    a = _inner(alias)
    newest_id = (select(a.id).where(a.person_id == Person.id, *[w(a) for w in where])
                 .order_by(*[o(a) for o in order]).limit(1).offset(offset)
                 .correlate(Person).scalar_subquery())
    return and_(alias.person_id == Person.id, *[w(alias) for w in where],
                alias.id == newest_id)


@cache
def _alias(model, name: str | None = None):
    """Aliases are built once per process: building them (with their column collections) cost
    more than the SQL of a page."""
    return aliased(model, name=name)


@cache
def _inner(outer):
    """The inner alias of `outer`'s correlated "newest id" subquery."""
    return aliased(Assessment)


# Which joined rows each filter and sort key reads (the count query joins only these).
SORT_NEEDS = {"navn": set(), "kontakt": {"contact"}, "signert": {"signed"},
              "utkast": {"draft"}, "livskvalitet": set(), "endring": {"r1", "r2"},
              "ip": {"signed"}, "koordinator": set(), "neste": set()}
ALL_JOINS = {"contact", "signed", "draft", "r1", "r2"}


def _filter_needs(query: Query) -> set[str]:
    needs = set()
    if query.ip:
        needs.add("signed")
    if query.utkast:
        needs.add("draft")
    return needs


def _statement(query: Query, purpose: str = "rows", page_ids=None, probe: bool = False):
    """purpose: "rows" (a page), "count" (filters only) or "ids" (filters and sort).

    `page_ids` (a subquery of ids) makes the rows query start from those persons alone, so
    that the joins run for one page whatever the planner would otherwise do. `probe` makes a
    name search walk the index of the page's order and probe each person's name words, instead
    of starting from (and sorting) every hit.
    """
    t = query.team_id
    needs = {"rows": ALL_JOINS, "count": _filter_needs(query),
             "ids": _filter_needs(query) | SORT_NEEDS[query.sort]}[purpose]
    kartlegging = [lambda a: a.instrument_key == KARTLEGGING]
    signed = _alias(Assessment, "signed")
    draft = _alias(Assessment, "draft")
    r1 = _alias(Assessment, "r1")
    r2 = _alias(Assessment, "r2")
    rating = [lambda a: a.instrument_key == LIVSKVALITET, lambda a: a.completed_at.is_not(None),
              lambda a: a.score.is_not(None)]
    by_completion = [lambda a: a.completed_at.desc(), lambda a: a.id.desc()]
    contact_user = _alias(User, "contact_user")
    draft_user = _alias(User, "draft_user")
    open_contact = _alias(ContactAssignment, "open_contact")
    has_coord = exists().where(Coordinator.person_id == Person.id,
                               Coordinator.ended_at.is_(None))
    has_coord_col = case((has_coord, 1), else_=0)

    ip_col = case(
        (signed.id.is_(None), literal(ip_status.NOT_ASSESSED)),
        (and_(signed.ip_decision.is_(None), signed.ip_outcome == ip_status.MET_OUTCOME),
         literal(ip_status.PROMPT_MET)),
        (signed.ip_decision.is_(None), literal(ip_status.NOT_ASSESSED)),
        (signed.ip_decision != "ja", literal(ip_status.ASSESSED_NO)),
        (and_(signed.ip_answer.is_(None), signed.ip_outcome == ip_status.HAS_PLAN_OUTCOME),
         literal(ip_status.HAS_PLAN)),
        (signed.ip_answer.is_(None), literal(ip_status.NOT_OFFERED)),
        (signed.ip_answer == "takket_ja", literal(ip_status.ACCEPTED)),
        (signed.ip_answer == "takket_nei", literal(ip_status.DECLINED)),
        else_=literal(ip_status.OFFERED))
    # Sorting by IP status follows the follow-up chain, not the alphabet.
    ip_rank = case(*[(ip_col == k, i) for i, k in enumerate(ip_status.STATUSES)], else_=99)
    change_col = r1.score - r2.score

    if purpose == "rows":
        stmt = select(Person.id, Person.name, Person.national_id, Person.due_order,
                      contact_user.id.label("contact_id"),
                      contact_user.name.label("contact_name"),
                      signed.id.label("signed_id"), signed.signed_at,
                      draft.id.label("draft_id"), draft.updated_at.label("draft_updated_at"),
                      draft_user.name.label("draft_by"),
                      r1.score.label("mean"), r2.score.label("previous_mean"),
                      ip_col.label("ip"), has_coord_col.label("has_coordinator"))
    elif purpose == "count":
        stmt = select(func.count(Person.id))
    else:
        stmt = select(Person.id)
    if page_ids is not None:
        stmt = stmt.select_from(page_ids).join(Person, Person.id == page_ids.c.id)
    else:
        stmt = stmt.select_from(Person)
    if query.kontakt is not None and page_ids is None:
        # A kontaktperson's persons: the planner starts from their open assignments (an index
        # range) and sorts those few, instead of walking the whole team in the page's order.
        mine = _alias(ContactAssignment, "mine")
        stmt = stmt.join(mine, and_(mine.person_id == Person.id, mine.user_id == query.kontakt,
                                    mine.ended_at.is_(None)))
    if "contact" in needs:
        stmt = (stmt.outerjoin(open_contact, and_(open_contact.person_id == Person.id,
                                                  open_contact.ended_at.is_(None)))
                .outerjoin(contact_user, contact_user.id == open_contact.user_id))
    signed_kind = [*kartlegging, lambda a: a.status == "signed"]
    draft_kind = [*kartlegging, lambda a: a.status == "draft"]
    if "signed" in needs:
        stmt = stmt.outerjoin(signed, _newest(signed, signed_kind, order=[
            lambda a: a.signed_at.desc(), lambda a: a.id.desc()]))
    if "draft" in needs:
        stmt = (stmt.outerjoin(draft, _newest(draft, draft_kind, order=[
            lambda a: a.updated_at.desc(), lambda a: a.id.desc()]))
            .outerjoin(draft_user, draft_user.id == draft.updated_by_id))
    if "r1" in needs:
        stmt = stmt.outerjoin(r1, _newest(r1, rating, order=by_completion))
    if "r2" in needs:
        stmt = stmt.outerjoin(r2, _newest(r2, rating, order=by_completion, offset=1))
    q = (query.q or "").strip()
    # A search's page starts from its hits (number or name word index, or the ids of a name
    # search's hits; `team_id + 0` keeps SQLite's planner from walking the whole team in the
    # page's order instead) and sorts only them.
    from_hits = purpose == "ids" and ((q and not probe) or query.person_ids is not None)
    stmt = stmt.where((Person.team_id + 0 if from_hits else Person.team_id) == t)

    # ------------------------------------------------------------------ filters
    last = Person.due_order
    # The rows of a page come from its ids, which the filters chose already.
    if page_ids is None:
        # Person.due_order is the newest signed kartlegging's signed_at, or NEVER_SIGNED (earlier
        # than any signing: never signed counts as overdue).
        cut = due_rule.cutoffs(query.today, query.interval_days)
        if query.forfall == "forfalt":
            stmt = stmt.where(last < cut.overdue_before)
        elif query.forfall == "snart":
            stmt = stmt.where(last >= cut.overdue_before, last < cut.soon_before)
        elif query.forfall == "ok":
            stmt = stmt.where(last >= cut.soon_before)
        if query.utkast:
            stmt = stmt.where(draft.id.is_not(None))
        if query.ip:
            stmt = stmt.where(ip_col == query.ip)
        if query.uten_koordinator:
            stmt = stmt.where(~has_coord)
        if query.signed_from is not None:
            stmt = stmt.where(last >= due_rule.start_of_day_utc(query.signed_from))
        if query.signed_to is not None:
            stmt = stmt.where(last > NEVER_SIGNED,
                              last < due_rule.start_of_day_utc(query.signed_to + timedelta(days=1)))
        if query.person_ids is not None:
            stmt = stmt.where(Person.id.in_(query.person_ids))
        if q:  # as the person search: 4+ digits begin the number, or every word begins a word
            digits = name_search.number_prefix(q)
            if digits:
                stmt = stmt.where(Person.national_id >= digits,
                                  Person.national_id < digits + name_search.TOP)
            words = [] if digits else name_search.tokens(q) or [""]
            if probe:
                stmt = stmt.where(*name_hits.every_word(words, Person.id))
            for word in ([] if probe else words):
                stmt = stmt.where(Person.id.in_(select(PersonNameToken.person_id).where(
                    *word_range(PersonNameToken, t, word))))

    # ------------------------------------------------------------------ sorting
    def nulls_last(col):
        return [case((col.is_(None), 1), else_=0), col.desc() if query.desc else col.asc()]

    # The next evaluation date follows the last signing: never signed is the most urgent.
    keys = {
        "navn": [],
        "kontakt": nulls_last(contact_user.name),
        "signert": nulls_last(signed.signed_at),
        "utkast": nulls_last(draft.updated_at),
        # Person.quality_order is the newest rating's mean (NO_RATING, above every mean, when
        # there is none): ascending, this is the order of the (team_id, quality_order, name,
        # id) index; descending keeps the unrated last.
        "livskvalitet": ([Person.quality_order] if not query.desc else
                         [case((Person.quality_order == NO_RATING, 1), else_=0),
                          Person.quality_order.desc()]),
        "endring": nulls_last(change_col),
        "ip": [ip_rank.desc() if query.desc else ip_rank.asc()],
        "koordinator": [has_coord_col.desc() if query.desc else has_coord_col.asc()],
        # Ascending, this is the order of the (team_id, due_order, name, id) index.
        "neste": [last.desc() if query.desc else last.asc()],
    }[query.sort]
    if purpose == "count":
        return stmt
    name_order = Person.name.desc() if query.desc and query.sort == "navn" else Person.name
    return stmt.order_by(*keys, name_order, Person.id)


# Sorts whose ascending order is an index of the team's persons (a name search with many hits
# walks it).
INDEX_SORTS = ("neste", "navn", "livskvalitet")


def _plain_name_search(query: Query) -> bool:
    """A name search and nothing else: its hits come from the name word index alone."""
    q = (query.q or "").strip()
    return bool(q) and not name_search.number_prefix(q) and not (
        query.forfall or query.utkast or query.ip or query.kontakt is not None
        or query.uten_koordinator or query.person_ids is not None
        or query.signed_from is not None or query.signed_to is not None)


def fetch(query: Query) -> Page:
    more, ids_stmt = False, None
    hits = (name_hits.first_hits(query.team_id, query.q.strip(), COUNT_CAP)
            if _plain_name_search(query) else None)
    if hits is not None:
        # A name search reads at most 2 × (COUNT_CAP + 1) rows of the name word index to
        # count its hits («flere enn 1000 treff» past the cap). Up to the cap the page sorts
        # those persons alone; past it, the page walks the index of its order and probes each
        # person's name words, so it reads about a page's worth whatever the team's size.
        more, total = len(hits) > COUNT_CAP, min(len(hits), COUNT_CAP)
        if not more:
            ids_stmt = _statement(replace(query, q="", person_ids=hits), "ids")
        elif query.sort in INDEX_SORTS and not query.desc:
            ids_stmt = _statement(query, "ids", probe=True)
    elif (query.q or "").strip():
        # A text search counts at most COUNT_CAP + 1 hits («flere enn 1000 treff»): a common
        # name in a large team is not counted out.
        total = bounded_count(query)
        more, total = total > COUNT_CAP, min(total, COUNT_CAP)
    else:
        total = db.session.scalar(_statement(query, "count"))
    page = max(1, query.page)
    # The page's ids are chosen with only the joins the filters and the sort need; the full
    # row (every column) is then built for those ids alone, in the same order.
    offset = (page - 1) * query.per_page
    # Past the cap a search shows the first COUNT_CAP hits, as its pages say.
    limit = max(0, min(query.per_page, total - offset)) if more else query.per_page
    if ids_stmt is None:
        ids_stmt = _statement(query, "ids")
    ids = ids_stmt.limit(limit).offset(offset).subquery("page_ids")
    rows = db.session.execute(_statement(query, page_ids=ids)).all()
    return Page(rows=[_row(r, query) for r in rows], total=total, page=page,
                per_page=query.per_page, more=more)


def person_ids(query: Query) -> list[int]:
    """Every matching person's id, in the overview's order (for printing a whole filter)."""
    return list(db.session.scalars(_statement(query, "ids")))


def _row(r, query: Query) -> Row:
    return Row(person_id=r.id, name=r.name, national_id=r.national_id,
               contact_id=r.contact_id, contact_name=r.contact_name, signed_id=r.signed_id,
               signed_at=r.signed_at, draft_id=r.draft_id, draft_updated_at=r.draft_updated_at,
               draft_by=r.draft_by, mean=r.mean, previous_mean=r.previous_mean, ip=r.ip,
               has_coordinator=bool(r.has_coordinator),
               due=due_of(r.due_order, query.today, query.interval_days))


def due_of(due_order, today: date, interval_days: int) -> due_rule.Due:
    """The due state from Person.due_order: the same stored value the filters, the counts and
    the print selections compare with, so a row never says otherwise than its filter."""
    return due_rule.due(None if due_order == NEVER_SIGNED else due_order, today, interval_days)


def bounded_count(query: Query, cap: int | None = None) -> int:
    """How many persons match, counting at most cap + 1 of them: the ids walk the index of the
    overview's order and stop there, so the cost does not grow with the team."""
    cap = COUNT_CAP if cap is None else cap
    ids = _statement(query, "ids").order_by(None).limit(cap + 1).subquery("bounded")
    return db.session.scalar(select(func.count()).select_from(ids))


def summary_counts(team_id: int, today: date, interval_days: int,
                   contact_id: int | None = None) -> dict[str, int]:
    """Counts for the start page: overdue (incl. never signed), due soon, no koordinator; each
    at most COUNT_CAP + 1 (more than COUNT_CAP is shown as «over 1000»)."""
    out = {}
    for key, kw in (("forfalt", {"forfall": "forfalt"}), ("snart", {"forfall": "snart"}),
                    ("uten_koordinator", {"uten_koordinator": True})):
        q = Query(team_id=team_id, today=today, interval_days=interval_days,
                  kontakt=contact_id, **kw)
        out[key] = bounded_count(q)
    return out
