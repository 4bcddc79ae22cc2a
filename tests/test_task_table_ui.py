"""The task table's rows (tasks/templatetags/task_table_ui.py) and the light badge draw exactly
what their format_html versions drew: those are kept below as the reference and compared, row by
row, over rows that take every branch, with markup characters in every text a document or a user
can supply."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from tasks.choices import Light, ReviewState, UnitRole
from tasks.selectors.row_types import Named, OwnReport, TaskRow
from tasks.templatetags.task_table_ui import task_rows
from tasks.templatetags.tasks_ui import light_badge, light_label, period_text, review_label, status_label

# -- the reference: the format_html versions (commit 3436de5) ---------------------------


def reference_light_badge(light, status=None):
    text = light_label(light)
    return format_html(
        '<span class="light light-{}" title="{}"><span class="dot" aria-hidden="true"></span>{}'
        '<span class="visually-hidden">（{}）</span></span>',
        light or Light.GREY,
        text,
        status_label(status),
        text,
    )


def _reference_names(items):
    if not items:
        return mark_safe("—")
    return format_html_join("、", '<a href="{}">{}</a>', ((n.url, n.name) for n in items))


def _reference_own_cell(task):
    own = task.own
    if own is None:
        return mark_safe('<span class="muted">尚无报送</span>')
    head = format_html(
        '{} · {}{} <span class="tag review-{}">{}</span>',
        period_text(own.period, task.reporting_period),
        status_label(own.status),
        f" · {own.percent}%" if own.percent is not None else "",
        own.review,
        review_label(own.review),
    )
    progress = format_html("<div>{}</div>", Truncator(own.progress).chars(80)) if own.progress else ""
    returned = ""
    if own.review == ReviewState.RETURNED:
        returned = format_html('<div class="bad">退回意见：{}</div>', Truncator(own.comment or "（未填写）").chars(80))
    return format_html("{}{}{}", head, progress, returned)


def reference_task_rows(tasks, show_plan=False, show_category=False, show_own=False) -> SafeString:
    out = []
    for task in tasks:
        tags = format_html(
            "{}{}",
            mark_safe(' <span class="tag" title="市级任务">市级</span>') if task.city_level else "",
            mark_safe(' <span class="tag">已撤销</span>') if task.withdrawn else "",
        )
        category = ""
        if show_category:
            project = format_html(" › {}", task.project) if task.project else ""
            category = format_html('\n        <div class="muted small">{}{}</div>', task.category, project)
        plan = (
            format_html('<td class="small" data-label="规划"><a href="{}">{}</a></td>', task.plan_url, task.plan_label)
            if show_plan
            else ""
        )
        own = ""
        if show_own:
            own = format_html(
                '<td data-label="本单位角色">{}</td><td class="small" data-own data-label="本单位最新进展">{}</td>',
                "牵头" if task.unit_role == UnitRole.LEAD else "配合",
                _reference_own_cell(task),
            )
        due = f"{task.due_date:%Y-%m-%d}" if task.due_date else (task.deadline_text or "—")
        out.append(
            format_html(
                '<tr class="{}" data-task="{}"><td class="num" data-label="序号">{}</td>'
                '<td><a href="{}">{}</a>{}{}</td>{}'
                '<td data-label="牵头领导">{}</td><td data-label="牵头单位">{}</td>'
                '<td class="nowrap" data-label="截止">{}</td><td data-label="状态">{}</td>{}</tr>',
                "withdrawn" if task.withdrawn else "",
                task.id,
                task.number,
                task.url,
                task.title,
                tags,
                category,
                plan,
                _reference_names(task.leaders),
                _reference_names(task.lead_units),
                due,
                reference_light_badge(task.light, task.status),
                own,
            )
        )
    if not out:
        return mark_safe('<tr><td colspan="9">没有符合条件的任务。</td></tr>')
    return mark_safe("\n".join(out))


# -- rows through every branch ------------------------------------------------------------

NASTY = "<b>\"甲\" & '乙'</b>"
OWNS = [
    None,
    OwnReport(period=dt.date(2025, 6, 1), status="in_progress", percent=0, progress="", review="approved", comment=""),
    OwnReport(
        period=dt.date(2025, 4, 1),
        status="behind",
        percent=None,
        progress=NASTY * 12,  # longer than the 80 characters shown
        review=ReviewState.RETURNED,
        comment="",
    ),
    OwnReport(
        period=dt.date(2024, 12, 1),
        status="done",
        percent=100,
        progress="完成。",
        review=ReviewState.RETURNED,
        comment=NASTY,
    ),
]


def _row(i: int, *, own: OwnReport | None, flags: tuple[bool, ...]) -> TaskRow:
    city_level, withdrawn, has_project, has_due, has_people = flags
    people = [Named(1, NASTY, "", "/units/1/?a=1&b=2"), Named(2, "区科委", "科委", "/units/2/")]
    return TaskRow(
        id=i,
        url=f"/tasks/{i}/",
        number=f"{i}<",
        title=NASTY,
        city_level=city_level,
        withdrawn=withdrawn,
        category_id=1,
        category=f"一、{NASTY}",
        project=NASTY if has_project else None,
        plan_id=1,
        plan_url="/plans/1/",
        plan_title=NASTY,
        plan_label=f"2025年{NASTY}",
        reporting_period="quarterly" if i % 2 else "monthly",
        leaders=people if has_people else [],
        lead_units=people[::-1] if has_people else [],
        support_units=[],
        due_date=dt.date(2025, 12, 31) if has_due else None,
        deadline_text="" if i % 3 else NASTY,
        light=[Light.RED, Light.YELLOW, Light.GREEN, Light.GREY, ""][i % 5],
        status=["behind", "pending", "done", "", "not_reported"][i % 5],
        percent=None,
        units_lead=1,
        units_reported=0,
        is_reported=False,
        is_pending=False,
        unit_role=UnitRole.LEAD if i % 2 else UnitRole.SUPPORT,
        own=own,
    )


def _rows() -> list[TaskRow]:
    flags = itertools.product([False, True], repeat=5)
    return [_row(i, own=OWNS[i % len(OWNS)], flags=f) for i, f in enumerate(flags)]


def test_rows_equal_the_format_html_version_for_every_branch():
    rows = _rows()
    for show in itertools.product([False, True], repeat=3):
        assert str(task_rows(rows, *show)) == str(reference_task_rows(rows, *show)), show
    assert str(task_rows([])) == str(reference_task_rows([]))
    drawn = str(task_rows(rows, True, True, True))
    # It could not pass by leaving things out: every branch shows, and nothing unescaped.
    for part in ("市级", "已撤销", "退回意见：（未填写）", "退回意见：&lt;b&gt;", "尚无报送", " › ", "—"):
        assert part in drawn, part
    assert "<b>" not in drawn and "&amp;b=2" in drawn
    assert escape(NASTY * 12) not in drawn and escape(NASTY * 3) in drawn  # the long progress shortened


def test_light_badge_equals_the_format_html_version():
    for light, status in itertools.product([*Light.values, "", None], ["behind", "pending", "done", "", None]):
        assert str(light_badge(light, status)) == str(reference_light_badge(light, status))


# -- a unit's table by plan and its 督查通报 links: the template loops they replaced (8ba40b4) ----

_PLAN_SEARCH = "{{ search_url }}?plan={{ row.plan_id }}&amp;unit={{ unit_id }}"
REFERENCE_UNIT_PLAN_LOOP = (
    "{% for row in per_plan %}\n"
    '      <tr data-plan="{{ row.plan_id }}"><th scope="row"><a href="{{ row.url }}">{{ row.title }}</a></th>\n'
    f'        <td class="num" data-col="lead"><a href="{_PLAN_SEARCH}&amp;unit_role=lead">'
    "{{ row.summary.total }}</a></td>\n"
    f'        <td class="num" data-col="done"><a href="{_PLAN_SEARCH}&amp;unit_role=lead&amp;status=done">'
    "{{ row.summary.n_done }}</a></td>\n"
    f'        <td class="num" data-col="red"><a href="{_PLAN_SEARCH}&amp;unit_role=lead&amp;light=red">'
    "{{ row.summary.n_red }}</a></td>\n"
    f'        <td class="num" data-col="silent"><a href="{_PLAN_SEARCH}&amp;reported=no">'
    "{{ row.summary.n_silent }}</a></td></tr>\n"
    '    {% empty %}<tr><td colspan="5">该单位没有牵头的现行任务。</td></tr>\n'
    "    {% endfor %}"
)
REFERENCE_BULLETIN_LOOP = (
    '{% for p in per_plan %}<a href="{{ bulletin_url }}?unit={{ unit_id }}&amp;plan={{ p.plan_id }}" data-bulletin>'
    "{{ p.title }}</a>{% if not forloop.last %} · {% endif %}{% endfor %}"
)


def _between_tags(html: str) -> str:
    import re

    return re.sub(r">\s+<", "><", html.strip())


def test_a_units_plan_rows_and_bulletin_links_equal_the_template_loops():
    from django.template import Context, Template

    from tasks.selectors.row_types import PlanFigures
    from tasks.status.summary import Summary
    from tasks.templatetags.task_table_ui import unit_bulletin_links, unit_plan_rows

    per_plan = [
        PlanFigures(
            plan_id=i + 1,
            title=f"{NASTY} 规划{i}",
            summary=Summary(total=1000 + i, n_red=i, n_done=2 * i, n_silent=3 * i),
            url=f"/plans/{i + 1}/?a={NASTY}",
        )
        for i in range(3)
    ]
    for rows in (per_plan, per_plan[:1], []):
        context = Context({"per_plan": rows, "unit_id": 7, "search_url": "/tasks/", "bulletin_url": "/bulletin/"})
        drawn = str(unit_plan_rows(rows, 7, "/tasks/"))
        assert _between_tags(drawn) == _between_tags(Template(REFERENCE_UNIT_PLAN_LOOP).render(context))
        links = str(unit_bulletin_links(rows, 7, "/bulletin/"))
        assert links == Template(REFERENCE_BULLETIN_LOOP).render(context)
    drawn = str(unit_plan_rows(per_plan, 7, "/tasks/"))
    assert drawn.count("<tr ") == 3 and ">1002<" in drawn and "&amp;light=red" in drawn
    assert "<b>" not in drawn and "<b>" not in str(unit_bulletin_links(per_plan, 7, "/bulletin/"))
