"""Time the team lead's overview over many persons (default 100,000) on SQLite or PostgreSQL.

    python bench/lead_overview.py [N] [DATABASE_URL]

Builds a throw-away database (SQLite file in /tmp unless a URL is given) with N persons in one
team, each with a kontaktperson, a signed kartlegging, a draft for every third and two
livskvalitet ratings, then times one page of the overview for each sort key and filter.
"""
import os
import random
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, text  # noqa: E402

from config import TestConfig  # noqa: E402
from kartlegging import create_app  # noqa: E402
from kartlegging.clock import now_utc  # noqa: E402
from kartlegging.extensions import db  # noqa: E402
from kartlegging.lead import overview  # noqa: E402
from kartlegging.models import (  # noqa: E402
    Assessment,
    ContactAssignment,
    Coordinator,
    Person,
    Team,
    User,
)


def build(n: int) -> tuple[int, int]:
    db.create_all()
    team = Team(name="Bench")
    db.session.add(team)
    db.session.flush()
    users = [User(username=f"u{i}", name=f"Ansatt {i:02d}", password_hash="x", role="ansatt",
                  team_id=team.id) for i in range(20)]
    db.session.add_all(users)
    db.session.commit()
    uid = [u.id for u in users]
    rnd = random.Random(1)
    now = now_utc()
    chunk = 5000
    for start in range(0, n, chunk):
        ids = range(start + 1, min(n, start + chunk) + 1)
        db.session.execute(insert(Person), [dict(id=i, team_id=team.id, name=f"Person {i:06d}",
                                                  created_by_id=uid[0], version=1,
                                                  created_at=now) for i in ids])
        db.session.execute(insert(ContactAssignment), [dict(
            person_id=i, user_id=uid[i % 20], recorded_by_id=uid[0], started_at=now)
            for i in ids])
        db.session.execute(insert(Coordinator), [dict(
            person_id=i, name="K", service="NAV", since=date(2026, 1, 1),
            recorded_by_id=uid[0], recorded_at=now) for i in ids if i % 4 == 0])
        rows = []
        for i in ids:
            base = dict(person_id=i, answers={}, created_by_id=uid[0], updated_by_id=uid[0],
                        created_at=now, updated_at=now, version=1, rated_by_person=False)
            rows.append(dict(base, instrument_key="alna-kartlegging", instrument_version=2,
                             status="signed", signed_at=now - timedelta(days=rnd.randint(0, 300)),
                             ip_outcome="oppfylt", ip_decision="ja",
                             ip_answer=rnd.choice(["takket_ja", "takket_nei", "ikke_svart"])))
            if i % 3 == 0:
                rows.append(dict(base, instrument_key="alna-kartlegging", instrument_version=2,
                                 status="draft"))
            for k in range(2):
                rows.append(dict(base, instrument_key="livskvalitet", instrument_version=1,
                                 status="draft", score=round(rnd.uniform(1, 7), 2),
                                 completed_at=now - timedelta(days=100 - 50 * k)))
        db.session.execute(insert(Assessment), rows)
        db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()
    return team.id, uid[3]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    url = sys.argv[2] if len(sys.argv) > 2 else "sqlite:////tmp/kartlegging-bench.db"
    if url.startswith("sqlite:////") and os.path.exists(url[10:]):
        os.remove(url[10:])

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
    app = create_app(Cfg)
    with app.app_context():
        t0 = time.perf_counter()
        team_id, contact = build(n)
        print(f"{n} personer bygget på {time.perf_counter() - t0:.1f} s ({db.engine.dialect.name})")
        cases = [("neste", {}), ("navn", {}), ("livskvalitet", {}), ("endring", {}),
                 ("ip", {}), ("neste", {"forfall": "forfalt"}), ("neste", {"forfall": "snart"}),
                 ("neste", {"uten_koordinator": True}), ("neste", {"kontakt": contact}),
                 ("neste", {"ip": "takket_nei"}), ("navn", {"q": "Person 0999"}),
                 ("neste", {"page": 500})]
        for sort, kw in cases:
            q = overview.Query(team_id=team_id, today=date.today(), interval_days=120,
                               sort=sort, **kw)
            t0 = time.perf_counter()
            page = overview.fetch(q)
            ms = (time.perf_counter() - t0) * 1000
            print(f"  {sort:<13} {str(kw):<28} {page.total:>7} treff  {ms:7.0f} ms")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
