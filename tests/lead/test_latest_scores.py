"""Oppfølging shows each person's newest signed sum of a standard instrument (AUDIT-C, DUDIT …)
with its signing, and a dash for persons without one; the page's statements stay the same
whatever the number of persons (one query for the page's ids)."""
import html
from datetime import datetime


def _row(page: str, name: str) -> str:
    row = page.split(f">{name}</a>", 1)[1]
    return row.split("</tr>", 1)[0]


def test_the_row_shows_the_newest_signed_score_and_its_date(app, factory, login):
    lead = factory.user("teamleder", team=factory.team_a)
    staff = factory.user("ansatt", team=factory.team_a)
    scored = factory.person(name="Astrid Skår", contact=staff)
    factory.person(name="Bjørn Uten", contact=staff)
    factory.signed(scored, staff, key="audit-c", signed_at=datetime(2026, 2, 1, 9),
                   alkohol_hvor_ofte="aldri", alkohol_enheter="1_2",
                   alkohol_seks_eller_mer="aldri", kjonn="kvinne")
    factory.signed(scored, staff, key="audit-c", signed_at=datetime(2026, 5, 4, 9),
                   alkohol_hvor_ofte="2_3_i_uka", alkohol_enheter="3_4",
                   alkohol_seks_eller_mer="maanedlig", kjonn="kvinne")
    page = html.unescape(login(lead).get("/oppfolging").data.decode())
    assert "Kartleggingsverktøy" in page
    row = _row(page, "Astrid Skår")
    assert "AUDIT-C-sum (0–12): 6" in row and "04.05.2026" in row
    assert ": 0 " not in row
    assert 'data-label="Kartleggingsverktøy" class="scores">–</td>' in _row(page, "Bjørn Uten")
