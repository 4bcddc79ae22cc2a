"""Small, explicit plan data for page tests (independent of the document importer).

`world_build(scale=n)` makes two plans shaped like the seeds (a five-year plan without
projects, an annual plan with projects and leaders), with `n` times 20 filler tasks per plan,
so query budgets can be compared between sizes. Tests address its rows by nickname:

  world.units     发改 区发展改革委 (alias 区发改委)   科委 区科委   经委 区经委
                  莘庄镇 莘庄镇 (town)                 城投 闵行城投公司 (company)
  world.leaders   谭 谭瑞琮     赵 赵亮

  world.tasks  plan / no.  lead (+support)         leaders  due         as of TODAY (2025-06-15)
  南部科创     5-year 1    科委                    -        -           green: done last period; city-level
  零号湾       5-year 2    科委, 发改              -        -           red: 发改 reported behind last period
  产业         5-year 3    经委 (+莘庄镇)          -        -           grey, not reported: a draft never counts
  营商         annual 1    发改                    赵       2025-03-31  red: overdue, not reported
  服务包       annual 2    经委 (+科委)            谭       2025-07-01  yellow: due within 30 days
  撤销         annual 3    经委                    谭       -           withdrawn (state), grey
  研发         annual 4    科委, 城投              谭, 赵   2025-12-31  grey, in progress: only 科委 reported

  world.categories  five-year: 创新 (no. 1, 2)  产业 (no. 3);  annual: 改革 (no. 1–3)  科创 (no. 4)
  world.projects    营商环境 (in 改革: no. 1–3)  科技创新 (in 科创: no. 4)
Filler tasks are numbered 101… (five-year plan first, then annual), led by 测试单位000…, supported by
经委; the annual ones have leader 赵 and fall due on the 28th of a month; every third has an approved
report this period (statuses cycling). The lights above are checked by tests/test_status.py.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from simple_history.utils import bulk_create_with_history

from tasks.models import (
    Category,
    Leader,
    Plan,
    PlanKind,
    ProgressReport,
    ProgressStatus,
    Project,
    ReviewState,
    Task,
    TaskLeader,
    TaskState,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitKind,
    UnitRole,
)
from tasks.services import task_status_refresh
from tasks.status.clock import Clock
from tests.seeds import Remap, Snapshot

# A fixed "today" so lights do not depend on when the suite runs.
TODAY = datetime.date(2025, 6, 15)
CLOCK = Clock(today=TODAY)
THIS_PERIOD = datetime.date(2025, 6, 1)
LAST_PERIOD = datetime.date(2025, 5, 1)


@dataclass
class World:
    five_year: Plan
    annual: Plan
    units: dict[str, Unit] = field(default_factory=dict)
    leaders: dict[str, Leader] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)


def _unit(name: str, kind: str = UnitKind.DEPARTMENT) -> Unit:
    return Unit.objects.get_or_create(name=name, defaults={"kind": kind})[0]


# The session's copy of world_steps() at scale 1, taken once by conftest's _world_snapshot when the
# session has database tests (tests/seeds.py); world_build restores it into each test that asks.
WORLD_SNAPSHOT: list[Snapshot[World]] = []


def world_build(*, scale: int = 1) -> World:
    """Two plans; named tasks for exact assertions plus `scale`-proportional filler (see the table
    above). At scale 1 the rows are the session's copy of world_steps (one COPY per table, instead of
    about a hundred ORM writes); tests/test_seeds.py checks the copy equals a build."""
    if scale == 1 and WORLD_SNAPSHOT:
        snapshot = WORLD_SNAPSHOT[0]
        return _world_again(snapshot.result, snapshot.restore())
    return world_steps(scale=scale)


def _world_again(world: World, remap: Remap) -> World:
    """The same world read back from this database: the snapshot's objects, under this
    database's keys where restore() found a row already there (a persona's unit or leader)."""

    def again(objects: dict[str, Any]) -> dict[str, Any]:
        model = type(next(iter(objects.values())))
        keys = {name: remap.get(model, {}).get(o.pk, o.pk) for name, o in objects.items()}
        found = model._base_manager.in_bulk(list(keys.values()))
        return {name: found[pk] for name, pk in keys.items()}

    plans = again({"five_year": world.five_year, "annual": world.annual})
    return World(
        five_year=plans["five_year"],
        annual=plans["annual"],
        units=again(world.units),
        leaders=again(world.leaders),
        tasks=again(world.tasks),
        categories=again(world.categories),
        projects=again(world.projects),
    )


def world_steps(*, scale: int = 1) -> World:
    """The world built row by row through the ORM and the services, as world_build's table says."""
    w = _world_plans(scale)
    _world_people(w)
    _world_named_tasks(w)
    _world_named_reports(w)
    _world_filler(w, scale)
    # Reports written straight to the table: derive the stored status as the services would.
    task_status_refresh()
    return w


def _world_plans(scale: int) -> World:
    """The two plans, their categories and the annual plan's projects, with the counts they state."""
    five = Plan.objects.create(
        title="闵行区“十四五”规划重点任务",
        kind=PlanKind.FIVE_YEAR,
        year_start=2021,
        year_end=2025,
        stated_categories=2,
        stated_tasks=3 + 20 * scale,
        stated_city_level=1,
    )
    annual = Plan.objects.create(
        title="2025年区委、区政府重点工作",
        kind=PlanKind.ANNUAL,
        year_start=2025,
        year_end=2025,
        doc_number="闵委办发〔2025〕3号",
        stated_categories=2,
        stated_projects=2,
        stated_tasks=4 + 20 * scale,
    )
    w = World(five_year=five, annual=annual)
    w.categories["创新"] = Category.objects.create(
        plan=five, order=1, name="实施创新驱动核心战略", stated_count=2 + 10 * scale
    )
    w.categories["产业"] = Category.objects.create(
        plan=five, order=2, name="建设现代化产业体系", stated_count=1 + 10 * scale
    )
    w.categories["改革"] = Category.objects.create(
        plan=annual, order=1, name="持续深化重点领域改革", stated_count=2 + 10 * scale
    )
    w.categories["科创"] = Category.objects.create(
        plan=annual, order=2, name="加快建设科创中心", stated_count=1 + 10 * scale
    )
    w.projects["营商环境"] = Project.objects.create(
        category=w.categories["改革"], order=1, name="健全优化营商环境制度体系"
    )
    w.projects["科技创新"] = Project.objects.create(category=w.categories["科创"], order=1, name="强化科技创新策源")
    return w


def _world_people(w: World) -> None:
    """Units (one per kind) and leaders, reused when the migration or a persona made them first."""
    # The migration seeds 区发展改革委 with alias 区发改委; make sure both exist either way.
    w.units["发改"] = _unit("区发展改革委")
    UnitAlias.objects.get_or_create(name="区发改委", defaults={"unit": w.units["发改"]})
    w.units["科委"] = _unit("区科委")
    w.units["经委"] = _unit("区经委")
    w.units["莘庄镇"] = _unit("莘庄镇", UnitKind.TOWN)
    w.units["城投"] = _unit("闵行城投公司", UnitKind.COMPANY)
    w.leaders["谭"] = Leader.objects.get_or_create(name="谭瑞琮")[0]
    w.leaders["赵"] = Leader.objects.get_or_create(name="赵亮")[0]


def _task(plan, cat, number, text, *, project=None, units=(), leaders=(), **kw) -> Task:
    t = Task.objects.create(
        plan=plan,
        category=cat,
        project=project,
        number=str(number),
        position=int(number),
        text=text,
        title=text[:30],
        **kw,
    )
    for i, (unit, role) in enumerate(units, start=1):
        TaskUnit.objects.create(task=t, unit=unit, position=i, role=role, printed_name=unit.name)
    for i, leader in enumerate(leaders, start=1):
        TaskLeader.objects.create(task=t, leader=leader, position=i)
    return t


def _world_named_tasks(w: World) -> None:
    """The seven tasks of the table above."""
    lead, support = UnitRole.LEAD, UnitRole.SUPPORT
    u, c, p = w.units, w.categories, w.projects
    five, annual = w.five_year, w.annual
    # Five-year plan: 区科委 leads, 区发改委 (alias) co-leads; one city-level task.
    w.tasks["南部科创"] = _task(
        five,
        c["创新"],
        1,
        "全力建设上海南部科创中心，构建创新策源区和产业承载区联动发展格局。",
        units=[(u["科委"], lead)],
        city_level=True,
    )
    w.tasks["零号湾"] = _task(
        five,
        c["创新"],
        2,
        "优化布局“零号湾”创新策源区，打造全要素、开放式的科创主题街区。",
        units=[(u["科委"], lead), (u["发改"], lead)],
    )
    w.tasks["产业"] = _task(
        five,
        c["产业"],
        3,
        "推动制造业高质量发展，建设现代化产业体系。",
        units=[(u["经委"], lead), (u["莘庄镇"], support)],
    )
    # Annual plan with leaders, due dates and projects.
    w.tasks["营商"] = _task(
        annual,
        c["改革"],
        1,
        "发布闵行区优化营商环境8.0方案。",
        project=p["营商环境"],
        units=[(u["发改"], lead)],
        leaders=[w.leaders["赵"]],
        due_date=datetime.date(2025, 3, 31),
    )
    w.tasks["服务包"] = _task(
        annual,
        c["改革"],
        2,
        "优化落实重点企业“服务包”制度。",
        project=p["营商环境"],
        units=[(u["经委"], lead), (u["科委"], support)],
        leaders=[w.leaders["谭"]],
        due_date=datetime.date(2025, 7, 1),
    )
    w.tasks["撤销"] = _task(
        annual,
        c["改革"],
        3,
        "已撤销的任务。",
        project=p["营商环境"],
        units=[(u["经委"], lead)],
        leaders=[w.leaders["谭"]],
        state=TaskState.WITHDRAWN,
    )
    w.tasks["研发"] = _task(
        annual,
        c["科创"],
        4,
        "全社会研发经费支出相当于地区生产总值的比例保持在10%左右。",
        project=p["科技创新"],
        units=[(u["科委"], lead), (u["城投"], lead)],
        leaders=[w.leaders["谭"], w.leaders["赵"]],
        due_date=datetime.date(2025, 12, 31),
    )


def _world_named_reports(w: World) -> None:
    """The reports that give the named tasks the lights of the table above."""
    u = w.units
    # 营商 is overdue (red); 服务包 is due soon (yellow); 研发 reported this period (in progress) by 区科委,
    # 城投 did not; 零号湾 reported behind last period (red); 南部科创 done last period (green);
    # a draft report never counts.
    ProgressReport.objects.create(
        task=w.tasks["研发"],
        unit=u["科委"],
        period=THIS_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=40,
        progress_text="已完成年度统计口径核定。",
        review_state=ReviewState.APPROVED,
    )
    ProgressReport.objects.create(
        task=w.tasks["零号湾"],
        unit=u["发改"],
        period=LAST_PERIOD,
        status=ProgressStatus.BEHIND,
        percent=10,
        progress_text="载体改造进度滞后。",
        review_state=ReviewState.APPROVED,
    )
    ProgressReport.objects.create(
        task=w.tasks["零号湾"],
        unit=u["科委"],
        period=LAST_PERIOD,
        status=ProgressStatus.IN_PROGRESS,
        percent=30,
        review_state=ReviewState.APPROVED,
    )
    ProgressReport.objects.create(
        task=w.tasks["南部科创"],
        unit=u["科委"],
        period=LAST_PERIOD,
        status=ProgressStatus.DONE,
        percent=100,
        progress_text="南部科创中心建成。",
        review_state=ReviewState.APPROVED,
    )
    ProgressReport.objects.create(
        task=w.tasks["产业"],
        unit=u["经委"],
        period=THIS_PERIOD,
        status=ProgressStatus.DONE,
        percent=100,
        review_state=ReviewState.DRAFT,
    )


def _world_filler(w: World, scale: int) -> None:
    """20 tasks per plan per unit of scale, spread over categories, units and leaders, with a
    report on every third. In bulk (with their history rows, as Task.objects.create writes them):
    about 100 tests build this world."""
    lead, support = UnitRole.LEAD, UnitRole.SUPPORT
    five, annual, c, p = w.five_year, w.annual, w.categories, w.projects
    filler_units = [
        _unit(f"测试单位{i:03d}", UnitKind.TOWN if i % 4 == 0 else UnitKind.DEPARTMENT) for i in range(4 * scale)
    ]
    statuses = list(ProgressStatus)
    plans = (
        (five, (c["创新"], c["产业"]), {}),
        (annual, (c["改革"], c["科创"]), {c["改革"].pk: p["营商环境"], c["科创"].pk: p["科技创新"]}),
    )
    tasks: list[Task] = []
    for plan, cats, project_of in plans:
        for i in range(20 * scale):
            number = 101 + len(tasks)
            cat = cats[i % 2]
            text = f"批量任务{number}：推进重点工作第{i}项。"
            tasks.append(
                Task(
                    plan=plan,
                    category=cat,
                    project=project_of.get(cat.pk),
                    number=str(number),
                    position=number,
                    text=text,
                    title=text[:30],
                    due_date=datetime.date(2025, 1 + i % 12, 28) if plan is annual else None,
                )
            )
    tasks = bulk_create_with_history(tasks, Task)
    links, leader_links, reports = [], [], []
    for n, t in enumerate(tasks):
        i = n % (20 * scale)  # the index within its plan
        unit = filler_units[i % len(filler_units)]
        links += [
            TaskUnit(task=t, unit=unit, position=1, role=lead, printed_name=unit.name),
            TaskUnit(task=t, unit=w.units["经委"], position=2, role=support, printed_name="区经委"),
        ]
        if t.plan_id == annual.pk:
            leader_links.append(TaskLeader(task=t, leader=w.leaders["赵"], position=1))
        if i % 3 == 0:
            reports.append(
                ProgressReport(
                    task=t,
                    unit=unit,
                    period=THIS_PERIOD,
                    status=statuses[i % len(statuses)],
                    percent=i % 100,
                    review_state=ReviewState.APPROVED,
                )
            )
    TaskUnit.objects.bulk_create(links)
    TaskLeader.objects.bulk_create(leader_links)
    bulk_create_with_history(reports, ProgressReport)


def plans_multiply(*, times: int) -> list[Plan]:
    """Add `times - 1` copies of every existing plan (tasks, links, a report on every other task), in bulk.

    The copies get other years (the plan's kind and years are unique) but the same units and leaders,
    so unit and leader pages grow `times`-fold too.
    """
    originals = list(Plan.objects.all())
    copies: list[Plan] = []
    # Each plan's rows read once, and written once per copy, in bulk.
    contents = {
        plan.pk: (
            list(Category.objects.filter(plan=plan).order_by("pk")),
            list(Project.objects.filter(category__plan=plan).order_by("pk")),
            list(Task.objects.filter(plan=plan).order_by("position")),
            list(TaskUnit.objects.filter(task__plan=plan).order_by("pk")),
            list(TaskLeader.objects.filter(task__plan=plan).order_by("pk")),
        )
        for plan in originals
    }
    for n in range(1, times):
        for plan in originals:
            categories, projects, tasks, unit_links, leader_links = contents[plan.pk]
            copy = Plan.objects.create(
                title=f"{plan.title}（副本{n}）",
                kind=plan.kind,
                year_start=plan.year_start + 10 * n,
                year_end=plan.year_end + 10 * n,
                stated_tasks=plan.stated_tasks,
            )
            copies.append(copy)
            new_categories = Category.objects.bulk_create(
                Category(plan=copy, order=c.order, name=c.name, stated_count=c.stated_count) for c in categories
            )
            cat_map = {old.pk: new for old, new in zip(categories, new_categories, strict=True)}
            new_projects = Project.objects.bulk_create(
                Project(category=cat_map[p.category_id], order=p.order, name=p.name) for p in projects
            )
            project_map = {old.pk: new for old, new in zip(projects, new_projects, strict=True)}
            new_tasks = Task.objects.bulk_create(
                Task(
                    plan=copy,
                    category=cat_map[t.category_id],
                    project=project_map.get(t.project_id) if t.project_id else None,
                    number=t.number,
                    position=t.position,
                    text=t.text,
                    title=t.title,
                    city_level=t.city_level,
                    due_date=t.due_date,
                    state=t.state,
                )
                for t in tasks
            )
            by_old = {old.pk: new for old, new in zip(tasks, new_tasks, strict=True)}
            TaskUnit.objects.bulk_create(
                TaskUnit(
                    task=by_old[link.task_id],
                    unit_id=link.unit_id,
                    position=link.position,
                    role=link.role,
                    printed_name=link.printed_name,
                )
                for link in unit_links
            )
            TaskLeader.objects.bulk_create(
                TaskLeader(task=by_old[link.task_id], leader_id=link.leader_id, position=link.position)
                for link in leader_links
            )
    task_status_refresh(plan_ids=[c.pk for c in copies])
    return copies


def reports_sprinkle(*, every: int = 2) -> int:
    """One report this period from the first lead unit of every `every`-th task, statuses cycling."""
    statuses = list(ProgressStatus)
    links = TaskUnit.objects.filter(role=UnitRole.LEAD, position=1).order_by("task_id")
    reports = [
        ProgressReport(
            task_id=link.task_id,
            unit_id=link.unit_id,
            period=THIS_PERIOD,
            status=statuses[i % len(statuses)],
            percent=(i * 7) % 101,
            progress_text=f"进展{i}",
        )
        for i, link in enumerate(links)
        if i % every == 0
    ]
    ProgressReport.objects.bulk_create(reports, ignore_conflicts=True)
    task_status_refresh()
    return len(reports)


def report_make(**fields: Any) -> ProgressReport:
    """A report written straight to the table (no permission checks or review flow), with its
    task's stored status refreshed as the services do after every write."""
    report = ProgressReport.objects.create(**fields)
    task_status_refresh(task_ids=[report.task_id])
    return report


def progress_make(plan: Plan) -> None:
    """A reporting month of the plan, deterministic: every ninth task overdue, the next one due
    within ten days, and reports of every status from most lead units (some stay silent)."""
    reports = []
    leads: dict[int, list[TaskUnit]] = {}
    for link in (
        TaskUnit.objects.filter(task__plan=plan, role="lead").select_related("unit").order_by("task_id", "position")
    ):
        leads.setdefault(link.task_id, []).append(link)
    for index, task in enumerate(Task.objects.filter(plan=plan).order_by("position")):
        if index % 9 == 0:
            task.due_date = TODAY - datetime.timedelta(days=10 + index % 20)
        elif index % 9 == 1:
            task.due_date = TODAY + datetime.timedelta(days=10)
        task.save(update_fields=["due_date"])
        for link in leads.get(task.pk, []):
            if (index + link.position) % 7 == 3:
                continue  # this unit has not reported this month
            status = {0: ProgressStatus.BEHIND, 1: ProgressStatus.DONE, 2: ProgressStatus.NOT_STARTED}.get(
                index % 10, ProgressStatus.ONGOING if index % 10 == 9 else ProgressStatus.IN_PROGRESS
            )
            reports.append(
                ProgressReport(
                    task=task,
                    unit=link.unit,
                    period=datetime.date(2025, 6, 1),
                    status=status,
                    percent={ProgressStatus.DONE: 100, ProgressStatus.NOT_STARTED: 0}.get(status, 50),
                    progress_text="按计划推进。",
                    problems="资金到位较慢。" if status == ProgressStatus.BEHIND else "",
                    review_state=ReviewState.APPROVED,
                    reported_at=datetime.datetime(2025, 6, 10, 2, tzinfo=datetime.UTC),
                )
            )
    ProgressReport.objects.bulk_create(reports)
    task_status_refresh(task_ids=list(Task.objects.filter(plan=plan).values_list("pk", flat=True)))


def office_file(kind: str = "xlsx", *, extra: dict[str, bytes] | None = None) -> bytes:
    """The smallest Office Open XML file of a kind (docx, xlsx, pptx) an attachment check takes:
    a zip with [Content_Types].xml and the kind's main part."""
    import io
    import zipfile

    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(main, "<x/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()
