"""The trends page reads right: a hidden number draws no bar (a hatched, labelled gap), each
chart has a legend and an axis, a sentence says how many persons each quarter covers, and with
everything hidden the page says so in words instead of drawing."""
import re

from factories import WRITTEN_AGAINST
from kartlegging.domain.charts import line_chart, stacked_bars
from kartlegging.domain.suppression import HIDDEN
from kartlegging.lead import trends

from .test_trends import scene  # noqa: F401  (the fixture)

INSTRUMENT_VERSIONS = WRITTEN_AGAINST


def rects(svg: str) -> list[str]:
    return re.findall(r"<rect [^>]*>", svg)


def test_a_hidden_quarter_draws_a_labelled_gap_not_a_bar():
    labels = {"gronn": "Grønn", "rod": "Rød"}
    svg = str(stacked_bars([("1. kv.", {"gronn": HIDDEN, "rod": HIDDEN}, HIDDEN),
                            ("2. kv.", {"gronn": 6, "rod": HIDDEN}, 9)],
                           labels, title="t", pattern_id="p"))
    segments = [r for r in rects(svg) if 'class="segment' in r]
    hidden = [r for r in segments if "hidden-segment" in r]
    shown = [r for r in segments if "hidden-segment" not in r]
    # the first quarter: only a gap; the second: one coloured segment and one gap
    assert len(hidden) == 2 and len(shown) == 1
    assert all('fill="url(#p)"' in r and "stroke-dasharray" in r for r in hidden)
    assert 'data-key="gronn"' in shown[0]
    assert svg.count(">skjult</text>") == 2
    assert "Andel av personene" in svg and "100 %" in svg and "25 %" in svg
    assert '<pattern id="p"' in svg


def test_line_chart_marks_hidden_quarters_and_names_its_axis():
    svg = str(line_chart([("1. kv.", None), ("2. kv.", 4.2), ("3. kv.", 4.8)], title="t",
                         y_title="Gjennomsnitt, 1–7", hidden_pattern="lk"))
    assert svg.count('class="segment hidden-segment"') == 1
    assert "Gjennomsnitt, 1–7" in svg and svg.count('class="point"') == 2
    # the person page's charts are unchanged: no gaps, no axis title
    plain = str(line_chart([("a", None), ("b", 3.0)], title="t"))
    assert "hidden-segment" not in plain and "axis-title" not in plain


def test_everything_hidden_says_so_and_draws_nothing(factory, login):
    lead = factory.user("teamleder")
    html = login(lead).get("/oppfolging/trender").get_data(as_text=True)
    main = html.split("<main", 1)[1]
    assert 'id="alt-skjult"' in main and "Ingen tall kan vises ennå" in main
    assert "<svg" not in main and "<table" not in main and "Last ned CSV" not in main


def test_a_mix_of_shown_and_hidden_quarters(scene):  # noqa: F811
    html = scene["client"].get("/oppfolging/trender").get_data(as_text=True)
    main = html.split("<main", 1)[1]
    assert "alt-skjult" not in main and main.count("<svg") == 2
    now_q, prev_q = trends.quarter_label(scene["now_q"]), trends.quarter_label(scene["prev_q"])
    lk = re.search(r'<p class="coverage" id="lk-dekning">(.*?)</p>', main).group(1)
    assert f"{now_q}: 6 personer." in lk and prev_q not in lk
    assert "De andre kvartalene: færre enn 5 eller skjult." in lk
    idx = re.search(r'<p class="coverage" id="idx-dekning">(.*?)</p>', main).group(1)
    assert f"{now_q}: 7 personer." in idx and "100 %" in idx
    # no grey bar that reads as a share: every hidden part is a hatched gap
    for svg in re.findall(r"<svg.*?</svg>", main, flags=re.S):
        for r in rects(svg):
            if "hidden-segment" in r:
                assert 'fill="url(#skjult-' in r
    assert main.count('class="chart-legend"') == 2 and "Skravert felt" in main
