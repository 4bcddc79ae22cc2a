"""A five-year task's chain of annual items by year, and the five-year tasks a year leaves uncarried."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q

from tasks.models import Category, Plan, PlanKind, ProgressReport, Task

from ..models import LinkState, TaskLink

# -- five-year task chain and gaps ------------------------------------------


@dataclass
class ChainItem:
    link: TaskLink
    task: Task
    latest: ProgressReport | None


@dataclass
class ChainYear:
    plan: Plan
    items: list[ChainItem] = field(default_factory=list)


def five_year_task_chain(*, task: Task) -> list[ChainYear]:
    """The annual items linked to `task` (confirmed first, then pending suggestions), by year."""
    links = (
        TaskLink.objects.filter(five_year_task=task)
        .exclude(state=LinkState.REJECTED)
        .select_related("annual_task__plan")
        .prefetch_related(
            # Newest first: the first is the item's latest report.
            Prefetch(
                "annual_task__reports",
                queryset=ProgressReport.objects.select_related("unit").order_by("-period", "-updated_at"),
            )
        )
        .order_by("annual_task__plan__year_start", "-state", "annual_task__position")
    )
    years: dict[int, ChainYear] = {}
    for link in links:
        annual = link.annual_task
        chain_year = years.setdefault(annual.plan_id, ChainYear(plan=annual.plan))
        reports = list(annual.reports.all())
        latest = reports[0] if reports else None
        chain_year.items.append(ChainItem(link=link, task=annual, latest=latest))
    return list(years.values())


@dataclass(frozen=True)
class Gap:
    """A five-year task no item of the year carries, and how many suggestions from that year
    await a decision."""

    pk: int
    number: str
    title: str
    category: Category
    pending: int


def gaps(*, five_year_plan: Plan, year: int) -> list[Gap]:
    """Five-year tasks no item of the `year` annual plan carries (no confirmed link)."""
    this_year = Q(
        annual_links__annual_task__plan__kind=PlanKind.ANNUAL, annual_links__annual_task__plan__year_start=year
    )
    tasks = (
        Task.objects.filter(plan=five_year_plan)
        .annotate(
            carried=Count("annual_links", filter=this_year & Q(annual_links__state=LinkState.CONFIRMED)),
            pending=Count("annual_links", filter=this_year & Q(annual_links__state=LinkState.SUGGESTED)),
        )
        .filter(carried=0)
        .select_related("category")
        .order_by("position")
    )
    return [_gap(task) for task in tasks]


def _gap(task: Any) -> Gap:
    """A Gap from a task of `gaps` (no query). `task` carries the `pending` annotation, which the
    type checker does not see on the rows of TaskQuerySet; here it becomes a typed field."""
    return Gap(pk=task.pk, number=task.number, title=task.title, category=task.category, pending=task.pending)
