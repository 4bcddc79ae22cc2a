"""考评 services on the 2025 seed plan: each kind of event becomes its line on the right unit's
sheet, caps and weights hold, a frozen run is never rewritten, rule versions apply forward,
adjustments need a reason and are audited, and the worker scores a period after it closes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from assessment import services
from assessment.models import LineKind, RunState, Scope, ScoreLine, ScoreRun
from assessment.rules import FIGURE_FIELDS, rule_set_for, rule_version_latest
from supervision.services import instruction_create
from tasks.models import Leader, Plan, PlanKind, ProgressStatus, Task, Unit, UnitRole
from tasks.services import ReportInput, report_return, report_save

pytestmark = pytest.mark.django_db
JUNE = dt.date(2025, 6, 1)


@pytest.fixture
def annual(seed_plans) -> Plan:
    return Plan.objects.get(kind=PlanKind.ANNUAL, year_start=2025)


@pytest.fixture
def keji() -> Unit:
    return Unit.objects.get(name="区科委")


def led_by(plan: Plan, unit: Unit) -> list[Task]:
    return list(
        Task.objects.filter(plan=plan, unit_links__unit=unit, unit_links__role=UnitRole.LEAD).order_by("position")
    )


def report(user, task: Task, unit: Unit):
    data = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=40, progress_text="按计划推进。")
    return report_save(user=user, task=task, unit=unit, period=JUNE, data=data, version=None)


def lines_of(run: ScoreRun, unit: Unit, kind: str) -> list[ScoreLine]:
    return list(run.lines.filter(unit=unit, kind=kind).order_by("task__position"))


def test_each_event_is_a_line_on_the_units_sheet(annual, keji, liaison_user, office_user, clock_at):
    tasks = led_by(annual, keji)
    assert len(tasks) >= 4
    on_time, late, returned = tasks[0], tasks[1], tasks[2]
    clock_at(dt.date(2025, 6, 10))
    report(liaison_user, on_time, keji)
    sent_back = report(liaison_user, returned, keji)
    report_return(user=office_user, report=sent_back, version=sent_back.version, comment="内容空泛，请补充。")
    clock_at(dt.date(2025, 6, 27))  # after the 25th: 逾期报送
    late_report = report(liaison_user, late, keji)
    assert late_report.late
    leader = Leader.objects.filter(task_links__task=tasks[3]).first()
    praise = instruction_create(
        user=office_user, task=tasks[3], text="工作扎实，予以表扬。", leader=leader, praise=True
    )
    type(praise).objects.filter(pk=praise.pk).update(created_at=timezone.make_aware(dt.datetime(2025, 6, 27, 10)))

    clock_at(dt.date(2025, 7, 3))
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)

    missing = lines_of(run, keji, LineKind.MISSING)
    # Every task it leads, but the three it reported (a returned report was still reported).
    assert {line.task_id for line in missing} == {t.pk for t in tasks} - {on_time.pk, late.pk, returned.pk}
    assert all(line.points == Decimal("-10.00") and line.period == JUNE for line in missing)
    assert [(line.task_id, line.report_id) for line in lines_of(run, keji, LineKind.LATE)] == [
        (late.pk, late_report.pk)
    ]
    assert [(line.task_id, line.report_id) for line in lines_of(run, keji, LineKind.RETURNED)] == [
        (returned.pk, sent_back.pk)
    ]
    praised = run.lines.filter(kind=LineKind.PRAISE)
    assert {line.unit_id for line in praised} == set(tasks[3].unit_links.values_list("unit_id", flat=True))
    assert all(line.instruction_id == praise.pk for line in praised)
    # The cap: 缺报 takes at most 30 points, given back on one 封顶 line.
    cap = lines_of(run, keji, LineKind.CAP)
    taken = -sum(line.points for line in missing)
    assert (taken > 30) == bool(cap)
    if cap:
        assert cap[0].points == taken - 30 and cap[0].capped_kind == "missing"
    sheet = run.sheets.get(unit=keji)
    assert sheet.total == Decimal(100) + sum(line.points for line in run.lines.filter(unit=keji))
    assert AuditEvent.objects.filter(action="assessment.compute").count() == 1


def test_supporting_units_bear_half_of_a_tasks_overdue_deduction(annual, office_user, clock_at):
    from tasks.models import TaskUnit

    # The seeds name lead units only; a revision adds a supporting unit (配合).
    task = Task.objects.filter(plan=annual).order_by("position").first()
    TaskUnit.objects.create(task=task, unit=Unit.objects.get(name="区财政局"), role=UnitRole.SUPPORT, position=9)
    Task.objects.filter(pk=task.pk).update(due_date=dt.date(2025, 6, 20))
    clock_at(dt.date(2025, 7, 3))
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    overdue = {line.unit_id: (line.points, line.role) for line in run.lines.filter(kind=LineKind.OVERDUE, task=task)}
    for link in task.unit_links.exclude(unit__kind="group"):
        expected = Decimal("-5.00") if link.role == UnitRole.LEAD else Decimal("-2.50")
        assert overdue[link.unit_id] == (expected, link.role)


def test_a_frozen_run_is_never_rewritten_and_rules_apply_forward(annual, keji, office_user, clock_at):
    clock_at(dt.date(2025, 7, 3))
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    before = run.sheets.get(unit=keji).total
    services.score_run_freeze(user=office_user, run=run)
    rule_set = rule_set_for(plan_id=annual.pk, year=2025)
    figures = {f: getattr(rule_version_latest(rule_set=rule_set), f) for f in ("base",)}
    version = services.rule_version_create(
        user=office_user,
        rule_set=rule_set,
        figures={**{k: getattr(run.rule_version, k) for k in FIGURE_FIELDS}, **figures, "missing_cap": ""},
        note="缺报不封顶",
    )
    assert version.number == 2 and version.missing_cap is None
    with pytest.raises(ValidationError) as refused:
        services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    assert refused.value.messages == ["该期考评已定稿，不能重算或调整。"]
    run.refresh_from_db()
    assert run.state == RunState.FROZEN and run.sheets.get(unit=keji).total == before
    clock_at(dt.date(2025, 8, 3))
    july = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=dt.date(2025, 7, 1), user=office_user)
    assert july.rule_version == version
    assert not july.lines.filter(kind=LineKind.CAP, capped_kind="missing").exists()


def test_recompute_keeps_the_replaced_run_and_adjustments_need_a_reason(annual, keji, office_user, clock_at):
    clock_at(dt.date(2025, 7, 3))
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    with pytest.raises(ValidationError) as refused:
        services.adjustment_create(user=office_user, run=run, unit=keji, points=Decimal(3), reason="  ")
    assert refused.value.messages == ["人工调整须填写理由。"]
    again = services.adjustment_create(
        user=office_user, run=run, unit=keji, points=Decimal(3), reason="主动认领区级重点难题"
    )
    run.refresh_from_db()
    assert run.state == RunState.SUPERSEDED and again.state == RunState.DRAFT
    assert again.sheets.get(unit=keji).total == run.sheets.get(unit=keji).total + 3
    line = again.lines.get(kind=LineKind.MANUAL)
    assert (line.points, line.note, line.adjustment.created_by) == (
        Decimal("3.00"),
        "主动认领区级重点难题",
        office_user,
    )
    assert AuditEvent.objects.filter(action="assessment.adjust", detail__reason="主动认领区级重点难题").exists()
    # A later recomputation keeps the adjustment.
    third = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    assert third.lines.filter(kind=LineKind.MANUAL, points=3).exists()


def test_only_the_office_writes(annual, keji, liaison_user, leader_user, clock_at):
    clock_at(dt.date(2025, 7, 3))
    for user in (liaison_user, leader_user):
        with pytest.raises(PermissionDenied):
            services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=user)
    assert not ScoreRun.objects.exists()


def test_publish_needs_a_frozen_run_and_tells_the_leaders(annual, office_user, leader_user, clock_at):
    from notifications.models import Message

    clock_at(dt.date(2025, 7, 3))
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    with pytest.raises(ValidationError) as refused:
        services.score_run_publish(user=office_user, run=run)
    assert refused.value.messages == ["请先定稿，再发布排名。"]
    services.score_run_freeze(user=office_user, run=run)
    services.score_run_publish(user=office_user, run=run)
    message = Message.objects.get(recipient=leader_user)
    assert message.title == f"考评排名：{annual.title} 2025年6月"


def test_the_worker_scores_a_period_after_it_closes(annual, clock_at, settings):
    from django_q.tasks import async_task

    clock_at(dt.date(2025, 6, 30))  # June closes today: nothing yet
    async_task("assessment.services.scores_close_due_scheduled", sync=True)
    assert not ScoreRun.objects.filter(plan=annual, period=JUNE).exists()
    clock_at(dt.date(2025, 7, 1))
    async_task("assessment.services.scores_close_due_scheduled", sync=True)
    run = ScoreRun.objects.get(plan=annual, period=JUNE, scope=Scope.PERIOD)
    assert run.state == RunState.DRAFT and run.computed_by is None
    async_task("assessment.services.scores_close_due_scheduled", sync=True)
    assert ScoreRun.objects.filter(plan=annual, period=JUNE).count() == 1


def test_year_end_states_are_deducted_on_the_year_sheet(annual, office_user, clock_at):
    from yearend.models import FinalState, PlanClosure, TaskOutcome

    task = Task.objects.filter(plan=annual, unit_links__role=UnitRole.LEAD).first()
    TaskOutcome.objects.create(task=task, state=FinalState.NOT_DONE)
    PlanClosure.objects.create(plan=annual, closed_by=office_user, closed_at=timezone.now())
    clock_at(dt.date(2026, 1, 10))
    run = services.score_run_compute(plan=annual, scope=Scope.YEAR, start=dt.date(2025, 1, 1), user=office_user)
    unfinished = run.lines.filter(kind=LineKind.UNFINISHED, task=task)
    lead = task.unit_links.filter(role=UnitRole.LEAD).exclude(unit__kind="group").first()
    assert unfinished.get(unit_id=lead.unit_id).points == Decimal("-10.00")
    # The year sheet holds every closed period's events too.
    assert set(run.lines.filter(kind=LineKind.MISSING).values_list("period", flat=True)) == {
        dt.date(2025, month, 1) for month in range(1, 13)
    }


def test_overdue_deductions_read_the_snapshot_taken_at_the_close(annual, office_user, clock_at):
    from trends.models import StatusSnapshot

    first, second = Task.objects.filter(plan=annual).order_by("position")[:2]
    # At the close the snapshot found `first` overdue; `second` was not (its due date moved later).
    now = timezone.now()
    StatusSnapshot.objects.bulk_create(
        StatusSnapshot(
            task=task,
            plan=annual,
            period=JUNE,
            light="red" if task == first else "green",
            status="in_progress",
            percent=50,
            reported=True,
            overdue=task == first,
            done=False,
            taken_at=now,
        )
        for task in (first, second)
    )
    Task.objects.filter(pk=second.pk).update(due_date=dt.date(2025, 6, 10))  # today's data says overdue
    clock_at(dt.date(2025, 7, 3))
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    assert set(run.lines.filter(kind=LineKind.OVERDUE).values_list("task_id", flat=True)) == {first.pk}


def test_scores_compute_command_fills_the_closed_periods_and_freezes_as_the_office(annual, office_user, clock_at):
    from django.core.management import call_command

    clock_at(dt.date(2025, 3, 5))  # January and February have closed
    call_command("scores_compute", "--plan", str(annual.pk), "--freeze-as", office_user.username)
    runs = ScoreRun.objects.filter(plan=annual).order_by("period")
    assert [r.period for r in runs] == [dt.date(2025, 1, 1), dt.date(2025, 2, 1)]
    assert all(r.state == RunState.FROZEN and r.published_at for r in runs)
    call_command("scores_compute", "--plan", str(annual.pk))  # nothing left to do
    assert ScoreRun.objects.filter(plan=annual).count() == 2


def test_a_task_imported_the_same_shanghai_day_as_its_plan_owes_every_period(annual):
    """Just after midnight in Shanghai is still the day before in UTC: the day of a task and of its
    plan are compared in the district's time zone, or the plan's own tasks pass as a later revision."""
    from assessment.events import PlanLinks

    shanghai = timezone.get_default_timezone()
    plan_day = dt.datetime(2025, 6, 1, 0, 30, tzinfo=shanghai)  # 2025-05-31 16:30 UTC
    Plan.objects.filter(pk=annual.pk).update(created_at=plan_day)
    first, later = Task.objects.filter(plan=annual).order_by("position")[:2]
    Task.objects.filter(pk=first.pk).update(created_at=dt.datetime(2025, 6, 1, 9, tzinfo=shanghai))
    Task.objects.filter(pk=later.pk).update(created_at=dt.datetime(2025, 6, 2, 0, 10, tzinfo=shanghai))
    annual.refresh_from_db()
    links = PlanLinks(plan=annual)
    before_both = dt.datetime(2025, 5, 31, tzinfo=shanghai)
    assert links.added_after(task_id=first.pk, moment=before_both) is False
    assert links.added_after(task_id=later.pk, moment=before_both) is True


def _two_lead_task(plan: Plan) -> tuple[Task, list[Unit]]:
    for task in Task.objects.filter(plan=plan, due_date__gt=dt.date(2025, 8, 31)).order_by("position"):
        leads = list(Unit.objects.filter(task_links__task=task, task_links__role=UnitRole.LEAD).exclude(kind="group"))
        if len(leads) == 2:
            return task, leads
    raise AssertionError("the 2025 seed has a task with two lead units")


def test_early_completion_follows_the_status_rule_every_lead_done(annual, office_user, clock_at):
    """提前完成 is the task done by the status rule: one lead unit's 已完成 beside another's 推进中
    earns nothing; the period in which every lead's approved report says 已完成 earns it."""
    from tasks.models import TaskStatus
    from tasks.services import report_approve

    task, (first, second) = _two_lead_task(annual)
    done = ReportInput(status=ProgressStatus.DONE, percent=100, progress_text="已全部完成。")
    going = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=60, progress_text="按计划推进。")

    def approved(unit: Unit, period: dt.date, data: ReportInput) -> None:
        saved = report_save(user=office_user, task=task, unit=unit, period=period, data=data, version=None)
        report_approve(user=office_user, report=saved, version=saved.version)

    clock_at(dt.date(2025, 6, 10))
    approved(first, JUNE, done)
    approved(second, JUNE, going)
    assert TaskStatus.objects.get(task=task).status == ProgressStatus.IN_PROGRESS  # the task page's rule
    clock_at(dt.date(2025, 7, 3))
    june = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=JUNE, user=office_user)
    assert not june.lines.filter(kind=LineKind.EARLY, task=task).exists()

    july = dt.date(2025, 7, 1)
    clock_at(dt.date(2025, 7, 10))
    approved(second, july, done)
    approved(first, july, done)
    assert TaskStatus.objects.get(task=task).status == ProgressStatus.DONE
    clock_at(dt.date(2025, 8, 4))
    run = services.score_run_compute(plan=annual, scope=Scope.PERIOD, start=july, user=office_user)
    early = run.lines.filter(kind=LineKind.EARLY, task=task)
    assert {line.unit_id for line in early} == set(task.unit_links.values_list("unit_id", flat=True))
    assert all(line.points > 0 and line.report.period == july for line in early)


def test_a_plan_closed_for_the_year_still_gets_its_year_run_with_the_year_end_lines(
    annual, office_user, clock_at, client_as
):
    """Closing comes before December's period closes: the worker and the 考评 page skipped closed
    plans, so the year's sheet never carried its 年终未完成 deductions."""
    from django.urls import reverse
    from django_q.tasks import async_task

    from yearend.models import FinalState, PlanClosure, TaskOutcome

    task = Task.objects.filter(plan=annual, unit_links__role=UnitRole.LEAD).first()
    TaskOutcome.objects.create(task=task, state=FinalState.NOT_DONE)
    PlanClosure.objects.create(plan=annual, closed_by=office_user, closed_at=timezone.now())
    clock_at(dt.date(2026, 1, 10))
    page = client_as(office_user).get(reverse("assessment:index")).content.decode()
    assert annual.title in page and f'value="{annual.pk}"' in page
    clock_at(dt.date(2026, 2, 1))  # December's period has closed
    async_task("assessment.services.scores_close_due_scheduled", sync=True)
    year = ScoreRun.objects.get(plan=annual, scope=Scope.YEAR, period=dt.date(2025, 1, 1))
    assert year.lines.filter(kind=LineKind.UNFINISHED, task=task).exists()


def test_the_first_period_done_is_read_as_of_each_period(annual, office_user, clock_at):
    """考评 reads the status rule as of each period (status_from_reports with the row's period). A
    lead's June 滞后 still speaks in July beside the other lead's July 已完成, though that lead reports
    again in August; August, when both say 已完成, is the first period done, and stays so after an
    approved September 滞后."""
    from assessment.events import PlanLinks
    from tasks.models import TaskStatus
    from tasks.services import report_approve

    task, (first, second) = _two_lead_task(annual)
    done = ReportInput(status=ProgressStatus.DONE, percent=100, progress_text="已全部完成。")
    going = ReportInput(status=ProgressStatus.IN_PROGRESS, percent=60, progress_text="按计划推进。")
    behind = ReportInput(status=ProgressStatus.BEHIND, percent=50, progress_text="出现反复。", problems="验收未通过。")

    def approved(unit: Unit, period: dt.date, data: ReportInput) -> None:
        saved = report_save(user=office_user, task=task, unit=unit, period=period, data=data, version=None)
        report_approve(user=office_user, report=saved, version=saved.version)

    july, august, september = dt.date(2025, 7, 1), dt.date(2025, 8, 1), dt.date(2025, 9, 1)
    clock_at(dt.date(2025, 6, 10))
    approved(first, JUNE, behind)
    approved(second, JUNE, going)
    clock_at(dt.date(2025, 7, 10))
    approved(second, july, done)
    assert task.pk not in PlanLinks(plan=annual).first_done
    clock_at(dt.date(2025, 8, 10))
    approved(first, august, done)
    assert PlanLinks(plan=annual).first_done[task.pk] == august
    clock_at(dt.date(2025, 9, 10))
    approved(first, september, behind)
    assert TaskStatus.objects.get(task=task).status == ProgressStatus.BEHIND
    assert PlanLinks(plan=annual).first_done[task.pk] == august
