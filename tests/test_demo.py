"""tasks/demo.py: the quick start's demo progress shows a plan in progress, never outside demo mode."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from tasks import selectors
from tasks.choices import Light, ReviewState
from tasks.demo import demo_progress_load
from tasks.models import Plan, ProgressReport
from tasks.status.clock import Clock

DEMO_DAY = dt.date(2025, 6, 18)


def test_refused_outside_demo_mode(seed_plans, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="演示进展只能在演示模式（DEMO_MODE=1）下加载。"):
        call_command("load_demo_progress")
    assert not ProgressReport.objects.exists()


def test_the_first_dashboard_is_a_plan_in_progress(seed_plans, settings):
    settings.DEMO_MODE = True
    settings.DEMO_TODAY = DEMO_DAY
    clock = Clock.now()
    assert clock.today == DEMO_DAY  # the pinned demo day is the one clock's today
    loaded = demo_progress_load(clock=clock)
    assert loaded.reports > 0 and loaded.pending > 0 and loaded.returned > 0 and loaded.silent_links > 0
    board = selectors.dashboard_overview(clock=clock)
    annual = next(ov for ov in board.cards if ov.plan.kind == "annual")
    s = annual.summary
    # A mix, not a wall of one colour: every light, some done, some not reported this period.
    assert all(getattr(s, f"n_{light.value}") > 0 for light in Light), s
    assert 0 < s.n_silent < s.total and annual.silent_unit_count > 0
    states = set(ProgressReport.objects.values_list("review_state", flat=True))
    assert states == {ReviewState.APPROVED, ReviewState.SUBMITTED, ReviewState.RETURNED, ReviewState.DRAFT}
    # Nothing after the demo's today; a second load adds nothing.
    assert not ProgressReport.objects.filter(period__gt=DEMO_DAY).exists()
    assert demo_progress_load(clock=clock).reports == 0
    assert ProgressReport.objects.filter(task__plan__in=Plan.objects.all()).count() == loaded.reports


def test_demo_today_is_ignored_outside_demo_mode(settings):
    settings.DEMO_TODAY = None  # what settings.py gives when DEMO_MODE is off, whatever the environment says
    assert Clock.now().today != DEMO_DAY
