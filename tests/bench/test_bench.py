"""The benchmark's own parts work on a small database, so `make bench` does not rot."""
import os
import re
from collections import Counter

import pytest

from bench import data, scale, signing, weight
from bench.measure import percentile
from bench.run import table


def test_percentile():
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95


def test_the_measured_kontaktperson_has_one_caseload_at_any_size():
    """Mine personer is compared at 1,000 and 100,000 persons for the same caseload; the other
    staff share the rest of the team."""
    for n in (1_000, 100_000):
        staff = list(range(1, 21))
        counts = Counter(data.kontaktperson(i, n, staff) for i in range(n))
        assert counts[1] == data.CASELOAD and sum(counts.values()) == n
        assert min(counts[u] for u in staff[1:]) >= (n - data.CASELOAD) // 19


def test_population_searches_and_pages(app):
    ids = data.populate(app, 60, 3)
    assert len(ids["clients"]) == 3
    # The bulk load goes around the ORM but through the app's writers: nothing drifts.
    from kartlegging.derived import check
    assert check.find() == []
    result = scale.measure({"small": (app, ids)}, data.PASSWORD, runs=2)
    assert set(result) >= {"Personliste", "Navnesøk", "Nummersøk", "Personside"}
    assert all(v["small"]["queries"] > 0 and v["small"]["p95_ms"] > 0 and v["small"]["kb"] > 1
               for v in result.values())
    client = scale.login(app, ids["clients"][0][0], data.PASSWORD)
    # The person list is measured as a kontaktperson: the first client, 50 of the 60 persons.
    assert scale.pages(ids, app)["Personliste"] == ("staff", "/")
    rows = re.findall(r'href="/personer/\d+"', client.get("/").get_data(as_text=True))
    assert len(rows) == data.CASELOAD
    html = client.get("/?q=" + ids["number_query"]).get_data(as_text=True)
    assert html.count('href="/personer/') >= 1  # the number search finds the sample person
    pages = weight.measure(client, {"Personside": f"/personer/{ids['person_id']}"})
    page = pages["Personside"]
    assert page["third_party"] == 0 and page["requests"] == 4  # page, CSS, JS, icon
    assert page["requests_next_visit"] == 1  # CSS, JS and icon are cached as immutable


def test_the_name_query_fills_a_page_among_1000_persons(app):
    """The scale's name search shows a full page (and «more») already at 1,000 persons, so
    the 1,000 and the 100,000 persons' pages hold the same number of rows."""
    from kartlegging.persons import operations
    ids = data.populate(app, 1000, 1)
    client = scale.login(app, ids["lead"], data.PASSWORD)
    html = client.get("/?q=" + ids["name_query"]).get_data(as_text=True)
    assert html.count('href="/personer/') >= operations.SEARCH_LIMIT
    assert f"Flere enn {operations.SEARCH_LIMIT} treff" in html


def test_plain_baseline_holds_the_summary_text():
    import io

    from pypdf import PdfReader
    pdf = signing.plain_pdf({"title": "Kartlegging", "rows": [{"q": "Bolig", "a": "Egen – æøå"}]})
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Kartlegging" in text and "Egen – æøå" in text


def test_table_leaves_out_parts_not_measured():
    md = table([{"database": "sqlite", "signing": {
        "steps_ms": {"Oppsett (pdf.render)": 30, "Ren reportlab (grunnlinje)": 20},
        "render_ratio": 1.5}}])
    assert "| 1.50× | ≤ 2.0× | ja |" in md and "Autolagring" not in md


def test_table_marks_goals():
    r = {"database": "sqlite", "large": 100_000,
         "saves": {"saves": 100, "per_s": 40, "p50_ms": 5, "p95_ms": 9, "p99_ms": 12, "errors": 0,
                   "server_cpu_ms": 4.31, "client_cpu_ms": 0.8},
         "baseline": {"per_s": 100, "p95_ms": 3, "server_cpu_ms": 1.5, "client_cpu_ms": 0.5},
         "save_ratio": 0.4,
         "scale": {"Personliste": {"small": {"p95_ms": 2, "queries": 4, "kb": 30},
                                   "large": {"p95_ms": 2.4, "queries": 4, "kb": 31},
                                   "growth": 1.2}},
         "weight": {}, "rss_after_1000_kb": 100_000}
    md = table([r])
    assert "| 0.40× | ≥ 0.45×, 0 feil | NEI |" in md
    assert "CPU per lagring 4.3 ms i serveren, 0.8 ms i lastklientene" in md
    assert "CPU 1.5 ms i serveren, 0.5 ms i lastklientene" in md
    assert "| 1.20× | ≤ 1.5× | ja |" in md
    assert "p95 2.4 ms, 4 spørringer, 31 KB | p95 2.0 ms, 4 spørringer, 30 KB" in md


def test_instruction_count_loop_saves_and_inserts(tmp_path, monkeypatch):
    """bench.instructions' measured loop, without valgrind: the autosaves answer 200 (each
    with the version the last one returned) and the baseline inserts, between the switches."""
    from bench import instructions
    calls = []
    monkeypatch.setattr(instructions, "_control", lambda *a: calls.append(a))
    monkeypatch.setenv("DATABASE_URL", "")  # inner() points it at the baseline's database
    instructions.inner(3, f"sqlite:///{tmp_path}/app.db", f"sqlite:///{tmp_path}/base.db")
    assert calls == [("-i", "on"), ("-d", "app"), ("-d", "baseline"), ("-i", "off")]
    (tmp_path / "cg.out.1").write_text("events: Ir\nsummary: 4200\ntotals: 4200\n")
    assert instructions._totals(str(tmp_path / "cg.out.1")) == 4200


def test_server_reports_its_workers_cpu_and_memory(tmp_path):
    """The saves' server under gunicorn (here the baseline on SQLite): the inserts answer, and
    its workers' CPU time and peak RSS are read from /proc for the table."""
    import json

    from bench import baseline, load
    url = f"sqlite:///{tmp_path}/base.db"
    baseline.create_table(url)
    server = load.Server("bench.baseline:create_app()", {"DATABASE_URL": url}, workers=1)
    try:
        before = server.workers_cpu_s()
        client = load.Client(server.port)
        for k in range(30):
            status, _ = client.request("POST", "/insert", json.dumps({"k": k}),
                                       {"Content-Type": "application/json"})
            assert status == 200
        assert server.workers_cpu_s() > before
        assert server.worker_peak_rss_kb() > 10_000
    finally:
        server.stop()


def _mixed(rss_small, rss_large, errors=0):
    prints = {k: {"documents": n, "listed": n, "seconds": s, "mb": n / 10, "rss_rise_mb": r,
                  "ok": True}
              for k, n, s, r in (("print_small", 20, 1.0, rss_small),
                                 ("print", 200, 8.5, rss_large))}
    return {"tablets": 200, "leads": 5, "seconds": 60, "elapsed_s": 75, "autosaves": 9000,
            "autosave_p95_ms": 41.2, "sections": 700, "section_p95_ms": 88.0,
            "overview_p95_ms": 120.0, "signings": 200, "sign_p95_ms": 900, "errors": errors,
            "error_kinds": [], **prints}


def test_the_mixed_load_row_says_what_was_run_and_whether_it_met_the_goal():
    md = table([{"database": "postgresql", "mixed": _mixed(6, 7)}])
    row = [line for line in md.splitlines() if "Blandet last" in line]
    assert row == [
        "| [postgresql] Blandet last, to instanser: 200 nettbrett, 5 teamledere, 60 s, 200 "
        "signeringer | p95 autolagring 41 ms (9000), p95 bytte av skjemadel 88 ms (700), p95 "
        "Oppfølging 120 ms, 0 feil; samlet PDF av 200 dokumenter 8.5 s, 20.0 MB, minne +7 MB | "
        "samlet PDF av 20 dokumenter 1.0 s, minne +6 MB | – | 0 feil, minnet vokser ikke med "
        "antall dokumenter | ja |"]
    assert table([{"database": "postgresql", "mixed": _mixed(6, 7, errors=1)}]) \
        .endswith("| NEI |")
    assert table([{"database": "postgresql", "mixed": _mixed(10, 90)}]).endswith("| NEI |")


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="two instances need PostgreSQL (make test-pg)")
def test_the_mixed_load_runs_against_two_instances(tmp_path):
    """A small mixed load (3 tablets, 3 seconds) end to end: saves, section changes, the
    leads' pages, every tablet's signing and the two prints, with no error."""
    from sqlalchemy import create_engine, make_url, text

    from bench import mixed
    from bench.run import _app
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"bench_mixed_{os.environ.get('PYTEST_XDIST_WORKER', 'gw')}"
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    env = {"SECRET_KEY": "bench-secret-not-for-production-use-0123456789",
           "IDLE_TIMEOUT_MINUTES": "600", "KARTLEGGING_ENV": "development"}
    try:
        m = mixed.measure(_app(url), url, env, tablets=3, seconds=3, tmp=str(tmp_path))
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
    assert m["errors"] == 0, m["error_kinds"]
    assert m["autosaves"] > 0 and m["sections"] >= 3 and m["signings"] == 3
    assert m["print"]["ok"] and m["print"]["listed"] == 3
    assert "Blandet last, to instanser: 3 nettbrett" in table(
        [{"database": "postgresql", "mixed": m}])
