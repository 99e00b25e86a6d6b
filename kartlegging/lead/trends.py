"""Anonymised livskvalitet trends and the levekårsindeks distribution per quarter.

Only aggregates over groups of at least 5 persons are shown (domain/suppression.py); each
person counts once per quarter (their last rating, or their last signed kartlegging, in that
quarter). Quarters are the only time unit; no names, numbers or dates leave this module.

Only quarters that have ended are shown: the running quarter's figures change with each new
rating or signing, so two exports a few days apart would differ by one person's score or index.
"""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from ..domain.due import local_date, start_of_day_utc
from ..domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from ..domain.instruments import Registry
from ..domain.rules import Evaluator
from ..domain.suppression import complement_order, mean_or_none, suppress_counts
from ..extensions import db
from ..models import Assessment, Person

QUARTERS = 8
INDEX_ORDER = ("gronn", "gul", "rod", "blalys", "ikke_vurdert")


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_label(q: tuple[int, int]) -> str:
    return f"{q[1]}. kv. {q[0]}"


def ended_quarters(today: date, n: int = QUARTERS) -> list[tuple[int, int]]:
    """The `n` quarters before the one `today` is in, oldest first."""
    year, quarter = quarter_of(today)
    year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    out = []
    for _ in range(n):
        out.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return out[::-1]


def _quarter_start(q: tuple[int, int]) -> date:
    return date(q[0], 3 * (q[1] - 1) + 1, 1)


def _latest_per_person_and_quarter(team_id: int, key: str, when_col,
                                   quarters: list[tuple[int, int]], *extra):
    """(assessment, Oslo quarter) for each person's last assessment per quarter, over
    `quarters` (consecutive) and nothing after them."""
    since = _quarter_start(quarters[0])
    last_year, last_quarter = quarters[-1]
    until = (date(last_year + 1, 1, 1) if last_quarter == 4
             else date(last_year, 3 * last_quarter + 1, 1))
    a = Assessment
    rows = db.session.execute(
        select(a).join(Person, Person.id == a.person_id)
        .where(Person.team_id == team_id, a.instrument_key == key,
               when_col >= start_of_day_utc(since), when_col < start_of_day_utc(until),
               *extra)
        .order_by(a.person_id, when_col, a.id)).scalars()
    last: dict[tuple[int, tuple[int, int]], Assessment] = {}
    for row in rows:
        when = getattr(row, when_col.key)
        last[(row.person_id, quarter_of(local_date(when)))] = row
    return last


@dataclass
class LivskvalitetTrend:
    quarters: list[tuple[int, int]]
    areas: list[tuple[str, str]]                      # (item id, short label)
    persons: dict[tuple[int, int], int | None]        # None: under 5
    overall: dict[tuple[int, int], float | None]
    by_area: dict[str, dict[tuple[int, int], float | None]]


def livskvalitet(team_id: int, today: date, registry: Registry) -> LivskvalitetTrend:
    quarters = ended_quarters(today)
    inst = registry.latest(LIVSKVALITET)
    spec = inst.scores[0] if inst.scores else {"mean_of": []}
    areas = [(i, inst.items[i].short_label) for i in spec["mean_of"]]
    latest = _latest_per_person_and_quarter(
        team_id, LIVSKVALITET, Assessment.completed_at, quarters,
        Assessment.completed_at.is_not(None))
    scores: dict = {q: [] for q in quarters}
    values: dict = {i: {q: [] for q in quarters} for i, _ in areas}
    for (_, q), a in latest.items():
        if q not in scores:
            continue
        if a.score is not None:
            scores[q].append(a.score)
        ev = Evaluator(registry.get(a.instrument_key, a.instrument_version), a.answers)
        for item_id, _ in areas:
            if item_id not in ev.instrument.items:
                continue
            v = ev.value(item_id)
            if isinstance(v, int) and not isinstance(v, bool):
                values[item_id][q].append(v)
    return LivskvalitetTrend(
        quarters=quarters, areas=areas,
        persons={q: len(scores[q]) if len(scores[q]) >= 5 else None for q in quarters},
        overall={q: mean_or_none(scores[q]) for q in quarters},
        by_area={i: {q: mean_or_none(values[i][q]) for q in quarters} for i, _ in areas})


@dataclass
class IndexDistribution:
    quarters: list[tuple[int, int]]
    labels: dict[str, str]
    cells: dict[tuple[int, int], dict[str, int | str]]
    totals: dict[tuple[int, int], int | str]


def levekarsindeks(team_id: int, today: date, registry: Registry) -> IndexDistribution:
    quarters = ended_quarters(today)
    inst = registry.latest(KARTLEGGING)
    spec = next((d for d in inst.derived if d["id"] == "levekarsindeks"), {"outcomes": []})
    labels = {o["id"]: o["text"] for o in spec["outcomes"]}
    order = [k for k in INDEX_ORDER if k in labels] + [k for k in labels if k not in INDEX_ORDER]
    latest = _latest_per_person_and_quarter(
        team_id, KARTLEGGING, Assessment.signed_at, quarters,
        Assessment.status == "signed")
    counts = {q: dict.fromkeys(order, 0) for q in quarters}
    for (_, q), a in latest.items():
        if q not in counts:
            continue
        ainst = registry.get(a.instrument_key, a.instrument_version)
        if not any(d["id"] == "levekarsindeks" for d in ainst.derived):
            continue
        outcome = Evaluator(ainst, a.answers).derived("levekarsindeks").outcome
        counts[q][outcome] = counts[q].get(outcome, 0) + 1
    # the complementary cells are chosen in an order only the server knows (the app's secret
    # key), one order per team and quarter, so replaying the rule cannot narrow a hidden cell
    key = str(current_app.secret_key).encode()
    cells, totals = {}, {}
    for q in quarters:
        order = complement_order(key, f"levekarsindeks {team_id} {q[0]}-{q[1]}", counts[q])
        cells[q], totals[q] = suppress_counts(counts[q], order=order)
    return IndexDistribution(quarters=quarters, labels={k: labels[k] for k in order},
                             cells=cells, totals=totals)
