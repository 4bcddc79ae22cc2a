"""python manage.py import_plan FILE [FILE ...] [--dry-run] [--columns 任务=…,牵头单位=…]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports.columns import parse_column_spec
from imports.errors import ImportRefused
from imports.pipeline import plan_import
from tasks.models import PlanKind


class Command(BaseCommand):
    help = (
        "导入任务分解表（.docx / .xlsx / .xls / .doc / PDF / .csv / 文本），打印核对报告。"
        "任一文件被拒绝时以非零状态退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只核对、不写入数据库")
        parser.add_argument("--kind", choices=[k.value for k in PlanKind], help="规划类型（标题无法判断时）")
        parser.add_argument("--year-start", type=int)
        parser.add_argument("--year-end", type=int)
        parser.add_argument("--title")
        parser.add_argument("--doc-number")
        parser.add_argument(
            "--district",
            help=(
                "文件所属的区（如“青浦区”）：只与该区的单位、领导和单位别名对应，新建的记在该区名下；"
                "默认按标题、发文机关或文号识别，识别不出即本系统所在区"
            ),
        )
        parser.add_argument(
            "--plan",
            default="",
            help="导入到哪个规划：默认按所属区和标题识别（标题不同即新建）；“new”新建规划；或已有规划的编号（ID），更新该规划",
        )
        parser.add_argument(
            "--columns",
            help="各列的用途，如“任务=目标任务和工作要求,牵头单位=主责部门,不导入=备注”"
            "（用途：序号、类别、项目、任务、牵头领导、牵头单位、配合单位、备注、完成时限、其他列、不导入）；"
            "导入后保存为该表头的版式",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        overrides = {
            "kind": options["kind"],
            "year_start": options["year_start"],
            "year_end": options["year_end"],
            "title": options["title"],
            "doc_number": options["doc_number"],
            "district": options["district"],
        }
        try:
            column_roles = parse_column_spec(options["columns"]) if options["columns"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        refused = 0
        for path in options["files"]:
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"✗ {path}：无法读取文件（{exc.strerror}）")
                refused += 1
                continue
            try:
                report = plan_import(
                    data=data,
                    file_name=path.name,
                    dry_run=options["dry_run"],
                    overrides=overrides,
                    column_roles=column_roles,
                    plan_choice=options["plan"],
                )
            except ImportRefused as exc:
                self.stderr.write(f"✗ {path.name}：已拒绝，未写入任何数据。{exc}")
                refused += 1
                continue
            self.stdout.write(report.render_text())
            self.stdout.write("")
        if refused:
            raise CommandError(f"{refused} 个文件被拒绝。")
