"""The leader page's list of instructions (included beside its cached part)."""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("supervision/partials/leader_instructions.html")
def supervision_leader_instructions(leader: Any) -> dict[str, Any]:
    return {"leader": leader, "instructions": selectors.leader_instructions(leader=leader)}


@register.filter
def deadline_cn(day: Any) -> str:
    """A deadline as users read it in lists: 2025年6月25日（周三） (minhang_plans.dates)."""
    from minhang_plans.dates import deadline_text

    return deadline_text(day) if day else ""
