"""Demo progress for the quick start: the seed plans as they might stand in mid-year.

The two seed documents carry no progress, and both plans end on 2025-12-31, so without this the
first dashboard of `make run` is 264 grey or red tasks. With DEMO_TODAY inside the plans' year
(the Makefile pins 2025-06-18) and these reports, the first look shows a plan in progress: a mix
of lights, reports awaiting review, a returned report, drafts and units that have not reported.
Only in demo mode (the command refuses otherwise); deterministic (a seeded generator).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .choices import ProgressStatus, ReviewState, TaskState, UnitRole
from .models import Plan, ProgressReport, TaskUnit
from .periods import period_start, previous_period
from .status.clock import Clock
from .status.stored import task_status_refresh

PROGRESS_TEXTS = (
    "已完成年度工作方案，正在组织实施。",
    "按计划推进，阶段性目标基本完成。",
    "已召开专题推进会，明确责任分工和时间节点。",
    "项目前期手续办理中，已完成主要审批。",
    "完成阶段任务，正在开展评估。",
)
PROBLEMS = ("资金拨付进度偏慢。", "涉及多部门协调，进度受到影响。", "")
RETURN_COMMENTS = ("请补充量化指标和完成时间。", "进展描述过于笼统，请补充具体措施。")


@dataclass(frozen=True)
class DemoProgress:
    reports: int
    pending: int
    returned: int
    drafts: int
    silent_links: int


def _elapsed(plan: Plan, period: dt.date) -> float:
    """Share of the plan's years gone by the end of this period (a five-year plan in its last
    year is mostly done; an annual plan in June is half done)."""
    start, end = dt.date(plan.year_start, 1, 1), dt.date(plan.year_end, 12, 31)
    month_end = dt.date(period.year + period.month // 12, period.month % 12 + 1, 1)
    return min(1.0, (month_end - start).days / ((end - start).days + 1))


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


@transaction.atomic
def demo_progress_load(*, clock: Clock, seed: int = 2025) -> DemoProgress:
    """Reports for every lead link of the plans running on `clock.today`: approved ones for the
    earlier periods of this year, and for the current period a mix of approved, awaiting review,
    returned, drafts and none. Does nothing for a plan that already has reports."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("演示进展只能在演示模式（DEMO_MODE=1）下加载。")
    rng = random.Random(seed)
    today = clock.today
    office, now = _user("office"), timezone.now()
    plans = [
        p
        for p in Plan.objects.filter(year_start__lte=today.year, year_end__gte=today.year).order_by("pk")
        if not ProgressReport.objects.filter(task__plan=p).exists()
    ]
    reports: list[ProgressReport] = []
    pending = returned = drafts = silent = 0
    for plan in plans:
        current = period_start(reporting_period=plan.reporting_period, day=today)
        periods = [current]
        while (start := previous_period(reporting_period=plan.reporting_period, start=periods[-1])).year == today.year:
            periods.append(start)
        periods.reverse()
        links = TaskUnit.objects.filter(task__plan=plan, task__state=TaskState.ACTIVE, role=UnitRole.LEAD).order_by(
            "task__position", "position"
        )
        for link in links:
            fate = rng.random()
            pace = rng.uniform(0.75, 1.25)  # how fast this unit moves on this task
            behind = fate < 0.08
            done_from = len(periods) - rng.randint(1, 3) if 0.08 <= fate < 0.2 else None  # finished early
            for i, period in enumerate(periods):
                is_current = period == current
                share = _elapsed(plan, period)
                percent = min(99, max(0, round(share * 100 * pace + rng.uniform(-5, 5))))
                status = ProgressStatus.IN_PROGRESS
                if done_from is not None and i >= done_from:
                    percent = 100
                if percent >= 100:
                    status, percent = ProgressStatus.DONE, 100
                elif behind and i >= len(periods) - 2:
                    status, percent = ProgressStatus.BEHIND, max(5, percent // 2)
                elif percent < 5:
                    status = ProgressStatus.NOT_STARTED
                state, comment, reviewed = ReviewState.APPROVED, "", True
                if is_current:
                    draw = rng.random()
                    if draw < 0.25:
                        silent += 1
                        continue  # no report yet this period (本期未报送)
                    if draw < 0.45:
                        state, reviewed = ReviewState.SUBMITTED, False
                        pending += 1
                    elif draw < 0.49:
                        state, comment = ReviewState.RETURNED, rng.choice(RETURN_COMMENTS)
                        returned += 1
                    elif draw < 0.52:
                        state, reviewed = ReviewState.DRAFT, False
                        drafts += 1
                reports.append(
                    ProgressReport(
                        task_id=link.task_id,
                        unit_id=link.unit_id,
                        period=period,
                        status=status,
                        percent=percent,
                        progress_text=rng.choice(PROGRESS_TEXTS),
                        problems=rng.choice(PROBLEMS) if status != ProgressStatus.DONE else "",
                        review_state=state,
                        review_comment=comment,
                        reported_at=None if state == ReviewState.DRAFT else now,
                        reviewed_by=office if reviewed else None,
                        reviewed_at=now if reviewed else None,
                    )
                )
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    task_status_refresh(plan_ids=[p.pk for p in plans])
    return DemoProgress(reports=len(reports), pending=pending, returned=returned, drafts=drafts, silent_links=silent)
