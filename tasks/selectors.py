"""Reads: every query a page needs, with its aggregation done in SQL."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Plan, TaskState


def plan_list_with_counts() -> QuerySet[Plan]:
    """Plans with their active task count and city-level count, one query."""
    active = Q(tasks__state=TaskState.ACTIVE)
    return Plan.objects.annotate(
        task_count=Count("tasks", filter=active),
        city_level_count=Count("tasks", filter=active & Q(tasks__city_level=True)),
        withdrawn_count=Count("tasks", filter=Q(tasks__state=TaskState.WITHDRAWN)),
    ).order_by("-year_end", "kind")
