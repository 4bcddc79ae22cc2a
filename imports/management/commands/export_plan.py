"""python manage.py export_plan --format json|csv [--plan ID]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from imports.export import plan_export_csv, plans_export_data
from tasks.models import Plan


class Command(BaseCommand):
    help = "导出规划：--format json 导出全部规划（稳定格式，见 README）；--format csv --plan ID 导出可再次导入的 CSV。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--plan", type=int, help="规划 ID（csv 必填；json 可选，默认全部）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "json":
            ids = [options["plan"]] if options["plan"] else None
            self.stdout.write(json.dumps(plans_export_data(plan_ids=ids), ensure_ascii=False, indent=2))
            return
        if not options["plan"]:
            raise CommandError("CSV 导出需要 --plan ID（可用 --format json 查看全部规划）。")
        plan = Plan.objects.filter(pk=options["plan"]).first()
        if plan is None:
            raise CommandError(f"没有 ID 为 {options['plan']} 的规划。")
        self.stdout.write(plan_export_csv(plan=plan), ending="")
