"""Saves under load: the app under gunicorn on 127.0.0.1, N clients each autosaving its own
draft as the browser does, against a minimal insert endpoint on the same database and server."""
import http.client
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

from . import baseline
from .measure import percentile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with `workers` processes; peak RSS of its workers read from /proc."""

    def __init__(self, target: str, env: dict, workers: int = 2):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--log-level", "warning", target],
            cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn startet ikke: {target}")

    def _workers(self) -> list[str]:
        return _read(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").split()

    def workers_cpu_s(self) -> float:
        """CPU seconds (user + system) the workers have used so far."""
        ticks = 0
        for pid in self._workers():
            fields = _read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def worker_peak_rss_kb(self) -> int:
        peaks = []
        for pid in self._workers():
            for line in _read(f"/proc/{pid}/status").splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]))
        return max(peaks) if peaks else 0

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=20)


class Client:
    """One browser-like session: cookies, CSRF token, keep-alive connection."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def exchange(self, method, path, body=None, headers=None):
        """One request with the session cookie; keeps a new one. (status, body, response)"""
        h = {"Cookie": self.cookie, **(headers or {})}
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("session="):
                self.cookie = v.split(";", 1)[0]
        return r.status, data, r

    def request(self, method, path, body=None, headers=None):
        status, data, _ = self.exchange(method, path, body, headers)
        return status, data

    def login(self, username, password):
        _, html = self.request("GET", "/logg-inn")
        token = CSRF_INPUT.search(html.decode()).group(1)
        status, _ = self.request("POST", "/logg-inn", urlencode(
            {"username": username, "password": password, "csrf_token": token}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"innlogging feilet for {username}: {status}")


def section_answers(inst, section_id: str, n: int) -> dict:
    """All fields of one section as the browser posts them, with one text that changes."""
    from kartlegging.seeding.answers import default_value
    out = {}
    for item in inst.section(section_id).items:
        v = default_value(item)
        out[item.id] = [str(x) for x in v] if isinstance(v, list) else str(v)
    text = next((i.id for i in inst.section(section_id).items if i.type in ("text", "long_text")),
                None)
    if text:
        out[text] = f"Skrevet under besøket, lagring nummer {n}"
    return out


def _run(clients, duration, step) -> tuple[list[float], int, float]:
    """Each client calls step(client) in a loop for `duration` seconds: (latencies in ms,
    errors, elapsed seconds)."""
    lat, errors, stop = [], [0], time.time() + duration
    lock = threading.Lock()

    def loop(c):
        while time.time() < stop:
            t = time.perf_counter()
            ok = step(c)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                lat.append(ms)
                errors[0] += 0 if ok else 1
    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors[0], time.time() - t0


def _own_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _summary(lat, errors, elapsed, server_cpu, client_cpu) -> dict:
    """Throughput and latency; and the CPU per request of the server's workers and of the
    load generator (where the time goes: the two share the machine with the database)."""
    n = max(1, len(lat))
    return {"saves": len(lat), "per_s": len(lat) / elapsed, "p50_ms": percentile(lat, 50),
            "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99), "errors": errors,
            "server_cpu_ms": server_cpu * 1000 / n, "client_cpu_ms": client_cpu * 1000 / n}


def saves(url, env, ids, inst, section_id, password, duration,
          slices: int = 5) -> tuple[dict, dict, int]:
    """The app's autosaves and the baseline's inserts, both under gunicorn on the same
    database: (app, baseline, peak RSS of an app worker). The two take turns in `slices`
    slices of the duration each, so load from others on a shared machine falls on both."""
    baseline.create_table(url)  # once, before two workers would race to create it
    app = Server("kartlegging:create_app()", {**env, "DATABASE_URL": url})
    base = Server("bench.baseline:create_app()", {**env, "DATABASE_URL": url})
    try:
        clients = []
        for username, draft_id in ids["clients"]:
            c = Client(app.port)
            c.login(username, password)
            _, html = c.request("GET", f"/kartlegginger/{draft_id}/del/{section_id}")
            c.token, c.draft, c.version = CSRF_META.search(html.decode()).group(1), draft_id, 1
            c.n = 0
            clients.append(c)
        plain = [Client(base.port) for _ in clients]
        for c in plain:
            c.n = 0

        def save(c):
            c.n += 1
            body = json.dumps({"version": c.version, "section": section_id,
                               "answers": section_answers(inst, section_id, c.n)})
            status, data = c.request("POST", f"/kartlegginger/{c.draft}/autolagre", body, {
                "Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": c.token})
            if status == 200:
                c.version = json.loads(data)["version"]
            return status == 200

        def insert(c):
            c.n += 1
            body = json.dumps({"section": section_id,
                               "answers": section_answers(inst, section_id, c.n)})
            status, _ = c.request("POST", "/insert", body, {"Content-Type": "application/json"})
            return status == 200
        totals = {"app": [[], 0, 0.0, 0.0, 0.0], "base": [[], 0, 0.0, 0.0, 0.0]}
        for _ in range(slices):
            for kind, group, step, server in (("app", clients, save, app),
                                              ("base", plain, insert, base)):
                cpu = server.workers_cpu_s(), _own_cpu_s()
                lat, errors, elapsed = _run(group, duration / slices, step)
                totals[kind][0] += lat
                totals[kind][1] += errors
                totals[kind][2] += elapsed
                totals[kind][3] += server.workers_cpu_s() - cpu[0]
                totals[kind][4] += _own_cpu_s() - cpu[1]
        return (_summary(*totals["app"]), _summary(*totals["base"]),
                app.worker_peak_rss_kb())
    finally:
        app.stop()
        base.stop()


def mixed_requests(url, env, ids, password, n: int) -> int:
    """Peak RSS (kB) of a worker after n mixed page requests by one logged-in user."""
    server = Server("kartlegging:create_app()", {**env, "DATABASE_URL": url}, workers=1)
    try:
        c = Client(server.port)
        c.login(ids["lead"], password)
        paths = ["/", f"/?q={ids['name_query']}", f"/personer/{ids['person_id']}",
                 f"/kartlegginger/{ids['clients'][0][1]}", "/logg-inn"]
        for k in range(n):
            c.request("GET", paths[k % len(paths)])
        return server.worker_peak_rss_kb()
    finally:
        server.stop()
