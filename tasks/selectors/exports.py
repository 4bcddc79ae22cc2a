"""The rows every export reads (the Excel ledger, the 督查通报, the 督办单), built in bulk.

Plain value queries, not model instances and prefetches: at 20,000 tasks, making 70,000
model objects and filtering each task's prefetched links took about 11 s of CPU; these
return tuples, so the 20,000-task ledger stays within its 10 s. The figures are the
status home's: each task's status, light and percent come from
`Task.objects.with_status_shown`, their labels from the choices.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from accounts.names import person_name_sql

from ..choices import COUNTED_REVIEW_STATES, CurrentStatus, Light, ProgressStatus, UnitRole
from ..models import Category, Plan, ProgressReport, Task, TaskLeader, TaskUnit
from ..status.clock import Clock, clock_or_now

# Five queries per batch of this many tasks.
BATCH = 5000


@dataclass
class ExportRow:
    """One task as the ledger and the documents show it (built by export_rows)."""

    plan: str
    category: str
    project: str
    number: str
    text: str
    leaders: str
    units: str
    status: str  # label, e.g. 推进中 / 未报送
    light: str  # red / yellow / green / grey
    light_label: str
    percent: int | None
    progress_text: str = ""
    problems: str = ""
    next_steps: str = ""
    reported_at: dt.datetime | None = None
    reviewer: str = ""
    # Per lead unit: (unit name, status label, latest approved progress text).
    unit_progress: list[tuple[str, str, str]] = field(default_factory=list)
    due_date: dt.date | None = None
    deadline_text: str = ""  # 完成时限 as the document printed it
    task_id: int | None = None
    title: str = ""
    # The document's columns without a field of their own (Task.extras), one "header：value" a line.
    extras: str = ""
    # 年终办结: the plan's year is closed (yearend.PlanClosure), and then the task's confirmed final
    # state as its label (已完成, 结转下年, …; "" for a task without one, e.g. a withdrawn task).
    plan_closed: bool = False
    final_state: str = ""


def extras_text(extras: list[dict[str, str]] | None) -> str:
    """Task.extras as the ledger shows them: one "header：value" a line, in the document's order."""
    return "\n".join(f"{e.get('header', '')}：{e.get('value', '')}" for e in extras or [] if e.get("value"))


def export_rows(*, ids: list[int], clock: Clock | None = None, through: dt.date | None = None) -> Iterator[ExportRow]:
    """ExportRows for these tasks, in the order of `ids` (five queries per batch of BATCH). A
    closed plan's tasks carry their confirmed final state, read in the tasks' own query.
    `through` (a period's first day) cuts the reports at that period: a past period's document
    quotes what the units had reported by then, not what they reported since."""
    clock = clock_or_now(clock)
    labels = dict(ProgressStatus.choices)
    final_labels = _final_state_labels()
    plans: dict[int, str] = {}
    closed: set[int] = set()
    categories: dict[int, str] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        tasks = {
            row["pk"]: row
            for row in Task.objects.filter(pk__in=chunk)
            .with_status_shown(clock)
            .values(
                "pk",
                "plan_id",
                "category_id",
                "project__name",
                "number",
                "text",
                "title",
                "due_date",
                "deadline_text",
                "extras",
                "status",
                "light",
                "percent",
                "outcome__state",
            )
        }
        missing_plans = {t["plan_id"] for t in tasks.values()} - plans.keys()
        for plan_id, title, closed_at in Plan.objects.filter(pk__in=missing_plans).values_list(
            "pk", "title", "closure__closed_at"
        ):
            plans[plan_id] = title
            if closed_at is not None:
                closed.add(plan_id)
        missing_categories = {t["category_id"] for t in tasks.values()} - categories.keys()
        categories.update((c.pk, str(c)) for c in Category.objects.filter(pk__in=missing_categories))
        leaders: dict[int, list[str]] = defaultdict(list)
        for task_id, name in (
            TaskLeader.objects.filter(task_id__in=chunk)
            .order_by("task_id", "position", "pk")
            .values_list("task_id", "leader__name")
        ):
            leaders[task_id].append(name)
        lead: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for task_id, unit_id, name in (
            TaskUnit.objects.filter(task_id__in=chunk, role=UnitRole.LEAD)
            .order_by("task_id", "position", "pk")
            .values_list("task_id", "unit_id", "unit__name")
        ):
            lead[task_id].append((unit_id, name))
        reports: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
        counted = ProgressReport.objects.filter(task_id__in=chunk, review_state__in=COUNTED_REVIEW_STATES)
        if through is not None:
            counted = counted.filter(period__lte=through)
        latest = (
            counted.annotate(
                rn=Window(RowNumber(), partition_by=[F("task_id"), F("unit_id")], order_by=[F("period").desc()])
            )
            .filter(rn=1)
            .values(
                "task_id",
                "unit_id",
                "period",
                "status",
                "progress_text",
                "problems",
                "next_steps",
                "reported_at",
                "updated_at",
                reviewer=person_name_sql("reviewed_by__"),
            )
        )
        for report in latest:
            reports[report["task_id"]][report["unit_id"]] = report
        for pk in chunk:
            task = tasks.get(pk)
            if task is None:
                continue
            units = lead[pk]
            own = reports.get(pk, {})
            newest = max(own.values(), key=lambda r: (r["period"], r["reported_at"] or r["updated_at"]), default=None)
            plan_closed = task["plan_id"] in closed
            final_state = task["outcome__state"] if plan_closed else ""

            def per_unit(key: str, own: dict = own, units: list = units) -> str:
                texts = [(name, own[unit_id][key]) for unit_id, name in units if unit_id in own and own[unit_id][key]]
                if len(texts) == 1:
                    return texts[0][1]
                return "\n".join(f"{name}：{text}" for name, text in texts)

            yield ExportRow(
                plan=plans[task["plan_id"]],
                category=categories[task["category_id"]],
                project=task["project__name"] or "",
                number=task["number"],
                text=task["text"],
                leaders="、".join(leaders[pk]),
                units="、".join(name for _, name in units),
                status=CurrentStatus(task["status"]).label,
                light=task["light"],
                light_label=Light(task["light"]).label,
                percent=task["percent"],
                progress_text=per_unit("progress_text"),
                problems=per_unit("problems"),
                next_steps=per_unit("next_steps"),
                reported_at=newest["reported_at"] if newest else None,
                reviewer=newest["reviewer"] if newest else "",
                unit_progress=[
                    (
                        name,
                        labels.get(own[unit_id]["status"], own[unit_id]["status"]) if unit_id in own else "未报送",
                        own[unit_id]["progress_text"] if unit_id in own else "",
                    )
                    for unit_id, name in units
                ],
                due_date=task["due_date"],
                deadline_text=task["deadline_text"],
                extras=extras_text(task["extras"]),
                task_id=pk,
                title=task["title"],
                plan_closed=plan_closed,
                final_state=final_labels.get(final_state, final_state) if final_state else "",
            )


def _final_state_labels() -> dict[str, str]:
    """The yearend app's final states with their labels (read by name: yearend builds on tasks)."""
    field = apps.get_model("yearend", "TaskOutcome")._meta.get_field("state")
    return {str(value): str(label) for value, label in field.choices or []}
