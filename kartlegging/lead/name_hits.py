"""A name search's hits on the team lead's overview, read from the name word index alone.

The overview's text search stays as quick with 100,000 persons as with 1,000: it first learns
how many persons it finds, at most COUNT_CAP + 1 of them: the first query word's rows of the
(team_id, token, name, person_id) index, each further word probed on the person's own words
(primary key (person_id, token)).
A person with two words that begin with the prefix has two rows, so twice the needed rows are
read and the persons counted in Python; only when those rows hold too few distinct persons to
decide (a name search full of such persons) does the caller count the old way. What the page
then reads depends on the answer: at most COUNT_CAP hits are sorted by id, more are found by
walking the index of the page's order and probing each person's words until the page is full.
"""
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from ..domain import name_search
from ..extensions import db
from ..models import PersonNameToken
from ..persons.operations import word_range


def every_word(words: list[str], person_id) -> list:
    """Conditions: each of `words` begins a word of the name of `person_id` (a column): one
    probe of the primary key (person_id, token) per person and word. (No team condition: it
    would lead SQLite to the team's index, a range of every hit per probe; a person's words
    carry the person's team.)"""
    return [exists().where(u.person_id == person_id, u.token >= w,
                           u.token < w + name_search.TOP)
            for w in words for u in [aliased(PersonNameToken)]]


def first_hits(team_id: int, query: str, cap: int) -> list[int] | None:
    """Ids of persons whose name every word of `query` begins a word of: all of them when
    there are at most `cap`, else more than `cap` of them (in no order). None when the rows
    read hold too many repeated persons to tell (the caller then counts the old way)."""
    first, *rest = name_search.tokens(query) or [""]
    t = PersonNameToken
    limit = 2 * (cap + 1)
    rows = db.session.scalars(select(t.person_id).where(
        *word_range(t, team_id, first), *every_word(rest, t.person_id))
        .limit(limit)).all()
    hits = list(dict.fromkeys(rows))
    if len(rows) < limit or len(hits) > cap:
        return hits
    return None
