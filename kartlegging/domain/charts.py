"""Server-rendered SVG charts for livskvalitet (no chart library, no inline styles)."""
from markupsafe import Markup, escape


def line_chart(points: list[tuple[str, float | None]], *, title: str, width: int = 640,
               height: int = 220, lo: int = 1, hi: int = 7, compact: bool = False) -> Markup:
    """A 1–7 line chart; each answered point is a <circle data-value=...> with a <title>.

    `compact` draws a small sparkline (no axis labels) for tables.
    """
    pad_l, pad_r, pad_t, pad_b = (8, 8, 6, 6) if compact else (36, 16, 16, 40)
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    n = len(points)

    def x(i):
        return pad_l + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))

    def y(v):
        return pad_t + plot_h - (v - lo) * plot_h / (hi - lo)

    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
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
HIDDEN_FILL = "#e3e7eb"


def stacked_bars(bars: list[tuple[str, dict[str, int | str], int | str]],
                 labels: dict[str, str], *, title: str, width: int = 640,
                 height: int = 240) -> Markup:
    """One 100 % bar per period: shown counts as segments, suppressed ones as one grey
    'skjult' segment (their sum is total minus the shown cells, which the table's total gives
    anyway). Every hidden part carries the same words, as in the table."""
    pad_l, pad_r, pad_t, pad_b = 52, 16, 16, 40
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    n = max(1, len(bars))
    slot = plot_w / n
    bar_w = min(48.0, slot * 0.6)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for pct in (0, 50, 100):
        y = pad_t + plot_h - pct * plot_h / 100
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#d0d7de" stroke-width="1"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#333">{pct} %</text>')
    for i, (label, cells, total) in enumerate(bars):
        x = pad_l + i * slot + (slot - bar_w) / 2
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 14}" text-anchor="middle" '
                     f'font-size="11" fill="#333">{escape(label)}</text>')
        if not isinstance(total, int) or total == 0:
            parts.append(f'<rect class="segment hidden-segment" x="{x:.1f}" y="{pad_t}" '
                         f'width="{bar_w:.1f}" height="{plot_h}" fill="{HIDDEN_FILL}">'
                         f'<title>{escape(label)}: skjult</title></rect>')
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
            y -= h
            parts.append(f'<rect class="segment hidden-segment" x="{x:.1f}" y="{y:.1f}" '
                         f'width="{bar_w:.1f}" height="{h:.1f}" fill="{HIDDEN_FILL}" '
                         f'stroke="#fff"><title>{escape(label)}: skjult'
                         f'</title></rect>')
    parts.append("</svg>")
    return Markup("".join(parts))
