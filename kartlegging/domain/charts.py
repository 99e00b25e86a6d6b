"""Server-rendered SVG charts for livskvalitet (no chart library, no inline styles)."""
from markupsafe import Markup, escape


def line_chart(points: list[tuple[str, float | None]], *, title: str, width: int = 640,
               height: int = 220, lo: int = 1, hi: int = 7, compact: bool = False,
               y_title: str | None = None, hidden_pattern: str | None = None) -> Markup:
    """A 1–7 line chart; each answered point is a <circle data-value=...> with a <title>.

    `compact` draws a small sparkline (no axis labels) for tables. `y_title` names the
    axis. With `hidden_pattern` (an id for the hatch) a point that is hidden (None) is a
    hatched, labelled gap across the plot instead of nothing at all.
    """
    pad_l, pad_r, pad_t, pad_b = (8, 8, 6, 6) if compact else (
        (56 if y_title else 36), 16, 16, 40)
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    n = len(points)

    def x(i):
        if hidden_pattern:  # each period in the middle of its own slot, room for its gap
            return pad_l + (i + 0.5) * plot_w / n
        return pad_l + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))

    def y(v):
        return pad_t + plot_h - (v - lo) * plot_h / (hi - lo)

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    if hidden_pattern:
        parts.append(hatch_pattern(hidden_pattern))
        gap_w = min(40.0, plot_w / max(1, n) * 0.6)
        for i, (label, v) in enumerate(points):
            if v is None:  # a low labelled gap on the axis: no value, not a low value
                parts.append(_gap(x(i) - gap_w / 2, pad_t + plot_h - 24, gap_w, 24,
                                  hidden_pattern, f"{label}: skjult"))
    if y_title and not compact:
        parts.append(f'<text class="axis-title" x="14" y="{pad_t + plot_h / 2:.1f}" '
                     f'text-anchor="middle" font-size="11" fill="#333" '
                     f'transform="rotate(-90 14 {pad_t + plot_h / 2:.1f})">'
                     f'{escape(y_title)}</text>')
    for v in range(lo, hi + 1):
        if compact:
            if v in (lo, hi):
                parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y(v):.1f}" '
                             f'y2="{y(v):.1f}" stroke="#d0d7de" stroke-width="1"/>')
            continue
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                     'stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text x="{pad_l - 8}" y="{y(v) + 4:.1f}" text-anchor="end" '
                     f'font-size="12" fill="#333">{v}</text>')
    answered = [(i, v) for i, (_, v) in enumerate(points) if v is not None]
    if len(answered) > 1:
        path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in answered)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1b5e9b" stroke-width="3"/>')
    for i, (label, v) in enumerate(points):
        if not compact:
            parts.append(f'<text x="{x(i):.1f}" y="{height - 14}" text-anchor="middle" '
                         f'font-size="12" fill="#333">{escape(label)}</text>')
        if v is not None:
            parts.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(v):.1f}" '
                         f'r="{3 if compact else 6}" '
                         f'fill="#1b5e9b" data-value="{v:g}"><title>{escape(label)}: '
                         f'{str(round(v, 1)).replace(".", ",")}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


# Colours for the levekårsindeks (shape and text carry the meaning too: every segment has a
# <title> with its label and number, and the page shows the same numbers in a table).
SEGMENT_FILL = {"gronn": "#2e7d32", "gul": "#f2b705", "rod": "#c62828", "blalys": "#283593",
                "ikke_vurdert": "#9aa5b1"}
HATCH_INK = "#6b737c"


def hatch_pattern(pattern_id: str) -> str:
    """An SVG pattern of thin diagonal lines on white: what a hidden number draws. A hidden
    part is a gap with a label, never a filled bar that reads as a share."""
    return (f'<defs><pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="8" '
            f'height="8" patternTransform="rotate(45)"><rect width="8" height="8" '
            f'fill="#fff"/><line x1="0" y1="0" x2="0" y2="8" stroke="{HATCH_INK}" '
            f'stroke-width="1.5"/></pattern></defs>')


def _gap(x: float, y: float, w: float, h: float, pattern_id: str, title: str) -> str:
    """A hatched, outlined, labelled gap where a hidden number would be drawn."""
    out = (f'<rect class="segment hidden-segment" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
           f'height="{h:.1f}" fill="url(#{pattern_id})" stroke="{HATCH_INK}" '
           f'stroke-dasharray="4 3"><title>{escape(title)}</title></rect>')
    if h >= 18:
        out += (f'<text class="gap-label" x="{x + w / 2:.1f}" y="{y + h / 2 + 4:.1f}" '
                f'text-anchor="middle" font-size="11" fill="#1a1a1a" stroke="#fff" '
                f'stroke-width="3" paint-order="stroke">skjult</text>')
    return out


def stacked_bars(bars: list[tuple[str, dict[str, int | str], int | str]],
                 labels: dict[str, str], *, title: str, width: int = 640,
                 height: int = 260, pattern_id: str = "skjult-skravur") -> Markup:
    """One 100 % bar per period: shown counts as coloured segments; the suppressed ones
    together as one hatched, labelled gap (their sum is total minus the shown cells, which
    the table's total gives anyway). A period whose total is hidden draws no bar at all, only
    the gap. Every hidden part carries the same words, as in the table. The y axis says what
    the height is (the share of the period's persons)."""
    pad_l, pad_r, pad_t, pad_b = 70, 16, 16, 40
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    n = max(1, len(bars))
    slot = plot_w / n
    bar_w = min(48.0, slot * 0.6)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>", hatch_pattern(pattern_id)]
    for pct in (0, 25, 50, 75, 100):
        y = pad_t + plot_h - pct * plot_h / 100
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#333">{pct} %</text>')
    parts.append(f'<line class="axis" x1="{pad_l}" x2="{pad_l}" y1="{pad_t}" '
                 f'y2="{pad_t + plot_h}" stroke="#333" stroke-width="1"/>')
    parts.append(f'<text class="axis-title" x="14" y="{pad_t + plot_h / 2:.1f}" '
                 f'text-anchor="middle" font-size="11" fill="#333" '
                 f'transform="rotate(-90 14 {pad_t + plot_h / 2:.1f})">Andel av personene</text>')
    for i, (label, cells, total) in enumerate(bars):
        x = pad_l + i * slot + (slot - bar_w) / 2
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 14}" text-anchor="middle" '
                     f'font-size="11" fill="#333">{escape(label)}</text>')
        shown_cells = [v for v in cells.values() if isinstance(v, int) and v > 0]
        if not isinstance(total, int) or total == 0 or not shown_cells:
            # Nothing of the period is shown: a low gap on the axis, not a column that
            # would read as 100 % of something.
            parts.append(_gap(x, pad_t + plot_h - 24, bar_w, 24, pattern_id,
                              f"{label}: skjult, ingen søyle"))
            continue
        y = pad_t + plot_h
        shown = 0
        for key, value in cells.items():
            if not isinstance(value, int) or value == 0:
                continue
            h = value * plot_h / total
            y -= h
            shown += value
            parts.append(f'<rect class="segment" data-key="{escape(key)}" x="{x:.1f}" '
                         f'y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{SEGMENT_FILL.get(key, "#5f6b7a")}" stroke="#fff">'
                         f'<title>{escape(label)}: {escape(labels.get(key, key))} {value}'
                         f'</title></rect>')
        if shown < total:
            h = (total - shown) * plot_h / total
            parts.append(_gap(x, y - h, bar_w, h, pattern_id, f"{label}: skjult"))
    parts.append("</svg>")
    return Markup("".join(parts))
