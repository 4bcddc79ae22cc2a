"""trends.templatetags.trends_ui: the trend charts' geometry (pure) and what the SVG says."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from tasks.choices import Light, ReviewState
from tasks.selectors.row_types import FigureRow
from tasks.selectors.rows import url_pattern
from tasks.status.summary import Summary
from tasks.templatetags.tasks_ui import review_label, status_label
from tests.test_task_table_ui import reference_light_badge
from trends.selectors import DrillTask, DrillUnit, LatestReport, Trend, TrendPoint
from trends.templatetags.trends_ui import (
    BOTTOM,
    HEIGHT,
    TOP,
    _nice_top,
    cockpit_drill,
    leader_unit_rows,
    trend_geometry,
)


def point(month: int, **figures: int) -> TrendPoint:
    return TrendPoint(period=dt.date(2025, month, 1), label=f"2025年{month}月", short=f"{month}月", **figures)


TREND = Trend(
    scope="测试区",
    points=[
        point(1),  # no snapshot
        point(2, total=10, done=5, owed=5, reported=4, red=3),
        point(3, total=10, done=10, owed=0, reported=0, red=0),
    ],
)
PLOT = HEIGHT - TOP - BOTTOM


def test_rates_are_drawn_on_a_0_to_100_scale_and_a_gap_has_no_bar():
    chart = trend_geometry(TREND, series="completion", chart_id="c")
    gap, half, full = chart.columns
    assert (gap.value, gap.height) == ("", 0)
    assert (half.value, half.height, half.y) == ("50", PLOT / 2, TOP + PLOT / 2)
    assert (full.value, full.height, full.y) == ("100", PLOT, TOP)
    assert [figure for _, figure in chart.grid] == ["0", "50", "100"] and chart.gaps == 1
    # Equal slots, the bars centred in them, left to right.
    assert round(half.mid - gap.mid, 1) == round(full.mid - half.mid, 1) and gap.x < half.x < full.x


def test_reporting_with_nothing_owed_is_no_bar_and_counts_get_a_round_scale():
    reporting = trend_geometry(TREND, series="reporting", chart_id="r")
    assert [c.value for c in reporting.columns] == ["", "80", ""]
    red = trend_geometry(TREND, series="red", chart_id="x")
    assert [c.value for c in red.columns] == ["", "3", "0"] and [f for _, f in red.grid] == ["0", "2", "4"]
    assert [_nice_top(n) for n in (0, 3, 7, 13, 40, 51, 480)] == [4, 4, 10, 20, 50, 100, 500]


def test_the_charts_are_pictures_and_the_figures_a_table():
    html = Template('{% load trends_ui %}{% trend_charts trend "t" %}').render(Context({"trend": TREND}))
    assert html.count('role="img"') == 3 and "<a " not in html.split("<table")[0]
    assert 'aria-labelledby="t-completion-t t-completion-d"' in html
    assert "柱状图，2025年1月—2025年3月各期完成率，数字见下表；1期没有快照，不画柱。" in html
    assert "<caption>测试区：近3期各期结束时的数字（2025年1月—2025年3月）</caption>" in html
    assert '<td colspan="3" class="muted">无快照</td>' in html
    assert '<td class="num" data-trend-col="completion">50%<small>5/10</small></td>' in html
    assert '<td class="num" data-trend-col="reporting">—</td>' in html  # March: nothing owed


# -- the drill-down: the f-string tag draws what its format_html version drew -------------
# The reference is that version verbatim (commit 3436de5), over units and tasks that take every
# branch, with markup characters in every name and text.


def _reference_latest_html(task, unit_name):
    latest = task.latest
    if latest is None:
        return format_html('<p class="latest muted" data-latest>{}尚未报送过该任务的进展。</p>', unit_name)
    percent = format_html(" · {}%", latest.percent) if latest.percent is not None else ""
    progress = format_html("<div>{}</div>", Truncator(latest.progress).chars(120)) if latest.progress else ""
    returned = ""
    if latest.review == ReviewState.RETURNED:
        comment = Truncator(latest.comment or "（未填写）").chars(80)
        returned = format_html('<div class="bad">退回意见：{}</div>', comment)
    return format_html(
        '<div class="latest" data-latest>最新报送：{} · {}{} <span class="tag review-{}">{}</span>{}{}</div>',
        latest.period_label,
        status_label(latest.status),
        percent,
        latest.review,
        review_label(latest.review),
        progress,
        returned,
    )


def reference_cockpit_drill(drill, may_instruct=False, may_chase=False):
    unit_url, task_url = url_pattern("tasks:unit"), url_pattern("tasks:task")
    panel_url = url_pattern("supervision:task_panel")
    out = []
    for unit in drill:
        items = []
        for task in unit.tasks:
            panel = panel_url.format(task.id)
            actions = format_html(
                '<a href="{}" data-action="task">任务详情与全部进展</a>{}{}',
                task_url.format(task.id),
                format_html('<a href="{}#id_text" data-action="instruct">批示</a>', panel) if may_instruct else "",
                format_html('<a href="{}#id_unit" data-action="chase">催办</a>', panel) if may_chase else "",
            )
            items.append(
                format_html(
                    '<li data-drill-task="{}"><details><summary>{} 第{}项 {}{}</summary>'
                    '<div class="drill-body">{}<p class="actions">{}</p></div></details></li>',
                    task.id,
                    reference_light_badge(task.light, task.status),
                    task.number,
                    task.title,
                    mark_safe(' <span class="tag">本期未报送</span>') if task.silent else "",
                    _reference_latest_html(task, unit.name),
                    actions,
                )
            )
        out.append(
            format_html(
                '<li data-drill-unit="{}"><details><summary><strong>{}</strong> <span class="small">'
                "牵头{}项 · 红灯{}项 · 本期未报送{}项</span></summary>"
                '<div class="drill-body"><p class="small"><a href="{}">{}单位页</a></p>'
                '<ul class="drill-tasks">{}</ul></div></details></li>',
                unit.name,
                unit.name,
                unit.summary.total,
                unit.summary.n_red,
                unit.summary.n_silent,
                unit_url.format(unit.id),
                unit.name,
                mark_safe("\n".join(items)),
            )
        )
    return mark_safe("\n".join(out))


NASTY = "<b>\"甲\" & '乙'</b>"


def _drill() -> list[DrillUnit]:
    latests = [
        None,
        LatestReport(dt.date(2025, 6, 1), "2025年6月", "in_progress", 0, "", "approved", ""),
        LatestReport(dt.date(2025, 4, 1), "2025年第2季度", "behind", None, NASTY * 12, ReviewState.RETURNED, ""),
        LatestReport(dt.date(2025, 5, 1), NASTY, "done", 100, "完成。", ReviewState.RETURNED, NASTY * 8),
    ]
    units = []
    for u in range(3):
        unit = DrillUnit(id=u, name=f"{NASTY}{u}", summary=Summary(total=u, n_red=1, n_silent=2))
        for i, latest in enumerate(latests):
            light = [Light.RED, Light.YELLOW, Light.GREY, ""][i]
            unit.tasks.append(DrillTask(i, f"{i}<", NASTY, NASTY, light, "behind", bool(i % 2), latest))
        units.append(unit)
    return units


def test_cockpit_drill_equals_the_format_html_version_for_every_branch():
    drill = _drill()
    for may_instruct, may_chase in itertools.product([False, True], repeat=2):
        drawn = str(cockpit_drill(drill, may_instruct, may_chase))
        assert drawn == str(reference_cockpit_drill(drill, may_instruct, may_chase))
    assert cockpit_drill([]) == reference_cockpit_drill([])
    for part in (
        "尚未报送过该任务的进展",
        "退回意见：（未填写）",
        "本期未报送</span>",
        'data-action="chase"',
        "第0&lt;项",
    ):
        assert part in drawn, part
    assert "<b>" not in drawn and escape(NASTY * 12) not in drawn and escape(NASTY * 3) in drawn


def reference_leader_unit_rows(units, leader_id):
    search = reverse("tasks:task_search")
    rows = []
    for row in units:
        query = mark_safe(f"{search}?leader={leader_id}&amp;unit={row.id}")  # numbers only
        rows.append(
            format_html(
                '<tr data-unit="{}"><th scope="row"><a href="{}">{}</a></th>'
                '<td class="num" data-col="led"><a href="{}&amp;unit_role=lead">{}</a></td>'
                '<td class="num" data-col="done"><a href="{}&amp;unit_role=lead&amp;status=done">{}</a></td>'
                '<td class="num" data-col="red"><a href="{}&amp;unit_role=lead&amp;light=red">{}</a></td>'
                '<td class="num" data-col="silent"><a href="{}&amp;reported=no">{}</a></td></tr>',
                row.name,
                row.url,
                row.name,
                query,
                row.summary.total,
                query,
                row.summary.n_done,
                query,
                row.summary.n_red,
                query,
                row.summary.n_silent,
            )
        )
    return mark_safe("".join(rows))


def test_leader_unit_rows_equal_the_format_html_version():
    units = [
        FigureRow(id=i, name=f"{NASTY}{i}", url=f"/units/{i}/?a=1&b=2", summary=Summary(total=i, n_done=1, n_red=2))
        for i in range(3)
    ]
    drawn = str(leader_unit_rows(units, 7))
    assert drawn == str(reference_leader_unit_rows(units, 7))
    assert leader_unit_rows([], 7) == reference_leader_unit_rows([], 7)
    assert "<b>" not in drawn and "&amp;b=2" in drawn and "?leader=7&amp;unit=2&amp;unit_role=lead" in drawn


@pytest.mark.parametrize(
    "text",
    ["", "短", "字" * 119, "字" * 120, "字" * 121, "e\u0301" * 70, "e\u0301" * 130, "Å" * 120, "x" * 200 + "<b>"],
)
@pytest.mark.parametrize("limit", [80, 120])
def test_the_short_cut_truncates_as_truncator_does(text, limit):
    from trends.templatetags.trends_ui import _chars

    assert _chars(text, limit) == Truncator(text).chars(limit)
