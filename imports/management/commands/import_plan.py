"""python manage.py import_plan FILE [FILE ...] [--dry-run]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.errors import ImportRefused
from imports.pipeline import plan_import
from tasks.models import PlanKind


class Command(BaseCommand):
    help = "导入任务分解表（.docx / .xlsx / .csv / 文本），打印核对报告。任一文件被拒绝时以非零状态退出。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只核对、不写入数据库")
        parser.add_argument("--kind", choices=[k.value for k in PlanKind], help="规划类型（标题无法判断时）")
        parser.add_argument("--year-start", type=int)
        parser.add_argument("--year-end", type=int)
        parser.add_argument("--title")
        parser.add_argument("--doc-number")

    def handle(self, *args, **options) -> None:
        overrides = {
            "kind": options["kind"],
            "year_start": options["year_start"],
            "year_end": options["year_end"],
            "title": options["title"],
            "doc_number": options["doc_number"],
        }
        refused = 0
        for path in options["files"]:
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.stderr.write(f"✗ {path}：无法读取文件（{exc.strerror}）")
                refused += 1
                continue
            try:
                report = plan_import(data=data, file_name=path.name, dry_run=options["dry_run"], overrides=overrides)
            except ImportRefused as exc:
                self.stderr.write(f"✗ {path.name}：已拒绝，未写入任何数据。{exc}")
                refused += 1
                continue
            self.stdout.write(report.render_text())
            self.stdout.write("")
        if refused:
            raise CommandError(f"{refused} 个文件被拒绝。")
