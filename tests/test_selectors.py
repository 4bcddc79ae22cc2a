"""tasks/selectors/: each page's figures and lists, directly (the pages only print what these return).
The status rule itself: test_status.py."""

from __future__ import annotations

import pytest

from tasks import selectors
from tasks.models import Plan, PlanKind, ProgressReport, ProgressStatus, ReviewState, Task
from tests.factories import CLOCK, THIS_PERIOD, report_make, world_build
from tests.test_status import status_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return world_build(scale=1)


def test_unit_summary_list_orders_and_filters(world):
    rows = selectors.unit_summary_list(order="done", clock=CLOCK)
    done = [r.summary.n_done for r in rows]
    assert done == sorted(done, reverse=True)
    towns = selectors.unit_summary_list(kind="town", clock=CLOCK)
    assert towns and {r.note for r in towns} == {"镇"}
    keji = next(r for r in rows if r.name == "区科委")
    k = keji.summary
    # 南部科创 done (green), 零号湾 behind (red), 研发 waiting for its co-lead 城投 (grey).
    assert (k.total, k.n_done, k.n_red, k.n_green, k.n_grey, keji.plans) == (
        3,
        1,
        1,
        1,
        1,
        2,
    )


def test_unit_resolve_by_name_or_alias(world):
    assert selectors.unit_resolve(name="区发改委") == world.units["发改"]
    assert selectors.unit_resolve(name="区发展改革委") == world.units["发改"]
    assert selectors.unit_resolve(name="发改") is None  # exact names only; substring search is the search page's job


def test_units_silent_list_counts_missing_reports_per_plan(world):
    rows = {(r.plan_id, r.name): r.missing for r in selectors.units_silent_list(clock=CLOCK)}
    # 区科委: 零号湾 (five-year) still missing this period; 南部科创 is done; 研发 (annual) reported.
    assert rows[(world.five_year.pk, "区科委")] == 1
    assert (world.annual.pk, "区科委") not in rows
    # 区发展改革委: 零号湾 and 营商, one in each plan.
    assert rows[(world.five_year.pk, "区发展改革委")] == 1
    assert rows[(world.annual.pk, "区发展改革委")] == 1


def test_dashboard_overview_limits_red_list_per_plan(world):
    board = selectors.dashboard_overview(clock=CLOCK, red_limit=2)
    by_kind = {ov.plan.kind: ov for ov in board.cards}
    annual = by_kind[PlanKind.ANNUAL]
    assert annual.summary.n_red > 2 and len(annual.red_tasks) == 2
    assert annual.red_tasks[0].id == world.tasks["营商"].pk  # document order
    assert sum(c.summary.total for c in annual.categories) == annual.summary.total == 23


def test_dashboard_shows_one_district_in_full_and_every_plan_as_a_row(world, settings):
    other = Plan.objects.create(
        district="合成·徐汇区", title="徐汇年度计划", kind=PlanKind.ANNUAL, year_start=2026, year_end=2026
    )
    board = selectors.dashboard_overview(clock=CLOCK)
    # The deployment's own district first and shown in full, although the other plan is newer.
    assert board.districts == [(settings.DISTRICT_NAME, 2), ("合成·徐汇区", 1)]
    assert board.district == settings.DISTRICT_NAME
    assert {ov.plan.pk for ov in board.cards} == {world.annual.pk, world.five_year.pk}
    assert board.rows[0].plan.pk == other.pk and len(board.rows) == 3
    annual_row = next(ov for ov in board.rows if ov.plan.pk == world.annual.pk)
    assert annual_row.summary.total == 23 and annual_row.red_tasks  # the same object as its card
    chosen = selectors.dashboard_overview(clock=CLOCK, district="合成·徐汇区")
    assert [ov.plan.pk for ov in chosen.cards] == [other.pk]
    # Rows outside the chosen district carry counts only.
    assert all(not ov.categories and not ov.red_tasks for ov in chosen.rows if ov.plan.pk != other.pk)
    assert selectors.dashboard_overview(clock=CLOCK, district="不存在区").district == settings.DISTRICT_NAME


def test_leader_summary_and_units(world):
    s = selectors.leader_summary(leader=world.leaders["谭"], clock=CLOCK)
    assert (s.total, s.n_yellow, s.n_grey, s.n_red) == (2, 1, 1, 0)  # 服务包 due soon; 研发 waits for 城投
    units = {r.name: r.summary.total for r in selectors.leader_unit_list(leader=world.leaders["谭"], clock=CLOCK)}
    assert units == {"区经委": 1, "区科委": 1, "闵行城投公司": 1}


# -- "not reported this period": its own dimension, apart from the light ---------------------------


def _unreported_by_hand(*, plan_ids: set[int] | None = None) -> tuple[set[int], dict[int, set[int]]]:
    """Plain Python over the reports: the open (not done) active tasks some lead unit of which has no
    submitted or approved report for this period; and per unit, the ones it has not reported itself."""
    from tasks.models import TaskUnit

    reported = set(
        ProgressReport.objects.filter(
            period__gte=THIS_PERIOD, review_state__in=[ReviewState.SUBMITTED, ReviewState.APPROVED]
        ).values_list("task_id", "unit_id")
    )
    tasks: set[int] = set()
    by_unit: dict[int, set[int]] = {}
    for link in TaskUnit.objects.filter(role="lead", task__state="active").select_related("task"):
        if plan_ids is not None and link.task.plan_id not in plan_ids:
            continue
        if status_of(link.task)[0] == ProgressStatus.DONE or (link.task_id, link.unit_id) in reported:
            continue
        tasks.add(link.task_id)
        by_unit.setdefault(link.unit_id, set()).add(link.task_id)
    return tasks, by_unit


def test_not_reported_is_counted_whatever_the_light(world):
    board = selectors.dashboard_overview(clock=CLOCK)
    annual = next(ov for ov in board.cards if ov.plan.pk == world.annual.pk)
    expected, _ = _unreported_by_hand(plan_ids={world.annual.pk})
    # 营商 (red: overdue) and 服务包 (yellow: due soon) have no report this period either: counted.
    assert {world.tasks["营商"].pk, world.tasks["服务包"].pk, world.tasks["研发"].pk} <= expected
    assert annual.summary.n_silent == len(expected) == 16
    assert annual.summary.n_grey < annual.summary.n_silent  # the grey light alone hid 营商 and 服务包


def test_the_silent_figure_is_the_union_of_the_silent_units_lists(world):
    board = selectors.dashboard_overview(clock=CLOCK, silent_limit=1000)
    for ov in board.cards:
        expected, by_unit = _unreported_by_hand(plan_ids={ov.plan.pk})
        assert ov.summary.n_silent == len(expected), ov.plan
        assert ov.silent_unit_count == len(by_unit) == len(ov.silent_units)
        assert {row.unit_id: row.missing for row in ov.silent_units} == {
            unit: len(ids) for unit, ids in by_unit.items()
        }


def awaiting_review_make(world) -> ProgressReport:
    """区发展改革委 sends its report on 营商 this period: awaiting review, but the unit did its part."""
    return report_make(
        task=world.tasks["营商"],
        unit=world.units["发改"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=50,
        progress_text="方案已起草。",
        review_state=ReviewState.SUBMITTED,
    )


def test_a_report_awaiting_review_is_reported_for_the_silent_lists(world):
    awaiting_review_make(world)
    rows = {(r.plan_id, r.name) for r in selectors.units_silent_list(clock=CLOCK)}
    assert (world.annual.pk, "区发展改革委") not in rows
    annual = next(ov for ov in selectors.dashboard_overview(clock=CLOCK).cards if ov.plan.pk == world.annual.pk)
    assert annual.summary.n_silent == 15


def test_unit_and_leader_summaries_count_not_reported(world):
    _, by_unit = _unreported_by_hand()
    rows = {r.id: r for r in selectors.unit_summary_list(order="silent", clock=CLOCK)}
    for unit_id, row in rows.items():
        assert row.summary.n_silent == len(by_unit.get(unit_id, ())), row.name
    silent = [r.summary.n_silent for r in selectors.unit_summary_list(order="silent", clock=CLOCK)]
    assert silent == sorted(silent, reverse=True) and silent[0] > 0
    keji = selectors.unit_summary(unit=world.units["科委"], clock=CLOCK).total
    assert keji.n_silent == 1  # 零号湾 (red); 研发 waits for 城投, not for 区科委
    tan = selectors.leader_summary(leader=world.leaders["谭"], clock=CLOCK)
    assert tan.n_silent == 2  # 服务包 (yellow) and 研发 (grey: 城投 has not reported)


# -- change history in words -------------------------------------------------------------------


def test_task_history_shows_chinese_and_labels_never_raw_values(world):
    task = world.tasks["研发"]
    other_category = world.annual.categories.get(order=1)
    task.due_date = None
    task.save()
    task.state = "withdrawn"
    task.city_level = True
    task.note = "备注一"
    task.category = other_category
    task.project = None
    task.save()
    history = selectors.task_history(task=Task.objects.get(pk=task.pk))
    changes = [c for entry in history if entry.what == "任务" for c in entry.changes]
    assert "截止日期：2025年12月31日 → 未设置" in changes
    assert "状态：有效 → 已撤销" in changes
    assert "市级任务：否 → 是" in changes
    assert "备注：无 → 备注一" in changes
    assert "类别：二、加快建设科创中心 → 一、持续深化重点领域改革" in changes
    assert "项目：强化科技创新策源 → 无" in changes
    text = "；".join(changes)
    for raw in ("None", "True", "False", "withdrawn", "active"):
        assert raw not in text, raw
