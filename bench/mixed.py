"""Load that looks like a city: two app instances (gunicorn) on one PostgreSQL, tablets typing
into their drafts with the app's own throttle (an autosave at most every 300 ms while typing),
changing sections now and then and each signing once, team leads paging Oppfølging, and one
merged print of every tablet's signed document at the end. Requests go to the two instances in
turn, as a round-robin load balancer sends them. Figures are as seen by the client.

Scale knobs (`python -m bench.run --only mixed --tablets 50 --mixed-seconds 30`) keep it
modest on a small machine; the row names what was run.
"""
import json
import os
import random
import re
import threading
import time
from urllib.parse import urlencode

from sqlalchemy import select, update

from . import data
from .load import CSRF_INPUT, CSRF_META, Client, Server
from .measure import percentile

THROTTLE_S = 0.3          # the app's autosave throttle while typing (static/js/app.js)
BURST = (3, 8)            # autosaves in one burst of typing
PAUSE_S = (4.0, 12.0)     # reading, talking, thinking between bursts
SECTION_CHANGE = 0.35     # chance that a burst ends with «Neste»
LEADS = 5


class Tablet(Client):
    """A browser whose requests go to the instances in turn (sessions live in the database)."""

    def __init__(self, ports):
        self.conns = [Client(p) for p in ports]
        for c in self.conns:  # an overloaded machine answers late; late is measured, not lost
            c.conn.timeout = 120
        self.turn = 0
        self.cookie = ""

    def request(self, method, path, body=None, headers=None):
        c = self.conns[self.turn % len(self.conns)]
        self.turn += 1
        c.cookie = self.cookie
        status, body = c.request(method, path, body, headers)
        self.cookie = c.cookie
        return status, body

    def close(self):
        for c in self.conns:
            c.conn.close()


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = {"autosave": [], "section": [], "overview": [], "sign": []}
        self.errors = []

    def timed(self, kind, fn, ok=lambda status: status == 200):
        t = time.perf_counter()
        status, body = fn()
        ms = (time.perf_counter() - t) * 1000
        with self.lock:
            self.times[kind].append(ms)
            if not ok(status):
                self.errors.append(f"{kind} {status}")
        return status, body


def _prepare(app, tablets: int) -> dict:
    """The bench data, the tablets' drafts filled (so that they can be signed) and 5 leads."""
    from kartlegging.extensions import db
    from kartlegging.models import Assessment, User
    from kartlegging.seeding.answers import filled_answers
    with app.app_context():
        ids = data.populate(app, 1000, tablets)
        inst = app.extensions["instruments"].latest("alna-kartlegging")
        draft_ids = [d for _, d in ids["clients"]]
        db.session.execute(update(Assessment).where(Assessment.id.in_(draft_ids))
                           .values(answers=filled_answers(inst)))
        lead = db.session.scalar(select(User).where(User.username == ids["lead"]))
        for k in range(1, LEADS):
            db.session.add(User(username=f"leder{k}", name=f"Leder {k}", role="teamleder",
                                team_id=lead.team_id, password_hash=lead.password_hash))
        db.session.commit()
        persons = dict(db.session.execute(select(Assessment.id, Assessment.person_id)
                                          .where(Assessment.id.in_(draft_ids))).all())
        ids["leads"] = [ids["lead"]] + [f"leder{k}" for k in range(1, LEADS)]
        ids["persons"] = [persons[d] for d in draft_ids]
        ids["sections"] = [s.id for s in inst.sections][:6]
        ids["inst"] = inst
        db.session.remove()
        db.engine.dispose()
    return ids


def _logged_in(ports, username) -> Tablet:
    t = Tablet(ports)
    t.login(username, data.PASSWORD)
    return t


def _tablet(t, draft, ids, rec, clock, rnd):
    from .load import section_answers
    clock["barrier"].wait()  # everyone logged in: the measured time starts
    try:
        sections, k = ids["sections"], 0
        _, html = rec.timed("section", lambda: t.request(
            "GET", f"/kartlegginger/{draft}/del/{sections[0]}"))
        token, version, n = CSRF_META.search(html.decode()).group(1), 1, 0
        while time.time() < clock["stop_at"]:
            for _ in range(rnd.randint(*BURST)):
                time.sleep(THROTTLE_S)
                n += 1
                body = json.dumps({"version": version, "section": sections[k],
                                   "answers": section_answers(ids["inst"], sections[k], n)})
                status, reply = rec.timed("autosave", lambda body=body: t.request(
                    "POST", f"/kartlegginger/{draft}/autolagre", body, {
                        "Content-Type": "application/json", "Accept": "application/json",
                        "X-CSRFToken": token}))
                if status == 200:
                    version = json.loads(reply)["version"]
            if rnd.random() < SECTION_CHANGE:
                k = (k + 1) % len(sections)
                rec.timed("section", lambda k=k: t.request(
                    "GET", f"/kartlegginger/{draft}/del/{sections[k]}"))
            time.sleep(rnd.uniform(*PAUSE_S))
        _, html = t.request("GET", f"/kartlegginger/{draft}/signer")
        sign_token = CSRF_INPUT.search(html.decode()).group(1)
        rec.timed("sign", lambda: t.request("POST", f"/kartlegginger/{draft}/signer", urlencode(
            {"password": data.PASSWORD, "version": str(version), "csrf_token": sign_token}),
            {"Content-Type": "application/x-www-form-urlencoded"}), ok=lambda s: s == 302)
    except Exception as e:  # counted, never hidden
        with rec.lock:
            rec.errors.append(f"nettbrett {type(e).__name__}: {e}")
    finally:
        t.close()


def _lead(t, rec, clock, rnd):
    clock["barrier"].wait()
    try:
        page = 1
        while time.time() < clock["stop_at"]:
            rec.timed("overview", lambda page=page: t.request("GET",
                                                               f"/oppfolging?side={page}"))
            page = page % 20 + 1
            time.sleep(rnd.uniform(1.0, 3.0))
    except Exception as e:
        with rec.lock:
            rec.errors.append(f"leder {type(e).__name__}: {e}")
    finally:
        t.close()


def _rss_kb(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def _print(ports, servers, username, persons) -> dict:
    """One merged print of `persons`, made and downloaded: seconds, and the most any worker's
    resident memory rose above where it stood before (sampled every 20 ms)."""
    workers = [pid for s in servers for pid in s._workers()]
    before = {pid: _rss_kb(pid) for pid in workers}
    rise, done = [0], threading.Event()

    def sample():
        while not done.is_set():
            rise[0] = max(rise[0], *(_rss_kb(p) - before[p] for p in workers))
            time.sleep(0.02)
    sampler = threading.Thread(target=sample)
    t = Tablet(ports)
    try:
        t.login(username, data.PASSWORD)
        _, html = t.request("GET", "/oppfolging")
        token = CSRF_INPUT.search(html.decode()).group(1)
        sampler.start()
        started = time.perf_counter()
        status, body = t.request("POST", "/oppfolging/utskrift", urlencode(
            {"utvalg": "valgte", "person": [str(p) for p in persons], "csrf_token": token},
            doseq=True), {"Content-Type": "application/x-www-form-urlencoded"})
        job = re.search(rb'/oppfolging/utskrift/([A-Za-z0-9_-]+)"', body)
        got, pdf = t.request("GET", f"/oppfolging/utskrift/{job.group(1).decode()}") \
            if status == 200 and job else (status, b"")
        seconds = time.perf_counter() - started
    finally:
        done.set()
        if sampler.is_alive():
            sampler.join()
        t.close()
    included = len(re.findall(rb"Dokument \d+ av", body)) if status == 200 else 0
    return {"documents": len(persons), "listed": included, "seconds": seconds,
            "mb": len(pdf) / 1e6, "rss_rise_mb": rise[0] / 1024,
            "ok": got == 200 and pdf.startswith(b"%PDF-")}


def measure(app, url: str, env: dict, tablets: int, seconds: float, tmp: str) -> dict:
    from kartlegging.journal import pades
    ids = _prepare(app, tablets)
    # one signing certificate for both instances, as production configures it
    p12, passphrase = pades.ensure_dev_certificate(os.path.join(tmp, "signering"))
    env = {**env, "DATABASE_URL": url, "SIGNING_P12": str(p12),
           "SIGNING_P12_PASSPHRASE": passphrase.decode()}
    servers = [Server("kartlegging:create_app()", env), Server("kartlegging:create_app()", env)]
    ports = [s.port for s in servers]
    rec = Recorder()
    try:
        clock = {}

        def go():
            clock["started"] = time.perf_counter()
            clock["stop_at"] = time.time() + seconds
        clock["barrier"] = threading.Barrier(len(ids["clients"]) + len(ids["leads"]), go,
                                             timeout=600)
        # Logged in first, one after the other (not measured: 200 password checks at once
        # would measure the password hash); then everyone starts together.
        threads = [threading.Thread(target=_tablet, args=(
            _logged_in(ports, user), draft, ids, rec, clock, random.Random(k)))
            for k, (user, draft) in enumerate(ids["clients"])]
        threads += [threading.Thread(target=_lead, args=(_logged_in(ports, lead), rec, clock,
                                                         random.Random(1000 + k)))
                    for k, lead in enumerate(ids["leads"])]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - clock.get("started", time.perf_counter())
        small = _print(ports, servers, ids["lead"], ids["persons"][:20])
        large = _print(ports, servers, ids["lead"], ids["persons"])
    finally:
        for s in servers:
            s.stop()
    t = rec.times
    return {"tablets": tablets, "leads": len(ids["leads"]), "seconds": seconds,
            "elapsed_s": elapsed, "autosaves": len(t["autosave"]),
            "autosave_p95_ms": percentile(t["autosave"], 95),
            "sections": len(t["section"]), "section_p95_ms": percentile(t["section"], 95),
            "overview_p95_ms": percentile(t["overview"], 95), "signings": len(t["sign"]),
            "sign_p95_ms": percentile(t["sign"], 95), "errors": len(rec.errors) + sum(
                not p["ok"] for p in (small, large)), "error_kinds": sorted(set(rec.errors))[:5],
            "print_small": small, "print": large}
