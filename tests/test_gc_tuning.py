"""minhang_plans/gc_tuning.py: a worker freezes what its first requests loaded."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

from minhang_plans.gc_tuning import freeze_after

ROOT = Path(__file__).resolve().parent.parent


def test_it_collects_and_freezes_after_the_given_requests_only():
    receiver = freeze_after(requests={2})
    try:
        gc.unfreeze()
        receiver()
        assert gc.get_freeze_count() == 0  # the first request: nothing yet
        kept = [[i] for i in range(1000)]  # what a request loaded and keeps
        receiver()
        frozen = gc.get_freeze_count()
        assert frozen >= len(kept)
        kept += [[i] for i in range(1000)]  # what the third request loads
        receiver()
        # The third is left alone: what it loaded is not frozen. The count may drop (a frozen
        # object freed by another thread, e.g. the test runner's), so it is not compared for equality.
        assert gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


class _Node:
    pass


def test_garbage_is_collected_before_it_is_frozen():
    receiver = freeze_after(requests={1})
    gc.disable()  # only the receiver collects here
    try:
        gc.unfreeze()
        node = _Node()
        node.itself = node  # a cycle: unreachable once dropped, freed only by a collection
        alive = weakref.ref(node)
        del node
        receiver()
        assert alive() is None  # collected, not frozen for the worker's life
    finally:
        gc.enable()
        gc.unfreeze()


def test_the_wsgi_application_installs_it():
    code = (
        "import minhang_plans.wsgi, gc; from django.core.signals import request_finished; "
        "print(gc.get_freeze_count() > 0, any('freeze_after' in getattr(r, '__qualname__', '') "
        "for r in request_finished._live_receivers(None)[0]))"
    )
    env = {**os.environ, "SECRET_KEY": "x"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "True True", done.stderr[-2000:]
