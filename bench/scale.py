"""Scale: the person list, searches, a person's page and the team lead's overview with 1,000 and
100,000 persons. p95 per page, growth ratio, SQL statements and size of each page (in-process
test client)."""
from .measure import count_queries, percentile, timed

RUNS = 30


def pages(ids: dict, app) -> dict:
    """{page: (who, path)}: the person list is a staff member's Mine personer (a team lead has
    none of their own; the measured kontaktperson has data.CASELOAD persons among 1,000 and
    among 100,000, one page of 50); the rest as the team lead."""
    out = {"Personliste": ("staff", "/"), "Navnesøk": ("lead", f"/?q={ids['name_query']}"),
           "Nummersøk": ("lead", f"/?q={ids['number_query']}"),
           "Personside": ("lead", f"/personer/{ids['person_id']}")}
    if "lead.index" in app.view_functions:  # the team lead's overview, where the app has one
        out.update({"Oppfølging, neste evaluering": ("lead", "/oppfolging"),
                    "Oppfølging, navn": ("lead", "/oppfolging?sorter=navn"),
                    "Oppfølging, livskvalitet": ("lead", "/oppfolging?sorter=livskvalitet"),
                    "Oppfølging, forfalte": ("lead", "/oppfolging?forfall=forfalt"),
                    "Oppfølging, navnesøk": ("lead", f"/oppfolging?q={ids['name_query']}")})
    return out


def login(app, username, password):
    c = app.test_client()
    r = c.post("/logg-inn", data={"username": username, "password": password})
    assert r.status_code == 302, f"innlogging feilet for {username}: {r.status_code}"
    return c


def measure(apps: dict, password: str, runs: int = RUNS) -> dict:
    """{page: {size: {"p95_ms", "queries", "kb"}}} for databases of several sizes: apps is
    {size: (app, ids)}. The sizes take turns request by request, so a load spike on a shared
    machine falls on both sides of a growth ratio alike."""
    from kartlegging.extensions import db
    clients, engines = {}, {}
    for size, (app, ids) in apps.items():
        app.config["WTF_CSRF_ENABLED"] = False
        clients[size] = {"lead": login(app, ids["lead"], password),
                         "staff": login(app, ids["clients"][0][0], password)}
        with app.app_context():
            engines[size] = db.engine
    sizes = list(apps)
    paths = {size: pages(ids, app) for size, (app, ids) in apps.items()}
    result = {}
    for name in paths[sizes[0]]:
        times, queries, kb = {size: [] for size in sizes}, {}, {}
        for size in sizes:
            who, path = paths[size][name]
            c = clients[size][who]
            r = c.get(path)
            assert r.status_code == 200, f"{path}: {r.status_code}"
            kb[size] = len(r.get_data()) / 1024  # the sizes show comparable pages
            with count_queries(engines[size]) as n:
                c.get(path)
            queries[size] = n[0]
        for _ in range(runs):
            for size in sizes:
                who, path = paths[size][name]
                times[size] += timed(lambda c=clients[size][who], p=path: c.get(p), 1)
        result[name] = {size: {"p95_ms": percentile(times[size], 95), "queries": queries[size],
                               "kb": kb[size]} for size in sizes}
    return result
