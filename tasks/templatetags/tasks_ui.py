"""Presentation helpers: status labels, light badges and server-drawn SVG charts.

The charts' geometry is computed in tasks/charts.py (pure, testable) and drawn here and by
templates as inline SVG, so they need no JavaScript and no external library.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any

from django import template
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.safestring import SafeString, mark_safe

from ..charts import LIGHT_COLOURS, Chart, Segment, chart_geometry
from ..choices import CurrentStatus, Light, ReviewState, UnitRole
from ..periods import period_label
from ..selectors.row_types import TaskRow
from ..status.summary import Summary

register = template.Library()


STATUS_LABELS = dict(CurrentStatus.choices)
LIGHT_LABELS = dict(Light.choices)


@register.filter
def person(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """{{ report.reviewed_by|person }}: the person's 姓名, else the login name (accounts.names)."""
    from accounts.names import person_name

    return person_name(user)


@register.filter
def status_label(value: str | None) -> str:
    return STATUS_LABELS.get(value or "", CurrentStatus.NOT_REPORTED.label)


@register.filter
def light_label(value: str | None) -> str:
    return LIGHT_LABELS.get(value or "", "")


@register.simple_tag
def light_choices() -> list[tuple[str, str]]:
    """The lights and their labels, in order, for legends."""
    return list(Light.choices)


REVIEW_LABELS = dict(ReviewState.choices)


@register.filter
def review_label(value: str | None) -> str:
    """A report's review state in words (its choice label: 已退回, 已报送待审核 …)."""
    return REVIEW_LABELS.get(value or "", "")


@register.simple_tag
def period_text(start: dt.date | None, reporting_period: str, today: dt.date | None = None) -> str:
    """A reporting period in words (2025年6月, 2025年第2季度); without the year when it is `today`'s."""
    if start is None:
        return ""
    label = period_label(reporting_period=reporting_period, start=start)
    if today is not None and start.year == today.year:
        return label.removeprefix(f"{start.year}年")
    return label


@register.simple_tag
def light_badge(light: str | None, status: str | None = None) -> SafeString:
    """A coloured dot plus words: colour is never the only carrier of meaning.

    Built here rather than by an inclusion template: it is drawn once per task row,
    and a template render per row cost more than the rest of the row."""
    text = escape(light_label(light))
    return mark_safe(
        f'<span class="light light-{escape(light or Light.GREY)}" title="{text}"><span class="dot" aria-hidden="true">'
        f'</span>{escape(status_label(status))}<span class="visually-hidden">（{text}）</span></span>'
    )


@register.simple_tag
def chart_svg_bars(chart: Chart) -> SafeString:
    """The <g>s of a bar chart's picture; built here with f-strings (labels through `escape`), not
    by a template loop or format_html per rect: a leader's chart has a bar for each of a hundred
    units, four rects each (5 ms with format_html)."""
    label_x = chart.label_width - 6
    bars = []
    for bar in chart.bars:
        rects = "".join(
            f'<rect x="{s.x}" y="{bar.y}" width="{s.width}" height="{chart.bar_height}" fill="{escape(s.colour)}"'
            f' class="seg-{escape(s.light)}"></rect>'
            for s in bar.segments
        )
        bars.append(
            f'<g><text x="{label_x}" y="{bar.y + 13}" text-anchor="end" class="bar-label">{escape(bar.label)}</text>'
            f'{rects}<text x="{bar.end_x}" y="{bar.y + 13}" class="bar-total">{bar.total}</text></g>'
        )
    return mark_safe("\n".join(bars))


@register.simple_tag
def chart_list_items(chart: Chart) -> SafeString:
    """The same figures as a list of real links, below the picture."""
    if not chart.bars:
        return mark_safe("<li>暂无数据</li>")
    items = []
    for bar in chart.bars:
        label = escape(bar.full_label)
        link = f'<a href="{escape(bar.url)}">{label}</a>' if bar.url else label
        counts = "".join(f"，{escape(s.label)}{s.count}" for s in bar.segments)
        items.append(f"<li>{link}：共{bar.total}项{counts}</li>")
    return mark_safe("\n".join(items))


@register.inclusion_tag("tasks/partials/chart_bars.html")
def stacked_bars(rows: list[Any], title: str, chart_id: str = "chart", suffix: Any = "") -> dict[str, Any]:
    # The suffix keeps ids unique when a page draws one chart per plan.
    return {"chart": chart_geometry(rows, title=title), "chart_id": f"{chart_id}{suffix}"}


@register.inclusion_tag("tasks/partials/light_bar.html")
def light_bar(summary: Summary, label: str = "") -> dict[str, Any]:
    """One 100%-wide bar of a summary's lights, for the dashboard's plan cards."""
    total = summary.total or 1
    x = 0.0
    segments = []
    for light in Light:
        count = getattr(summary, f"n_{light.value}")
        if count:
            w = 100 * count / total
            segments.append(Segment(light.value, light.label, count, round(x, 3), round(w, 3), LIGHT_COLOURS[light]))
            x += w
    return {"segments": segments, "summary": summary, "label": label}


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key) if mapping else None


# -- the one-page unit summary -------------------------------------------------------

# Widths in em of the 9pt print font (a Chinese character is 1 em, a digit or Latin letter about
# half): what fits one line of the task and progress columns of static/css/app.css on A4 portrait.
PRINT_TITLE_WIDTH = 18.2
PRINT_OWN_WIDTH = 23.0
# Table lines (tasks and group headings) one sheet holds below the figures; the rest is counted.
PRINT_MAX_LINES = 43
TRUNCATED_MARK = "…※"
# The print sheet says "待审核" for a report awaiting review, as the lists' status does (PENDING).
PRINT_REVIEW_LABELS = {**REVIEW_LABELS, ReviewState.SUBMITTED: CurrentStatus.PENDING.label}


def text_width(text: str) -> float:
    return sum(0.55 if ord(ch) < 0x2E80 and ch != "…" else 1.0 for ch in text)


def clip(text: str, width: float) -> tuple[str, bool]:
    """`text` on one line, cut to `width` em with a mark (…※) that a footnote explains."""
    flat = " ".join((text or "").split())
    if text_width(flat) <= width:
        return flat, False
    budget = width - text_width(TRUNCATED_MARK)
    out = []
    for ch in flat:
        budget -= text_width(ch)
        if budget < 0:
            break
        out.append(ch)
    return "".join(out).rstrip() + TRUNCATED_MARK, True


@dataclass(frozen=True)
class PrintRow:
    task: TaskRow
    title: str
    progress: str  # "6月 推进中 40%（已退回）：text", or "" when the unit has sent nothing
    plan_heading: str | None  # set on the first row of each role and plan


@dataclass(frozen=True)
class PrintSheet:
    rows: list[PrintRow]
    truncated: bool
    left_out: int


def _own_progress(task: TaskRow, today: dt.date) -> tuple[str, bool]:
    """The unit's latest report on one line: period, status label, percent, review state unless
    approved, then as much of the progress text as fits."""
    own = task.own
    if own is None:
        return "", False
    parts = [
        period_text(own.period, task.reporting_period, today),
        STATUS_LABELS.get(own.status or "", ""),
        f"{own.percent}%" if own.percent is not None else "",
    ]
    head = " ".join(part for part in parts if part)
    if own.review and own.review != ReviewState.APPROVED:
        head += f"（{PRINT_REVIEW_LABELS.get(own.review, '')}）"
    if not own.progress.strip():
        return head, False
    # At least a few characters of the text, even after a long head.
    text, cut = clip(own.progress, max(PRINT_OWN_WIDTH - text_width(head) - 1, 5))
    return f"{head}：{text}", cut


@register.simple_tag
def print_sheet(tasks: list[TaskRow], today: dt.date) -> PrintSheet:
    """The unit's tasks as one-line rows for one A4 sheet: long texts clipped (and marked), a
    heading row where role or plan changes, and what would not fit (PRINT_MAX_LINES) counted."""
    tasks = list(tasks)
    rows: list[PrintRow] = []
    truncated = False
    last_group = None
    lines = 0
    for task in tasks:
        heading = None
        if (task.unit_role, task.plan_id) != last_group:
            role = "牵头" if task.unit_role == UnitRole.LEAD else "配合"
            heading = f"{role} · {task.plan_label}"
        lines += 2 if heading else 1
        if lines > PRINT_MAX_LINES:
            break
        last_group = (task.unit_role, task.plan_id)
        title, cut_title = clip(task.title + ("（市级）" if task.city_level else ""), PRINT_TITLE_WIDTH)
        progress, cut_progress = _own_progress(task, today)
        truncated = truncated or cut_title or cut_progress
        rows.append(PrintRow(task=task, title=title, progress=progress, plan_heading=heading))
    return PrintSheet(rows=rows, truncated=truncated, left_out=len(tasks) - len(rows))
