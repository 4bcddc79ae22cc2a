"""Score runs: compute (the previous draft kept as 已被重算), freeze, publish, manual adjustments, and the
job that scores each period after its close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, audit_record
from notifications.models import MessageKind
from notifications.services import message_send
from tasks.choices import Role
from tasks.models import Plan, Unit
from tasks.periods import period_closed_latest
from tasks.status.clock import Clock, clock_or_now

from ..events import run_events
from ..models import (
    RunState,
    Scope,
    ScoreAdjustment,
    ScoreLine,
    ScoreRun,
    ScoreSheet,
)
from ..rules import figures_of, rule_set_for, rule_version_latest
from ..scoring import ranks, score_lines, score_totals
from ..selectors.runs import YEAR_NOT_OVER, run_label, year_over
from .common import FROZEN, office_writer


def score_run_compute(
    *, plan: Plan, scope: str, start: dt.date, user: User | AnonymousUser | None = None, clock: Clock | None = None
) -> ScoreRun:
    """Compute a run from the events and the rules in force; the previous draft becomes 已被重算.

    A frozen run is never recomputed. `user` None: the job runner, at a period's close."""
    writer = office_writer(user) if user is not None else None
    today = clock_or_now(clock).today
    if scope == Scope.YEAR and not year_over(plan=plan, year=start.year, today=today):
        raise ValidationError(YEAR_NOT_OVER.format(year=start.year, plan=plan.title))
    version = rule_version_latest(rule_set=rule_set_for(plan_id=plan.pk, year=start.year))
    figures = figures_of(version)
    events, unit_ids = run_events(plan=plan, scope=scope, start=start, today=today)
    lines = score_lines(events=events, figures=figures)
    totals = score_totals(lines=lines, figures=figures, unit_ids=unit_ids)
    kinds = dict(Unit.objects.filter(pk__in=list(totals)).values_list("pk", "kind"))
    ranked = ranks(totals={u: t.total for u, t in totals.items()}, kinds=kinds)
    with transaction.atomic():
        live = list(
            ScoreRun.objects.select_for_update()
            .filter(plan=plan, scope=scope, period=start)
            .exclude(state=RunState.SUPERSEDED)
        )
        if any(run.state == RunState.FROZEN for run in live):
            raise ValidationError(FROZEN)
        ScoreRun.objects.filter(pk__in=[run.pk for run in live]).update(state=RunState.SUPERSEDED)
        run = ScoreRun.objects.create(
            plan=plan,
            scope=scope,
            period=start,
            rule_version=version,
            computed_at=timezone.now(),
            computed_by=writer,
        )
        ScoreLine.objects.bulk_create(
            (
                ScoreLine(
                    run=run,
                    unit_id=line.unit_id,
                    kind=line.kind,
                    points=line.points,
                    task_id=line.event.task_id if line.event else None,
                    period=line.event.period if line.event else None,
                    report_id=line.event.report_id if line.event else None,
                    instruction_id=line.event.instruction_id if line.event else None,
                    adjustment_id=line.event.adjustment_id if line.event else None,
                    role=line.event.role if line.event and line.event.task_id else "",
                    capped_kind=line.capped_kind,
                    note=(line.event.note if line.event else "")[:300],
                )
                for line in lines
            ),
            batch_size=5000,
        )
        ScoreSheet.objects.bulk_create(
            ScoreSheet(
                run=run,
                unit_id=unit_id,
                unit_kind=kinds.get(unit_id, ""),
                total=total.total,
                deducted=total.deducted,
                added=total.added,
                rank=ranked[unit_id],
            )
            for unit_id, total in totals.items()
        )
        if writer is not None:
            audit_record(
                action=Action.ASSESSMENT_COMPUTE,
                user=writer,
                object_repr=f"{plan.title} {run_label(plan=plan, scope=scope, start=start)}",
                detail={"run": run.pk, "rule_version": version.pk},
            )
    return run


def _live(run: ScoreRun) -> ScoreRun:
    locked = ScoreRun.objects.select_for_update().get(pk=run.pk)
    if locked.state == RunState.SUPERSEDED:
        raise ValidationError("这次计算已被重算，请在最新一次计算上操作。")
    return locked


def score_run_freeze(*, user: User | AnonymousUser, run: ScoreRun) -> ScoreRun:
    writer = office_writer(user)
    with transaction.atomic():
        locked = _live(run)
        if locked.state == RunState.FROZEN:
            raise ValidationError("该期考评已经定稿。")
        locked.state, locked.frozen_at, locked.frozen_by = RunState.FROZEN, timezone.now(), writer
        locked.save(update_fields=["state", "frozen_at", "frozen_by"])
        audit_record(action=Action.ASSESSMENT_FREEZE, user=writer, object_repr=str(locked), detail={"run": locked.pk})
    return locked


def score_run_publish(*, user: User | AnonymousUser, run: ScoreRun) -> ScoreRun:
    """Publish a frozen run's rankings to the district leaders (a message each)."""
    writer = office_writer(user)
    with transaction.atomic():
        locked = _live(run)
        if locked.state != RunState.FROZEN:
            raise ValidationError("请先定稿，再发布排名。")
        if locked.published_at is not None:
            raise ValidationError("该期排名已经发布。")
        locked.published_at, locked.published_by = timezone.now(), writer
        locked.save(update_fields=["published_at", "published_by"])
        label = run_label(plan=locked.plan, scope=locked.scope, start=locked.period)
        leaders = User.objects.filter(groups__name=Role.LEADER, is_active=True)
        message_send(
            recipients=list(leaders),
            kind=MessageKind.ASSESSMENT,
            title=f"考评排名：{locked.plan.title} {label}"[:200],
            body=f"督查室已发布{locked.plan.title}{label}的考评排名。",
            event_key=f"assessment:publish:{locked.pk}",
            link=reverse("assessment:run", args=[locked.pk]),
        )
        audit_record(action=Action.ASSESSMENT_PUBLISH, user=writer, object_repr=str(locked), detail={"run": locked.pk})
    return locked


def adjustment_create(
    *, user: User | AnonymousUser, run: ScoreRun, unit: Unit, points: Decimal, reason: str
) -> ScoreRun:
    """人工调整 on a draft run, with its reason; the run is recomputed with it (returned)."""
    writer = office_writer(user)
    reason = reason.strip()
    if not reason:
        raise ValidationError("人工调整须填写理由。")
    if points == 0 or abs(points) > 100:
        raise ValidationError("调整分值须在−100至100之间且不为0。")
    with transaction.atomic():
        locked = _live(run)
        if locked.state == RunState.FROZEN:
            raise ValidationError(FROZEN)
        adjustment = ScoreAdjustment.objects.create(
            plan=locked.plan,
            scope=locked.scope,
            period=locked.period,
            unit=unit,
            points=points,
            reason=reason,
            created_by=writer,
        )
        audit_record(
            action=Action.ASSESSMENT_ADJUST,
            user=writer,
            object_repr=f"{unit.name} {points:+}",
            detail={"run": locked.pk, "adjustment": adjustment.pk, "reason": reason},
        )
        return score_run_compute(plan=locked.plan, scope=locked.scope, start=locked.period, user=writer)


# The job -------------------------------------------------------------------------------------


def scores_close_due(*, clock: Clock | None = None) -> list[ScoreRun]:
    """At each period's close: a draft run for every plan's latest closed period that has none
    yet, and the year's run once its last period has closed (the worker, daily). A plan closed for
    the year still gets them: its year-end states are deducted on the year's sheet."""
    clock = clock_or_now(clock)
    made = []
    recent = Q(closure__isnull=True) | Q(year_end__gte=clock.today.year - 1)
    for plan in Plan.objects.filter(recent, year_start__lte=clock.today.year):
        candidate = period_closed_latest(plan=plan, today=clock.today)
        if candidate is None:
            continue
        todo = [(Scope.PERIOD, candidate)]
        if year_over(plan=plan, year=candidate.year, today=clock.today):
            todo.append((Scope.YEAR, dt.date(candidate.year, 1, 1)))
        for scope, first in todo:
            if not ScoreRun.objects.filter(plan=plan, scope=scope, period=first).exists():
                made.append(score_run_compute(plan=plan, scope=scope, start=first, clock=clock))
    return made


def scores_close_due_scheduled() -> int:
    return len(scores_close_due())
