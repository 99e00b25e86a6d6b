"""Scale: the person list, searches, a person's page and the team lead's overview with 1,000 and
100,000 persons. p95 per page, growth ratio, SQL statements per page (in-process test client)."""
from .measure import count_queries, percentile, timed

RUNS = 30


def pages(ids: dict, app) -> dict:
    out = {"Personliste": "/", "Navnesøk": f"/?q={ids['name_query']}",
           "Nummersøk": f"/?q={ids['number_query']}",
           "Personside": f"/personer/{ids['person_id']}"}
    if "lead.index" in app.view_functions:  # the team lead's overview (issue 16)
        out.update({"Oppfølging, neste evaluering": "/oppfolging",
                    "Oppfølging, navn": "/oppfolging?sorter=navn",
                    "Oppfølging, livskvalitet": "/oppfolging?sorter=livskvalitet",
                    "Oppfølging, forfalte": "/oppfolging?forfall=forfalt",
                    "Oppfølging, navnesøk": f"/oppfolging?q={ids['name_query']}"})
    return out


def login(app, username, password):
    c = app.test_client()
    r = c.post("/logg-inn", data={"username": username, "password": password})
    assert r.status_code == 302, f"innlogging feilet for {username}: {r.status_code}"
    return c


def measure(app, ids: dict, password: str, runs: int = RUNS) -> dict:
    """{page: {"p95_ms", "queries"}} for one database size."""
    from kartlegging.extensions import db
    app.config["WTF_CSRF_ENABLED"] = False
    c = login(app, ids["lead"], password)
    result = {}
    with app.app_context():
        engine = db.engine
    for name, path in pages(ids, app).items():
        r = c.get(path)
        assert r.status_code == 200, f"{path}: {r.status_code}"
        with count_queries(engine) as n:
            c.get(path)
        times = timed(lambda p=path: c.get(p), runs)
        result[name] = {"p95_ms": percentile(times, 95), "queries": n[0]}
    return result
