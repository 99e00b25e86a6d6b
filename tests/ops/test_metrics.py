"""Prometheus metrics at /metrikker for the operations network only: request counts and
durations per route, autosaves, print jobs."""
from prometheus_client.parser import text_string_to_metric_families


def samples(client) -> dict:
    r = client.get("/metrikker")
    assert r.status_code == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.get_data(as_text=True))
            for s in family.samples}


def value(found, name, **labels):
    return found.get((name, tuple(sorted(labels.items()))), 0)


def test_only_the_operations_network_reaches_them(app, monkeypatch):
    assert app.test_client().get("/metrikker").status_code == 200  # 127.0.0.1
    outside = {"REMOTE_ADDR": "10.20.30.40"}
    r = app.test_client().get("/metrikker", environ_base=outside)
    assert r.status_code == 404 and "kartlegging_" not in r.get_data(as_text=True)
    app.extensions["metrics_allow"] = None
    monkeypatch.setenv("METRICS_ALLOW", "10.20.0.0/16")
    assert app.test_client().get("/metrikker", environ_base=outside).status_code == 200
    assert app.test_client().get("/metrikker").status_code == 404


def test_requests_and_autosaves_are_counted(app, factory, login):
    kari = factory.user("ansatt")
    a = factory.assessment(factory.person(contact=kari), kari, filled=False)
    client = login(kari)
    ops = app.test_client()
    before = samples(ops)
    assert client.get(f"/kartlegginger/{a.id}").status_code == 200
    r = client.post(f"/kartlegginger/{a.id}/autolagre",
                    json={"version": 1, "section": "familie", "answers": {}})
    assert r.status_code == 200
    after = samples(ops)
    route = "/kartlegginger/<int:assessment_id>"
    assert value(after, "kartlegging_requests_total", route=route, method="GET", status="200") \
        == value(before, "kartlegging_requests_total", route=route, method="GET",
                 status="200") + 1
    assert value(after, "kartlegging_autosave_seconds_count") == \
        value(before, "kartlegging_autosave_seconds_count") + 1
    assert value(after, "kartlegging_request_seconds_count", route=route, method="GET") >= 1
    # the scrape itself is not counted
    assert not any(k[0] == "kartlegging_requests_total" and ("route", "/metrikker") in k[1]
                   for k in after)
