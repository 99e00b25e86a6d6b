"""Oppfølging: one row per person, filters, sorting, pagination and a constant query count."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from factories import WRITTEN_AGAINST, fnr
from kartlegging.clock import now_utc, today
from kartlegging.domain import ip_status
from kartlegging.domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from kartlegging.extensions import db
from kartlegging.lead import overview
from kartlegging.models import Assessment, ContactAssignment, Person

INSTRUMENT_VERSIONS = WRITTEN_AGAINST


def days_ago(n):
    return now_utc() - timedelta(days=n)


@pytest.fixture
def team(factory, login):
    """Team A: a teamleder, two ansatte, and five persons in known states (Alna v2 and
    livskvalitet v1: their rules give the statuses and means asserted below)."""
    f = factory
    lead = f.user("teamleder", name="Lea Leder")
    anne = f.user("ansatt", name="Anne Ansatt")
    bo = f.user("ansatt", name="Bo Berg")
    p = {}
    p["aldri"] = f.person(name="Aase Aldri", contact=anne)
    p["forfalt"] = f.person(name="Frode Forfalt", contact=anne)
    f.signed(p["forfalt"], anne, signed_at=days_ago(130))
    p["snart"] = f.person(name="Siri Snart", contact=bo)
    f.signed(p["snart"], bo, signed_at=days_ago(110), ip_svar="takket_nei",
             ip_avslag_grunn="Vil ikke")
    f.coordinator(p["snart"], bo)
    p["ok"] = f.person(name="Ola Ok", contact=bo)
    old = f.signed(p["ok"], bo, signed_at=days_ago(200))
    # corrected: the correction was signed 10 days ago, so that signing counts
    corr = f.signed(p["ok"], bo, signed_at=days_ago(10), ip_var_vurdering="nei")
    corr.supersedes_id = old.id
    p["utkast"] = f.person(name="Unni Utkast", contact=anne)
    f.signed(p["utkast"], anne, signed_at=days_ago(50), ip_tilbudt="nei")
    draft = f.assessment(p["utkast"], bo)
    # livskvalitet: two ratings for Frode (4.0 then 5.5)
    k = f.assessment(p["forfalt"], anne)
    r1 = f.rating(k, anne, values={"liv_helhet": 4, "arbeid": 4})
    r2 = f.rating(k, anne, values={"liv_helhet": 5, "arbeid": 6})
    r1.completed_at, r2.completed_at = days_ago(60), days_ago(5)
    db.session.commit()
    db.session.delete(k)  # the carrier kartlegging is not part of the scenario
    r1.parent_id = r2.parent_id = None
    db.session.commit()
    # another team's person never shows up
    f.person(team=f.team_b, name="Andre Teamet")
    return dict(client=login(lead), lead=lead, anne=anne, bo=bo, p=p, draft=draft)


def names(resp):
    html = resp.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'href="/personer/\d+">([^<]+)</a>', body)


def get(client, **params):
    r = client.get("/oppfolging", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return r


def test_default_order_is_most_urgent_first(team):
    assert names(get(team["client"])) == ["Aase Aldri", "Frode Forfalt", "Siri Snart",
                                          "Unni Utkast", "Ola Ok"]


def test_row_contents(team):
    html = get(team["client"]).get_data(as_text=True)
    assert "Andre Teamet" not in html
    row = html.split("Frode Forfalt", 1)[1].split("</tr>", 1)[0]
    assert "Anne Ansatt" in row and "5,5" in row and "+1,5" in row and "Forfalt" in row
    row = html.split("Siri Snart", 1)[1].split("</tr>", 1)[0]
    assert "Takket nei" in row and "Forfaller snart" in row and ">Ja<" in row
    row = html.split("Unni Utkast", 1)[1].split("</tr>", 1)[0]
    assert f"/kartlegginger/{team['draft'].id}" in row and "Bo Berg" in row
    assert "Vår vurdering: ja, ikke tilbudt" in row
    row = html.split("Aase Aldri", 1)[1].split("</tr>", 1)[0]
    assert "Aldri kartlagt" in row and "Ikke vurdert" in row


@pytest.mark.parametrize("params,expected", [
    ({"forfall": "forfalt"}, ["Aase Aldri", "Frode Forfalt"]),
    ({"forfall": "snart"}, ["Siri Snart"]),
    ({"forfall": "ok"}, ["Unni Utkast", "Ola Ok"]),
    ({"utkast": "y"}, ["Unni Utkast"]),
    ({"ip": ip_status.DECLINED}, ["Siri Snart"]),
    ({"ip": ip_status.ASSESSED_NO}, ["Ola Ok"]),
    ({"ip": ip_status.NOT_OFFERED}, ["Unni Utkast"]),
    ({"ip": ip_status.ACCEPTED}, ["Frode Forfalt"]),
    ({"ip": ip_status.NOT_ASSESSED}, ["Aase Aldri"]),
    ({"uten_koordinator": "y"}, ["Aase Aldri", "Frode Forfalt", "Unni Utkast", "Ola Ok"]),
    ({"q": "siri"}, ["Siri Snart"]),
    ({"forfall": "forfalt", "uten_koordinator": "y", "q": "fro"}, ["Frode Forfalt"]),
])
def test_filters(team, params, expected):
    assert names(get(team["client"], **params)) == expected


def test_filter_by_kontaktperson(team):
    assert names(get(team["client"], kontakt=team["bo"].id)) == ["Siri Snart", "Ola Ok"]


def test_search_by_national_id(team):
    nid = team["p"]["ok"].national_id
    assert names(get(team["client"], q=nid)) == ["Ola Ok"]


A, F, S, OK, U = "Aase Aldri", "Frode Forfalt", "Siri Snart", "Ola Ok", "Unni Utkast"


@pytest.mark.parametrize("key,ascending,descending", [
    ("navn", [A, F, OK, S, U], [U, S, OK, F, A]),
    ("kontakt", [A, F, U, OK, S], [OK, S, A, F, U]),       # ties by name
    ("signert", [F, S, U, OK, A], [OK, U, S, F, A]),       # never signed last both ways
    ("utkast", [U, A, F, OK, S], [U, A, F, OK, S]),        # only Unni has a draft
    ("livskvalitet", [F, A, OK, S, U], [F, A, OK, S, U]),  # only Frode has ratings
    ("endring", [F, A, OK, S, U], [F, A, OK, S, U]),
    ("ip", [A, OK, U, F, S], [S, F, U, OK, A]),            # the follow-up chain, not A–Å
    ("koordinator", [A, F, OK, U, S], [S, A, F, OK, U]),
    ("neste", [A, F, S, U, OK], [OK, U, S, F, A]),
])
def test_sort_by_every_column(team, key, ascending, descending):
    assert names(get(team["client"], sorter=key)) == ascending
    assert names(get(team["client"], sorter=key, retning="synkende")) == descending


def test_column_headers_link_to_sorting(team):
    html = get(team["client"], forfall="ok").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html
    assert "sorter=navn" in html and "forfall=ok" in html


@pytest.mark.parametrize("params", [{"sorter": "passord"}, {"forfall": "x"}, {"ip": "x"},
                                    {"kontakt": "999999"}, {"side": "abc"},
                                    {"signert_fra": "31.02.2026"}])
def test_bad_parameters_are_a_norwegian_400(team, params):
    r = team["client"].get("/oppfolging", query_string=params)
    assert r.status_code == 400
    assert "Filteret kan ikke brukes" in r.get_data(as_text=True)


def test_signed_period_filter(team):
    start = (today() - timedelta(days=60)).isoformat()
    assert names(get(team["client"], signert_fra=start, signert_til=today().isoformat())) == \
        ["Unni Utkast", "Ola Ok"]


def bulk_persons(team, user, n, start=0):
    """n persons with a signed kartlegging, a draft and a rating each (one commit)."""
    persons = [Person(team_id=team.id, name=f"Bulk {i:05d}",
                      national_id=fnr(day=1 + i % 28, month=1 + (i // 28) % 12,
                                      year=(i // 336) % 100, individ=500 + i % 3),
                      created_by_id=user.id) for i in range(start, start + n)]
    db.session.add_all(persons)
    db.session.flush()
    rows = []
    for i, p in enumerate(persons):
        rows.append(ContactAssignment(person_id=p.id, user_id=user.id, recorded_by_id=user.id))
        rows.append(Assessment(person_id=p.id, instrument_key=KARTLEGGING,
                               instrument_version=WRITTEN_AGAINST[KARTLEGGING], answers={}, status="signed",
                               signed_at=days_ago(i % 200), signed_by_id=user.id,
                               ip_outcome="oppfylt", ip_decision="ja", ip_answer="takket_ja",
                               created_by_id=user.id, updated_by_id=user.id))
        rows.append(Assessment(person_id=p.id, instrument_key=KARTLEGGING,
                               instrument_version=WRITTEN_AGAINST[KARTLEGGING], answers={}, created_by_id=user.id,
                               updated_by_id=user.id))
        rows.append(Assessment(person_id=p.id, instrument_key=LIVSKVALITET,
                               instrument_version=WRITTEN_AGAINST[LIVSKVALITET], answers={}, score=4.0,
                               completed_at=days_ago(i % 90), created_by_id=user.id,
                               updated_by_id=user.id))
    db.session.add_all(rows)
    db.session.commit()


def count_queries(client, path):
    counter = []

    def before(conn, cursor, statement, params, context, executemany):
        counter.append(statement)
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        r = client.get(path)
        assert r.status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(counter), r


def test_query_count_is_the_same_for_10_and_1000_persons(factory, login):
    lead = factory.user("teamleder")
    client = login(lead)
    bulk_persons(factory.team_a, lead, 10)
    n10, r10 = count_queries(client, "/oppfolging?sorter=livskvalitet")
    assert len(names(r10)) == 10
    bulk_persons(factory.team_a, lead, 990, start=10)
    n1000, r1000 = count_queries(client, "/oppfolging?sorter=livskvalitet")
    assert "1000 personer" in r1000.get_data(as_text=True)
    assert len(names(r1000)) == overview.PER_PAGE
    assert n10 == n1000
    # and the start page (Mine personer) likewise
    m10, _ = count_queries(client, "/")
    assert m10 == count_queries(client, "/?side=3")[0]


def test_pagination(factory, login):
    lead = factory.user("teamleder")
    client = login(lead)
    bulk_persons(factory.team_a, lead, 120)
    seen = []
    for side in (1, 2, 3):
        r = get(client, sorter="navn", side=side)
        html = r.get_data(as_text=True)
        assert f"Side {side} av 3" in html
        seen += names(r)
    assert seen == [f"Bulk {i:05d}" for i in range(120)]
    assert 'rel="next"' in get(client, sorter="navn", side=1).get_data(as_text=True)
    # past the end: the last page
    assert "Side 3 av 3" in get(client, side=99).get_data(as_text=True)


def test_overview_is_audited(team):
    from kartlegging.models import AuditEvent
    get(team["client"])
    ev = db.session.query(AuditEvent).filter_by(action="lead_overview").one()
    assert ev.user_id == team["lead"].id and "5 personer" in ev.detail


def test_ansatt_gets_403(staff):
    client, _ = staff
    for path in ("/oppfolging", "/oppfolging/tall", "/oppfolging/trender",
                 "/oppfolging/trender.csv"):
        r = client.get(path)
        assert r.status_code == 403 and "tilgang" in r.get_data(as_text=True)
