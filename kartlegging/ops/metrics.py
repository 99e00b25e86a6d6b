"""Prometheus metrics: requests and their durations per route, autosaves, signings and print
jobs. Served at /metrikker to the operations network only (METRICS_ALLOW, networks in CIDR
form; 127.0.0.1 and ::1 when unset); to anyone else the path does not exist (404). The README's
nginx configuration does not pass it on either: operations scrape each instance directly.
Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (deploy/gunicorn.conf.py),
so that one scrape sums every worker of the instance.
"""
import ipaddress
import os
import time

from flask import Blueprint, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from .request_log import route

bp = Blueprint("metrics", __name__)
ENDPOINTS = {"metrics.scrape"}
# Where the duration of a route's request is also the duration of the thing itself.
AUTOSAVE, SIGNING = "assessments.autosave", "journal.sign"

REQUESTS = Counter("kartlegging_requests_total", "Forespørsler per rute og status",
                   ["route", "method", "status"])
DURATION = Histogram("kartlegging_request_seconds", "Svartid per rute", ["route", "method"])
AUTOSAVES = Histogram("kartlegging_autosave_seconds", "Autolagringer (vellykkede)",
                      buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5))
SIGNINGS = Histogram("kartlegging_signing_seconds", "Signeringer (vellykkede)",
                     buckets=(.1, .25, .5, 1, 2, 4, 8, 16))
PRINT_JOBS = Counter("kartlegging_print_jobs_total", "Utskriftsjobber", ["event"])
PRINT_SECONDS = Histogram("kartlegging_print_seconds", "Tid for å lage en samlet PDF",
                          buckets=(.5, 1, 2.5, 5, 10, 20, 40, 80))


def _allowed(app) -> list:
    nets = app.extensions.get("metrics_allow")
    if nets is None:
        raw = os.environ.get("METRICS_ALLOW", "127.0.0.1/32,::1/128")
        nets = app.extensions["metrics_allow"] = [
            ipaddress.ip_network(n.strip(), strict=False) for n in raw.split(",") if n.strip()]
    return nets


@bp.route("/metrikker")
def scrape():
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        abort(404)
    if not any(address in net for net in _allowed(current_app)):
        abort(404)
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


_SERIES: dict = {}


def _series(name: str, method: str, status: int):
    """The request counter's and the duration histogram's series of a route, looked up once
    (labels() validates and locks on every call: most of the cost of counting a request)."""
    key = (name, method, status)
    found = _SERIES.get(key)
    if found is None:
        found = _SERIES[key] = (REQUESTS.labels(name, method, str(status)),
                                DURATION.labels(name, method))
    return found


def init_app(app) -> None:
    _allowed(app)  # a malformed METRICS_ALLOW stops the app at start, naming the value

    @app.before_request
    def metrics_start():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response):
        started = g.get("metrics_started")
        if started is None or request.endpoint in ENDPOINTS:
            return response
        seconds = time.perf_counter() - started
        count, duration = _series(route(), request.method, response.status_code)
        count.inc()
        duration.observe(seconds)
        ok = response.status_code < 400
        if ok and request.endpoint == AUTOSAVE:
            AUTOSAVES.observe(seconds)
        elif ok and request.endpoint == SIGNING and request.method == "POST":
            SIGNINGS.observe(seconds)
        return response
