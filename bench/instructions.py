"""Instructions per autosave and per baseline insert, counted by callgrind.

    .venv/bin/python -m bench.instructions [--saves 200] [--db sqlite|postgresql URL]

Wall clock on a shared 2-core machine moves ±5-10 % between identical runs; callgrind's
instruction count (Ir) repeats within ±0.3 %, so a change of 2 % can be judged. Both
requests go straight to the WSGI app (no test client, no HTTP server), after warm-up, with
counting switched on only around the measured requests. Prints Ir per request of each and
their ratio: the CPU the app spends on a save against the baseline's insert.
"""
import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile

from . import baseline, data
from .load import section_answers
from .measure import bench_config

SECTION = "familie"


def _environ(path: str, body: bytes, headers: dict) -> dict:
    env = {"REQUEST_METHOD": "POST" if body else "GET", "PATH_INFO": path, "QUERY_STRING": "",
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input":
           io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
           "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
           "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": "127.0.0.1:8000"}
    for k, v in headers.items():
        key = k.upper().replace("-", "_")
        env[key if key == "CONTENT_TYPE" else "HTTP_" + key] = v
    return env


def _call(app, path, body, headers) -> tuple[str, bytes, dict]:
    got = []
    out = b"".join(app(_environ(path, body, headers), lambda s, h, e=None: got.append((s, h))))
    return got[0][0], out, dict(got[0][1])


def _control(*args):
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True,
                   stdout=subprocess.DEVNULL)


def inner(n: int, url_app: str, url_base: str):
    from flask_migrate import upgrade

    from kartlegging import create_app
    app = create_app(bench_config(url_app))
    with app.app_context():
        upgrade()
        ids = data.populate(app, 5, 1)
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    username, draft = ids["clients"][0]
    c = app.test_client()
    html = c.get("/logg-inn").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    c.post("/logg-inn", data={"username": username, "password": data.PASSWORD,
                              "csrf_token": token})
    html = c.get(f"/kartlegginger/{draft}/del/{SECTION}").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    # The same browser as the login's (Flask-Login's session protection compares them).
    agent = c.environ_base["HTTP_USER_AGENT"]
    cookie, version = ["session=" + c.get_cookie("session").value], [1]

    def save(k):
        body = json.dumps({"version": version[0], "section": SECTION,
                           "answers": section_answers(inst, SECTION, k)}).encode()
        status, out, headers = _call(app.wsgi_app, f"/kartlegginger/{draft}/autolagre", body, {
            "Content-Type": "application/json", "Accept": "application/json",
            "X-CSRFToken": token, "Cookie": cookie[0], "User-Agent": agent})
        assert status.startswith("200"), (status, out[:300])
        version[0] = json.loads(out)["version"]
        if "Set-Cookie" in headers:
            cookie[0] = headers["Set-Cookie"].split(";", 1)[0]

    os.environ["DATABASE_URL"] = url_base
    baseline.create_table(url_base)
    base = baseline.create_app()

    def insert(k):
        body = json.dumps({"section": SECTION,
                           "answers": section_answers(inst, SECTION, k)}).encode()
        status, _, _ = _call(base.wsgi_app, "/insert", body, {"Content-Type": "application/json"})
        assert status.startswith("200"), status

    for k in range(30):  # warm-up: caches, compiled statements, pools
        save(k)
        insert(k)
    _control("-i", "on")
    for k in range(n):
        save(100 + k)
    _control("-d", "app")
    for k in range(n):
        insert(100 + k)
    _control("-d", "baseline")
    _control("-i", "off")


def _totals(path: str) -> int:
    with open(path) as f:
        for line in f:
            if line.startswith(("totals:", "summary:")):
                return int(line.split()[1])
    raise RuntimeError(f"ingen totals i {path}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--saves", type=int, default=200)
    p.add_argument("--postgres", help="a PostgreSQL URL for both databases (else SQLite)")
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--urls", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.inner:
        return inner(a.saves, *a.urls)
    with tempfile.TemporaryDirectory() as tmp:
        urls = ([a.postgres, a.postgres] if a.postgres else
                [f"sqlite:///{tmp}/app.db", f"sqlite:///{tmp}/base.db"])
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                        f"--callgrind-out-file={out}", sys.executable, "-m",
                        "bench.instructions", "--inner", "--saves", str(a.saves),
                        "--urls", *urls], check=True, stderr=subprocess.DEVNULL,
                       cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        dumps = sorted((f for f in os.listdir(tmp) if f.startswith("cg.out.")),
                       key=lambda f: int(f.rsplit(".", 1)[1]))
        app_ir, base_ir = (_totals(os.path.join(tmp, f)) / a.saves for f in dumps[:2])
    print(f"autosave {app_ir / 1e6:.3f} M Ir, baseline insert {base_ir / 1e6:.3f} M Ir, "
          f"ratio {app_ir / base_ir:.2f}")


if __name__ == "__main__":
    main()
