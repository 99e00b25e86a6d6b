"""IP follow-up figures on a fixture with known answers."""
import re
from datetime import date, datetime, timedelta

import pytest

from factories import WRITTEN_AGAINST
from kartlegging.clock import now_utc, today
from kartlegging.extensions import db
from kartlegging.lead import figures
from kartlegging.models import AuditEvent

INSTRUMENT_VERSIONS = WRITTEN_AGAINST

NONE_SERVICES = {"oppfolgingstjenester": ["ingen"], "fastlege_har": "nei", "barnevern": "nei"}


@pytest.fixture
def known(factory, login):
    """Seven persons signed this year, two contacts; one signed last year (outside).
    Alna v2: its IP rule gives the outcomes below from these answers."""
    f = factory
    lead = f.user("teamleder")
    anne = f.user("ansatt", name="Anne Ansatt")
    bo = f.user("ansatt", name="Bo Berg")
    when = now_utc() - timedelta(hours=1)

    def signed(contact, **answers):
        p = f.person(contact=contact)
        f.signed(p, contact, signed_at=when, **answers)
        return p
    # Anne: accepted ×2 (prompt oppfylt), declined ×2 (same reason in different case),
    #       assessed no ×1 (prompt 'vurder', koordinator not offered)
    signed(anne)
    signed(anne, kriseplan_status="mangler")
    signed(anne, ip_svar="takket_nei", ip_avslag_grunn="Ønsker ikke plan nå.")
    signed(anne, ip_svar="takket_nei", ip_avslag_grunn="  ønsker ikke plan nå ")
    signed(anne, langvarig_behov="nei", ip_var_vurdering="nei", koordinator_tilbudt="nei",
           ip_begrunnelse="Kort behov")
    # Bo: offered, not answered (prompt 'ikke'), and assessed yes but not offered
    signed(bo, ip_svar="ikke_svart", langvarig_behov="nei", **NONE_SERVICES)
    signed(bo, ip_tilbudt="nei", ip_svar=None, kriseplan_status="ikke_aktuelt")
    # a kartlegging signed before the period is not counted
    p = f.person(contact=bo)
    f.signed(p, bo, signed_at=datetime(today().year - 1, 6, 1, 12), ip_svar="takket_nei",
             ip_avslag_grunn="Gammel grunn")
    return dict(client=login(lead), anne=anne, bo=bo, app=f.app, late=p)


def test_team_figures(known):
    reg = known["app"].extensions["instruments"]
    fig = figures.compute(known["anne"].team_id, date(today().year, 1, 1), today(), reg)
    t = fig.team
    assert t.assessed == 7
    assert t.outcome == {"oppfylt": 5, "vurder": 1, "ikke": 1}
    assert t.decision == {"ja": 6, "nei": 1}
    assert t.offered == 5
    assert t.accepted == 2 and t.declined == 2
    assert t.status["tilbudt"] == 1 and t.status["vurdert_ja"] == 1
    assert t.status["vurdert_nei"] == 1
    assert t.coordinator == {"ja": 6, "nei": 1}
    assert t.kriseplan == {"finnes": 5, "mangler": 1, "ikke_aktuelt": 1}
    # declining reasons grouped by wording, whatever the case and spacing
    assert fig.reasons == [("Ønsker ikke plan nå.", 2)]
    per = {name: b for _, name, b in fig.per_contact}
    assert per["Anne Ansatt"].assessed == 5 and per["Bo Berg"].assessed == 2
    assert per["Anne Ansatt"].declined == 2 and per["Bo Berg"].offered == 1
    assert per["Bo Berg"].status["vurdert_ja"] == 1


def test_period_limits(known):
    reg = known["app"].extensions["instruments"]
    last_year = figures.compute(known["anne"].team_id, date(today().year - 1, 1, 1),
                                date(today().year - 1, 12, 31), reg)
    assert last_year.team.assessed == 1 and last_year.reasons == [("Gammel grunn", 1)]


def test_page_shows_figures_with_links_to_the_overview(known):
    r = known["client"].get("/oppfolging/tall")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    start = date(today().year, 1, 1).isoformat()
    assert f'signert_fra={start}' in html and "ip=takket_nei" in html
    assert f"kontakt={known['anne'].id}" in html
    assert "Ønsker ikke plan nå." in html and "Per kontaktperson" in html
    # the link leads to the same persons
    link = html.split('ip=takket_nei', 1)[0].rsplit('href="', 1)[1] + "ip=takket_nei"
    listing = known["client"].get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "2 personer" in listing
    assert db.session.query(AuditEvent).filter_by(action="lead_figures").count() == 1


def test_bad_period_is_a_norwegian_400(known):
    r = known["client"].get("/oppfolging/tall?fra=2026-05-01&til=2026-04-01")
    assert r.status_code == 400 and "kan ikke være før" in r.get_data(as_text=True)
    r = known["client"].get("/oppfolging/tall?fra=ikke-en-dato")
    assert r.status_code == 400 and "gyldig dato" in r.get_data(as_text=True)


# Alna v3 answers in varied IP states, with the status each must land in (one each).
V3_CASES = [
    (dict(har_ip="ja", har_ip_dato="2025-03-01", ip_var_vurdering="ja"), "har_ip"),
    (dict(har_ip="ja", ip_var_vurdering="ja"), "har_ip"),
    (dict(har_ip="ja", ip_var_vurdering="nei"), "vurdert_nei"),
    (dict(har_ip="nei", ip_var_vurdering="ja", ip_tilbudt="nei"), "vurdert_ja"),
    (dict(har_ip="nei", ip_var_vurdering="ja", ip_tilbudt="ja", ip_svar="ikke_svart"),
     "tilbudt"),
    (dict(har_ip="nei", ip_var_vurdering="ja", ip_tilbudt="ja", ip_svar="takket_ja"),
     "takket_ja"),
    (dict(har_ip="nei", ip_var_vurdering="ja", ip_tilbudt="ja", ip_svar="takket_nei",
          ip_avslag_grunn_oppgitt="onsket_ikke"), "takket_nei"),
    (dict(har_ip="vet_ikke", ip_var_vurdering="nei", ip_onsket_av_person="nei"), "vurdert_nei"),
]


def test_each_person_in_exactly_one_status_and_every_text_filled(factory, login):
    f = factory
    lead, anne = f.user("teamleder"), f.user("ansatt", name="Anne Ansatt")
    expected = {}
    for answers, status in V3_CASES:
        p = f.person(contact=anne)
        f.signed(p, anne, version=3, **answers)
        expected[p.name] = status
    reg = f.app.extensions["instruments"]
    fig = figures.compute(anne.team_id, date(today().year, 1, 1), today(), reg)
    t = fig.team
    assert t.assessed == len(V3_CASES) == sum(t.status.values())
    want = {}
    for status in expected.values():
        want[status] = want.get(status, 0) + 1
    assert dict(t.status) == want
    html = login(lead).get("/oppfolging/tall").get_data(as_text=True)
    assert "{" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert ("Skjemaets forslag: Personen har individuell plan. Vurder om planen er oppdatert."
            in html)
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>(?:<a [^>]+>)?(\d+)', html))
    assert rows["Vår vurdering: ja, har individuell plan"] == "2"
    assert rows["Vår vurdering: ja, ikke tilbudt"] == "1"
    assert rows["Sum"] == str(len(V3_CASES))
    # the overview's filter (its own SQL) puts each person in the same single status
    client = login(lead)
    for status, n in want.items():
        listing = client.get(f"/oppfolging?ip={status}").get_data(as_text=True)
        assert f"{n} person" in listing, status
