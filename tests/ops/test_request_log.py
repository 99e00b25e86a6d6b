"""LOG_FORMAT=json: one JSON object per line; a request's line holds its request id, the user's
id, the route's pattern, the status and the duration, and never a name, user name or number,
even when the path or the search holds them."""
import json
import logging

from kartlegging.ops import request_log
from kartlegging.ops.request_log import JsonFormatter


def _lines(caplog) -> list[str]:
    formatter = JsonFormatter()
    return [formatter.format(r) for r in caplog.records]


def test_request_lines_name_no_one(app, factory, login, caplog):
    kari = factory.user("ansatt", username="kari.nordmann", name="Kari Nordmann")
    person = factory.person(name="Ola Testesen", contact=kari)
    number, person_id = person.national_id, person.id
    client = login(kari)
    caplog.set_level(logging.INFO)
    caplog.clear()
    client.get(f"/personer/{person_id}")
    client.get(f"/?q={number}")
    client.get("/?q=Ola+Testesen")
    client.get("/finnes-ikke", headers={"X-Request-Id": "lb-0123456789abcdef"})
    client.get("/helse", headers={"X-Request-Id": "ikke gyldig; <script>"})
    lines = _lines(caplog)
    assert lines and all("\n" not in line for line in lines)
    objects = [json.loads(line) for line in lines]
    requests = [o for o in objects if o.get("event") == "request"]
    assert [o["route"] for o in requests] == [
        "/personer/<int:person_id>", "/", "/", "(ingen rute)", "/helse"]
    assert [o["status"] for o in requests] == [200, 200, 200, 404, 200]
    assert all(o["user_id"] == kari.id for o in requests[:4])
    assert requests[4]["user_id"] is None  # no session
    assert all(isinstance(o["duration_ms"], float) and o["method"] == "GET" for o in requests)
    assert requests[3]["request_id"] == "lb-0123456789abcdef"  # the proxy's id is kept
    assert len(requests[4]["request_id"]) == 32 and "script" not in requests[4]["request_id"]
    assert len({o["request_id"] for o in requests}) == 5
    text = "\n".join(lines)
    for secret in (number, "Ola", "Testesen", "Kari", "Nordmann", "kari.nordmann", str(person_id)
                   + "/"):
        assert secret not in text, secret


def test_the_response_carries_the_request_id(client):
    r = client.get("/helse", headers={"X-Request-Id": "abcdef0123456789"})
    assert r.headers["X-Request-Id"] == "abcdef0123456789"


def test_json_format_configures_every_line_of_the_process(monkeypatch):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        request_log.configure("json")
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
        line = root.handlers[0].format(logging.LogRecord(
            "kartlegging", logging.ERROR, __file__, 1, "Uventet feil %s", ("KeyError",), None))
        assert json.loads(line) == {**json.loads(line), "level": "error",
                                    "message": "Uventet feil KeyError"}
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
