"""One log line per request, and with LOG_FORMAT=json every log line as one JSON object.

A request's line holds its request id (the proxy's X-Request-Id when it is a plain token, else
a new random one; sent back in the response), the user's id (never a name, user name or number), the
route's pattern (never the path or query: they can hold a person's number or a searched name),
the method, the status and the duration. The request id is also on every other line logged
while the request runs.
"""
import json
import logging
import os
import re
import secrets
import socket
import sys
import time
from datetime import UTC, datetime

from flask import g, has_request_context, request
from flask_login import current_user

OPS_ENDPOINTS = {"health.live", "health.ready", "metrics.scrape"}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
log = logging.getLogger("kartlegging.request")


def instance_name() -> str:
    return os.environ.get("INSTANCE_NAME") or f"{socket.gethostname()}:{os.getpid()}"


class JsonFormatter(logging.Formatter):
    """A record as one JSON object on one line: time (UTC), level, logger, message, and the
    request id while a request runs; a request's own line adds its fields (record.fields)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name,
               "message": record.getMessage(), "instance": instance_name()}
        if has_request_context() and "request_id" in g:
            out["request_id"] = g.request_id
        out.update(getattr(record, "fields", {}))
        if record.exc_info:
            # the exception's type only: its text may quote data
            out["exception"] = record.exc_info[0].__name__
        return json.dumps(out, ensure_ascii=False)


def configure(fmt: str) -> None:
    """LOG_FORMAT=json: every log line of the process (app, gunicorn's error log through the
    root logger) as JSON on standard error."""
    if fmt != "json":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def _user_id():
    if request.endpoint in OPS_ENDPOINTS:  # answered without reading the session
        return None
    try:
        return current_user.id if current_user.is_authenticated else None
    except Exception:  # the user could not be read (database gone): the line is still logged
        return None


def init_app(app) -> None:
    configure(os.environ.get("LOG_FORMAT", app.config.get("LOG_FORMAT", "")))

    @app.before_request
    def start_request():
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if REQUEST_ID.match(given) else secrets.token_hex(16)
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if not log.isEnabledFor(logging.INFO):  # no line wanted (the default WARNING level)
            return response
        started = g.get("request_started")
        fields = {"event": "request", "request_id": g.get("request_id"),
                  "user_id": _user_id(), "route": route(), "method": request.method,
                  "status": response.status_code,
                  "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                  if started else None}
        log.info("%s %s %s", request.method, fields["route"], response.status_code,
                 extra={"fields": fields})
        return response


def route() -> str:
    """The matched route's pattern, or a fixed word when none matched."""
    return request.url_rule.rule if request.url_rule is not None else "(ingen rute)"
