"""Model constraints against the real database (SQLite here, PostgreSQL in bin/run-tests).

Every constraint the models declare is exercised by a write the database must
refuse; each refusal runs inside its own `transaction.atomic()` so the test
(and, on PostgreSQL, its outer transaction) can carry on afterwards.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from tasks.models import (
    Category,
    Leader,
    Plan,
    PlanKind,
    ProgressReport,
    ProgressStatus,
    Project,
    Task,
    TaskLeader,
    TaskUnit,
    Unit,
    UnitAlias,
)
from tasks.services import task_status_refresh
from tests.factories import report_make

pytestmark = pytest.mark.django_db


# -- helpers -------------------------------------------------------------------


def _plan(year: int = 2030, kind: str = PlanKind.ANNUAL) -> Plan:
    return Plan.objects.create(title=f"{year}年测试计划", kind=kind, year_start=year, year_end=year)


def _category(plan: Plan, order: int = 1) -> Category:
    return Category.objects.create(plan=plan, order=order, name=f"测试类别{order}")


def _task(plan: Plan, number: str = "1", *, category: Category | None = None, position: int = 1) -> Task:
    category = category or plan.categories.first() or _category(plan)
    return Task.objects.create(
        plan=plan, category=category, number=number, position=position, text=f"任务{number}", title=f"任务{number}"
    )


def _refused(model_write) -> None:
    """The write raises IntegrityError and leaves the connection usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        model_write()


# -- tasks ---------------------------------------------------------------------


def test_duplicate_task_number_in_one_plan_is_refused():
    plan = _plan()
    _task(plan, "7")
    _refused(lambda: _task(plan, "7", position=2))
    # The refusal rolled back only its savepoint: the plan still has its one task.
    assert list(plan.tasks.values_list("number", flat=True)) == ["7"]
    _task(plan, "8", position=2)
    assert plan.tasks.count() == 2


def test_same_task_number_in_two_plans_is_allowed():
    first, second = _plan(2030), _plan(2031)
    _task(first, "1")
    _task(second, "1")
    assert Task.objects.filter(number="1").count() == 2


def test_category_order_unique_within_plan_but_not_across_plans():
    plan, other = _plan(2030), _plan(2031)
    _category(plan, 1)
    _refused(lambda: _category(plan, 1))
    _category(other, 1)
    assert Category.objects.filter(order=1).count() == 2


def test_project_name_unique_within_category():
    category = _category(_plan())
    Project.objects.create(category=category, order=1, name="测试项目")
    _refused(lambda: Project.objects.create(category=category, order=2, name="测试项目"))


def test_plan_kind_and_years_unique():
    _plan(2030)
    _refused(lambda: _plan(2030))
    # The same years as a different kind is another plan.
    Plan.objects.create(title="五年", kind=PlanKind.FIVE_YEAR, year_start=2030, year_end=2030)


def test_plan_years_must_be_ordered():
    _refused(lambda: Plan.objects.create(title="倒序", kind=PlanKind.FIVE_YEAR, year_start=2030, year_end=2026))
    assert not Plan.objects.filter(title="倒序").exists()
    # Equal years are fine (an annual plan).
    Plan.objects.create(title="当年", kind=PlanKind.FIVE_YEAR, year_start=2030, year_end=2030)


def test_task_unit_and_leader_links_unique():
    plan = _plan()
    task = _task(plan)
    unit = Unit.objects.create(name="测试单位甲")
    leader = Leader.objects.create(name="测试甲")
    TaskUnit.objects.create(task=task, unit=unit, position=1)
    task_status_refresh(task_ids=[task.pk])  # a link written straight to the table
    TaskLeader.objects.create(task=task, leader=leader, position=1)
    _refused(lambda: TaskUnit.objects.create(task=task, unit=unit, position=2))
    _refused(lambda: TaskUnit.objects.create(task=task, unit=Unit.objects.create(name="测试单位乙"), position=1))
    _refused(lambda: TaskLeader.objects.create(task=task, leader=leader, position=2))
    _refused(lambda: TaskLeader.objects.create(task=task, leader=Leader.objects.create(name="测试乙"), position=1))


# -- units, aliases, leaders ------------------------------------------------------


def test_unit_name_unique():
    Unit.objects.create(name="测试单位")
    _refused(lambda: Unit.objects.create(name="测试单位"))
    assert Unit.objects.filter(name="测试单位").count() == 1


def test_alias_name_unique():
    first = Unit.objects.create(name="测试单位甲")
    second = Unit.objects.create(name="测试单位乙")
    UnitAlias.objects.create(unit=first, name="测试简称")
    _refused(lambda: UnitAlias.objects.create(unit=second, name="测试简称"))
    assert UnitAlias.objects.get(name="测试简称").unit == first


def test_leader_name_unique():
    Leader.objects.create(name="测试甲")
    _refused(lambda: Leader.objects.create(name="测试甲"))


def test_alias_clean_refuses_a_canonical_unit_name():
    Unit.objects.create(name="测试单位甲")
    other = Unit.objects.create(name="测试单位乙")
    alias = UnitAlias(unit=other, name="测试单位甲")
    with pytest.raises(ValidationError) as excinfo:
        alias.full_clean()
    assert excinfo.value.message_dict == {"name": ["“测试单位甲”已是一个单位的规范名称。"]}
    # A fresh name is fine.
    UnitAlias(unit=other, name="测试简称").full_clean()


def test_alias_clean_refuses_a_seeded_canonical_name():
    unit = Unit.objects.create(name="测试单位")
    with pytest.raises(ValidationError) as excinfo:
        UnitAlias(unit=unit, name="区发展改革委").clean()
    assert excinfo.value.message_dict["name"] == ["“区发展改革委”已是一个单位的规范名称。"]


def test_unit_clean_refuses_another_units_alias():
    # 区发改委 is seeded as an alias of 区发展改革委.
    with pytest.raises(ValidationError) as excinfo:
        Unit(name="区发改委").full_clean()
    assert excinfo.value.message_dict == {"name": ["“区发改委”已是其他单位的别名。"]}


def test_unit_clean_allows_renaming_itself_to_its_own_alias():
    unit = Unit.objects.get(name="区发展改革委")
    unit.name = "区发改委"
    unit.clean()  # its own alias is not "another unit's" alias


def test_deleting_a_unit_linked_to_a_task_is_protected():
    task = _task(_plan())
    unit = Unit.objects.create(name="测试单位")
    TaskUnit.objects.create(task=task, unit=unit, position=1)
    task_status_refresh(task_ids=[task.pk])
    with pytest.raises(ProtectedError), transaction.atomic():
        unit.delete()
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert task.unit_links.count() == 1


def test_deleting_a_leader_linked_to_a_task_is_protected():
    task = _task(_plan())
    leader = Leader.objects.create(name="测试甲")
    TaskLeader.objects.create(task=task, leader=leader, position=1)
    with pytest.raises(ProtectedError), transaction.atomic():
        leader.delete()
    assert Leader.objects.filter(pk=leader.pk).exists()


def test_deleting_an_unlinked_unit_and_its_aliases_is_allowed():
    unit = Unit.objects.create(name="测试单位")
    UnitAlias.objects.create(unit=unit, name="测试简称")
    unit.delete()
    assert not UnitAlias.objects.filter(name="测试简称").exists()


# -- progress reports --------------------------------------------------------------


def _report(task: Task, unit: Unit, **kwargs) -> ProgressReport:
    values = {"period": datetime.date(2030, 6, 1), "status": ProgressStatus.IN_PROGRESS, "percent": 50}
    values.update(kwargs)
    return report_make(task=task, unit=unit, **values)


def test_deleting_a_task_with_a_report_is_protected():
    task = _task(_plan())
    unit = Unit.objects.create(name="测试单位")
    _report(task, unit)
    with pytest.raises(ProtectedError), transaction.atomic():
        task.delete()
    assert Task.objects.filter(pk=task.pk).exists()
    assert ProgressReport.objects.filter(task=task).count() == 1


def test_deleting_a_unit_with_a_report_is_protected():
    task = _task(_plan())
    unit = Unit.objects.create(name="测试单位")
    _report(task, unit)
    with pytest.raises(ProtectedError), transaction.atomic():
        unit.delete()


def test_report_percent_over_100_is_refused():
    task = _task(_plan())
    unit = Unit.objects.create(name="测试单位")
    _refused(lambda: _report(task, unit, percent=101))
    assert not ProgressReport.objects.exists()
    assert _report(task, unit, percent=100).percent == 100


def test_report_percent_validator_says_so_before_the_database():
    task = _task(_plan())
    unit = Unit.objects.create(name="测试单位")
    report = ProgressReport(
        task=task, unit=unit, period=datetime.date(2030, 6, 1), status=ProgressStatus.DONE, percent=150
    )
    with pytest.raises(ValidationError) as excinfo:
        report.full_clean()
    assert "percent" in excinfo.value.message_dict


def test_one_report_per_task_unit_and_period():
    task = _task(_plan())
    unit = Unit.objects.create(name="测试单位")
    _report(task, unit)
    _refused(lambda: _report(task, unit))
    _report(task, unit, period=datetime.date(2030, 7, 1))
    assert ProgressReport.objects.count() == 2


# -- the data migration ----------------------------------------------------------------


def test_migration_seeded_the_four_role_groups():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"系统管理员", "督查室", "单位联络员", "区领导"} <= names


SEEDED_ALIASES = {
    "区发改委": "区发展改革委",
    "区市场局": "区市场监管局",
    "区卫健委": "区卫生健康委",
    "区人社局": "区人力资源社会保障局",
    "区房管局": "区房屋管理局",
    "区建管委": "区建设管理委",
    "区投促中心": "区投资促进中心",
}


def test_migration_seeded_the_alias_table():
    seeded = dict(UnitAlias.objects.filter(name__in=SEEDED_ALIASES).values_list("name", "unit__name"))
    assert seeded == SEEDED_ALIASES
    for canonical in SEEDED_ALIASES.values():
        assert Unit.objects.get(name=canonical).kind == "department"
    # No alias is also a canonical name.
    assert not Unit.objects.filter(name__in=SEEDED_ALIASES).exists()
