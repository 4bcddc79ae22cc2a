"""年终办结 reads: the closing table of a plan, its final figures, and carry-over suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from insights.selectors import year_over_year_compare
from tasks.models import Plan, Task, TaskLeader, TaskState, TaskUnit, UnitRole

from .models import FinalState, PlanClosure, TaskOutcome


@dataclass(frozen=True)
class OutcomeRow:
    """One task of the closing table, with what its unit proposed and what the office confirmed."""

    task_id: int
    number: str
    title: str
    url: str
    withdrawn: bool
    lead_units: list[tuple[int, str]]
    proposed_state: str
    proposed_label: str
    proposed_note: str
    proposed_unit: str
    state: str
    state_label: str
    note: str
    continuation_url: str = ""
    continuation_label: str = ""
    suggestion_id: int | None = None  # the year-over-year match in the next plan, for 结转下年
    suggestion_label: str = ""
    own_unit_id: int | None = None  # the first of the task's lead units among the liaison's units


def plan_closure(*, plan: Plan) -> PlanClosure | None:
    return PlanClosure.objects.filter(plan=plan).select_related("closed_by").first()


def _label(state: str) -> str:
    return FinalState(state).label if state else ""


def outcome_rows(*, plan: Plan, unit_ids: set[int] | None = None) -> list[OutcomeRow]:
    """Every task of the plan (or those led by `unit_ids`) in document order: 2 queries."""
    tasks: QuerySet[Task] = (
        Task.objects.filter(plan=plan)
        .select_related("outcome__proposed_unit", "outcome__continuation__plan")
        .prefetch_related(
            Prefetch(
                "unit_links",
                queryset=TaskUnit.objects.filter(role=UnitRole.LEAD).select_related("unit").order_by("position"),
                to_attr="lead_links",
            )
        )
        .order_by("position")
    )
    if unit_ids is not None:
        tasks = tasks.filter(unit_links__unit_id__in=unit_ids, unit_links__role=UnitRole.LEAD).distinct()
    rows = []
    for task in tasks:
        outcome: TaskOutcome | None = getattr(task, "outcome", None)
        continuation = outcome.continuation if outcome else None
        lead: list[TaskUnit] = task.lead_links  # type: ignore[attr-defined]  # set by the Prefetch above
        rows.append(
            OutcomeRow(
                task_id=task.pk,
                number=task.number,
                title=task.title,
                url=reverse("tasks:task", args=[task.pk]),
                withdrawn=task.state != TaskState.ACTIVE,
                lead_units=[(link.unit_id, link.unit.name) for link in lead],
                proposed_state=outcome.proposed_state if outcome else "",
                proposed_label=_label(outcome.proposed_state) if outcome else "",
                proposed_note=outcome.proposed_note if outcome else "",
                proposed_unit=outcome.proposed_unit.name if outcome and outcome.proposed_unit else "",
                state=outcome.state if outcome else "",
                state_label=_label(outcome.state) if outcome else "",
                note=outcome.note if outcome else "",
                continuation_url=reverse("tasks:task", args=[continuation.pk]) if continuation else "",
                continuation_label=f"{continuation.plan.title} 第{continuation.number}项" if continuation else "",
                own_unit_id=next((link.unit_id for link in lead if link.unit_id in unit_ids), None)
                if unit_ids
                else None,
            )
        )
    return rows


@dataclass(frozen=True)
class FigureLine:
    """Final states counted for one category, unit or leader."""

    name: str
    total: int
    done: int
    mostly_done: int
    not_done: int
    carried: int
    dropped: int

    @property
    def rate(self) -> int | None:
        """完成率: 已完成 over the tasks still to be done (不再实施 not counted), in percent."""
        base = self.total - self.dropped
        return round(100 * self.done / base) if base else None


@dataclass(frozen=True)
class FinalFigures:
    overall: FigureLine
    categories: list[FigureLine] = field(default_factory=list)
    units: list[FigureLine] = field(default_factory=list)
    leaders: list[FigureLine] = field(default_factory=list)
    confirmed: int = 0  # active tasks with a confirmed final state


def _counts(prefix: str) -> dict[str, Count]:
    counts = {"total": Count("pk")}
    for state in FinalState:
        counts[state.value] = Count("pk", filter=Q(**{f"{prefix}outcome__state": state.value}))
    return counts


def _lines(rows: QuerySet, name: str) -> list[FigureLine]:
    return [
        FigureLine(
            name=row[name],
            total=row["total"],
            done=row[FinalState.DONE],
            mostly_done=row[FinalState.MOSTLY_DONE],
            not_done=row[FinalState.NOT_DONE],
            carried=row[FinalState.CARRIED],
            dropped=row[FinalState.DROPPED],
        )
        for row in rows
    ]


def final_figures(*, plan: Plan) -> FinalFigures:
    """Final states per category, lead unit and leader over the plan's active tasks: 3 GROUP BYs."""
    active = Task.objects.filter(plan=plan, state=TaskState.ACTIVE)
    categories = _lines(
        active.order_by()
        .values("category__order", "category__name")
        .annotate(**_counts(""))
        .order_by("category__order"),
        "category__name",
    )
    units = _lines(
        TaskUnit.objects.filter(task__in=active, role=UnitRole.LEAD)
        .order_by()
        .values("unit__name")
        .annotate(**_counts("task__"))
        .order_by("-total", "unit__name"),
        "unit__name",
    )
    leaders = _lines(
        TaskLeader.objects.filter(task__in=active)
        .order_by()
        .values("leader__name")
        .annotate(**_counts("task__"))
        .order_by("-total", "leader__name"),
        "leader__name",
    )
    overall = FigureLine(
        name="合计",
        total=sum(c.total for c in categories),
        done=sum(c.done for c in categories),
        mostly_done=sum(c.mostly_done for c in categories),
        not_done=sum(c.not_done for c in categories),
        carried=sum(c.carried for c in categories),
        dropped=sum(c.dropped for c in categories),
    )
    confirmed = overall.done + overall.mostly_done + overall.not_done + overall.carried + overall.dropped
    return FinalFigures(overall=overall, categories=categories, units=units, leaders=leaders, confirmed=confirmed)


def next_plan(*, plan: Plan) -> Plan | None:
    """The plan that continues this one: same district and kind, starting the year after it ends."""
    return (
        Plan.objects.filter(district=plan.district, kind=plan.kind, year_start=plan.year_end + 1).order_by("pk").first()
    )


def with_suggestions(*, rows: list[OutcomeRow], plan: Plan) -> list[OutcomeRow]:
    """结转下年 rows not yet linked get the year-over-year match (insights) in the next plan, if any."""
    carried = {row.task_id for row in rows if row.state == FinalState.CARRIED and not row.continuation_url}
    successor = next_plan(plan=plan) if carried else None
    if successor is None:
        return rows
    matched = {
        pair.old.pk: pair.new
        for pair in year_over_year_compare(old_plan=plan, new_plan=successor).pairs
        if pair.old is not None and pair.new is not None and pair.old.pk in carried
    }
    return [
        replace(
            row,
            suggestion_id=matched[row.task_id].pk,
            suggestion_label=f"{successor.title} 第{matched[row.task_id].number}项",
        )
        if row.task_id in matched
        else row
        for row in rows
    ]
