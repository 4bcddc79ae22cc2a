"""The home page's table of every plan, drawn by one tag."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from ..selectors.dashboard import PlanOverview
from ..selectors.rows import url_pattern

register = template.Library()


@register.simple_tag
def plan_rows(rows: Sequence[PlanOverview]) -> SafeString:
    """The <tr>s of the 全部规划 table. Built here, as task_table_ui.task_rows, with f-strings and
    every text through `escape`: with a whole city's 98 plans a template loop (a dozen lookups, a
    {% url %} and an inner loop over the lights per row) was most of a rebuilt home page's
    rendering, and format_html per cell still 9 ms."""
    search = reverse("tasks:task_search")
    plan_url = url_pattern("tasks:plan")
    out = []
    for ov in rows:
        plan, summary = ov.plan, ov.summary
        query = f"{search}?plan={plan.pk}"
        lights = "".join(
            f'<td class="num" data-col="{c.light}"><a href="{query}&amp;light={c.light}">{c.count}</a></td>'
            for c in summary.lights()
        )
        out.append(
            f'<tr data-plan-row="{plan.pk}"><td>{escape(plan.district)}</td>'
            f'<td><a href="{plan_url.format(plan.pk)}">{escape(plan.title)}</a></td>'
            f'<td class="nowrap">{escape(plan.years_label)}</td>'
            f'<td class="num" data-col="total"><a href="{query}">{summary.total}</a></td>'
            f'<td class="num" data-col="done"><a href="{query}&amp;status=done">{summary.n_done}</a>'
            f"（{summary.done_percent}%）</td>{lights}"
            f'<td class="num" data-col="silent"><a href="{query}&amp;reported=no">{summary.n_silent}</a></td></tr>'
        )
    return mark_safe("\n".join(out))
