"""Per-task pieces of a page kept per process and reused while the task's version stands.

A report on one task expires the cached pages that show it (selectors.version), and a rebuilt
page used to read every one of its tasks again: the leader page's 89 task rows and their 120
lead links cost about 20 ms of SQL at city scale, to change one row. Each task's pieces (its
row, its links as the leader's cockpit shows them) are therefore kept under

    (what the piece is, the task, the task's version, the context)

where the task's version is `TaskStatus.version` (moved by the database's triggers on every
change to what its rows show: reports, status, text, links) and the context holds everything
else a piece reads: the shared data number (names of plans, categories, units, leaders), the
day and the light settings (the date-dependent light and "this period"), and the script prefix
(the rows' links). A key that stands therefore means an unchanged piece, so nothing is ever
expired by hand; old keys simply fall out (least recently used first).

Nothing is kept or reused where a key could lie: inside a transaction (uncommitted writes under
a version others will only see later), without the triggers (no versions), or for a task with
no status row (no version). Kept per process, as the compiled SQL is: every server and worker
builds its own, and a version read from the shared database is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection
from django.urls import get_script_prefix

from minhang_plans.lru import LruStore

from ..status.clock import Clock

Piece = TypeVar("Piece")


@dataclass(frozen=True)
class Reuse:
    """What a page may reuse: its tasks with their versions, and the context that every piece's
    key carries."""

    context: Hashable
    versions: tuple[tuple[int, int | None], ...]  # (task id, version) of each task the page may show


_pieces: LruStore[Any] = LruStore()


def row_pieces_clear(**_: Any) -> None:
    """Forget every kept piece (on any settings change: the lights read settings)."""
    _pieces.clear()


setting_changed.connect(row_pieces_clear, dispatch_uid="tasks.selectors.row_reuse")


def row_pieces_count() -> int:
    return len(_pieces)


def reuse_context(*, clock: Clock, shared: int | None) -> Hashable | None:
    """The context of a page's pieces, or None when nothing may be kept or reused: inside a
    transaction, without the triggers (`shared` is None or 0), or with the store turned off."""
    if settings.TASK_PIECE_ENTRIES <= 0 or connection.in_atomic_block or not shared:
        return None
    lights = (settings.LIGHT_DUE_SOON_DAYS, settings.LIGHT_BEHIND_SCHEDULE_POINTS, settings.LIGHT_STAGNANT_PERIODS)
    return (shared, clock.today.isoformat(), lights, get_script_prefix())


def pieces_keep(*, kind: str, context: Hashable, pieces: Iterable[tuple[int, int | None, Any]]) -> None:
    """Keep these (task id, version, piece) for next time (none without a version)."""
    keyed: dict[Hashable, Any] = {
        (kind, task_id, version, context): piece for task_id, version, piece in pieces if version is not None
    }
    _pieces.put_many(keyed, limit=settings.TASK_PIECE_ENTRIES)


def pieces_reused(
    *, kind: str, reuse: Reuse, fetch: Callable[[list[int]], Mapping[int, Piece]]
) -> list[tuple[int, Piece]]:
    """(task id, piece) for each task of `reuse.versions` that has one, in that order: kept pieces
    where the task's version stands, the others from `fetch(ids)` (one call, for the missing
    tasks only) and kept for next time. `fetch` returns a piece for each id it finds; one that
    stands for "not shown" (None, an empty tuple) is kept like any other, so it is not asked again."""
    keys = {task_id: (kind, task_id, version, reuse.context) for task_id, version in reuse.versions}
    kept = _pieces.get_many([key for key in keys.values() if key[2] is not None])
    pieces: dict[int, Piece] = {task_id: kept[key] for task_id, key in keys.items() if key in kept}
    missing = [task_id for task_id in keys if task_id not in pieces]
    if missing:
        fetched = fetch(missing)
        pieces.update(fetched)
        versions = dict(reuse.versions)
        pieces_keep(
            kind=kind, context=reuse.context, pieces=[(task_id, versions[task_id], p) for task_id, p in fetched.items()]
        )
    return [(task_id, pieces[task_id]) for task_id in keys if task_id in pieces]
