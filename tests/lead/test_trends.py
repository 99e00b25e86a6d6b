"""Anonymised trends: means and distributions per ended quarter, nothing from groups under 5."""
import csv
import io
from datetime import date, datetime, timedelta

import pytest

from factories import WRITTEN_AGAINST
from kartlegging.clock import today
from kartlegging.domain.suppression import HIDDEN
from kartlegging.extensions import db
from kartlegging.lead import trends
from kartlegging.models import AuditEvent

INSTRUMENT_VERSIONS = WRITTEN_AGAINST


def test_quarters_are_the_ended_ones():
    assert trends.ended_quarters(date(2026, 2, 10), 3) == [(2025, 2), (2025, 3), (2025, 4)]
    assert trends.ended_quarters(date(2026, 4, 1), 2) == [(2025, 4), (2026, 1)]
    assert trends.quarter_label((2026, 1)) == "1. kv. 2026"


def quarter_datetime(q, day=15):
    return datetime(q[0], 3 * (q[1] - 1) + 2, day, 12, 0)


@pytest.fixture
def scene(factory, login):
    """The last ended quarter: 6 persons rated (one of them twice: only the last counts) and 4
    persons answered 'fysisk helse'; the quarter before: 3 persons rated. Kartlegginger: 7 in
    the last ended quarter."""
    f = factory
    lead = f.user("teamleder")
    staff = f.user("ansatt")
    quarters = trends.ended_quarters(today())
    now_q, prev_q = quarters[-1], quarters[-2]
    people = []
    for i in range(6):
        p = f.person(name=f"Hemmelig Navn {i}", contact=staff)
        k = f.assessment(p, staff)
        values = {"liv_helhet": 2 + i % 5, "arbeid": 4}
        if i < 4:
            values["fysisk_helse"] = 6
        r = f.rating(k, staff, values=values)
        r.completed_at = quarter_datetime(now_q, 1)
        people.append((p, k))
    # person 0 rated again later in the quarter: 7 and 7
    again = f.rating(people[0][1], staff, values={"liv_helhet": 7, "arbeid": 7})
    again.completed_at = quarter_datetime(now_q, 2)
    for i in range(3):
        p = f.person(name=f"Forrige {i}", contact=staff)
        r = f.rating(f.assessment(p, staff), staff, values={"liv_helhet": 1})
        r.completed_at = quarter_datetime(prev_q)
    # levekårsindeks: 6 grønn and 1 rød (→ rød and the empty groups hidden, grønn too)
    for i in range(7):
        p = f.person(name=f"Indeks {i}", contact=staff)
        answers = {} if i < 6 else {f"vurdering_{a}": "rod" for a in (
            "bolig", "aktivitet", "okonomi", "fysisk_helse")}
        a = f.signed(p, staff, **answers)
        a.signed_at = quarter_datetime(now_q, 1)
    db.session.commit()
    return dict(client=login(lead), app=f.app, now_q=now_q, prev_q=prev_q, team=f.team_a)


def test_livskvalitet_means_only_over_five_or_more(scene):
    lk = trends.livskvalitet(scene["team"].id, today(), scene["app"].extensions["instruments"])
    q, prev = scene["now_q"], scene["prev_q"]
    assert lk.persons[q] == 6 and lk.persons[prev] is None
    # person 0 counts with its last rating (7, 7): means per person, then over persons
    # persons 1–3 also rated fysisk helse (6)
    expected = [7.0] + [round((2 + i % 5 + 4 + (6 if i < 4 else 0)) / (3 if i < 4 else 2), 2)
                        for i in range(1, 6)]
    assert lk.overall[q] == round(sum(expected) / 6, 2)
    assert lk.by_area["liv_helhet"][q] == round((7 + sum(2 + i % 5 for i in range(1, 6))) / 6, 2)
    assert lk.by_area["fysisk_helse"][q] is None           # only 3 persons still answer it
    assert lk.overall[prev] is None and lk.by_area["liv_helhet"][prev] is None


def test_levekarsindeks_suppression_with_complement(scene):
    idx = trends.levekarsindeks(scene["team"].id, today(),
                                scene["app"].extensions["instruments"])
    q = scene["now_q"]
    cells = idx.cells[q]
    # rød (1) and the empty groups hold 1 together: grønn (6) would give 'not green' = 1, so
    # it is hidden as well, and every hidden cell reads the same
    assert idx.totals[q] == 7 and set(cells.values()) == {HIDDEN}
    assert idx.totals[scene["prev_q"]] == HIDDEN


def test_page_has_chart_and_no_identifying_details(scene):
    r = scene["client"].get("/oppfolging/trender")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert html.count("<svg") == 2 and "færre enn 5" in html and "skjult" in html
    assert "Hemmelig" not in html and "Indeks " not in html and "Forrige" not in html
    main = html.split('<main', 1)[1]
    for p_name in ("Hemmelig Navn", "KL-0"):
        assert p_name not in main
    assert db.session.query(AuditEvent).filter_by(action="lead_trends").count() == 1


@pytest.mark.parametrize("table", ["livskvalitet", "levekarsindeks"])
def test_csv(scene, table):
    r = scene["client"].get(f"/oppfolging/trender.csv?tabell={table}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert len(rows) == 1 + trends.QUARTERS
    flat = [c for row in rows[1:] for c in row[1:]]
    for cell in flat:
        assert cell == HIDDEN or float(cell.replace(",", ".")) >= 1
    if table == "levekarsindeks":
        counts = [int(c) for c in flat if c.isdigit()]
        assert all(n >= 5 for n in counts)
    assert "Hemmelig" not in r.get_data(as_text=True)


def test_csv_unknown_table_is_400(scene):
    r = scene["client"].get("/oppfolging/trender.csv?tabell=navn")
    assert r.status_code == 400 and "Ukjent tabell" in r.get_data(as_text=True)


def test_the_running_quarter_shows_only_once_it_has_ended(factory, login, monkeypatch):
    """Two exports a few days apart must not differ by one person's rating or index: a rating
    and a signing in the running quarter change nothing shown or exported until it ends."""
    f = factory
    lead, staff = f.user("teamleder"), f.user("ansatt")
    clock = {"day": date(2026, 5, 20)}
    monkeypatch.setattr("kartlegging.lead.views.today", lambda: clock["day"])

    def person_with(day: datetime, score: int):
        p = f.person(contact=staff)
        k = f.signed(p, staff)
        k.signed_at = day
        r = f.rating(k, staff, values={"liv_helhet": score, "arbeid": score})
        r.completed_at = day + timedelta(hours=1)

    for i in range(5):     # the quarter before (ended) and the running one: 5 persons each
        person_with(datetime(2026, 2, 10 + i, 9), 3)
        person_with(datetime(2026, 4, 10 + i, 9), 4)
    db.session.commit()
    client = login(lead)

    def seen():
        page = client.get("/oppfolging/trender").get_data(as_text=True)
        main = page.split("<main", 1)[1].split("</main>", 1)[0]
        csvs = [client.get(f"/oppfolging/trender.csv?tabell={t}").get_data(as_text=True)
                for t in ("livskvalitet", "levekarsindeks")]
        return [main, *csvs]

    before = seen()
    assert all("1. kv. 2026" in text for text in before)
    assert not any("2. kv. 2026" in text for text in before)

    person_with(datetime(2026, 5, 21, 9), 7)      # one more person in the running quarter
    db.session.commit()
    clock["day"] = date(2026, 5, 25)
    assert seen() == before

    clock["day"] = date(2026, 7, 1)                # the quarter has ended: now it is shown
    after = seen()
    assert all("2. kv. 2026" in text for text in after)
    rows = list(csv.reader(io.StringIO(after[1].lstrip("\ufeff")), delimiter=";"))
    row = next(r for r in rows if r[0] == "2. kv. 2026")
    assert row[1] == "6" and row[2] == f"{(5 * 4 + 7) / 6:.2f}".replace(".", ",")
