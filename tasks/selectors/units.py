"""Reads for the unit pages: the unit index, a unit's tasks, figures and reports to fix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404

from minhang_plans.compiled import compiled_rows

from ..choices import ReviewState, UnitKind, UnitRole
from ..models import ProgressReport, Task, TaskUnit, Unit, UnitAlias
from ..querysets import TaskQuerySet, current_work, plan_open
from ..status.clock import Clock, clock_or_now
from ..status.rule import period_now, silent_link
from ..status.summary import Summary, summaries
from .row_types import FigureRow, PlanFigures, TaskRow
from .rows import row_urls, task_rows_fetch, url

UNIT_SORTS: dict[str, tuple[str, str]] = {
    # key: (label, the Summary figure sorted on, largest first; "" sorts by name)
    "led": ("牵头任务数", "total"),
    "done": ("已完成", "n_done"),
    "red": ("逾期或滞后", "n_red"),
    "silent": ("本期未报送", "n_silent"),
    "name": ("单位名称", ""),
}


def figure_rows_sorted(rows: list[FigureRow], *, figure: str) -> list[FigureRow]:
    """By the figure, largest first, then by name (by name alone when `figure` is "")."""
    if not figure:
        return sorted(rows, key=lambda r: r.name)
    return sorted(rows, key=lambda r: (-getattr(r.summary, figure), r.name))


UNIT_KIND_FILTERS: dict[str, str] = dict(UnitKind.choices)


def unit_summary_list(
    *, kind: str | None = None, order: str = "led", plan_id: int | None = None, clock: Clock | None = None
) -> list[FigureRow]:
    """Every unit that leads at least one active task, with counts by light; one query."""
    clock = clock_or_now(clock)

    def links(plan_id: int | None = None) -> QuerySet[Any]:
        qs = TaskUnit.objects.lead().on_active()
        if kind:
            qs = qs.filter(unit__kind=kind)
        if plan_id:
            qs = qs.filter(task__plan_id=plan_id)
        return qs.with_status(clock)

    groups = summaries(
        links,
        keys=("unit_id", "unit__name", "unit__kind", "task__plan_id"),
        silent=silent_link(),
        key=("units", kind or "", clock),
        ids={"plan_id": plan_id} if plan_id else {},
    )
    units: dict[int, FigureRow] = {}
    for (unit_id, name, kind, _plan), summary in groups.items():
        row = units.get(unit_id)
        if row is None:
            row = units[unit_id] = FigureRow(
                id=unit_id,
                name=name,
                url=url("tasks:unit", unit_id),
                summary=Summary(),
                note=UNIT_KIND_FILTERS.get(kind, kind),
            )
        row.summary += summary
        row.plans += 1
    return figure_rows_sorted(list(units.values()), figure=UNIT_SORTS.get(order, UNIT_SORTS["led"])[1])


def unit_resolve(*, name: str) -> Unit | None:
    """The unit a name or alias refers to (区发改委 → 区发展改革委); this district's first when another
    district has a unit of the same name (徐汇区's 区科委); one query."""
    return (
        Unit.objects.filter(Q(name=name) | Q(Exists(UnitAlias.objects.filter(unit=OuterRef("pk"), name=name))))
        .order_by(Case(When(district=settings.DISTRICT_NAME, then=0), default=1), "pk")
        .first()
    )


def unit_get(*, unit_id: int, aliases: bool = True) -> Unit:
    """The unit (404 when there is none), with its aliases unless `aliases` is False; the query
    compiled once, the id its parameter (minhang_plans.compiled)."""
    found = compiled_rows(
        key=("unit_get", aliases),
        build=lambda unit_id: (Unit.objects.prefetch_related("aliases") if aliases else Unit.objects).filter(
            pk=unit_id
        ),
        ids={"unit_id": unit_id},
    )
    if not found:
        raise Http404("没有这个单位。")
    return found[0]


def unit_task_list(*, unit: Unit, clock: Clock | None = None) -> list[TaskRow]:
    """Every task the unit is linked to, across the plans not closed, with status and the unit's own latest report.

    The own report is the latest the unit sent, whatever became of it (approved, awaiting review,
    returned with the office's comment): a returned report is not "no report". Drafts are the
    unit's own business and this page is the same for every reader, so they are left out here
    (the unit's liaisons see them in `unit_reports_to_fix`).
    """

    def tasks(unit_id: int) -> TaskQuerySet:
        own = (
            ProgressReport.objects.filter(task_id=OuterRef("pk"), unit_id=unit_id)
            .exclude(review_state=ReviewState.DRAFT)
            .order_by("-period")
        )
        role = TaskUnit.objects.filter(task_id=OuterRef("pk"), unit_id=unit_id).values("role")[:1]
        # Closed plans' tasks are listed on their 年终办结 pages, with final states instead of lights.
        linked = Task.objects.filter(
            Exists(TaskUnit.objects.filter(task_id=OuterRef("pk"), unit_id=unit_id)), plan_open()
        )
        return linked.annotate(
            unit_role=Subquery(role),
            own_period=Subquery(own.values("period")[:1]),
            own_status=Subquery(own.values("status")[:1]),
            own_percent=Subquery(own.values("percent")[:1]),
            own_progress=Subquery(own.values("progress_text")[:1]),
            own_review=Subquery(own.values("review_state")[:1]),
            own_comment=Subquery(own.values("review_comment")[:1]),
        ).order_by("unit_role", "-plan__year_end", "plan__kind", "position")  # lead before support

    return task_rows_fetch(tasks, clock=clock_or_now(clock), own=True, key="unit", ids={"unit_id": unit.pk})


@dataclass
class UnitTasks:
    """A unit's page: its tasks and the counts the page shows beside them."""

    tasks: list[TaskRow]

    @property
    def lead_count(self) -> int:
        return sum(1 for t in self.tasks if t.unit_role == UnitRole.LEAD)

    @property
    def support_count(self) -> int:
        # Active tasks, like every other figure (the table also shows withdrawn ones, struck through).
        return sum(1 for t in self.tasks if t.unit_role != UnitRole.LEAD and not t.withdrawn)

    @property
    def active(self) -> list[TaskRow]:
        return [t for t in self.tasks if not t.withdrawn]


@dataclass
class ReportsToFix:
    """What a unit's liaison has to act on: reports the office returned, drafts not yet submitted."""

    returned: list[ProgressReport]
    drafts: list[ProgressReport]


def reports_to_fix(*, unit_ids: list[int] | QuerySet[Any], clock: Clock) -> QuerySet[ProgressReport]:
    """The units' returned reports (every period: a returned report waits for the unit whatever it
    has sent since) and drafts on current work, as listed: with task and plan, newest first, each
    with `is_current`, whether it is for the task's current period (the report form opens an
    earlier one by its `?period=`). The unit page and the liaison's 我的待办 list these, the badge
    counts them."""
    return (
        ProgressReport.objects.filter(
            current_work("task__"),
            unit_id__in=unit_ids,
            review_state__in=[ReviewState.RETURNED, ReviewState.DRAFT],
        )
        .select_related("task", "task__plan", "reviewed_by")
        .annotate(
            is_current=Case(
                When(period__gte=period_now(clock=clock, path="task__"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-period", F("reviewed_at").desc(nulls_last=True), "task__plan_id", "task__position")
    )


def unit_reports_to_fix(*, unit: Unit, clock: Clock | None = None) -> ReportsToFix:
    """The unit's reports to fix (`reports_to_fix`), returned and drafts apart (one query, compiled
    once per day: minhang_plans.compiled)."""
    clock = clock_or_now(clock)
    out = ReportsToFix(returned=[], drafts=[])
    for report in compiled_rows(
        key=("reports_to_fix", clock),
        build=lambda unit_ids: reports_to_fix(unit_ids=unit_ids, clock=clock),
        ids={"unit_ids": [unit.pk]},
    ):
        (out.returned if report.review_state == ReviewState.RETURNED else out.drafts).append(report)
    return out


@dataclass
class UnitSummary:
    total: Summary
    per_plan: list[PlanFigures]


def unit_summary(*, unit: Unit, clock: Clock | None = None) -> UnitSummary:
    """The unit's figures: overall and per plan (lead role, active tasks), one query."""
    clock = clock_or_now(clock)
    groups = summaries(
        lambda unit_id: TaskUnit.objects.lead().on_active().filter(unit=unit_id).with_status(clock),
        keys=("task__plan__year_end", "task__plan__kind", "task__plan_id", "task__plan__title"),
        silent=silent_link(),
        key=("unit", clock),
        ids={"unit_id": unit.pk},
    )
    newest_first = sorted(groups.items(), key=lambda item: (-item[0][0], item[0][1]))
    plan_url = row_urls().plan
    per_plan = [
        PlanFigures(plan_id=plan_id, title=title, summary=summary, url=plan_url.format(plan_id))
        for (_, _, plan_id, title), summary in newest_first
    ]
    return UnitSummary(total=sum((p.summary for p in per_plan), Summary()), per_plan=per_plan)
