"""Generate a synthetic city-scale dataset for benchmarks, reproducibly.

    python manage.py generate_city_data [--scale 1.0] [--seed 2025] [--today 2025-11-30]

Default "city scale": 16 districts, each with one five-year plan (~75 tasks)
and five annual plans (~220 items) → about 19,000 tasks; about 1,000 units
(with aliases) and 300 leaders; about 400,000 progress reports over five
years with a realistic mix of statuses. Written in bulk (COPY on PostgreSQL,
batched bulk_create elsewhere). Refuses to run on a database that already
holds synthetic districts unless --replace is given.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Value
from django.test.utils import override_settings
from django.utils import timezone

from tasks.models import (
    Category,
    Leader,
    Plan,
    PlanKind,
    ProgressReport,
    ProgressStatus,
    Project,
    ReportAttachment,
    ReviewState,
    Task,
    TaskLeader,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitKind,
    UnitRole,
)
from tasks.numerals import to_chinese_numeral
from tasks.services import task_status_refresh

DISTRICTS = [
    "黄浦",
    "徐汇",
    "长宁",
    "静安",
    "普陀",
    "虹口",
    "杨浦",
    "浦东",
    "宝山",
    "嘉定",
    "金山",
    "松江",
    "青浦",
    "奉贤",
    "崇明",
    "闵行",
]
PREFIX = "合成"  # synthetic districts are named 合成·X区, never the real deployment's district
VERBS = [
    "全力推进",
    "持续深化",
    "加快建设",
    "着力提升",
    "健全完善",
    "大力发展",
    "稳步推进",
    "统筹做好",
    "深入实施",
    "积极打造",
]
OBJECTS = [
    "科技创新策源功能",
    "现代化产业体系",
    "营商环境",
    "城市更新",
    "公共交通网络",
    "生态环境治理",
    "养老服务体系",
    "基层治理",
    "教育现代化",
    "医疗卫生服务",
    "数字化转型",
    "乡村振兴",
    "文化品牌",
    "人才高地",
    "安全生产",
]
DETAILS = [
    "聚焦重点区域和重点领域，",
    "围绕年度目标任务，",
    "强化部门协同和市区联动，",
    "对标国际一流水平，",
    "坚持问题导向和目标导向，",
]
ENDINGS = [
    "形成一批可复制可推广的经验。",
    "确保按期完成年度目标。",
    "到2025年取得明显成效。",
    "全年新增项目20个以上。",
    "覆盖率达到95%以上。",
]
UNIT_STEMS = [
    "发展改革",
    "经济",
    "科技",
    "商务",
    "财政",
    "人力资源",
    "规划资源",
    "生态环境",
    "住房",
    "交通",
    "水务",
    "农业农村",
    "文化旅游",
    "卫生健康",
    "应急管理",
    "市场监管",
    "国资",
    "体育",
    "统计",
    "民政",
    "教育",
    "司法",
    "数据",
    "绿化市容",
    "城管执法",
    "退役军人",
    "医保",
    "房屋管理",
    "建设管理",
    "投资促进",
]
UNIT_SUFFIXES = ["委", "局", "办", "中心"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国亮辛阳滨婕宇剑松林宝"


class Command(BaseCommand):
    help = "生成城市规模的合成数据（用于性能测试），可由随机种子复现。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 16 个区，约 19,000 条任务、40 万条进展")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2025, 11, 30))
        parser.add_argument("--replace", action="store_true", help="先删除已有的合成数据")

    def handle(self, *args, **options) -> None:
        rng = random.Random(options["seed"])
        scale: float = options["scale"]
        today: dt.date = options["today"]
        synthetic = Plan.objects.filter(district__startswith=PREFIX)
        if synthetic.exists():
            if not options["replace"]:
                raise CommandError("数据库中已有合成数据；如需重新生成，请加 --replace。")
            self._delete_synthetic()
        started = time.perf_counter()
        districts = max(1, round(16 * scale))
        with transaction.atomic():
            units = self._units(rng, count=max(40, round(1000 * scale)))
            leaders = self._leaders(rng, count=max(10, round(300 * scale)))
            task_rows = self._plans(rng, districts=districts, factor=1.0, units=units, leaders=leaders)
            reports = self._reports(rng, task_rows=task_rows, today=today)
            if connection.vendor == "postgresql":
                # Fresh statistics for the status derivation's plans (the tables were just filled).
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {ProgressReport._meta.db_table}, {TaskUnit._meta.db_table}")
            task_status_refresh(plan_ids=list(synthetic.values_list("pk", flat=True)))
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"生成完成：{districts} 个区，{Plan.objects.filter(district__startswith=PREFIX).count()} 个规划，"
            f"{len(task_rows)} 条任务，{len(units)} 个单位，{len(leaders)} 位领导，{reports} 条进展报告；"
            f"用时 {elapsed:.1f} 秒（{connection.vendor}）。"
        )

    # -- pieces ------------------------------------------------------------------

    def _delete_synthetic(self) -> None:
        plans = Plan.objects.filter(district__startswith=PREFIX)
        tasks = Task.objects.filter(plan__in=plans)
        reports = ProgressReport.objects.filter(task__in=tasks)
        # simple_history writes the "-" row of every deleted report and task from post_delete, one
        # INSERT each: 25,000 at scale 1/16 (most of the command's time), 400,000 at city scale.
        # The same rows are written here in one statement per model, and the per-row writer is off
        # while deleting (SIMPLE_HISTORY_ENABLED is read at each signal; the command runs in a
        # process of its own).
        _deletion_history_write(reports, history=ProgressReport.history.model)
        _deletion_history_write(tasks, history=Task.history.model)
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            ReportAttachment.objects.filter(report__in=reports).delete()
            # One DELETE: with the history signals connected, delete() would load every report
            # only to send them (attachments, the one thing that points at a report, are gone).
            reports._raw_delete(reports.db)
            TaskUnit.objects.filter(task__in=tasks).delete()
            TaskLeader.objects.filter(task__in=tasks).delete()
            plans.delete()
        UnitAlias.objects.filter(unit__name__startswith=PREFIX).delete()
        Unit.objects.filter(name__startswith=PREFIX).delete()
        Leader.objects.filter(name__startswith=PREFIX).delete()

    def _units(self, rng: random.Random, *, count: int) -> list[Unit]:
        names: list[tuple[str, str]] = []
        for district in DISTRICTS:
            for stem in UNIT_STEMS:
                names.append((f"{PREFIX}{district}区{stem}{rng.choice(UNIT_SUFFIXES)}", UnitKind.DEPARTMENT))
            for n in range(1, 14):
                names.append((f"{PREFIX}{district}第{to_chinese_numeral(n)}镇", UnitKind.TOWN))
            for n in range(1, 9):
                names.append((f"{PREFIX}{district}第{to_chinese_numeral(n)}街道", UnitKind.STREET))
            for n in range(1, 12):
                names.append((f"{PREFIX}{district}第{to_chinese_numeral(n)}集团", UnitKind.COMPANY))
        rng.shuffle(names)
        names = list(dict.fromkeys(names))[:count]
        units = Unit.objects.bulk_create([Unit(name=name, kind=kind) for name, kind in names], batch_size=2000)
        # About one unit in five also goes by a short name.
        aliases = [UnitAlias(unit=unit, name=f"{unit.name}（简称{i}）") for i, unit in enumerate(units) if i % 5 == 0]
        UnitAlias.objects.bulk_create(aliases, batch_size=2000)
        return list(Unit.objects.filter(name__startswith=PREFIX))

    def _leaders(self, rng: random.Random, *, count: int) -> list[Leader]:
        names: set[str] = set()
        while len(names) < count:
            names.add(
                f"{PREFIX}{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN) if rng.random() < 0.6 else ''}"
            )
        Leader.objects.bulk_create([Leader(name=name) for name in sorted(names)], batch_size=2000)
        return list(Leader.objects.filter(name__startswith=PREFIX))

    def _text(self, rng: random.Random) -> str:
        return (
            f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}。{rng.choice(DETAILS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
            f"{rng.choice(ENDINGS)}"
        )

    def _plans(
        self, rng: random.Random, *, districts: int, factor: float, units: list[Unit], leaders: list[Leader]
    ) -> list[tuple[int, int, list[int], dt.date, dt.date]]:
        """Create plans, categories, projects, tasks and links; return (task id, plan kind flag, lead unit ids,
        start, due) per task for the reports."""
        rows: list[tuple[int, int, list[int], dt.date, dt.date]] = []
        tasks: list[Task] = []
        meta: list[tuple[list[int], list[int], dt.date]] = []
        for d in range(districts):
            district = f"{PREFIX}·{DISTRICTS[d % len(DISTRICTS)]}区{'' if d < len(DISTRICTS) else d}"
            specs = [(PlanKind.FIVE_YEAR, 2021, 2025, max(5, round(75 * factor)))] + [
                (PlanKind.ANNUAL, year, year, max(5, round(220 * factor))) for year in range(2021, 2026)
            ]
            for kind, start, end, size in specs:
                plan = Plan.objects.create(
                    district=district,
                    kind=kind,
                    year_start=start,
                    year_end=end,
                    title=f"{district}{start}年重点工作任务分解表"
                    if kind == PlanKind.ANNUAL
                    else f"{district}“十四五”规划重点任务责任分解表",
                    stated_tasks=size,
                )
                n_categories = 9 if kind == PlanKind.FIVE_YEAR else 10
                categories = Category.objects.bulk_create(
                    [
                        Category(plan=plan, order=i, name=f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}")
                        for i in range(1, n_categories + 1)
                    ]
                )
                projects: list[Project] = []
                if kind == PlanKind.ANNUAL:
                    projects = Project.objects.bulk_create(
                        [
                            Project(category=c, order=j, name=f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}（{j}）")
                            for c in categories
                            for j in range(1, 5)
                        ]
                    )
                district_units = [u for u in units if rng.random() < 0.25] or units
                for number in range(1, size + 1):
                    category = categories[min(len(categories) - 1, (number - 1) * len(categories) // size)]
                    project = None
                    if projects:
                        in_category = [p for p in projects if p.category_id == category.pk]
                        project = in_category[(number - 1) % len(in_category)]
                    tasks.append(
                        Task(
                            plan=plan,
                            category=category,
                            project=project,
                            number=str(number),
                            position=number,
                            text=self._text(rng),
                            title="",
                            city_level=kind == PlanKind.FIVE_YEAR and rng.random() < 0.2,
                            due_date=dt.date(end, 12, 31),
                        )
                    )
                    lead = rng.sample(district_units, k=1 if rng.random() < 0.7 else rng.choice((2, 3)))
                    chosen_leaders = rng.sample(leaders, k=1 if rng.random() < 0.8 else 2) if kind == "annual" else []
                    meta.append(([u.pk for u in lead], [leader.pk for leader in chosen_leaders], dt.date(start, 1, 1)))
        for task in tasks:
            task.title = task.text.split("。", 1)[0][:40]
        Task.objects.bulk_create(tasks, batch_size=2000)
        links_u, links_l = [], []
        for task, (unit_ids, leader_ids, begins) in zip(tasks, meta, strict=True):
            links_u += [
                TaskUnit(task_id=task.pk, unit_id=u, position=i, role=UnitRole.LEAD)
                for i, u in enumerate(unit_ids, start=1)
            ]
            links_l += [
                TaskLeader(task_id=task.pk, leader_id=leader, position=i)
                for i, leader in enumerate(leader_ids, start=1)
            ]
            rows.append((task.pk, 0, unit_ids, begins, task.due_date or begins))
        TaskUnit.objects.bulk_create(links_u, batch_size=5000)
        TaskLeader.objects.bulk_create(links_l, batch_size=5000)
        return rows

    def _reports(self, rng: random.Random, *, task_rows: list, today: dt.date) -> int:
        """About 400,000 monthly reports at city scale: each unit reports in most
        months of its task's life, percent rising, some behind, most approved."""
        columns = [
            "task_id",
            "unit_id",
            "period",
            "status",
            "percent",
            "progress_text",
            "problems",
            "next_steps",
            "review_state",
            "review_comment",
            "reported_at",
            "late",
            "version",
            "created_at",
            "updated_at",
        ]
        buffer: list[tuple] = []
        total = 0
        now = dt.datetime.now(dt.UTC)
        for task_id, _, unit_ids, start, due in task_rows:
            months = []
            month = start
            last = min(today, due)
            while month <= last:
                months.append(month)
                month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            if not months:
                continue
            fate = rng.random()  # done early / on track / behind / ongoing
            for unit_id in unit_ids:
                # Most units report every month; a few months go unreported.
                reported = [m for m in months if rng.random() < 0.97] or months[-1:]
                for i, period in enumerate(reported):
                    progress = (i + 1) / len(reported)
                    if fate < 0.25 and progress > 0.7:
                        status, percent = ProgressStatus.DONE, 100
                    elif fate > 0.9:
                        status, percent = ProgressStatus.BEHIND, int(progress * 50)
                    elif fate > 0.8:
                        status, percent = ProgressStatus.ONGOING, int(progress * 100)
                    elif i == 0 and rng.random() < 0.3:
                        status, percent = ProgressStatus.NOT_STARTED, 0
                    else:
                        status, percent = ProgressStatus.IN_PROGRESS, min(99, int(progress * 90) + rng.randint(0, 9))
                    review = (
                        ReviewState.APPROVED
                        if period < today.replace(day=1) or rng.random() < 0.5
                        else ReviewState.SUBMITTED
                    )
                    stamp = dt.datetime.combine(period + dt.timedelta(days=20), dt.time(10), tzinfo=dt.UTC)
                    buffer.append(
                        (
                            task_id,
                            unit_id,
                            period,
                            status,
                            percent,
                            "本月按计划推进相关工作。",
                            "存在资金和进度压力。" if status == ProgressStatus.BEHIND else "",
                            "继续推进。",
                            review,
                            "",
                            stamp,
                            False,  # reported on the 20th: before the default deadline (the 25th)
                            1,
                            now,
                            now,
                        )
                    )
            if len(buffer) >= 20000:
                total += self._write_reports(columns, buffer)
                buffer = []
        total += self._write_reports(columns, buffer)
        return total

    def _write_reports(self, columns: list[str], rows: list[tuple]) -> int:
        if not rows:
            return 0
        table = ProgressReport._meta.db_table
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            return len(rows)
        ProgressReport.objects.bulk_create(
            [ProgressReport(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
        )
        return len(rows)


def _deletion_history_write(queryset: models.QuerySet, *, history: Any) -> None:
    """The rows simple_history's post_delete writes for the rows of `queryset` (type "-", the
    tracked fields as they are), in one INSERT ... SELECT instead of one INSERT per row. The user
    and change reason stay empty, as post_delete leaves them here: a command has no request, and a
    row loaded from the database has no _change_reason. `history` is the model simple_history
    builds at start-up (no static type)."""
    columns = [field.attname for field in history.tracked_fields]
    select_sql, params = (
        queryset.order_by()
        .annotate(history_date=Value(timezone.now()), history_type=Value("-"))
        .values_list(*columns, "history_date", "history_type")
        .query.sql_with_params()
    )
    names = ", ".join(connection.ops.quote_name(name) for name in [*columns, "history_date", "history_type"])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {history._meta.db_table} ({names}) {select_sql}", params)
