"""Reads the import pipeline needs from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.conf import settings
from django.db.models import QuerySet

from tasks.models import Leader, Plan, ProgressReport, Task, TaskLeader, TaskUnit, Unit, UnitAlias

from .diff import DiffSummary, FieldChangeData, TaskChangeData
from .models import ImportLayout, ImportOutcome, ImportRecord
from .normalise import Vocabulary, name_key


def vocabulary_load(*, district: str) -> Vocabulary:
    """The leaders, units and aliases of `district` only (a Minhang unit, leader or
    short name is never applied silently to another district's document): three queries."""
    units = {name_key(name): name for name in Unit.objects.filter(district=district).values_list("name", flat=True)}
    for alias, canonical in UnitAlias.objects.filter(district=district).values_list("name", "unit__name"):
        units[name_key(alias)] = canonical
    return Vocabulary(leaders=set(Leader.objects.filter(district=district).values_list("name", flat=True)), units=units)


def known_districts() -> set[str]:
    """The districts the database holds plans, units or aliases of (a 文号's first character may name one)."""
    districts = (
        Plan.objects.order_by()
        .values_list("district", flat=True)
        .union(
            Unit.objects.order_by().values_list("district", flat=True),
            UnitAlias.objects.order_by().values_list("district", flat=True),
        )
    )
    return set(districts)


def plans_same_identity(*, district: str | None, kind: str, year_start: int, year_end: int) -> list[Plan]:
    """The plans of `district` (None: any district) with this kind and years, oldest first."""
    plans = Plan.objects.filter(kind=kind, year_start=year_start, year_end=year_end)
    if district is not None:
        plans = plans.filter(district=district)
    return list(plans.order_by("pk"))


def import_layout_for(*, signatures: list[str]) -> ImportLayout | None:
    """The saved layout whose header is one of these rows' (one query)."""
    if not signatures:
        return None
    found = {layout.signature: layout for layout in ImportLayout.objects.filter(signature__in=signatures)}
    return next((found[s] for s in signatures if s in found), None)


def import_record_same_file(*, sha256: str) -> ImportRecord | None:
    return (
        ImportRecord.objects.filter(sha256=sha256, outcome=ImportOutcome.APPLIED)
        .select_related("plan", "created_by")
        .order_by("-created_at")
        .first()
    )


def name_suggestions(*, names: list[str], existing: list[str], limit: int = 3) -> dict[str, list[str]]:
    """For each new name, existing names it probably means.

    Chinese abbreviations keep the characters of the full name in order
    (区发改委 ⊂ 区发展改革委), and wraps or typos leave most characters shared;
    both are scored locally with no external service.
    """
    out: dict[str, list[str]] = {}
    for name in names:
        key = name_key(name)
        scored = []
        for candidate in existing:
            candidate_key = name_key(candidate)
            if candidate_key == key:
                score = 1.0
            elif _is_subsequence(key, candidate_key) or _is_subsequence(candidate_key, key):
                score = 0.9 * min(len(key), len(candidate_key)) / max(len(key), len(candidate_key)) + 0.3
            else:
                score = SequenceMatcher(None, key, candidate_key).ratio()
            if score >= 0.6:
                scored.append((score, candidate))
        out[name] = [candidate for _, candidate in sorted(scored, key=lambda item: (-item[0], item[1]))[:limit]]
    return out


def _is_subsequence(short: str, long: str) -> bool:
    if len(short) < 3 or len(short) >= len(long) or short[0] != long[0]:
        return False
    remaining = iter(long)
    return all(char in remaining for char in short)


def import_record_list() -> QuerySet[ImportRecord]:
    return ImportRecord.objects.select_related("plan", "created_by", "undone_by").defer("content", "before_csv")


# -- rolling an import back (回退) ---------------------------------------------------


def _plan_tasks(record: ImportRecord) -> QuerySet[Task]:
    """The tasks of the record's plan (none once the plan is deleted)."""
    if record.plan_id is None:
        return Task.objects.none()
    return Task.objects.filter(plan_id=record.plan_id)


def _changes(record: ImportRecord) -> DiffSummary:
    """What the import changed, as the diff stage summarised it (ImportRecord.changes, JSON)."""
    changes: DiffSummary = record.changes
    return changes


def import_added_tasks(*, record: ImportRecord) -> QuerySet[Task]:
    """The tasks `record` added to its plan (a rollback deletes them)."""
    return _plan_tasks(record).filter(number__in=_changes(record).get("added", []))


def import_unused_names(
    *, record: ImportRecord, district: str, ignoring: QuerySet[Task] | None = None
) -> tuple[QuerySet[Unit], QuerySet[Leader], QuerySet[UnitAlias]]:
    """Units, leaders and aliases `record` created that nothing else uses: no task
    links (other than those of `ignoring`, the tasks a rollback is about to
    delete or relink), no reports, no accounts. The rollback drops these after
    restoring the plan; its confirmation page lists them beforehand. `district`:
    the plan's, whose units, leaders and aliases the import created."""
    changes = _changes(record)
    unit_links, leader_links = TaskUnit.objects.all(), TaskLeader.objects.all()
    if ignoring is not None:
        unit_links, leader_links = unit_links.exclude(task__in=ignoring), leader_links.exclude(task__in=ignoring)
    units = (
        Unit.objects.filter(district=district, name__in=list(changes.get("new_units", {})))
        .exclude(pk__in=unit_links.values("unit_id"))
        .exclude(pk__in=ProgressReport.objects.values("unit_id"))
        .exclude(liaisons__isnull=False)
    )
    leaders = (
        Leader.objects.filter(district=district, name__in=changes.get("new_leaders", []))
        .exclude(pk__in=leader_links.values("leader_id"))
        .exclude(accounts__isnull=False)
    )
    aliases = UnitAlias.objects.filter(district=district, name__in=list(changes.get("new_aliases", {})))
    return units, leaders, aliases


@dataclass
class UndoPreview:
    """What rolling `record` back will do, for the page that asks before doing it."""

    blocker: str | None
    plan_deleted: bool = False  # the import created the plan: the whole plan goes
    removed: list[tuple[str, str]] = field(default_factory=list)  # (number, title) deleted
    reverted: list[TaskChangeData] = field(default_factory=list)  # changed tasks, fields back to "before"
    restored: list[tuple[str, str]] = field(default_factory=list)  # withdrawn by it, back to 有效
    meta: list[FieldChangeData] = field(default_factory=list)  # plan fields back to "before"
    units: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (alias, unit)

    @property
    def nothing_to_do(self) -> bool:
        return not (self.plan_deleted or self.removed or self.reverted or self.restored or self.meta)


def import_undo_preview(*, record: ImportRecord, blocker: str | None) -> UndoPreview:
    """A fixed number of queries whatever the size of the import."""
    if blocker:
        return UndoPreview(blocker=blocker)
    changes = _changes(record)
    plan_tasks = _plan_tasks(record).order_by("position", "pk")
    plan_deleted = not record.before_csv
    removed = list(
        (plan_tasks if plan_deleted else import_added_tasks(record=record).order_by("position", "pk")).values_list(
            "number", "title"
        )
    )
    reverted: list[TaskChangeData] = [] if plan_deleted else list(changes.get("changed", []))
    withdrawn: list[str] = [] if plan_deleted else changes.get("withdrawn", [])
    restored = list(plan_tasks.filter(number__in=withdrawn).values_list("number", "title")) if withdrawn else []
    # Links of these tasks are deleted (or put back as they were, before these names existed).
    relinked = (
        plan_tasks
        if plan_deleted
        else _plan_tasks(record).filter(
            number__in=[*changes.get("added", []), *(change["number"] for change in reverted)],
        )
    )
    district = record.plan.district if record.plan is not None else settings.DISTRICT_NAME
    units, leaders, aliases = import_unused_names(record=record, district=district, ignoring=relinked)
    return UndoPreview(
        blocker=None,
        plan_deleted=plan_deleted,
        removed=removed,
        reverted=reverted,
        restored=restored,
        meta=[] if plan_deleted else list(changes.get("meta", [])),
        units=list(units.order_by("name").values_list("name", flat=True)),
        leaders=list(leaders.order_by("name").values_list("name", flat=True)),
        aliases=list(aliases.order_by("name").values_list("name", "unit__name")),
    )
