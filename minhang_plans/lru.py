"""A bounded, thread-safe store that drops its least recently used entries: what each worker keeps
of compiled SQL (minhang_plans.compiled) and of pages' per-task pieces (tasks.selectors.row_reuse)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

Value = TypeVar("Value")


class LruStore(Generic[Value]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Value] = OrderedDict()

    def get(self, key: Hashable) -> Value | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def get_many(self, keys: Iterable[Hashable]) -> dict[Hashable, Value]:
        """The entries these keys have (a stored None included)."""
        with self._lock:
            found = {}
            for key in keys:
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[key] = self._entries[key]
            return found

    def put_many(self, entries: Mapping[Hashable, Value], *, limit: int) -> None:
        """Store these, then drop the least recently used past `limit`."""
        with self._lock:
            self._entries.update(entries)
            while len(self._entries) > limit:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
