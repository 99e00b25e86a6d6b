"""`make bench`: every figure beside a baseline measured in the same run, and its goal.

    python -m bench.run [--db sqlite|postgresql|all] [--large 100000] [--seconds 10]
                        [--only saves,signing,scale,weight,memory,mixed]
                        [--tablets 200] [--mixed-seconds 60]

PostgreSQL is measured when BENCH_POSTGRES_URL names a server (scripts/bench.sh starts one).
Writes bench/results/latest.json and latest.md.
"""
import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

from . import data, load, mixed, scale, signing, weight
from .measure import bench_config

HERE = os.path.dirname(os.path.abspath(__file__))
GOALS = {"save_ratio": 0.45, "render_ratio": 2.0, "growth": 1.5, "page_kb": 100}
PARTS = ("saves", "signing", "scale", "weight", "memory", "mixed")


def _app(url):
    from flask_migrate import upgrade

    from kartlegging import create_app
    app = create_app(bench_config(url))
    with app.app_context():
        upgrade()
    return app


def _database(kind, name, tmp):
    if kind == "sqlite":
        return f"sqlite:///{tmp}/{name}.db"
    admin = os.environ["BENCH_POSTGRES_URL"]
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        c.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return admin.rsplit("/", 1)[0] + "/" + name


def _pages_for_weight(app, ids):
    from kartlegging.extensions import db
    from kartlegging.models import Assessment
    staff, draft = ids["clients"][0]
    app.config["WTF_CSRF_ENABLED"] = False  # the in-process client posts without a token
    result = weight.measure(app.test_client(), {"Innlogging": "/logg-inn"})
    c = scale.login(app, staff, data.PASSWORD)
    with app.app_context():
        person_id = db.session.get(Assessment, draft).person_id
    result.update(weight.measure(c, {"Skjemadel": f"/kartlegginger/{draft}/del/familie",
                                     "Personside": f"/personer/{person_id}"}))
    c.post(f"/kartlegginger/{draft}/livskvalitet/gi-nettbrettet")
    result.update(weight.measure(c, {"Overlevering (spørsmål)": "/egenvurdering"}))
    return result


def bench_database(kind, tmp, large, clients, seconds, parts=PARTS, tablets=200,
                   mixed_seconds=60):
    out = {"database": kind}
    t = time.perf_counter()
    small_url = _database(kind, "bench_small", tmp)
    app = _app(small_url)
    with app.app_context():
        ids = data.populate(app, 1000, clients)
    out["populate_1k_s"] = time.perf_counter() - t
    if "weight" in parts:
        out["weight"] = _pages_for_weight(app, ids)
    if kind == "sqlite" and "signing" in parts:
        out["signing"] = signing.measure(app, 1, 2)
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    env = {"SECRET_KEY": bench_config(small_url).SECRET_KEY, "IDLE_TIMEOUT_MINUTES": "600",
           "KARTLEGGING_ENV": "development"}
    if "saves" in parts:
        out["saves"], out["baseline"], out["save_worker_rss_kb"] = load.saves(
            small_url, env, ids, inst, "familie", data.PASSWORD, seconds)
        out["save_ratio"] = out["saves"]["per_s"] / out["baseline"]["per_s"]
    if "memory" in parts:
        out["rss_after_1000_kb"] = load.mixed_requests(small_url, env, ids, data.PASSWORD, 1000)
    if "mixed" in parts and kind == "postgresql":  # several instances need a server
        mixed_url = _database(kind, "bench_mixed", tmp)
        out["mixed"] = mixed.measure(_app(mixed_url), mixed_url, env, tablets, mixed_seconds,
                                     tmp)
    if "scale" in parts:
        t = time.perf_counter()
        big_url = _database(kind, "bench_large", tmp)
        big_app = _app(big_url)
        with big_app.app_context():
            big_ids = data.populate(big_app, large, clients)
        out["populate_large_s"] = time.perf_counter() - t
        # One 100k data set, generated once; both sizes measured turn about.
        both = scale.measure({"small": (app, ids), "large": (big_app, big_ids)}, data.PASSWORD)
        out["scale"] = {page: {**v, "growth": v["large"]["p95_ms"] / v["small"]["p95_ms"]}
                        for page, v in both.items()}
        out["large"] = large
    return out


def _cpu(s: dict) -> str:
    return (f"{s['server_cpu_ms']:.1f} ms i serveren, {s['client_cpu_ms']:.1f} ms i "
            "lastklientene")


def table(results) -> str:
    ok = lambda good: "ja" if good else "NEI"  # noqa: E731
    lines = ["| Måling | Verdi | Grunnlinje (samme kjøring) | Forhold | Mål | Nådd |",
             "|---|---|---|---|---|---|"]
    for r in results:
        db = r["database"]
        if "saves" in r:
            s, b = r["saves"], r["baseline"]
            lines.append(
                f"| [{db}] Autolagring, {s['saves']} lagringer | {s['per_s']:.0f}/s, p95 "
                f"{s['p95_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms, {s['errors']} feil; CPU per "
                f"lagring {_cpu(s)} | {b['per_s']:.0f}/s, p95 {b['p95_ms']:.0f} ms; CPU "
                f"{_cpu(b)} | {r['save_ratio']:.2f}× | "
                f"≥ {GOALS['save_ratio']}×, 0 feil | "
                f"{ok(r['save_ratio'] >= GOALS['save_ratio'] and s['errors'] == 0)} |")
        if "signing" in r:
            sg = r["signing"]
            steps = ", ".join(f"{k} {v:.0f} ms" for k, v in sg["steps_ms"].items()
                              if "grunnlinje" not in k)
            base = sg["steps_ms"]["Ren reportlab (grunnlinje)"]
            lines.append(f"| [{db}] Signering: {steps} | oppsett "
                         f"{sg['steps_ms']['Oppsett (pdf.render)']:.0f} ms | ren reportlab "
                         f"{base:.0f} ms | {sg['render_ratio']:.2f}× | ≤ {GOALS['render_ratio']}× "
                         f"| {ok(sg['render_ratio'] <= GOALS['render_ratio'])} |")
        for page, v in r.get("scale", {}).items():
            lines.append(f"| [{db}] {page}: 1 000 → {r['large']:,} personer".replace(",", " ")
                         + f" | p95 {v['large']['p95_ms']:.1f} ms, {v['large']['queries']} "
                         f"spørringer, {v['large']['kb']:.0f} KB | p95 "
                         f"{v['small']['p95_ms']:.1f} ms, {v['small']['queries']} spørringer, "
                         f"{v['small']['kb']:.0f} KB | {v['growth']:.2f}× | "
                         f"≤ {GOALS['growth']}× | {ok(v['growth'] <= GOALS['growth'])} |")
        for page, w in r.get("weight", {}).items():
            lines.append(f"| [{db}] Vekt: {page} | {w['bytes'] / 1024:.1f} KB "
                         f"({w['gzip_bytes'] / 1024:.1f} KB gzip), {w['requests']} forespørsler, "
                         f"{w['requests_next_visit']} ved neste besøk, {w['third_party']} "
                         f"tredjepart | – | – | < {GOALS['page_kb']} KB, 0 tredjepart | "
                         f"{ok(w['bytes'] < GOALS['page_kb'] * 1024 and not w['third_party'])} |")
        if "mixed" in r:
            lines.append(mixed_row(db, r["mixed"]))
        if "rss_after_1000_kb" in r:
            lines.append(f"| [{db}] Minne: topp-RSS for en arbeider etter 1 000 blandede "
                         f"forespørsler | {r['rss_after_1000_kb'] / 1024:.0f} MB | – | – | – | – |")
    return "\n".join(lines)


def mixed_row(db: str, m: dict) -> str:
    p, small = m["print"], m["print_small"]
    good = m["errors"] == 0 and p["rss_rise_mb"] <= max(2 * small["rss_rise_mb"], 32)
    return (f"| [{db}] Blandet last, to instanser: {m['tablets']} nettbrett, {m['leads']} "
            f"teamledere, {m['seconds']:.0f} s, {m['signings']} signeringer | "
            f"p95 autolagring {m['autosave_p95_ms']:.0f} ms ({m['autosaves']}), p95 bytte av "
            f"skjemadel {m['section_p95_ms']:.0f} ms ({m['sections']}), p95 Oppfølging "
            f"{m['overview_p95_ms']:.0f} ms, {m['errors']} feil; samlet PDF av "
            f"{p['documents']} dokumenter {p['seconds']:.1f} s, {p['mb']:.1f} MB, minne "
            f"+{p['rss_rise_mb']:.0f} MB | samlet PDF av {small['documents']} dokumenter "
            f"{small['seconds']:.1f} s, minne +{small['rss_rise_mb']:.0f} MB | – | 0 feil, "
            f"minnet vokser ikke med antall dokumenter | {'ja' if good else 'NEI'} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="all", choices=["sqlite", "postgresql", "all"])
    ap.add_argument("--large", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--tablets", type=int, default=200, help="blandet last: nettbrett")
    ap.add_argument("--mixed-seconds", type=float, default=60,
                    help="blandet last: sekunder med skriving før signeringen")
    ap.add_argument("--only", default=",".join(PARTS),
                    help="comma-separated parts to measure: " + ", ".join(PARTS))
    args = ap.parse_args()
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    if not parts or parts - set(PARTS):
        ap.error(f"--only takes {', '.join(PARTS)}")
    kinds = ["sqlite", "postgresql"] if args.db == "all" else [args.db]
    if "postgresql" in kinds and not os.environ.get("BENCH_POSTGRES_URL"):
        print("PostgreSQL hoppes over: BENCH_POSTGRES_URL er ikke satt.")
        kinds.remove("postgresql")
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            print(f"Måler {kind} …", flush=True)
            results.append(bench_database(kind, tmp, args.large, args.clients, args.seconds,
                                          parts, args.tablets, args.mixed_seconds))
    md = table(results)
    meta = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} kjerner, "
                       f"Python {platform.python_version()}",
            "seconds": round(time.perf_counter() - started)}
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.json"), "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1, ensure_ascii=False)
    header = f"Målt {meta['date']} på {meta['machine']}; kjøringen tok {meta['seconds']} s.\n\n"
    with open(os.path.join(HERE, "results", "latest.md"), "w") as f:
        f.write(header + md + "\n")
    print(header + md)


if __name__ == "__main__":
    main()
