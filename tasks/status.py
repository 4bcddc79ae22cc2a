"""The one definition of a task's current status, derived from its reports.

What is derived and stored (see models.TaskStatus and the two period columns of
models.TaskUnit) is what does not depend on today's date: the worst status the
lead units reported in their latest approved period, its percent, how many lead
units there are, since when all of them have reported, and which period has a
report awaiting review. The selectors compare those columns with "this period",
"today" and the due date at query time.

The functions take the model classes as arguments so that the migration that
introduced the stored status can fill it with its historical models; everything
else calls them through services.task_status_refresh.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

# Plain strings rather than the models' TextChoices: the migration uses this module too.
LEAD = "lead"
SUBMITTED = "submitted"
COUNTED_REVIEW_STATES = ("approved",)
REPORTED_REVIEW_STATES = ("submitted", "approved")
NOT_REPORTED = "not_reported"
# Worst first: the worst status of a period speaks for the task.
STATUS_ORDER = ("behind", "not_started", "in_progress", "ongoing", "done")
STATUS_FIELDS = ("status", "percent", "lead_units", "reported_since", "pending_period")


def _status_rank() -> Case:
    return Case(
        *(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)),
        default=Value(len(STATUS_ORDER)),
        output_field=IntegerField(),
    )


def _latest_own_period(report_model: Any, states: tuple[str, ...]) -> Subquery:
    """The newest period of the link's unit's reports on the link's task, in these review states."""
    return Subquery(
        report_model.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), review_state__in=states)
        .order_by("-period")
        .values("period")[:1]
    )


def links_refresh(*, links: QuerySet, report_model: Any) -> int:
    """Recompute reported_period / approved_period of these task–unit links (one UPDATE)."""
    return links.update(
        reported_period=_latest_own_period(report_model, REPORTED_REVIEW_STATES),
        approved_period=_latest_own_period(report_model, COUNTED_REVIEW_STATES),
    )


def links_computed(*, links: QuerySet, report_model: Any) -> QuerySet:
    """The links with what their period columns should hold, for drift checks."""
    return links.annotate(
        reported_should=_latest_own_period(report_model, REPORTED_REVIEW_STATES),
        approved_should=_latest_own_period(report_model, COUNTED_REVIEW_STATES),
    ).values_list("task_id", "reported_period", "approved_period", "reported_should", "approved_should")


def status_computed(*, tasks: QuerySet, link_model: Any, report_model: Any) -> QuerySet:
    """(task id, status, percent, lead_units, reported_since, pending_period) per task.

    Correlated subqueries, evaluated once per task here (not once per counted row,
    as they were when every summary derived them); reported_since reads the
    links' reported_period, so refresh the links first.
    """
    lead_links = link_model.objects.filter(task_id=OuterRef("pk"), role=LEAD)
    is_lead = link_model.objects.filter(task_id=OuterRef("task_id"), unit_id=OuterRef("unit_id"), role=LEAD)
    lead_reports = report_model.objects.filter(Exists(is_lead), task_id=OuterRef("pk"))
    approved = lead_reports.filter(review_state__in=COUNTED_REVIEW_STATES)
    return (
        tasks.order_by()
        .annotate(
            s_status=Coalesce(
                Subquery(approved.order_by("-period", _status_rank()).values("status")[:1]), Value(NOT_REPORTED)
            ),
            s_percent=Subquery(approved.order_by("-period", "percent").values("percent")[:1]),
            s_lead_units=Coalesce(
                Subquery(
                    lead_links.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")[:1]
                ),
                Value(0),
            ),
            s_reported_since=Case(
                When(Exists(lead_links.filter(reported_period__isnull=True)), then=Value(None)),
                default=Subquery(lead_links.order_by("reported_period").values("reported_period")[:1]),
            ),
            s_pending_period=Subquery(
                lead_reports.filter(review_state=SUBMITTED).order_by("-period").values("period")[:1]
            ),
        )
        .values_list("pk", "s_status", "s_percent", "s_lead_units", "s_reported_since", "s_pending_period")
    )


def status_write(*, tasks: QuerySet, status_model: Any, link_model: Any, report_model: Any) -> int:
    """Recompute and upsert the stored status of these tasks; returns how many."""
    rows = [
        status_model(task_id=pk, **dict(zip(STATUS_FIELDS, values, strict=True)))
        for pk, *values in status_computed(tasks=tasks, link_model=link_model, report_model=report_model)
    ]
    status_model.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["task"],
        update_fields=[*STATUS_FIELDS, "refreshed_at"],
    )
    return len(rows)


def status_refresh(*, tasks: QuerySet, status_model: Any, link_model: Any, report_model: Any) -> int:
    """Links first (the status reads them), then the status rows."""
    links_refresh(links=link_model.objects.filter(task__in=tasks.values("pk")), report_model=report_model)
    return status_write(tasks=tasks, status_model=status_model, link_model=link_model, report_model=report_model)
