"""The date-dependent part of a task's status: its light, and "not reported this period".

Compared in SQL against the stored columns (stored.py) at query time, so what is
stored never ages. The light is the first of LIGHT_RULES whose condition holds,
else green; the same list makes the legend on the pages and the README's table
(`light_legend`, tested against both), so the rule and its description cannot drift.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan

from ..choices import (
    COUNTED_REVIEW_STATES,
    CurrentStatus,
    DueRule,
    Light,
    ProgressStatus,
    ReportingPeriod,
    UnitRole,
)
from ..periods import period_current_workdays_needed, period_start, previous_period
from .clock import Clock

if TYPE_CHECKING:
    from ..models import ProgressReport

Q_ = TypeVar("Q_", bound=QuerySet[Any])


class DayNumber(Func):
    """A date as a day count, the same on SQLite and PostgreSQL (only differences are used)."""

    output_field = IntegerField()
    template = "CAST(julianday(%(expressions)s) AS INTEGER)"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="((%(expressions)s)::date - DATE '2000-01-01')", **extra)


class YearStartDayNumber(Func):
    """1 January of a year column, as a DayNumber."""

    output_field = IntegerField()
    # Plan years are four-digit (2000–2100, checked on import); no printf: a "%" would
    # trip the debug cursor's parameter interpolation.
    template = "CAST(julianday((%(expressions)s) || '-01-01') AS INTEGER)"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(make_date(%(expressions)s, 1, 1) - DATE '2000-01-01')", **extra
        )


@dataclass(frozen=True)
class _At:
    """Where the rule is evaluated: `path` leads from the queried row to the task ("" or "task__")."""

    clock: Clock
    path: str

    def due(self, lookup: str) -> str:
        return f"{self.path}due_date__{lookup}"


def _behind_schedule(at: _At) -> Q:
    """Percent (plus a tolerance) below the share of time elapsed since the plan began:
    (percent + t) × (due − start) < 100 × (today − start)."""
    start = YearStartDayNumber(F(f"{at.path}plan__year_start"))
    span = DayNumber(F(f"{at.path}due_date")) - start
    elapsed = DayNumber(Value(at.clock.today, output_field=DateField())) - start
    tolerance = Value(settings.LIGHT_BEHIND_SCHEDULE_POINTS)
    behind: LessThan = LessThan((F("task_percent") + tolerance) * span, elapsed * 100)
    return (
        Q(task_status__in=[ProgressStatus.IN_PROGRESS, ProgressStatus.NOT_STARTED])
        & Q(**{at.due("isnull"): False})
        & Q(behind)
    )


_NOT_DONE = ~Q(task_status=ProgressStatus.DONE)


@dataclass(frozen=True)
class LightRule:
    light: Light
    says: str  # the condition in words; {due_soon_days} and {behind_points} are the settings
    when: Callable[[_At], Q]


# In order: the first rule that holds gives the light; none holds: green.
LIGHT_RULES: tuple[LightRule, ...] = (
    LightRule(Light.RED, "已过截止日期且未完成", lambda at: Q(**{at.due("lt"): at.clock.today}) & _NOT_DONE),
    LightRule(Light.RED, "最近一期审核通过的报告为“滞后”", lambda at: Q(task_status=ProgressStatus.BEHIND)),
    LightRule(
        Light.YELLOW,
        "{due_soon_days}天内到期且未完成",
        lambda at: Q(**{at.due("lte"): at.clock.due_soon}) & _NOT_DONE,
    ),
    LightRule(Light.GREEN, "已完成", lambda at: Q(task_status=ProgressStatus.DONE)),
    # Not every lead unit has reported this period (or there is none): never green.
    LightRule(Light.GREY, "本期有牵头单位未报送（进展不明）", lambda at: Q(reported_now=False)),
    LightRule(
        Light.YELLOW,
        "有阶段目标已过完成日期仍未完成（进度偏慢）",
        lambda at: Q(**{f"{at.path}current__next_milestone__lt": at.clock.today}) & _NOT_DONE,
    ),
    LightRule(
        Light.YELLOW,
        "完成百分比加{behind_points}个百分点仍落后于已过时间的比例（进度偏慢）",
        _behind_schedule,
    ),
)
LIGHT_OTHERWISE = Light.GREEN
LIGHT_OTHERWISE_SAYS = "本期全部牵头单位已报送且正常推进"


@dataclass(frozen=True)
class LegendRow:
    light: str
    label: str
    conditions: list[str]


def light_legend() -> list[LegendRow]:
    """Each light with its conditions in words, in the rules' order, with today's settings."""
    values = {
        "due_soon_days": settings.LIGHT_DUE_SOON_DAYS,
        "behind_points": settings.LIGHT_BEHIND_SCHEDULE_POINTS,
    }
    rows = {light: LegendRow(light=light.value, label=light.label, conditions=[]) for light in Light}
    for rule in LIGHT_RULES:
        rows[rule.light].conditions.append(rule.says.format(**values))
    rows[LIGHT_OTHERWISE].conditions.append(LIGHT_OTHERWISE_SAYS)
    return list(rows.values())


@dataclass(frozen=True)
class LegendStep:
    number: int
    light: str
    label: str
    says: str


def light_legend_steps() -> list[LegendStep]:
    """The rules in the order they are tried, numbered, with today's settings: the dashboard's
    "依次判断" legend (grouped by light, 进度偏慢 read as if it came before 进展不明)."""
    values = {
        "due_soon_days": settings.LIGHT_DUE_SOON_DAYS,
        "behind_points": settings.LIGHT_BEHIND_SCHEDULE_POINTS,
    }
    steps = [
        LegendStep(number=i, light=rule.light.value, label=rule.light.label, says=rule.says.format(**values))
        for i, rule in enumerate(LIGHT_RULES, start=1)
    ]
    otherwise = LegendStep(
        number=len(steps) + 1, light=LIGHT_OTHERWISE.value, label=LIGHT_OTHERWISE.label, says=LIGHT_OTHERWISE_SAYS
    )
    return [*steps, otherwise]


def _period_branches(*, clock: Clock, path: str) -> list[tuple[Q, datetime.date]]:
    """(condition on the task's plan, its current period) in order, the first that holds: the SQL
    form of tasks.periods.period_current (tests/test_periods.py checks the two agree day by day)."""
    held = clock.period_held
    if held is not None:
        return [(Q(), held)]
    branches = []
    for cadence in (ReportingPeriod.MONTHLY, ReportingPeriod.QUARTERLY):
        start = period_start(reporting_period=cadence, day=clock.today)
        needed = period_current_workdays_needed(reporting_period=cadence, today=clock.today)
        on_cadence = Q(**{f"{path}plan__reporting_period": cadence})
        # "N-th working day after the period" with N >= needed: the previous period is still open.
        # A plan without N counts as 1 (period_deadline's default).
        long_enough = Q(**{f"{path}plan__report_due_number__gte": needed})
        if needed <= 1:
            long_enough |= Q(**{f"{path}plan__report_due_number__isnull": True})
        still_open = Q(**{f"{path}plan__report_due_rule": DueRule.WORKDAYS_AFTER}) & long_enough
        branches.append((on_cadence & still_open, previous_period(reporting_period=cadence, start=start)))
        branches.append((on_cadence, start))
    return branches


def period_now(*, clock: Clock, path: str = "") -> Case | Value:
    """First day of the current reporting period of the task's plan (monthly or quarterly, by its
    window): tasks.periods.period_current in SQL."""
    branches = _period_branches(clock=clock, path=path)
    if len(branches) == 1:
        return Value(branches[0][1], output_field=DateField())
    return Case(
        *(When(condition, then=Value(start, output_field=DateField())) for condition, start in branches[:-1]),
        default=Value(branches[-1][1], output_field=DateField()),
        output_field=DateField(),
    )


def period_owed(*, clock: Clock, path: str = "") -> Case:
    """True unless the plan's current period is after its last year: after its last period a plan
    owes no report (the form refuses one, tasks.services.report_period_in_plan_check), so nothing
    of it is 本期未报送 and nobody is reminded or chased for it."""

    def within(start: datetime.date) -> Q:
        return Q(**{f"{path}plan__year_end__gte": start.year})

    branches = _period_branches(clock=clock, path=path)
    if len(branches) == 1:
        return flag(within(branches[0][1]))
    return Case(
        *(When(condition, then=flag(within(start))) for condition, start in branches[:-1]),
        default=flag(within(branches[-1][1])),
        output_field=BooleanField(),
    )


def status_alias(qs: Q_, *, clock: Clock, path: str = "") -> Q_:
    """Alias the status onto a queryset of tasks (path "") or of rows pointing at one ("task__"):

    task_status  — worst status the lead units reported (approved) in their latest period;
    task_percent — the lowest percent in that period;
    units_total  — lead units;
    period_now   — first day of the plan's current period;
    reported_now — every lead unit reported (submitted or approved) this period;
    pending_now  — some lead unit's report for this period awaits review;
    owed_now     — the plan's current period is not after its years (a plan owes nothing then);
    silent_now   — open task, some lead unit has not reported this period (本期未报送, any light);
    light        — the first of LIGHT_RULES that holds, else green.

    Aliases are not selected; the querysets' `.with_status(clock)` selects what a row shows.
    """
    current = f"{path}current__"
    qs = qs.alias(
        task_status=Coalesce(F(f"{current}status"), Value(CurrentStatus.NOT_REPORTED), output_field=CharField()),
        task_percent=F(f"{current}percent"),
        units_total=Coalesce(F(f"{current}lead_units"), Value(0), output_field=IntegerField()),
        period_now=period_now(clock=clock, path=path),
        owed_now=period_owed(clock=clock, path=path),
    )
    qs = qs.alias(
        # False when some lead unit never reported (reported_since is NULL) or there is none.
        reported_now=flag(Q(**{f"{current}reported_since__gte": F("period_now")})),
        pending_now=flag(Q(**{f"{current}pending_period__gte": F("period_now")})),
    )
    # "Some lead unit has not reported": there is one and not all did (a task without a lead
    # unit is grey, but nobody owes it a report).
    qs = qs.alias(silent_now=flag(Q(units_total__gt=0) & Q(reported_now=False) & Q(owed_now=True) & _NOT_DONE))
    at = _At(clock=clock, path=path)
    light = Case(
        *(When(rule.when(at), then=Value(rule.light.value)) for rule in LIGHT_RULES),
        default=Value(LIGHT_OTHERWISE.value),
        output_field=CharField(),
    )
    return qs.alias(light=light)


def shown_status() -> Case:
    """What a list shows as the status: nothing approved yet but a report awaiting review says so."""
    return Case(
        When(Q(task_status=CurrentStatus.NOT_REPORTED) & Q(pending_now=True), then=Value(CurrentStatus.PENDING)),
        default=F("task_status"),
        output_field=CharField(),
    )


def flag(condition: Q) -> Case:
    """A condition as a True/False column (the status aliases; trends' snapshot columns)."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def silent_link() -> Q:
    """On lead-unit link rows: the link's own unit has not reported this period on an open task.

    Per unit, "未报送" means the unit itself: a co-lead's silence is not held against it. The
    union over a task's lead links is the task-level `silent_now`. Nothing is owed for a period
    after the plan's years (owed_now). Reminders, escalations and digests read this too."""
    own_missing = Q(reported_period__isnull=True) | Q(reported_period__lt=F("period_now"))
    return Q(role=UnitRole.LEAD) & own_missing & Q(owed_now=True) & _NOT_DONE


def task_stagnant(*, reports: Iterable[ProgressReport], since: datetime.date) -> bool:
    """No change in the last LIGHT_STAGNANT_PERIODS periods (from `since`, Clock.stagnant_since):
    every period has an approved report and status and percent never moved (done and standing
    work excluded). Shown on the task page beside the light, not part of it."""
    window = [
        r
        for r in reports
        if r.review_state in COUNTED_REVIEW_STATES
        and r.period >= since
        and r.status not in (ProgressStatus.DONE, ProgressStatus.ONGOING)
    ]
    return (
        len({r.period for r in window}) >= settings.LIGHT_STAGNANT_PERIODS
        and len({r.percent for r in window}) == 1
        and len({r.status for r in window}) == 1
    )


def light_rules_markdown() -> str:
    """The rule as the README's table: each condition in the order it is checked, with the
    default settings' values. tests/test_status_rule.py checks the README holds exactly this."""
    values = {"due_soon_days": "LIGHT_DUE_SOON_DAYS", "behind_points": "LIGHT_BEHIND_SCHEDULE_POINTS"}
    lines = ["| 顺序 | 条件 | 灯号 |", "|---|---|---|"]
    for i, rule in enumerate(LIGHT_RULES, start=1):
        lines.append(f"| {i} | {rule.says.format(**values)} | {rule.light.label}（{rule.light.value}） |")
    last = LIGHT_OTHERWISE
    lines.append(f"| {len(LIGHT_RULES) + 1} | 以上都不符合：{LIGHT_OTHERWISE_SAYS} | {last.label}（{last.value}） |")
    return "\n".join(lines)
