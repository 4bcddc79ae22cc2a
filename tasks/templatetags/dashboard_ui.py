"""The home page's table of every plan, drawn by one tag."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from ..selectors.dashboard import PlanOverview
from ..selectors.rows import url_pattern

register = template.Library()


@register.simple_tag
def plan_rows(rows: Sequence[PlanOverview]) -> SafeString:
    """The <tr>s of the 全部规划 table. Built here, as tasks_ui.task_rows, rather than by a template
    loop: with a whole city's 98 plans the loop (a dozen lookups, a {% url %} and an inner loop
    over the lights per row) was most of a rebuilt home page's rendering."""
    search = reverse("tasks:task_search")
    plan_url = url_pattern("tasks:plan")
    out = []
    for ov in rows:
        plan, summary = ov.plan, ov.summary
        query = f"{search}?plan={plan.pk}"
        lights = format_html_join(
            "",
            '<td class="num" data-col="{}"><a href="{}&amp;light={}">{}</a></td>',
            ((c.light, query, c.light, c.count) for c in summary.lights()),
        )
        out.append(
            format_html(
                '<tr data-plan-row="{}"><td>{}</td><td><a href="{}">{}</a></td><td class="nowrap">{}</td>'
                '<td class="num" data-col="total"><a href="{}">{}</a></td>'
                '<td class="num" data-col="done"><a href="{}&amp;status=done">{}</a>（{}%）</td>{}'
                '<td class="num" data-col="silent"><a href="{}&amp;reported=no">{}</a></td></tr>',
                plan.pk,
                plan.district,
                plan_url.format(plan.pk),
                plan.title,
                plan.years_label,
                query,
                summary.total,
                query,
                summary.n_done,
                summary.done_percent,
                lights,
                query,
                summary.n_silent,
            )
        )
    return mark_safe("\n".join(out))
