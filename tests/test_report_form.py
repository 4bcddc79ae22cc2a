"""tasks/selectors/report_form.py and report_changes.report_form_changes: where the report form
starts, what it compares with the previous period, and what the unit is told once it saves."""

from __future__ import annotations

import pytest

from tasks.models import ProgressReport, ReviewState
from tasks.selectors.report_changes import COMPARED_FIELDS, report_form_changes
from tasks.selectors.report_form import report_form_initial, report_saved_text
from tests.factories import LAST_PERIOD, THIS_PERIOD, report_make, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(pinned_clock):
    return world_build()


def _report(world, period, **fields) -> ProgressReport:
    defaults = {"status": "in_progress", "percent": 30, "progress_text": "推进中。", "version": 1}
    # report_make refreshes the task's stored status, as every write does.
    return report_make(task=world.tasks["营商"], unit=world.units["发改"], period=period, **{**defaults, **fields})


def test_a_first_report_starts_in_progress_at_zero(world):
    assert report_form_initial(current=None, previous=None) == {"version": None, "status": "in_progress", "percent": 0}


def test_a_new_period_starts_from_the_previous_report_and_this_periods_own_wins(world):
    previous = _report(world, LAST_PERIOD, status="behind", percent=40, problems="资金。", next_steps="招标。")
    started = report_form_initial(current=None, previous=previous)
    assert started == {
        "version": None,
        "status": "behind",
        "percent": 40,
        "progress_text": "推进中。",
        "problems": "资金。",
        "next_steps": "招标。",
    }
    current = _report(world, THIS_PERIOD, percent=55, version=3)
    revised = report_form_initial(current=current, previous=previous)
    assert (revised["version"], revised["percent"], revised["milestones_met"]) == (3, 55, [])


@pytest.mark.parametrize(
    ("state", "answered", "said"),
    [
        (ReviewState.SUBMITTED, 0, "已提交，等待督查室审核。"),
        (ReviewState.SUBMITTED, 2, "已提交，等待督查室审核，并报送了2条批示的落实情况。"),
        (ReviewState.DRAFT, 0, "已保存草稿。"),
        (ReviewState.DRAFT, 1, "已保存草稿（落实情况随提交审核一并报送，草稿不保存落实情况）。"),
    ],
)
def test_what_the_unit_is_told_once_saved(world, state, answered, said):
    report = _report(world, THIS_PERIOD, review_state=state)
    task = world.tasks["营商"]
    text = report_saved_text(report=report, unit_name="区发展改革委", task=task, period=THIS_PERIOD, answered=answered)
    assert text == f"区发展改革委对第{task.number}项的2025年6月进展{said}"


def test_changes_against_the_previous_period(world):
    assert report_form_changes(previous=None, reporting_period="monthly", values={"status": "done"}).changes == ()
    previous = _report(world, LAST_PERIOD, percent=20, progress_text="完成选址。")
    values = {
        "status": "in_progress",
        "percent": "35",
        "progress_text": "完成选址。启动设计。",
        "problems": "",
        "next_steps": "",
    }
    assert set(values) == set(COMPARED_FIELDS)
    changes = report_form_changes(previous=previous, reporting_period="monthly", values=values)
    assert changes.previous_label == "2025年5月"
    assert [(c.name, c.before, c.after) for c in changes.changes] == [
        ("percent", "20%", "35%"),
        ("progress_text", "完成选址。", "完成选址。启动设计。"),
    ]
