"""Server-drawn SVG charts: geometry and markup."""

from __future__ import annotations

from django.template import Context, Template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from tasks.charts import LIGHT_COLOURS, chart_geometry
from tasks.selectors.row_types import ChartRow
from tasks.status.summary import Summary
from tasks.templatetags.tasks_ui import chart_list_items, chart_svg_bars, light_bar


def rows() -> list[ChartRow]:
    return [
        ChartRow("区科委", "/units/1/", Summary(total=10, n_red=2, n_yellow=1, n_green=5, n_grey=2)),
        ChartRow("一个名字非常非常长的单位名称用于测试截断", None, Summary(total=5, n_grey=5)),
    ]


def test_bars_share_one_scale_and_segments_add_up():
    chart = chart_geometry(rows(), title="t", width=640, label_width=190)
    plot = 640 - 190 - 40
    first, second = chart.bars
    assert sum(s.width for s in first.segments) == plot  # the largest total fills the plot
    assert abs(sum(s.width for s in second.segments) - plot / 2) < 0.01
    assert [s.light for s in first.segments] == ["red", "yellow", "green", "grey"]
    # Segments are contiguous.
    for a, b in zip(first.segments, first.segments[1:], strict=False):
        assert abs(a.x + a.width - b.x) < 0.02
    assert first.segments[0].colour == LIGHT_COLOURS["red"]


def test_long_labels_are_shortened_but_kept_in_full():
    bar = chart_geometry(rows(), title="t", label_chars=12).bars[1]
    assert len(bar.label) == 12 and bar.label.endswith("…")
    assert bar.full_label == "一个名字非常非常长的单位名称用于测试截断"


def test_empty_chart_has_a_height_and_no_division_by_zero():
    chart = chart_geometry([], title="t")
    assert chart.bars == [] and chart.height > 0
    zero = chart_geometry([ChartRow("x", None, Summary())], title="t")
    assert zero.bars[0].segments == []


def test_light_bar_percentages():
    ctx = light_bar(Summary(total=4, n_red=1, n_green=3))
    assert [(s.light, s.x, s.width) for s in ctx["segments"]] == [("red", 0.0, 25.0), ("green", 25.0, 75.0)]


def test_stacked_bars_markup_is_accessible_svg():
    html = Template('{% load tasks_ui %}{% stacked_bars rows "各单位任务状态" "c" 7 %}').render(
        Context({"rows": rows()})
    )
    assert 'id="c7"' in html
    assert 'role="img"' in html and '<figcaption id="c7-t">各单位任务状态</figcaption>' in html
    assert 'aria-labelledby="c7-t c7-d"' in html
    # The picture holds no links (axe: nested-interactive); the figures and links are a list below it.
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "<a " not in svg and "<title" not in svg
    assert (
        '<li><a href="/units/1/">区科委</a>：共10项，逾期或滞后2，临近截止或进度偏慢1，正常推进5，进展不明2</li>'
        in html
    )
    assert "<li>一个名字非常非常长的单位名称用于测试截断：共5项，进展不明5</li>" in html
    assert html.count("<rect") == 5
    assert 'class="seg-yellow"' in html  # outlined: the yellow fill alone is 2:1 against white
    assert "http" not in html.replace("http://www.w3.org", "")  # nothing fetched from elsewhere


def test_light_colours_have_3_to_1_contrast_against_white():
    """WCAG 1.4.11: every light but yellow by its fill; yellow by its #7a5200 outline (app.css)."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    def contrast(colour: str) -> float:
        return 1.05 / (luminance(colour) + 0.05)

    for light, colour in LIGHT_COLOURS.items():
        assert contrast("#7a5200" if light == "yellow" else colour) >= 3, light


# -- the bars' tags draw what their format_html versions drew (commit 3436de5, kept as the reference)


def reference_chart_svg_bars(chart):
    label_x = chart.label_width - 6
    return format_html_join(
        "\n",
        '<g><text x="{}" y="{}" text-anchor="end" class="bar-label">{}</text>{}'
        '<text x="{}" y="{}" class="bar-total">{}</text></g>',
        (
            (
                label_x,
                bar.y + 13,
                bar.label,
                format_html_join(
                    "",
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="seg-{}"></rect>',
                    ((s.x, bar.y, s.width, chart.bar_height, s.colour, s.light) for s in bar.segments),
                ),
                bar.end_x,
                bar.y + 13,
                bar.total,
            )
            for bar in chart.bars
        ),
    )


def reference_chart_list_items(chart):
    if not chart.bars:
        return mark_safe("<li>暂无数据</li>")
    return format_html_join(
        "\n",
        "<li>{}：共{}项{}</li>",
        (
            (
                format_html('<a href="{}">{}</a>', bar.url, bar.full_label) if bar.url else bar.full_label,
                bar.total,
                format_html_join("", "，{}{}", ((s.label, s.count) for s in bar.segments)),
            )
            for bar in chart.bars
        ),
    )


def test_bar_tags_equal_the_format_html_versions():
    nasty = "<b>\"甲\" & '乙'</b>"
    chart_rows = [
        *rows(),
        ChartRow(nasty * 3, "/units/3/?a=1&b=2", Summary(total=7, n_red=7)),
        ChartRow(nasty, None, Summary()),
    ]
    for chart in (chart_geometry(chart_rows, title=nasty), chart_geometry([], title="t")):
        assert str(chart_svg_bars(chart)) == str(reference_chart_svg_bars(chart))
        assert str(chart_list_items(chart)) == str(reference_chart_list_items(chart))
    chart = chart_geometry(chart_rows, title="t")
    drawn = str(chart_svg_bars(chart)) + str(chart_list_items(chart))
    assert "<b>" not in drawn and "&amp;b=2" in drawn and 'class="seg-red"' in drawn and "：共7项，逾期或滞后7" in drawn
