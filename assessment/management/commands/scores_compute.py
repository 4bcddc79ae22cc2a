"""Compute 考评 drafts for every closed period of the current year that has none (as the worker
does after each close), for one plan or all open plans; `--freeze-as USER` then freezes and
publishes them as that office account (the quick start's demo does this)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.models import RunState, Scope, ScoreRun
from assessment.selectors import periods_closed
from assessment.services import score_run_compute, score_run_freeze, score_run_publish
from minhang_plans.wording import join_messages
from tasks.models import Plan
from tasks.status.clock import Clock


class Command(BaseCommand):
    help = "考评：为本年度已结束、尚未计算的报送周期计算得分（草稿）；--freeze-as 定稿并发布。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, help="只计算这个规划（编号）")
        parser.add_argument("--freeze-as", dest="freeze_as", help="以该督查室账号定稿并发布计算结果")

    def handle(self, *args: Any, **options: Any) -> None:
        clock = Clock.now()
        plans = Plan.objects.filter(closure__isnull=True)
        if options["plan"]:
            plans = plans.filter(pk=options["plan"])
        office = None
        if options["freeze_as"]:
            office = get_user_model().objects.filter(username=options["freeze_as"]).first()
            if office is None:
                raise CommandError(f"没有账号 {options['freeze_as']}。")
        made = 0
        for plan in plans.order_by("pk"):
            # Oldest first, so each ranking can show the change since the one before.
            for start, label in reversed(periods_closed(plan=plan, today=clock.today)):
                if start.year != clock.today.year:
                    continue
                live = ScoreRun.objects.filter(plan=plan, scope=Scope.PERIOD, period=start).exclude(
                    state=RunState.SUPERSEDED
                )
                if live.exists():
                    continue
                run = score_run_compute(plan=plan, scope=Scope.PERIOD, start=start, clock=clock)
                made += 1
                if office is not None:
                    try:
                        score_run_publish(user=office, run=score_run_freeze(user=office, run=run))
                    except ValidationError as refused:
                        raise CommandError(join_messages(refused.messages)) from None
                self.stdout.write(f"{plan.title} {label}：{run.sheets.count()}个单位")
        self.stdout.write(f"已计算{made}期考评得分。")
