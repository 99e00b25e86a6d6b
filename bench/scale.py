"""Scale: the person list, searches, a person's page and the team lead's overview with 1,000 and
100,000 persons. p95 per page, growth ratio, SQL statements and size of each page (in-process
test client)."""
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


def measure(apps: dict, password: str, runs: int = RUNS) -> dict:
    """{page: {size: {"p95_ms", "queries"}}} for databases of several sizes: apps is
    {size: (app, ids)}. The sizes take turns request by request, so a load spike on a shared
    machine falls on both sides of a growth ratio alike."""
    from kartlegging.extensions import db
    clients, engines = {}, {}
    for size, (app, ids) in apps.items():
        app.config["WTF_CSRF_ENABLED"] = False
        clients[size] = login(app, ids["lead"], password)
        with app.app_context():
            engines[size] = db.engine
    sizes = list(apps)
    paths = {size: pages(ids, app) for size, (app, ids) in apps.items()}
    result = {}
    for name in paths[sizes[0]]:
        times, queries, kb = {size: [] for size in sizes}, {}, {}
        for size in sizes:
            c, path = clients[size], paths[size][name]
            r = c.get(path)
            assert r.status_code == 200, f"{path}: {r.status_code}"
            kb[size] = len(r.get_data()) / 1024  # the sizes show comparable pages
            with count_queries(engines[size]) as n:
                c.get(path)
            queries[size] = n[0]
        for _ in range(runs):
            for size in sizes:
                times[size] += timed(lambda s=size, p=name: clients[s].get(paths[s][p]), 1)
        result[name] = {size: {"p95_ms": percentile(times[size], 95), "queries": queries[size],
                               "kb": kb[size]} for size in sizes}
    return result
