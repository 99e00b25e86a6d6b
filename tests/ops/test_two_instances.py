"""Two app instances that share nothing but PostgreSQL, behind a real nginx with the README's
proxy configuration (deploy/nginx/kartlegging.conf) in round robin, each started as
deploy/kartlegging.service starts it. One journey: log in, autosave, sign, print and download,
hand over and take back; every request lands on the other instance than the one before
(nginx's request id, echoed by the app, found in one instance's JSON log). At the end the
database stops: both instances stay alive and stop being ready.

Runs in `make test-pg` (PostgreSQL and /usr/sbin/nginx needed); it starts its own PostgreSQL
server so that it can stop it."""
import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest

from bench.load import Client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NGINX = "/usr/sbin/nginx"
PASSWORD = "riktig-passord-42"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
    or not os.path.exists(NGINX), reason="PostgreSQL (make test-pg) and nginx needed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, proc, what: str) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} stoppet (kode {proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} svarte ikke på port {port}")


def unit_command(port: int) -> tuple[list[str], dict]:
    """ExecStart and Environment= of deploy/kartlegging.service, for this checkout and port."""
    with open(os.path.join(ROOT, "deploy", "kartlegging.service")) as f:
        lines = f.read().splitlines()
    start = next(line.split("=", 1)[1] for line in lines if line.startswith("ExecStart="))
    env = dict(line.split("=", 1)[1].split("=", 1) for line in lines
               if line.startswith("Environment="))
    command = shlex.split(start.replace("/opt/kartlegging/.venv/bin/gunicorn",
                                        f"{sys.executable} -m gunicorn")
                          .replace("/opt/kartlegging", ROOT))
    env["KARTLEGGING_BIND"] = f"127.0.0.1:{port}"
    return command, env


class PgServer:
    """A PostgreSQL server of this test's own (scripts/pg.sh on another port and folder)."""

    def __init__(self):
        # Directly under /tmp: the server's own user must traverse every parent folder.
        root = f"/tmp/kartlegging-pg-to-instanser-{os.getpid()}"
        self.env = {**os.environ, "PGPORT": str(free_port()), "PGROOT": root}

    def run(self, action: str) -> str:
        return subprocess.run([os.path.join(ROOT, "scripts", "pg.sh"), action], env=self.env,
                              check=True, capture_output=True, text=True).stdout.strip()


class Browser(Client):
    """One tablet (the bench's client: cookies, keep-alive) talking to nginx, noting which
    instance served each request."""

    def __init__(self, port: int, logs: dict):
        super().__init__(port)
        self.conn.timeout = 60
        self.logs = logs
        self.served = []  # (path, instance)

    def request(self, method, path, body=None, headers=None):
        status, data, r = self.exchange(method, path, body, headers)
        self.served.append((path, self.instance_of(r.getheader("X-Request-Id"))))
        return status, data, r

    def instance_of(self, request_id: str) -> str:
        assert request_id and re.fullmatch(r"[0-9a-f]{32}", request_id), request_id
        deadline = time.time() + 10
        while time.time() < deadline:
            found = [name for name, path in self.logs.items()
                     if _logged(path, request_id)]
            if found:
                assert len(found) == 1, found
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"forespørsel {request_id} finnes ikke i noen instans' logg")

    def form(self, path, fields, token):
        return self.request("POST", path, urlencode({**fields, "csrf_token": token}, doseq=True),
                            {"Content-Type": "application/x-www-form-urlencoded"})


def _logged(path: str, request_id: str) -> bool:
    with open(path) as f:
        for line in f:
            if request_id in line:
                entry = json.loads(line)
                return entry.get("event") == "request" and entry["request_id"] == request_id
    return False


@pytest.fixture
def deployment(tmp_path):
    os.chmod(tmp_path, 0o755)  # nginx's workers (nobody, when started as root) read below it
    pg = PgServer()
    admin_url = pg.run("start")
    procs = []
    try:
        url = admin_url.rsplit("/", 1)[0] + "/postgres"
        ids = _prepare(url, tmp_path)
        p12 = _signing_certificate(tmp_path)
        logs, ports = {}, {}
        for name in ("a", "b"):
            ports[name] = free_port()
            command, unit_env = unit_command(ports[name])
            logs[name] = str(tmp_path / f"instans-{name}.log")
            metrics_dir = tmp_path / f"metrics-{name}"
            env = {**os.environ, **unit_env, "KARTLEGGING_ENV": "development",
                   "DATABASE_URL": url, "SECRET_KEY": "to-instanser-" + "x" * 40,
                   "SIGNING_P12": p12[0], "SIGNING_P12_PASSPHRASE": p12[1],
                   "TRUSTED_PROXIES": "1", "INSTANCE_NAME": name, "KARTLEGGING_WORKERS": "1",
                   "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
            with open(logs[name], "w") as log:
                procs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                              stderr=subprocess.STDOUT,
                                              start_new_session=True))
            wait_for(ports[name], procs[-1], f"instans {name}")
        nginx_port = free_port()
        conf = _nginx_conf(tmp_path, nginx_port, list(ports.values()))
        with open(tmp_path / "nginx.out", "w") as out:
            procs.append(subprocess.Popen([NGINX, "-c", conf, "-p", str(tmp_path / "nginx")],
                                          start_new_session=True, stderr=subprocess.STDOUT,
                                          stdout=out))
        wait_for(nginx_port, procs[-1], "nginx")
        yield {"port": nginx_port, "logs": logs, "ids": ids, "pg": pg, "ports": ports}
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
        pg.run("stop")


def _prepare(url: str, tmp_path) -> dict:
    """Migrations and the journey's data, through an app object of the test's own."""
    from flask_migrate import upgrade

    from config import TestConfig
    from factories import Factory
    from kartlegging import create_app
    from kartlegging.extensions import db

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
    app = create_app(Cfg)
    app.instance_path = str(tmp_path / "forberedelse")
    with app.app_context():
        upgrade()
        f = Factory(app, PASSWORD)
        lead = f.user("teamleder", username="lea", name="Lea Leder")
        person = f.person(name="Ola Reise", contact=lead)
        draft = f.assessment(person, lead)  # filled: it can be signed
        db.session.commit()
        ids = {"person": person.id, "draft": draft.id}
        db.session.remove()
        db.engine.dispose()
    return ids


def _signing_certificate(tmp_path) -> tuple[str, str]:
    from kartlegging.journal import pades
    path, passphrase = pades.ensure_dev_certificate(tmp_path / "signering")
    return str(path), passphrase.decode()


def _nginx_conf(tmp_path, port: int, upstreams: list[int]) -> str:
    prefix = tmp_path / "nginx"
    for sub in ("", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(exist_ok=True)
        os.chmod(prefix / sub, 0o777)
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    conf = prefix / "nginx.conf"
    conf.write_text(f"""
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream kartlegging {{
{servers}
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {ROOT}/deploy/nginx/kartlegging.conf;
    }}
}}
""")
    return str(conf)


def test_a_journey_over_two_instances_in_round_robin(deployment):
    d = deployment
    draft, person = d["ids"]["draft"], d["ids"]["person"]
    tab = Browser(d["port"], d["logs"])
    # log in
    _, html, _ = tab.request("GET", "/logg-inn")
    status, _, _ = tab.form("/logg-inn", {"username": "lea", "password": PASSWORD},
                            CSRF_INPUT.search(html.decode()).group(1))
    assert status == 302
    # autosave
    _, html, _ = tab.request("GET", f"/kartlegginger/{draft}/del/familie")
    token = CSRF_META.search(html.decode()).group(1)
    status, body, _ = tab.request("POST", f"/kartlegginger/{draft}/autolagre", json.dumps(
        {"version": 1, "section": "familie", "answers": {}}), {
        "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token})
    assert status == 200, body
    version = json.loads(body)["version"]
    # sign
    _, html, _ = tab.request("GET", f"/kartlegginger/{draft}/signer")
    status, body, _ = tab.form(f"/kartlegginger/{draft}/signer",
                               {"password": PASSWORD, "version": str(version)},
                               CSRF_INPUT.search(html.decode()).group(1))
    assert status == 302, body[:2000]
    status, pdf, _ = tab.request("GET", f"/kartlegginger/{draft}/pdf")
    assert status == 200 and pdf.startswith(b"%PDF-")
    # print and download
    _, html, _ = tab.request("GET", "/oppfolging")
    status, body, _ = tab.form("/oppfolging/utskrift", {"utvalg": "valgte",
                                                         "person": [str(person)]},
                               CSRF_INPUT.search(html.decode()).group(1))
    assert status == 200, body[:2000]
    job = re.search(rb'/oppfolging/utskrift/([A-Za-z0-9_-]+)"', body).group(1).decode()
    status, merged, r = tab.request("GET", f"/oppfolging/utskrift/{job}")
    assert status == 200 and merged.startswith(b"%PDF-") and b"%%EOF" in merged[-32:]
    assert tab.request("GET", f"/oppfolging/utskrift/{job}")[0] == 404  # once
    # hand over and take back (a new draft: the signed one is locked)
    _, html, _ = tab.request("GET", f"/personer/{person}")
    status, _, r = tab.form(f"/personer/{person}/kartlegginger", {},
                            CSRF_INPUT.search(html.decode()).group(1))
    new_draft = int(re.search(r"/kartlegginger/(\d+)", r.getheader("Location")).group(1))
    _, html, _ = tab.request("GET", f"/kartlegginger/{new_draft}/del/familie")
    status, _, r = tab.form(f"/kartlegginger/{new_draft}/livskvalitet/gi-nettbrettet", {},
                            CSRF_META.search(html.decode()).group(1))
    assert status == 302
    assert tab.request("GET", "/")[0] == 302  # the hand-over fence, on either instance
    _, html, _ = tab.request("GET", "/egenvurdering/ferdig?ansatt=1")
    status, body, r = tab.form("/egenvurdering/avslutt", {"password": PASSWORD},
                               CSRF_INPUT.search(html.decode()).group(1))
    assert status == 302, body[:2000]
    assert tab.request("GET", f"/personer/{person}")[0] == 200  # staff again
    tab.conn.close()
    instances = [name for _, name in tab.served]
    assert set(instances) == {"a", "b"}
    assert all(x != y for x, y in zip(instances, instances[1:])), tab.served

    # metrics: from each instance's own address (the operations network), summed over its
    # workers; never through nginx
    for port in d["ports"].values():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/metrikker")
        r = conn.getresponse()
        text = r.read().decode()
        conn.close()
        assert r.status == 200 and "kartlegging_requests_total{" in text
    public = http.client.HTTPConnection("127.0.0.1", d["port"], timeout=30)
    public.request("GET", "/metrikker")
    r = public.getresponse()
    assert r.status == 404 and b"kartlegging_" not in r.read()
    public.close()

    # the database stops: alive, not ready, on both instances (asked directly, as an LB does)
    d["pg"].run("stop")
    for port in d["ports"].values():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for path, expected in (("/helse", (200, b"ok\n")), ("/helse/klar", (503, b"ikke klar\n"))):
            conn.request("GET", path)
            r = conn.getresponse()
            assert (r.status, r.read()) == expected
        conn.close()
    for path in d["logs"].values():
        with open(path) as f:
            text = f.read()
        for secret in ("Ola Reise", "Lea Leder", '"lea"'):
            assert secret not in text
