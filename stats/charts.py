"""SVG charts, drawn by a Django template from already aggregated rows (a monthly series
of at most 120 bars, or a handful of territorial bars): no plotting library needed."""

from __future__ import annotations

from django.template.loader import render_to_string

WIDTH, HEIGHT = 720, 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 40, 56
TICKS = 4
#: the width of a character of a 12 px label, about (to fit labels under their bar)
CHAR_WIDTH = 6.5
#: labels too wide for their bar are slanted, cut to this length, below a taller chart
SLANTED_CHARS, SLANTED_EXTRA_HEIGHT = 24, 90


def _nice_step(value: float) -> int:
    """The smallest whole 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^n at or above `value` (a
    tick's step): the ticks are whole numbers, evenly spaced, the top one at or above the
    highest bar."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        whole = step * magnitude
        if whole == int(whole) and whole >= value:
            return int(whole)
    return 10 * magnitude


def _wrapped(label: str, max_chars: int) -> list[str] | None:
    """The label on three lines at most of `max_chars` characters, cut between words; None
    when it does not fit so."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 3 or any(len(line) > max_chars for line in lines):
        return None
    return lines or [""]


def _shortened(label: str, max_chars: int) -> str:
    """The label cut to `max_chars` characters with an ellipsis (the bar's tooltip and the
    table beside the chart give it whole)."""
    return label if len(label) <= max_chars else label[: max_chars - 1].rstrip() + "…"


def bar_chart_svg(
    *,
    title: str,
    labels: list[str],
    values: list[int],
    unit: str = "",
    template: str = "stats/bar_chart.svg",
    chart_id: str = "chart",
) -> str:
    """A vertical bar chart with a y axis of five whole, evenly spaced ticks; every label
    is escaped by the template engine, and written under its bar in the room the bar has
    (on up to three lines if need be; slanted, and cut, when even so they are too wide for it). `template` draws it (a standalone file by default; the web client
    draws the same geometry inside a page, with ids of its own: `chart_id`)."""
    step = _nice_step(max(values, default=0) / TICKS)
    top = step * TICKS
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(len(values), 1)
    label_every = max(1, len(values) // 12)
    room = int(slot * label_every * 0.95 / CHAR_WIDTH)
    wrapped = [_wrapped(label, room) for label in labels]
    slanted = any(lines is None for lines in wrapped)
    bars = []
    for index, (label, value, lines) in enumerate(zip(labels, values, wrapped, strict=True)):
        height = plot_h * value / top
        x = MARGIN_LEFT + index * slot
        bars.append(
            {
                "x": round(x + slot * 0.1, 1),
                "y": round(MARGIN_TOP + plot_h - height, 1),
                "width": round(slot * 0.8, 1),
                "height": round(height, 1),
                "label": label,
                "short_label": _shortened(label, SLANTED_CHARS) if slanted else label,
                "lines": lines,
                "value": value,
                "label_x": round(x + slot / 2, 1),
                "show_label": index % label_every == 0,
            }
        )
    ticks = [
        {"value": step * i, "y": round(MARGIN_TOP + plot_h - plot_h * i / TICKS, 1)}
        for i in range(TICKS + 1)
    ]
    return render_to_string(
        template,
        {
            "chart_id": chart_id,
            "title": title,
            "unit": unit,
            "bars": bars,
            "ticks": ticks,
            "width": WIDTH,
            "height": HEIGHT + (SLANTED_EXTRA_HEIGHT if slanted else 0),
            "slanted": slanted,
            "left": MARGIN_LEFT,
            "right": WIDTH - MARGIN_RIGHT,
            "baseline": MARGIN_TOP + plot_h,
            "label_y": MARGIN_TOP + plot_h + (12 if slanted else 18),
        },
    )
