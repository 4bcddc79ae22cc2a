"""The home page's table of every plan (tasks/templatetags/dashboard_ui.py) draws what its
format_html version drew: that version is kept below as the reference (commit 3436de5) and
compared over plans with markup characters in every text."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from tasks.models import Plan
from tasks.selectors.dashboard import PlanOverview
from tasks.selectors.rows import url_pattern
from tasks.status.summary import Summary
from tasks.templatetags.dashboard_ui import plan_rows


def reference_plan_rows(rows):
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


NASTY = "<b>\"甲\" & '乙'</b>"


def test_plan_rows_equal_the_format_html_version():
    rows = []
    for i in range(4):
        plan = Plan(pk=i + 1, district=f"{NASTY}区", title=NASTY * (i + 1), kind="annual", year_start=2025)
        plan.year_end = 2025 if i % 2 else 2030  # one year and a span
        summary = Summary(total=7 * i, n_red=i, n_yellow=1, n_green=2, n_grey=3, n_done=i, n_silent=2 * i)
        rows.append(PlanOverview(plan=plan, summary=summary))
    drawn = str(plan_rows(rows))
    assert drawn == str(reference_plan_rows(rows))
    assert str(plan_rows([])) == str(reference_plan_rows([]))
    assert "<b>" not in drawn and escape(NASTY) in drawn
    assert "（14%）" in drawn and Plan(year_start=2025, year_end=2030).years_label in drawn
