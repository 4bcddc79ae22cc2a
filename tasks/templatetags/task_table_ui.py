"""The rows of a task table (tasks/partials/task_table.html): plan, category, unit, leader and
search pages all list their tasks through `task_rows`. Also a unit's table by plan and its 督查通报
links (`unit_plan_rows`, `unit_bulletin_links`), a hundred rows for a unit across the city.

Built with f-strings, every value that is not ours through `escape` (the standard library's,
which Django's own escape calls): a template loop of a dozen lookups per row, and then
format_html for every cell, were each the largest item of a task table under the profiler
(8 ms for a leader's 89 rows with format_html).
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from ..choices import ReviewState, UnitRole
from ..selectors.row_types import Named, PlanFigures, TaskRow
from .tasks_ui import light_badge, period_text, review_label, status_label

register = template.Library()


def _names(items: list[Named]) -> str:
    if not items:
        return "—"
    return "、".join(f'<a href="{escape(n.url)}">{escape(n.name)}</a>' for n in items)


def _own_cell(task: TaskRow) -> str:
    own = task.own
    if own is None:
        return '<span class="muted">尚无报送</span>'
    percent = f" · {own.percent}%" if own.percent is not None else ""
    head = (
        f"{escape(period_text(own.period, task.reporting_period))} · {escape(status_label(own.status))}{percent}"
        f' <span class="tag review-{escape(own.review)}">{escape(review_label(own.review))}</span>'
    )
    progress = f"<div>{escape(Truncator(own.progress).chars(80))}</div>" if own.progress else ""
    returned = ""
    if own.review == ReviewState.RETURNED:
        returned = f'<div class="bad">退回意见：{escape(Truncator(own.comment or "（未填写）").chars(80))}</div>'
    return f"{head}{progress}{returned}"


@register.simple_tag
def task_rows(
    tasks: list[TaskRow], show_plan: bool = False, show_category: bool = False, show_own: bool = False
) -> SafeString:
    """The <tr>s of a task table."""
    out = []
    for task in tasks:
        tags = (' <span class="tag" title="市级任务">市级</span>' if task.city_level else "") + (
            ' <span class="tag">已撤销</span>' if task.withdrawn else ""
        )
        category = ""
        if show_category:
            project = f" › {escape(task.project)}" if task.project else ""
            category = f'\n        <div class="muted small">{escape(task.category)}{project}</div>'
        plan = (
            f'<td class="small" data-label="规划"><a href="{escape(task.plan_url)}">{escape(task.plan_label)}</a></td>'
            if show_plan
            else ""
        )
        own = ""
        if show_own:
            role = "牵头" if task.unit_role == UnitRole.LEAD else "配合"
            own = (
                f'<td data-label="本单位角色">{role}</td>'
                f'<td class="small" data-own data-label="本单位最新进展">{_own_cell(task)}</td>'
            )
        due = f"{task.due_date:%Y-%m-%d}" if task.due_date else escape(task.deadline_text or "—")
        out.append(
            f'<tr class="{"withdrawn" if task.withdrawn else ""}" data-task="{task.id}">'
            f'<td class="num" data-label="序号">{escape(task.number)}</td>'
            f'<td><a href="{escape(task.url)}">{escape(task.title)}</a>{tags}{category}</td>{plan}'
            f'<td data-label="牵头领导">{_names(task.leaders)}</td>'
            f'<td data-label="牵头单位">{_names(task.lead_units)}</td>'
            f'<td class="nowrap" data-label="截止">{due}</td>'
            f'<td data-label="状态">{light_badge(task.light, task.status)}</td>{own}</tr>'
        )
    if not out:
        return mark_safe('<tr><td colspan="9">没有符合条件的任务。</td></tr>')
    return mark_safe("\n".join(out))


@register.simple_tag
def unit_plan_rows(per_plan: list[PlanFigures], unit_id: int, search_url: str) -> SafeString:
    """The <tr>s of a unit's table by plan (tasks/partials/unit_figures.html). A template loop cost
    a city-wide unit (a hundred plans) about 10 ms per rebuild: nine lookups and four localised
    numbers per row."""
    if not per_plan:
        return mark_safe('<tr><td colspan="5">该单位没有牵头的现行任务。</td></tr>')
    out = []
    for row in per_plan:
        search = f"{escape(search_url)}?plan={row.plan_id}&amp;unit={unit_id}"
        lead = f"{search}&amp;unit_role=lead"
        s = row.summary
        out.append(
            f'<tr data-plan="{row.plan_id}"><th scope="row"><a href="{escape(row.url)}">{escape(row.title)}</a></th>'
            f'<td class="num" data-col="lead"><a href="{lead}">{s.total}</a></td>'
            f'<td class="num" data-col="done"><a href="{lead}&amp;status=done">{s.n_done}</a></td>'
            f'<td class="num" data-col="red"><a href="{lead}&amp;light=red">{s.n_red}</a></td>'
            f'<td class="num" data-col="silent"><a href="{search}&amp;reported=no">{s.n_silent}</a></td></tr>'
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def unit_bulletin_links(per_plan: list[PlanFigures], unit_id: int, bulletin_url: str) -> SafeString:
    """The unit page's 督查通报 links, one per plan it leads tasks in."""
    url = f"{escape(bulletin_url)}?unit={unit_id}&amp;plan="
    return mark_safe(
        " · ".join(f'<a href="{url}{row.plan_id}" data-bulletin>{escape(row.title)}</a>' for row in per_plan)
    )
