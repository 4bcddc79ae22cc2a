"""tests/gc_settings.py: the test process collects rarely and never walks what collection loaded."""

from __future__ import annotations

import gc
import sys

import pytest

from tests import gc_settings


def test_the_test_process_runs_with_the_thresholds_and_a_frozen_heap():
    assert gc.get_threshold() == gc_settings.THRESHOLDS
    # What collection loaded is frozen: at least one object per test module imported.
    assert gc.get_freeze_count() > len([m for m in sys.modules if m.startswith("tests.")])


def test_a_test_that_unfroze_or_changed_the_thresholds_gets_both_back():
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    teardown = gc_settings.pytest_runtest_teardown(item=None)
    next(teardown)  # the teardown itself runs here
    with pytest.raises(StopIteration):
        teardown.send(None)
    assert gc.get_threshold() == gc_settings.THRESHOLDS
    assert gc.get_freeze_count() > 0


class _Cycle:
    pass


def test_settling_frees_cyclic_garbage_rather_than_freezing_it():
    import weakref

    node = _Cycle()
    node.itself = node
    alive = weakref.ref(node)
    del node
    gc_settings.collector_settle()
    assert alive() is None
