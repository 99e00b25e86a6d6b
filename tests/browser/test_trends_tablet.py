"""Trends at 768×1024: with every cell hidden the page says so and draws nothing; with a mix,
the charts draw hatched, labelled gaps for the hidden quarters, with a legend, an axis and the
number of persons per quarter. No sideways scroll; axe finds nothing serious."""
from datetime import datetime

import pytest
from playwright.sync_api import expect

from factories import Factory
from kartlegging.clock import today
from kartlegging.extensions import db
from kartlegging.lead import trends
from kartlegging.models import Team, User

from .browser_support import PASSWORD, TABLET, check_page, login
from .test_lead_tablet import no_axe_violations, no_sideways_scroll

pytestmark = pytest.mark.browser


def in_quarter(q) -> datetime:
    return datetime(q[0], 3 * (q[1] - 1) + 2, 10, 12, 0)


def seed_mix(live) -> tuple:
    """The last ended quarter: 6 persons rated and 7 signed; the one before: 3 rated."""
    quarters = trends.ended_quarters(today())
    last, before = quarters[-1], quarters[-2]
    with live.db():
        kari = db.session.get(User, live.users["kari"])
        f = Factory.__new__(Factory)
        f.app, f.password, f._n = live.app, PASSWORD, 120
        f.team_a = db.session.get(Team, kari.team_id)
        for i, q in enumerate([last] * 6 + [before] * 3):
            p = f.person(name=f"Trendperson {i}", contact=kari)
            r = f.rating(f.assessment(p, kari), kari)  # every area answered: a mean exists
            r.completed_at = in_quarter(q)
        for i in range(7):
            f.signed(f.person(name=f"Indeksperson {i}", contact=kari), kari,
                     signed_at=in_quarter(last))
        db.session.commit()
    return last, before


def test_trends_with_everything_hidden(live, new_context):
    page = new_context(viewport=TABLET).new_page()
    login(page, live, "tone")
    page.goto(live("/oppfolging/trender"))
    expect(page.locator("#alt-skjult")).to_contain_text("Ingen tall kan vises ennå")
    expect(page.locator("main svg")).to_have_count(0)
    expect(page.locator("main table")).to_have_count(0)
    no_sideways_scroll(page)
    check_page(page, "768-trender-alt-skjult")
    no_axe_violations(page)


def test_trends_with_a_mix(live, new_context):
    last, before = seed_mix(live)
    page = new_context(viewport=TABLET).new_page()
    login(page, live, "tone")
    page.goto(live("/oppfolging/trender"))
    expect(page.locator("main svg.chart")).to_have_count(2)
    expect(page.locator("#lk-dekning")).to_contain_text(
        f"{trends.quarter_label(last)}: 6 personer. De andre kvartalene: færre enn 5 eller skjult.")
    expect(page.locator("#lk-dekning")).not_to_contain_text(trends.quarter_label(before))
    expect(page.locator("#idx-dekning")).to_contain_text(
        f"{trends.quarter_label(last)}: 7 personer.")
    # seven hidden quarters and one shown point in the line chart
    lk_chart = page.locator("main svg.chart").first
    expect(lk_chart.locator("circle.point")).to_have_count(1)
    expect(lk_chart.locator("rect.hidden-segment")).to_have_count(trends.QUARTERS - 1)
    fills = page.locator("main rect.hidden-segment").evaluate_all(
        "els => els.map(e => e.getAttribute('fill'))")
    assert fills and all(f.startswith("url(#skjult-") for f in fills), fills
    expect(page.locator(".chart-legend").first).to_contain_text("Skravert felt")
    expect(page.locator("main svg.chart text.axis-title")).to_have_count(2)
    no_sideways_scroll(page)
    check_page(page, "768-trender-blandet")
    no_axe_violations(page)
    for name in ("Trendperson", "Indeksperson", "KL-0"):
        assert name not in page.locator("main").inner_text()
