"""Trend charts drawn on the server: the geometry here (pure, tested), the SVG in
templates/trends/partials/trend_charts.html. As every chart of the product (README, Accessibility):
a picture with no links in it, and the same figures in a real table below it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from tasks.charts import LIGHT_COLOURS
from tasks.choices import Light, ReviewState
from tasks.selectors.row_types import FigureRow
from tasks.selectors.rows import url_pattern
from tasks.templatetags.tasks_ui import light_badge, review_label, status_label

from ..selectors import DrillTask, DrillUnit, Trend, TrendPoint

register = template.Library()

Series = Literal["completion", "reporting", "red"]

# (title, unit, colour): each colour at least 3:1 against white (WCAG 1.4.11).
SERIES: dict[str, tuple[str, str, str]] = {
    "completion": ("完成率", "%", LIGHT_COLOURS[Light.GREEN]),
    "reporting": ("报送率", "%", "#1f5fa8"),
    "red": ("逾期或滞后（红灯）任务数", "项", LIGHT_COLOURS[Light.RED]),
}
WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 16, 22  # room for the axis figures, the values and the periods


@dataclass(frozen=True)
class Column:
    x: float  # left edge of the bar
    width: float
    y: float  # top of the bar
    height: float
    mid: float  # centre of the period's slot (labels)
    value: str  # printed above the bar; "" for a period without a snapshot
    short: str  # the period on the axis (5月)


@dataclass(frozen=True)
class TrendChart:
    id: str
    title: str
    unit: str
    colour: str
    width: int
    height: int
    left: int
    right_edge: int
    baseline: float
    label_y: float
    columns: list[Column]
    grid: list[tuple[float, str]]  # (y, figure) of each horizontal line
    gaps: int  # periods without a snapshot


def _value(point: TrendPoint, series: str) -> int | None:
    if not point.has_data:
        return None
    if series == "completion":
        return point.completion
    if series == "reporting":
        return point.reporting
    return point.red


def _nice_top(largest: int) -> int:
    """The axis' top for counts: the largest value rounded up to 1, 2 or 5 times a power of ten."""
    if largest <= 4:
        return 4
    step = 1
    while True:
        for nice in (1, 2, 5):
            if nice * step >= largest:
                return nice * step
        step *= 10


def trend_geometry(trend: Trend, *, series: Series, chart_id: str) -> TrendChart:
    """A column chart of one figure over the trend's periods; rates on a 0–100 scale, counts on
    a scale from 0 to a round number at least the largest."""
    title, unit, colour = SERIES[series]
    values = [_value(p, series) for p in trend.points]
    top = 100 if unit == "%" else _nice_top(max((v for v in values if v is not None), default=0))
    return columns_geometry(
        values=values,
        shorts=[p.short for p in trend.points],
        top=top,
        chart_id=chart_id,
        title=title,
        unit=unit,
        colour=colour,
    )


def columns_geometry(
    *, values: list[int | None], shorts: list[str], top: int, chart_id: str, title: str, unit: str, colour: str
) -> TrendChart:
    """Columns for `values` (None: no figure for that period) on a 0–`top` scale; any app's
    figures over periods (the trends here, 考评's scores) are drawn by this one geometry."""
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = (WIDTH - LEFT - RIGHT) / max(len(values), 1)
    bar = slot * 0.64
    columns = []
    for i, (short, value) in enumerate(zip(shorts, values, strict=True)):
        mid = LEFT + slot * (i + 0.5)
        height = plot_height * min(value or 0, top) / top if top else 0.0
        columns.append(
            Column(
                x=round(mid - bar / 2, 2),
                width=round(bar, 2),
                y=round(baseline - height, 2),
                height=round(height, 2),
                mid=round(mid, 2),
                value="" if value is None else str(value),
                short=short,
            )
        )
    grid = [(round(baseline - plot_height * f, 2), str(round(top * f))) for f in (0, 0.5, 1)]
    return TrendChart(
        id=chart_id,
        title=title,
        unit=unit,
        colour=colour,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        baseline=baseline,
        label_y=baseline + 15,
        columns=columns,
        grid=grid,
        gaps=sum(1 for v in values if v is None),
    )


@register.inclusion_tag("trends/partials/trend_charts.html")
def trend_charts(trend: Trend, prefix: str) -> dict[str, Any]:
    """The three trend charts of a scope (完成率, 报送率, 红灯数) and the table of their figures;
    `prefix` keeps the ids unique on the page."""
    charts = [trend_geometry(trend, series=s, chart_id=f"{prefix}-{s}") for s in ("completion", "reporting", "red")]
    return {"trend": trend, "charts": charts, "prefix": prefix}


def _chars(text: str, limit: int) -> str:
    """Truncator(text).chars(limit): the same text; a text no longer than the limit (most) skips
    Truncator's character-by-character count, a third of the drill-down's drawing."""
    if len(text) <= limit:
        return unicodedata.normalize("NFC", text)  # as Truncator returns it
    return Truncator(text).chars(limit)


def _latest_html(task: DrillTask, unit_name: str) -> str:
    latest = task.latest
    if latest is None:
        return f'<p class="latest muted" data-latest>{escape(unit_name)}尚未报送过该任务的进展。</p>'
    percent = f" · {latest.percent}%" if latest.percent is not None else ""
    progress = f"<div>{escape(_chars(latest.progress, 120))}</div>" if latest.progress else ""
    returned = ""
    if latest.review == ReviewState.RETURNED:
        returned = f'<div class="bad">退回意见：{escape(_chars(latest.comment or "（未填写）", 80))}</div>'
    return (
        f'<div class="latest" data-latest>最新报送：{escape(latest.period_label)}'
        f" · {escape(status_label(latest.status))}{percent}"
        f' <span class="tag review-{escape(latest.review)}">{escape(review_label(latest.review))}</span>'
        f"{progress}{returned}</div>"
    )


@register.simple_tag
def cockpit_drill(drill: list[DrillUnit], may_instruct: bool = False, may_chase: bool = False) -> SafeString:
    """The drill-down's <li>s: unit → its tasks → its latest report on each. Built here with
    f-strings, every text through `escape`, rather than by nested template loops (30 ms of a
    cold page for a leader with a hundred lead links) or format_html per part (15 ms)."""
    unit_url, task_url = url_pattern("tasks:unit"), url_pattern("tasks:task")
    panel_url = url_pattern("supervision:task_panel")
    out = []
    for unit in drill:
        name = escape(unit.name)
        items = []
        for task in unit.tasks:
            panel = panel_url.format(task.id)
            instruct = f'<a href="{panel}#id_text" data-action="instruct">批示</a>' if may_instruct else ""
            chase = f'<a href="{panel}#id_unit" data-action="chase">催办</a>' if may_chase else ""
            silent = ' <span class="tag">本期未报送</span>' if task.silent else ""
            items.append(
                f'<li data-drill-task="{task.id}"><details><summary>{light_badge(task.light, task.status)}'
                f" 第{escape(task.number)}项 {escape(task.title)}{silent}</summary>"
                f'<div class="drill-body">{_latest_html(task, unit.name)}<p class="actions">'
                f'<a href="{task_url.format(task.id)}" data-action="task">任务详情与全部进展</a>{instruct}{chase}</p>'
                "</div></details></li>"
            )
        tasks = "\n".join(items)
        out.append(
            f'<li data-drill-unit="{name}"><details><summary><strong>{name}</strong> <span class="small">'
            f"牵头{unit.summary.total}项 · 红灯{unit.summary.n_red}项 · "
            f"本期未报送{unit.summary.n_silent}项</span></summary>"
            f'<div class="drill-body"><p class="small"><a href="{unit_url.format(unit.id)}">{name}单位页</a></p>'
            f'<ul class="drill-tasks">{tasks}</ul></div></details></li>'
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def leader_unit_rows(units: list[FigureRow], leader_id: int) -> SafeString:
    """The <tr>s of a leader page's table of lead units, each figure a link to the list it counts
    (built here for the same reason as cockpit_drill: a hundred units, five cells each)."""
    search = reverse("tasks:task_search")
    rows = []
    for row in units:
        query = f"{search}?leader={leader_id}&amp;unit={row.id}"  # numbers only
        name = escape(row.name)
        rows.append(
            f'<tr data-unit="{name}"><th scope="row"><a href="{escape(row.url)}">{name}</a></th>'
            f'<td class="num" data-col="led"><a href="{query}&amp;unit_role=lead">{row.summary.total}</a></td>'
            f'<td class="num" data-col="done"><a href="{query}&amp;unit_role=lead&amp;status=done">'
            f"{row.summary.n_done}</a></td>"
            f'<td class="num" data-col="red"><a href="{query}&amp;unit_role=lead&amp;light=red">'
            f"{row.summary.n_red}</a></td>"
            f'<td class="num" data-col="silent"><a href="{query}&amp;reported=no">{row.summary.n_silent}</a></td></tr>'
        )
    return mark_safe("".join(rows))
