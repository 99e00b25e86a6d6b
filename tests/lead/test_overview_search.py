"""The overview's name search gives the same persons in the same order, and the same «flere
enn» bound, whichever way it reads them (its hits sorted up to the cap, the page's
order walked past it, or counted the old way when repeated words leave it undecided)."""
import random
from datetime import date, datetime, timedelta

import pytest

from kartlegging.extensions import db
from kartlegging.lead import name_hits, overview
from kartlegging.models import Person

NAMES = ["Kari Hansen", "Hans Hansen", "Hanne Hanssen", "Ola Olsen", "Kari Olsen",
         "Anne-Kari Berg", "Per Hansen Berg", "Åse Øvrebø", "Hanne Kari Hansen"]


@pytest.fixture
def persons(app, factory):
    rnd = random.Random(7)
    staff = [factory.user("ansatt"), factory.user("ansatt")]
    for k in range(40):
        p = factory.person(name=rnd.choice(NAMES), contact=staff[k % 2])
        if rnd.random() < 0.7:
            factory.signed(p, staff[0], signed_at=datetime(2026, 1, 1)
                           + timedelta(days=rnd.randint(0, 300)))
        if rnd.random() < 0.4:
            factory.rating(factory.assessment(p, staff[1], filled=False), staff[1])
    # In the other team, persons with three words beginning "hans": their rows alone fill
    # what the hits' count reads.
    for name in ("Hans Hansen Hanssen", "Hans Hansen Hanssen", "Hanssen Per"):
        factory.person(name=name, team=factory.team_b)
    return staff[0].team_id, factory.team_b.id


def expected(query: overview.Query, cap: int):
    every = overview.person_ids(query)  # every hit, sorted: what a page used to be cut from
    start = (query.page - 1) * query.per_page
    return (min(len(every), cap), len(every) > cap,
            every[:cap][start:start + query.per_page])


@pytest.mark.parametrize("cap", [2, 7, 1000])
def test_pages_and_counts_are_those_of_every_hit_sorted(persons, monkeypatch, cap):
    team, _ = persons
    monkeypatch.setattr(overview, "COUNT_CAP", cap)
    walked = 0
    for q in ("han", "hansen", "kari han", "han han", "olsen", "øvre", "--", "zzz"):
        for sort in overview.SORTS:
            for desc in (False, True):
                for page in (1, 2, 4):
                    query = overview.Query(team_id=team, today=date(2026, 11, 1),
                                           interval_days=120, q=q, sort=sort, desc=desc,
                                           page=page, per_page=3)
                    got = overview.fetch(query)
                    total, more, ids = expected(query, cap)
                    assert (got.total, got.more, [r.person_id for r in got.rows]) == (
                        total, more, ids), (q, sort, desc, page)
                    walked += more and sort in overview.INDEX_SORTS and not desc
    assert walked or cap == 1000  # the walk of the page's order was compared too


def test_repeated_words_undecided_count_the_old_way(persons, monkeypatch):
    _, other = persons
    # 2 × (cap + 1) = 6 rows, all of the first two persons: too few persons to tell
    assert name_hits.first_hits(other, "hans", 2) is None
    assert sorted(name_hits.first_hits(other, "hans", 3)) == sorted(db.session.scalars(
        db.select(Person.id).where(Person.team_id == other)))
    monkeypatch.setattr(overview, "COUNT_CAP", 2)
    query = overview.Query(team_id=other, today=date(2026, 11, 1), interval_days=120,
                           q="hans", sort="navn")
    got = overview.fetch(query)
    assert (got.total, got.more) == (2, True)
    assert [r.person_id for r in got.rows] == expected(query, 2)[2]
    assert [r.name for r in got.rows] == ["Hans Hansen Hanssen", "Hans Hansen Hanssen"]
