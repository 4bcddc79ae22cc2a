"""trends.templatetags.trends_ui: the trend charts' geometry (pure) and what the SVG says."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from trends.selectors import Trend, TrendPoint
from trends.templatetags.trends_ui import BOTTOM, HEIGHT, TOP, _nice_top, trend_geometry


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
