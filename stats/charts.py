"""SVG charts, drawn by a Django template from already aggregated rows (a monthly series
of at most 120 bars, or a handful of territorial bars): no plotting library needed."""

from __future__ import annotations

from django.template.loader import render_to_string

WIDTH, HEIGHT = 720, 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 40, 56


def _nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 × 10^n at or above `value` (the axis top)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def bar_chart_svg(
    *,
    title: str,
    labels: list[str],
    values: list[int],
    unit: str = "",
    template: str = "stats/bar_chart.svg",
    chart_id: str = "chart",
) -> str:
    """A vertical bar chart with a y axis of five ticks; every label is escaped by the
    template engine. `template` draws it (a standalone file by default; the web client
    draws the same geometry inside a page, with ids of its own: `chart_id`)."""
    top = _nice_ceiling(max(values, default=0))
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = plot_w / max(len(values), 1)
    bars = []
    label_every = max(1, len(values) // 12)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_h * value / top
        x = MARGIN_LEFT + index * slot
        bars.append(
            {
                "x": round(x + slot * 0.1, 1),
                "y": round(MARGIN_TOP + plot_h - height, 1),
                "width": round(slot * 0.8, 1),
                "height": round(height, 1),
                "label": label,
                "value": value,
                "label_x": round(x + slot / 2, 1),
                "show_label": index % label_every == 0,
            }
        )
    ticks = [
        {"value": top * i // 4, "y": round(MARGIN_TOP + plot_h - plot_h * i / 4, 1)}
        for i in range(5)
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
            "height": HEIGHT,
            "left": MARGIN_LEFT,
            "right": WIDTH - MARGIN_RIGHT,
            "baseline": MARGIN_TOP + plot_h,
            "label_y": MARGIN_TOP + plot_h + 18,
        },
    )
