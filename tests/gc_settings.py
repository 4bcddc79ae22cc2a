"""The test process's garbage collector: fewer, cheaper collections (a pytest plugin, tests/conftest.py).

A test process holds far more long-lived objects than a request does: every test module, Django,
Playwright, and the session's snapshots of the seeds. With Python's default thresholds (700, 10,
10) the collector walked all of them again and again: in one process running the page,
permission, hostile-file and import-page modules (201 tests), 7.5 s of 75.8 s went to collections,
6.1 s of it to 47 full ones (a gc.callbacks meter, bench/results/test_suite.txt).

So, as the product's own workers do after their first requests (minhang_plans/gc_tuning.py):
- what collection loaded (modules, Django's apps, the fixtures' definitions) is frozen once, after
  a collection of what is garbage already, so no later collection walks it again;
- the youngest generation is collected after 20,000 new objects rather than 700. Garbage without
  cycles is freed at once whatever the thresholds, so only cyclic garbage waits a little longer.

A test that unfreezes (tests/test_gc_tuning.py checks the product's freeze) gets the freeze back
after it, so what follows it keeps the saving. Nothing a test asserts depends on when the
collector runs: the tests that care call gc.collect() themselves.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

THRESHOLDS = (20_000, 10, 10)


def collector_settle() -> None:
    """Collect what is garbage now, then freeze everything left: later collections skip it."""
    gc.collect()
    gc.freeze()


def pytest_configure(config: pytest.Config) -> None:
    gc.set_threshold(*THRESHOLDS)


def pytest_collection_finish(session: pytest.Session) -> None:
    collector_settle()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    try:
        return (yield)
    finally:
        if gc.get_freeze_count() == 0 or gc.get_threshold() != THRESHOLDS:
            gc.set_threshold(*THRESHOLDS)
            collector_settle()
