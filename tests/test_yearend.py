"""年终办结 (yearend app) through the rendered pages: a unit proposes final states, the office
confirms them and closes the plan, which leaves the dashboard, shows its final figures instead
of lights and takes no more reports; a task carried into next year is linked to its
continuation through the year-over-year match."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tasks.models import Plan, PlanKind, ProgressStatus, Role, Task, TaskState, Unit, UnitRole
from tasks.services import PLAN_CLOSED_REPORT_MESSAGE, ReportInput, report_save
from tests.test_supervision_views import form_on
from yearend import services
from yearend.models import FinalState, PlanClosure, TaskOutcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def annual(seed_plans, pinned_clock) -> Plan:
    return Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)


def page(client, plan: Plan) -> str:
    response = client.get(reverse("yearend:plan", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def submit(client, form: dict, **values) -> str:
    """Post a rendered form with the user's changes, follow the redirect, return the page."""
    data = {k: v for k, v in form["fields"].items() if v is not None} | values
    response = client.post(form["attrs"]["action"], data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def shown_message(html: str) -> str:
    return " ".join(re.findall(r'<p class="message [^"]*" role="status">(.*?)</p>', html, flags=re.S))


def test_a_unit_proposes_and_the_office_confirms(annual, client_as, liaison_user, office_user):
    keji = Unit.objects.get(name="区科委")
    led = Task.objects.filter(plan=annual, unit_links__unit=keji, unit_links__role=UnitRole.LEAD).distinct()
    task = led.order_by("position").first()

    liaison = client_as(liaison_user)
    html = page(liaison, annual)
    # A liaison sees the tasks their unit leads, and only those.
    assert re.search(r"data-rows>(\d+)<", html).group(1) == str(led.count())
    assert html.count('data-propose="') == led.count()

    form = form_on(html, "data-propose", str(task.pk))
    html = submit(liaison, form, state=FinalState.NOT_DONE, note="")
    assert "“未完成”须填写办结说明。" in shown_message(html)
    assert not TaskOutcome.objects.filter(task=task).exists()

    html = submit(liaison, form, state=FinalState.NOT_DONE, note="土地指标未落实，明年一季度续办。")
    assert f"已提交第{task.number}项的办结建议" in shown_message(html)
    outcome = TaskOutcome.objects.get(task=task)
    assert (outcome.proposed_state, outcome.proposed_unit, outcome.state) == (FinalState.NOT_DONE, keji, "")

    office = client_as(office_user)
    html = page(office, annual)
    confirm = form_on(html, "data-confirm", str(task.pk))
    # The office's form starts from the unit's proposal.
    assert confirm["fields"]["state"] == FinalState.NOT_DONE
    assert confirm["fields"]["note"] == "土地指标未落实，明年一季度续办。"
    html = submit(office, confirm, state=FinalState.CARRIED)
    assert f"已确认第{task.number}项：结转下年。" in shown_message(html)
    outcome.refresh_from_db()
    assert (outcome.state, outcome.confirmed_by) == (FinalState.CARRIED, office_user)
    # Who did what, and when, in the task's final-state history.
    assert [(h.history_change_reason, h.history_user) for h in outcome.history.order_by("history_id")] == [
        ("单位建议办结状态：未完成", liaison_user),
        ("督查室确认办结状态：结转下年", office_user),
    ]

    # Once confirmed, the unit can no longer propose.
    with pytest.raises(ValidationError, match="督查室已确认该任务的办结状态"):
        services.outcome_propose(user=liaison_user, task=task, unit_id=keji.pk, state=FinalState.DONE, note="")


def _confirm_all(plan: Plan, user, *, state: str = FinalState.DONE) -> None:
    for task in Task.objects.filter(plan=plan, state=TaskState.ACTIVE):
        services.outcome_confirm(user=user, task=task, state=state, note="")


def test_closing_waits_for_every_final_state(annual, client_as, office_user):
    office = client_as(office_user)
    active = Task.objects.filter(plan=annual, state=TaskState.ACTIVE).order_by("position")
    first = list(active.values_list("number", flat=True)[:10])
    html = submit(office, form_on(page(office, annual), "data-close-form"))
    assert f"还有 {active.count()} 项任务未确认办结状态（序号 {'、'.join(first)}等），不能办结。" in shown_message(html)
    assert not PlanClosure.objects.exists()

    _confirm_all(annual, office_user)
    last = active.last()
    TaskOutcome.objects.filter(task=last).delete()
    html = submit(office, form_on(page(office, annual), "data-close-form"))
    assert f"还有 1 项任务未确认办结状态（序号 {last.number}），不能办结。" in shown_message(html)


def test_a_closed_plan_shows_final_figures_and_leaves_the_dashboard(annual, client_as, office_user, liaison_user):
    office = client_as(office_user)
    assert annual.title in office.get(reverse("tasks:dashboard")).content.decode()
    active = list(Task.objects.filter(plan=annual, state=TaskState.ACTIVE).order_by("position"))
    for index, task in enumerate(active):
        state = [FinalState.DONE, FinalState.DONE, FinalState.MOSTLY_DONE, FinalState.DROPPED][index % 4]
        services.outcome_confirm(user=office_user, task=task, state=state, note="已调整。")

    html = submit(office, form_on(page(office, annual), "data-close-form"), note="2025年度办结。")
    assert f"“{annual.title}”已年终办结。" in shown_message(html)
    assert "data-closed" in html and "2025年度办结。" in html

    # The figures agree with the list of final states they summarise.
    states = re.findall(r"data-state><strong>(.*?)</strong>", html)
    assert len(states) == len(active)
    overall = re.search(r"<tr data-overall>.*?</tr>", html, flags=re.S).group(0)
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', overall)
    done, mostly, dropped = states.count("已完成"), states.count("基本完成"), states.count("不再实施")
    assert cells[:6] == [str(len(active)), str(done), str(mostly), "0", "0", str(dropped)]
    assert cells[6] == f"{round(100 * done / (len(active) - dropped))}%"
    category_totals = [int(t) for t in re.findall(r"<tr data-category-line>.*?data-total>(\d+)<", html, flags=re.S)]
    assert sum(category_totals) == len(active)

    # No lights for it anywhere else either: the unit's page, the leader's page and the search list
    # only current plans' tasks (Task.objects.active()); the unit owes it no more reports.
    keji = Unit.objects.get(name="区科委")
    annual_ids = set(Task.objects.filter(plan=annual).values_list("pk", flat=True))
    for url in (
        reverse("tasks:unit", args=[keji.pk]),
        reverse("tasks:task_search") + "?q=推进",
    ):
        shown = {int(pk) for pk in re.findall(r'<tr class="[^"]*" data-task="(\d+)"', office.get(url).content.decode())}
        assert shown and not shown & annual_ids, url
    leader_page = office.get(reverse("tasks:leader", args=[annual.tasks.first().leader_links.first().leader_id]))
    assert not {int(pk) for pk in re.findall(r'data-task="(\d+)"', leader_page.content.decode())} & annual_ids
    todo = client_as(liaison_user).get(reverse("supervision:todo")).content.decode()
    assert not {int(pk) for pk in re.findall(r'data-todo-task="(\d+)"', todo)} & annual_ids
    # Nor on the task's own page: its final state, and no "this period".
    task_page = office.get(reverse("tasks:task", args=[active[2].pk])).content.decode()
    assert '<span class="tag" data-closed-plan>已年终办结：基本完成</span>' in task_page
    assert '<span class="light light-' not in task_page and "data-units-reported" not in task_page
    assert "规划已年终办结，不再计算灯色和本期报送。" in task_page
    office = client_as(office_user)  # the one test client, signed in as the office again

    # Off the dashboard; the plan page leads to the final figures, not lights.
    assert annual.title not in office.get(reverse("tasks:dashboard")).content.decode()
    response = office.get(reverse("tasks:plan", args=[annual.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("yearend:plan", args=[annual.pk])

    # No more reports, and no more changes to final states.
    keji = Unit.objects.get(name="区科委")
    task = Task.objects.filter(plan=annual, unit_links__unit=keji, unit_links__role=UnitRole.LEAD).first()
    data = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=50, progress_text="年终后补报。")
    with pytest.raises(ValidationError) as refused:
        report_save(
            user=liaison_user, task=task, unit=keji, period=annual.tasks.first().due_date, data=data, version=None
        )
    assert refused.value.messages == [PLAN_CLOSED_REPORT_MESSAGE]
    # The pages say so before anything is typed: no 填报 link, and the form itself goes back with the reason.
    liaison = client_as(liaison_user)
    assert "身份填报" not in liaison.get(reverse("tasks:task", args=[task.pk])).content.decode()
    form = liaison.get(reverse("tasks:report_edit", args=[task.pk, keji.pk]), follow=True)
    assert form.redirect_chain[-1][0] == reverse("tasks:task", args=[task.pk])
    assert PLAN_CLOSED_REPORT_MESSAGE in shown_message(form.content.decode())
    office = client_as(office_user)
    with pytest.raises(ValidationError, match="该规划已年终办结"):
        services.outcome_confirm(user=office_user, task=task, state=FinalState.NOT_DONE, note="改判")

    # Reopened (a mistake): current again.
    html = submit(office, form_on(page(office, annual), "action", reverse("yearend:reopen", args=[annual.pk])))
    assert f"已撤销“{annual.title}”的年终办结。" in shown_message(html)
    assert annual.title in office.get(reverse("tasks:dashboard")).content.decode()


@pytest.fixture
def plan_2026(annual):
    """The 2025 plan exported and imported again as 2026 (same texts, so every item matches)."""
    from imports.export import plan_export_csv
    from imports.pipeline import plan_import

    lines = plan_export_csv(plan=annual).splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("序号,"))
    head = [line.replace("2025", "2026") for line in lines[:header_at] if not line.startswith("（共")]
    plan_import(data="\n".join([*head, *lines[header_at:]]).encode("utf-8"), file_name="annual_2026.csv")
    return Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2026)


def test_a_carried_task_is_linked_to_its_continuation(annual, plan_2026, client_as, office_user):
    task = Task.objects.filter(plan=annual, state=TaskState.ACTIVE).order_by("position")[3]
    services.outcome_confirm(user=office_user, task=task, state=FinalState.CARRIED, note="跨年实施。")
    office = client_as(office_user)
    html = page(office, annual)
    form = form_on(html, "action", reverse("yearend:continuation", args=[task.pk]))
    continuation = Task.objects.get(plan=plan_2026, text=task.text)
    assert form["fields"]["continuation"] == str(continuation.pk)  # the year-over-year match
    assert f"{plan_2026.title} 第{continuation.number}项" in html
    html = submit(office, form)
    assert f"第{task.number}项已关联接续任务。" in shown_message(html)
    assert TaskOutcome.objects.get(task=task).continuation == continuation
    assert f'href="{reverse("tasks:task", args=[continuation.pk])}"' in html
    # And on both tasks' pages, in the task's own query (no extra one).
    old_page = office.get(reverse("tasks:task", args=[task.pk])).content.decode()
    assert "data-final-state>结转下年" in old_page
    assert f'href="{reverse("tasks:task", args=[continuation.pk])}" data-continuation' in old_page
    new_page = office.get(reverse("tasks:task", args=[continuation.pk])).content.decode()
    assert f'href="{reverse("tasks:task", args=[task.pk])}" data-carried-from' in new_page

    # Only a later plan's task continues it, and only a carried task has one.
    with pytest.raises(ValidationError, match="接续任务须属于 2026 年及以后的规划"):
        services.continuation_link(user=office_user, task=task, continuation=annual.tasks.last())
    other = Task.objects.filter(plan=annual).exclude(pk=task.pk).first()
    services.outcome_confirm(user=office_user, task=other, state=FinalState.DONE, note="")
    with pytest.raises(ValidationError, match="只有确认为“结转下年”的任务才能关联接续任务"):
        services.continuation_link(user=office_user, task=other, continuation=continuation)


@pytest.mark.parametrize("role", [Role.LIAISON, Role.LEADER, Role.SECURITY, Role.AUDITOR])
def test_only_the_office_confirms_closes_reopens_and_links(annual, client_as, user_make, role):
    client = client_as(user_make("someone", role, units=["区科委"] if role == Role.LIAISON else ()))
    task = Task.objects.filter(plan=annual).first()
    for name, args in (
        ("yearend:confirm", [task.pk]),
        ("yearend:close", [annual.pk]),
        ("yearend:reopen", [annual.pk]),
        ("yearend:continuation", [task.pk]),
    ):
        response = client.post(reverse(name, args=args), {"state": FinalState.DONE, "continuation": task.pk})
        assert response.status_code == 403, (role, name)
    assert not TaskOutcome.objects.exists() and not PlanClosure.objects.exists()


def test_a_unit_proposes_only_for_tasks_it_leads(annual, client_as, liaison_user, leader_user):
    keji = Unit.objects.get(name="区科委")
    elsewhere = Task.objects.filter(plan=annual).exclude(unit_links__unit=keji).first()
    lead_unit = elsewhere.unit_links.filter(role=UnitRole.LEAD).first().unit_id
    for user in (liaison_user, leader_user):
        response = client_as(user).post(
            reverse("yearend:propose", args=[elsewhere.pk]), {"state": FinalState.DONE, "unit": lead_unit}
        )
        assert response.status_code == 403
    assert not TaskOutcome.objects.exists()


def test_the_yearend_page_keeps_the_query_budget(annual, client_as, office_user, liaison_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for user in (office_user, liaison_user):
        client = client_as(user)
        client.get(reverse("supervision:todo"))  # the header badge, counted there and kept
        with CaptureQueriesContext(connection) as queries:
            page(client, annual)
        assert len(queries.captured_queries) <= 12, (user.username, len(queries.captured_queries))


def test_closing_waits_for_the_review_queue_and_a_closed_plan_takes_no_review(
    annual, client_as, liaison_user, office_user
):
    """A report left waiting at the close could be approved or sent back afterwards, changing final
    figures and scores, and a report returned then could never be resubmitted."""
    from tasks.services import report_approve, report_reopen

    office = client_as(office_user)
    keji = Unit.objects.get(name="区科委")
    task = Task.objects.filter(plan=annual, unit_links__unit=keji, unit_links__role=UnitRole.LEAD).first()
    data = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=50, progress_text="推进中。")
    waiting = report_save(user=liaison_user, task=task, unit=keji, period=dt.date(2025, 6, 1), data=data, version=None)
    _confirm_all(annual, office_user)
    html = submit(office, form_on(page(office, annual), "data-close-form"))
    assert "还有 1 份进展报告待审核，请审核后再办结。" in shown_message(html)
    assert not PlanClosure.objects.exists()

    approved = report_approve(user=office_user, report=waiting, version=waiting.version)
    services.plan_close(user=office_user, plan=annual)
    refused = f"{annual.title}已年终办结，不能再审核或撤回审核进展报告；如需更正，请先撤销办结。"
    with pytest.raises(ValidationError) as reopen:
        report_reopen(user=office_user, report=approved, version=approved.version, reason="办结后撤回")
    assert reopen.value.messages == [refused]
    approved.refresh_from_db()
    assert approved.review_state == "approved"
    # Reopened plan: the office may correct again.
    services.plan_reopen(user=office_user, plan=annual)
    returned = report_reopen(user=office_user, report=approved, version=approved.version, reason="数据有误")
    assert returned.review_state == "returned"


def test_closing_waits_for_returned_reports_and_extension_requests(annual, client_as, liaison_user, office_user):
    """A returned report left at the close could never be resubmitted (and cost its unit 缺报 and
    退回); an extension approved after it moved a closed plan's due date."""
    from supervision.models import ExtensionRequest
    from supervision.services import extension_decide, extension_request
    from tasks.services import report_approve, report_return

    office = client_as(office_user)
    keji = Unit.objects.get(name="区科委")
    task = Task.objects.filter(plan=annual, unit_links__unit=keji, unit_links__role=UnitRole.LEAD).first()
    data = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=50, progress_text="推进中。")
    sent = report_save(user=liaison_user, task=task, unit=keji, period=dt.date(2025, 6, 1), data=data, version=None)
    returned = report_return(user=office_user, report=sent, version=sent.version, comment="请补充数据。")
    extension = extension_request(
        user=liaison_user, task=task, unit=keji, requested_date=dt.date(2026, 3, 31), reason="需要更多时间。"
    )
    _confirm_all(annual, office_user)
    html = submit(office, form_on(page(office, annual), "data-close-form"))
    assert shown_message(html) == services.RETURNED_OPEN_MESSAGE.format(n=1)
    assert services.RETURNED_OPEN_MESSAGE.format(n=1) == (
        "还有 1 份进展报告已退回、尚待单位修改后重新提交，办结后将无法再提交；"
        "请催办单位提交后审核，或撤回退回，再办结。"
    )
    again = report_save(
        user=liaison_user, task=task, unit=keji, period=returned.period, data=data, version=returned.version
    )
    report_approve(user=office_user, report=again, version=again.version)
    html = submit(office, form_on(page(office, annual), "data-close-form"))
    assert shown_message(html) == "还有 1 份延期申请待审批，请审批后再办结。"
    assert not PlanClosure.objects.exists()
    extension_decide(user=office_user, extension=extension, approve=False, reason="请按期完成。")
    services.plan_close(user=office_user, plan=annual)
    other = Task.objects.filter(plan=annual, unit_links__unit=keji, unit_links__role=UnitRole.LEAD).last()
    with pytest.raises(ValidationError) as late:
        extension_request(
            user=liaison_user, task=other, unit=keji, requested_date=dt.date(2026, 3, 31), reason="需要更多时间。"
        )
    assert late.value.messages == ["该任务所属规划已年终办结，不能再申请延期。"]
    assert ExtensionRequest.objects.count() == 1
