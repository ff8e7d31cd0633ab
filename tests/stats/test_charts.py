"""The SVG bar charts: the y axis's ticks are whole numbers, evenly spaced, the top one at
or above the highest bar (a bar of 4 never sits between ticks labelled 2 and 5); labels
too wide for their bar go on up to three lines, or when even so too wide are slanted and
shortened, with the whole label in the bar's tooltip; short ones stay level."""

import re

import pytest

from stats.charts import bar_chart_svg


def _ticks(svg: str) -> list[int]:
    return [int(v) for v in re.findall(r'text-anchor="end" dominant-baseline="middle">(\d+)<', svg)]


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ([6, 5, 4], [0, 2, 4, 6, 8]),
        ([14, 3], [0, 4, 8, 12, 16]),
        ([20], [0, 5, 10, 15, 20]),
        ([584], [0, 150, 300, 450, 600]),
        ([0, 0], [0, 1, 2, 3, 4]),
    ],
)
def test_ticks_are_whole_even_and_cover_the_highest_bar(values, ticks):
    svg = bar_chart_svg(title="t", labels=[str(i) for i in range(len(values))], values=values)
    assert _ticks(svg) == ticks


def test_long_labels_are_slanted_and_shortened_short_ones_level():
    titles = [f"Le quartier de Lampedusa, épisode {n}" for n in range(10)]
    svg = bar_chart_svg(title="Films", labels=titles, values=list(range(10)))
    assert svg.count('transform="rotate(-35') == 10
    assert ">Le quartier de Lampedus…<" in svg
    assert "<title>Le quartier de Lampedusa, épisode 3 : 3</title>" in svg
    assert 'viewBox="0 0 720 410"' in svg  # taller, for the slanted labels
    months = bar_chart_svg(
        title="m", labels=[f"2026-{m:02d}" for m in range(1, 13)], values=[1] * 12
    )
    assert "rotate(" not in months and ">2026-07<" in months and 'viewBox="0 0 720 320"' in months


def test_labels_that_fit_on_three_lines_are_wrapped():
    labels = [
        "le département de la bibliothèque",
        "un autre département de la région de la bibliothèque",
        "une autre région",
        "inconnu",
    ]
    svg = bar_chart_svg(title="Où", labels=labels, values=[59, 19, 25, 0])
    assert "rotate(" not in svg
    assert ">le département de la</tspan>" in svg and ">bibliothèque</tspan>" in svg
    assert ">la région de la</tspan>" in svg and ">une autre région</tspan>" in svg
