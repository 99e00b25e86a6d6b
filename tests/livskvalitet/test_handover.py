"""Livskvalitet hand-over: scope fenced by the server, password to end, who answered, chart."""
import re

from conftest import PASSWORD
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent


def start_handover(client, a):
    r = client.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet")
    assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering/velkommen")


def rating_of(a):
    db.session.expire_all()
    return db.session.scalar(db.select(Assessment).where(Assessment.parent_id == a.id))


def test_person_answers_all_items_and_staff_unlocks(staff, factory, app):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    start_handover(client, a)
    inst = app.extensions["instruments"].latest("livskvalitet")
    items = [i for s in inst.sections for i in s.items]
    assert len(items) == 16
    page = client.get("/egenvurdering?n=3").data.decode()
    assert "Spørsmål 3 av 16" in page
    assert person.name not in page and "Logg ut" not in page and "Personer" not in page
    for n, item in enumerate(items, 1):
        value = "vil_ikke_svare" if n == 2 else (str((n % 7) + 1) if item.type == "scale" else "ja")
        r = client.post(f"/egenvurdering?n={n}", data={"svar": value})
        assert r.status_code == 302
    assert r.headers["Location"].endswith("/egenvurdering/ferdig")
    assert "Takk! Gi nettbrettet tilbake" in client.get("/egenvurdering/ferdig").data.decode()
    rating = rating_of(a)
    assert rating.rated_by_person and rating.completed_at is None
    assert rating.answers[items[1].id] == "vil_ikke_svare"
    assert rating.answers[items[0].id] == 2
    r = client.post("/egenvurdering/avslutt", data={"password": PASSWORD})
    assert r.status_code == 302 and "/del/livskvalitet" in r.headers["Location"]
    assert rating_of(a).completed_at is not None
    page = client.get(f"/kartlegginger/{a.id}/del/livskvalitet").data.decode()
    assert "Personen selv (på nettbrettet)" in page
    actions = {e.action for e in AuditEvent.query.all()}
    assert {"handover_start", "handover_end"} <= actions


def test_every_other_route_is_refused_during_handover(staff, factory, app):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    other = factory.person(name="Annen Person")
    start_handover(client, a)
    for url in ["/", f"/personer/{person.id}", f"/personer/{other.id}", f"/kartlegginger/{a.id}",
                f"/kartlegginger/{a.id}/del/familie", "/personer/ny", "/verifiser",
                f"/kartlegginger/{a.id}/pdf", f"/personer/{person.id}/logg", "/logg-inn"]:
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering"), url
    for url in [f"/kartlegginger/{a.id}/del/familie", "/logg-ut", f"/personer/{person.id}/kartlegginger",
                f"/kartlegginger/{a.id}/signer"]:
        r = client.post(url, data={"version": "1", "sivilstand": "gift"})
        assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering"), url
    r = client.post(f"/kartlegginger/{a.id}/autolagre", json={"version": 1, "section": "familie",
                                                              "answers": {"sivilstand": "gift"}})
    assert r.status_code == 403 and r.json["error"] == "handover"
    db.session.expire_all()
    assert db.session.get(Assessment, a.id).answers == {}
    page = client.get("/egenvurdering?n=1").data.decode()
    assert other.name not in page and person.name not in page


def test_wrong_password_keeps_the_handover(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    r = client.post("/egenvurdering/avslutt", data={"password": "feil-passord"})
    assert r.status_code == 403
    assert "Feil passord" in r.data.decode()
    assert client.get("/").headers["Location"].endswith("/egenvurdering")
    assert AuditEvent.query.filter_by(action="handover_end_failed").count() == 1
    r = client.post("/egenvurdering/avslutt", data={"password": ""})
    assert r.status_code == 403
    assert client.get("/").headers["Location"].endswith("/egenvurdering")


def test_other_staff_password_does_not_end_handover(staff, factory, app):
    client, user = staff
    colleague = factory.user("ansatt", team=factory.team_a)
    colleague.set_password("annet-passord-99", "pbkdf2:sha256:1000")
    db.session.commit()
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    r = client.post("/egenvurdering/avslutt", data={"password": "annet-passord-99"})
    assert r.status_code == 403


def test_bad_answer_values_are_refused(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    for bad in ["8", "0", "x", "ja"]:
        assert client.post("/egenvurdering?n=1", data={"svar": bad}).status_code == 400
    assert rating_of(a).answers == {}


def test_back_button_and_skip(staff, factory, app):
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    client.post("/egenvurdering?n=1", data={"svar": "5"})
    r = client.post("/egenvurdering?n=2", data={"tilbake": "1"})
    assert r.headers["Location"].endswith("n=1")
    page = client.get("/egenvurdering?n=1").data.decode()
    assert re.search(r'value="5"[^>]*aria-pressed="true"', page)
    client.post("/egenvurdering?n=1", data={"svar": ""})  # skip = unanswered
    assert rating_of(a).answers == {}


def test_staff_entry_is_marked_registered_by_staff(staff, factory, app):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    page = client.get(f"/kartlegginger/{a.id}/livskvalitet/ansatt")
    assert page.status_code == 200
    r = client.post(f"/kartlegginger/{a.id}/livskvalitet/ansatt",
                    data={"tilfredshet-liv_helhet": "3", "tilfredshet-bolig": "6",
                          "ja_nei-naer_venn": "nei"})
    assert r.status_code == 302, r.data.decode()[:2000]
    rating = rating_of(a)
    assert rating.rated_by_person is False and rating.created_by_id == user.id
    assert rating.answers == {"liv_helhet": 3, "bolig": 6, "naer_venn": "nei"}
    assert rating.completed_at is not None
    html = client.get(f"/kartlegginger/{a.id}/del/livskvalitet").data.decode()
    assert f"Registrert av ansatt ({user.name})" in html
    r = client.post(f"/kartlegginger/{a.id}/livskvalitet/ansatt",
                    data={"tilfredshet-liv_helhet": "9"})
    assert r.status_code == 422 and "Velg et av alternativene." in r.data.decode()


def test_chart_has_one_point_per_rating_with_the_mean(staff, factory, app):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    # livskvalitet v1: a mean from any number of answers
    factory.rating(a, user, values={"liv_helhet": 2, "bolig": 4}, version=1)            # 3
    factory.rating(a, user, values={"liv_helhet": 5, "bolig": "vil_ikke_svare"}, version=1)  # 5
    factory.rating(a, user, values={"liv_helhet": "vil_ikke_svare"}, version=1)    # no mean
    factory.rating(a, user, values={"liv_helhet": 7, "bolig": 6, "okonomi": 5}, version=1)  # 6
    html = client.get(f"/personer/{person.id}").data.decode()
    svg = html.split('<svg class="chart"')[1].split("</svg>")[0]
    assert re.findall(r'data-value="([\d.]+)"', svg) == ["3", "5", "6"]
    assert svg.count("<circle") == 3 and "<polyline" in svg
    assert "Ansattes vurdering" in html
    sparks = html.split('<td class="spark">')[1:]
    assert len(sparks) == 12  # one small chart per satisfaction area
    assert re.findall(r'data-value="([\d.]+)"', sparks[0].split("</svg>")[0]) == ["2", "5", "7"]


def test_v2_mean_needs_eight_of_twelve_and_says_how_many(staff, factory, app):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    scales = [i.id for i in app.extensions["instruments"].get("livskvalitet", 2).items.values()
              if i.type == "scale"]
    factory.rating(a, user, values={q: 4 for q in scales[:7]})                 # too few
    factory.rating(a, user, values={**{q: 6 for q in scales[:8]}, scales[8]: "vil_ikke_svare"})
    html = client.get(f"/personer/{person.id}").data.decode()
    svg = html.split('<svg class="chart"')[1].split("</svg>")[0]
    assert re.findall(r'data-value="([\d.]+)"', svg) == ["6"]
    section = client.get(f"/kartlegginger/{a.id}/del/livskvalitet").data.decode()
    assert "ikke beregnet: 7 av 12 besvart, minst 8 trengs" in section
    assert "6,0 (snitt av 8 av 12)" in section
    assert "Stort sett fornøyd" in section or "Stort sett fornøyd" in client.get(
        f"/kartlegginger/{a.id}/livskvalitet/ansatt").data.decode()


def test_answers_tapped_during_a_handover_get_one_audit_row_listing_them(staff, factory, app):
    """The person's taps change the rating: the log shows it with one row per hand-over
    naming the items changed, not one row per tap (and no answer values)."""
    client, user = staff
    a = factory.assessment(factory.person(), user, filled=False)
    start_handover(client, a)
    items = [i for s in app.extensions["instruments"].latest("livskvalitet").sections
             for i in s.items]
    first, second, third = (i.id for i in items[:3])
    client.post("/egenvurdering?n=1", data={"svar": "5"})
    client.post("/egenvurdering?n=1", data={"svar": "6"})  # changed again: still one item
    client.post("/egenvurdering?n=2", data={"svar": "3"})
    client.post("/egenvurdering?n=2", data={"svar": "3"})  # the same again
    client.post("/egenvurdering?n=3", data={"svar": ""})   # skipped: nothing changed
    assert not AuditEvent.query.filter_by(action="selfrating_save").count()
    r = client.post("/egenvurdering/avslutt", data={"password": PASSWORD})
    assert r.status_code == 302
    rows = AuditEvent.query.filter_by(action="selfrating_save").all()
    assert len(rows) == 1
    row = rows[0]
    rating = rating_of(a)
    assert (row.person_id, row.object_id, row.user_id) == (a.person_id, rating.id, user.id)
    assert f"2 spørsmål endret: {first}, {second}" in row.detail and third not in row.detail
    assert "6" not in row.detail.replace(first, "").replace(second, "")


def test_a_handover_without_answers_writes_no_answer_row(staff, factory):
    client, user = staff
    start_handover(client, factory.assessment(factory.person(), user, filled=False))
    assert client.post("/egenvurdering/avslutt", data={"password": PASSWORD}).status_code == 302
    assert not AuditEvent.query.filter_by(action="selfrating_save").count()
    assert AuditEvent.query.filter_by(action="handover_end").count() == 1
