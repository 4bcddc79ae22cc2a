"""Bar charts by light: the geometry only (pure, tested in tests/test_charts.py); the SVG is drawn
by tasks/templatetags/tasks_ui.py and templates/tasks/partials/chart_bars.html."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .choices import Light
from .selectors.row_types import ChartRow
from .status.summary import Summary

# Each at least 3:1 against white (WCAG 1.4.11), except yellow, which is outlined in #7a5200 (app.css).
LIGHT_COLOURS = {Light.RED: "#c62828", Light.YELLOW: "#f2a900", Light.GREEN: "#2e7d32", Light.GREY: "#6b7480"}


@dataclass(frozen=True)
class Segment:
    light: str
    label: str
    count: int
    x: float
    width: float
    colour: str


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    url: str | None
    total: int
    y: float
    segments: list[Segment]
    end_x: float


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]
    legend: list[tuple[str, str, str]]


def chart_geometry(
    rows: list[ChartRow] | list[Any],
    *,
    title: str,
    width: int = 640,
    label_width: int = 190,
    bar_height: int = 18,
    gap: int = 8,
    label_chars: int = 12,
) -> Chart:
    """Horizontal stacked bars by light, all on one scale (the largest total fills the plot)."""
    plot_width = width - label_width - 40  # leave room for the total printed after each bar
    largest = max((row.summary.total for row in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        summary: Summary = row.summary
        y = gap + i * (bar_height + gap)
        x = float(label_width)
        segments = []
        for light in Light:
            count = getattr(summary, f"n_{light.value}")
            if not count:
                continue
            seg_width = plot_width * count / largest
            segments.append(
                Segment(light.value, light.label, count, round(x, 2), round(seg_width, 2), LIGHT_COLOURS[light])
            )
            x += seg_width
        label = str(row.label)
        short = label if len(label) <= label_chars else label[: label_chars - 1] + "…"
        bars.append(Bar(short, label, row.url, summary.total, y, segments, round(x + 4, 2)))
    height = gap + len(rows) * (bar_height + gap)
    legend = [(light.value, light.label, LIGHT_COLOURS[light]) for light in Light]
    return Chart(title, width, max(height, gap * 2), label_width, bar_height, bars, legend)
