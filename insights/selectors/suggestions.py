"""Link suggestions: plans' tasks as the matcher's documents, the suggestions page's items."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from tasks.models import Plan, PlanKind, Task

from ..matching import Doc
from ..models import LinkAbstention, LinkState, TaskLink
from .comparison import plan_tasks_with_people

# -- suggestions --------------------------------------------------------------


def match_documents(*, plan: Plan) -> list[Doc[int]]:
    """The plan's tasks as the matcher sees them (three queries): text, headings
    (an annual item's category and project; a five-year task's category and headline),
    lead units, and the names the learned priors use (number, category, project, leaders)."""
    tasks = plan_tasks_with_people(plan=plan).select_related("category", "project")
    docs = []
    for task in tasks:
        project = task.project.name if task.project else ""
        if plan.kind == PlanKind.FIVE_YEAR:
            heading = f"{task.category.name} {task.title}"
        else:
            heading = " ".join(filter(None, [task.category.name, project]))
        docs.append(
            Doc(
                key=task.pk,
                text=task.text,
                heading=heading,
                units=tuple(link.unit.name for link in task.unit_links.all()),
                number=task.number,
                category=task.category.name,
                project=project,
                leaders=tuple(link.leader.name for link in task.leader_links.all()),
            )
        )
    return docs


ABSTAINED = "none"  # the suggestions page's filter for items the matcher abstained on


@dataclass
class Suggestion:
    """An annual item on the suggestions page: its links to five-year tasks (best first) and
    the matcher's abstention, if any."""

    pk: int
    number: str
    text: str
    links: list[TaskLink]
    abstention: LinkAbstention | None


def suggestions_for_review(*, annual_plan: Plan, state: str | None = None) -> list[Suggestion]:
    """The plan's items with their links and abstention; items with neither (in the chosen
    state) are left out. `state`: a LinkState value, ABSTAINED, or None for everything."""
    links = TaskLink.objects.select_related("five_year_task", "decided_by").order_by("rank", "-score")
    if state and state != ABSTAINED:
        links = links.filter(state=state)
    # Filtered: on these tasks (which stay here) `five_year_links` holds the links in `state`.
    items = (
        Task.objects.filter(plan=annual_plan)
        .prefetch_related(Prefetch("five_year_links", queryset=links), "link_abstentions")
        .order_by("position")
    )
    keep_abstention = state in (None, ABSTAINED, LinkState.SUGGESTED)
    shown = []
    for item in items:
        abstentions = list(item.link_abstentions.all())
        suggestion = Suggestion(
            pk=item.pk,
            number=item.number,
            text=item.text,
            links=[] if state == ABSTAINED else list(item.five_year_links.all()),
            abstention=abstentions[0] if abstentions and keep_abstention else None,
        )
        if suggestion.links or suggestion.abstention:
            shown.append(suggestion)
    return shown


def abstentions_count(*, annual_plan: Plan) -> int:
    """How many items of the plan the matcher found no five-year task for."""
    return LinkAbstention.objects.filter(annual_task__plan=annual_plan).count()
