"""Indicators: status against the straight path to the target, values reported, rows and chart geometry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from tasks.models import Plan, ProgressReport, ReviewState, Task

from ..models import Direction, Indicator, IndicatorActual
from ..similarity import normalise
from ..targets import Target, extract_targets

# -- indicators ---------------------------------------------------------------


@dataclass
class Status:
    code: str  # achieved / on_track / behind / no_data / unknown
    latest: IndicatorActual | None = None
    expected: Decimal | None = None

    LABELS = {
        "achieved": "已达成",
        "on_track": "进度正常",
        "behind": "滞后",
        "no_data": "暂无实际值",
        "unknown": "数据不足，无法判断",
    }

    @property
    def label(self) -> str:
        return self.LABELS[self.code]


def _meets(value: Decimal, goal: Decimal, direction: str) -> bool:
    return value >= goal if direction == Direction.AT_LEAST else value <= goal


def path_start(indicator: Indicator, actuals: list[IndicatorActual]) -> tuple[int, Decimal] | None:
    """Where the straight path to the target starts: the recorded baseline, else the first actual."""
    if indicator.baseline is not None and indicator.baseline_year is not None:
        return indicator.baseline_year, indicator.baseline
    if actuals:
        return actuals[0].year, actuals[0].value
    return None


def expected_value(indicator: Indicator, start: tuple[int, Decimal], year: int) -> Decimal:
    """The linear path from `start` to the target, at `year` (the target itself from the target year on)."""
    start_year, start_value = start
    if year >= indicator.target_year or indicator.target_year <= start_year:
        return indicator.target_value
    share = Decimal(year - start_year) / Decimal(indicator.target_year - start_year)
    return start_value + (indicator.target_value - start_value) * share


def indicator_status(indicator: Indicator, actuals: list[IndicatorActual] | None = None) -> Status:
    """achieved: the latest actual meets the target; on_track: it meets the
    straight path from the baseline (or first actual) to the target for its
    year; behind: it does not, or the target year has passed."""
    actuals = sorted(actuals if actuals is not None else indicator.actuals.all(), key=lambda a: a.year)
    if not actuals:
        return Status("no_data")
    latest = actuals[-1]
    if _meets(latest.value, indicator.target_value, indicator.direction):
        return Status("achieved", latest, indicator.target_value)
    if latest.year >= indicator.target_year:
        return Status("behind", latest, indicator.target_value)
    start = path_start(indicator, actuals)
    if start is None or (start[0] == latest.year and indicator.baseline is None):
        return Status("unknown", latest)
    expected = expected_value(indicator, start, latest.year)
    code = "on_track" if _meets(latest.value, expected, indicator.direction) else "behind"
    return Status(code, latest, expected)


@dataclass
class ReportedValue:
    """A value of the indicator that an approved progress report states."""

    report: ProgressReport
    year: int
    value: Decimal
    excerpt: str


def approved_reports() -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(review_state=ReviewState.APPROVED).select_related("unit").order_by("-period")


def reported_values(
    indicator: Indicator, reports: Sequence[ProgressReport], parsed: dict[int, list[Target]] | None = None
) -> list[ReportedValue]:
    """Values of `indicator` stated in these reports' progress text, read with the same
    extractor as the plans ("1-9月地区生产总值增长4.8%"): same unit, and the stated name
    contains the indicator's name or is contained in it. Newest report first, one value each.
    `parsed` (report pk → targets) is shared between the indicators of one page, so a task's
    reports are read once, not once per indicator."""
    want = normalise(indicator.name)
    parsed = {} if parsed is None else parsed
    found = []
    for report in reports:
        if report.pk not in parsed:
            parsed[report.pk] = extract_targets(report.progress_text, default_year=report.period.year)
        for target in parsed[report.pk]:
            got = normalise(target.name)
            if target.unit == indicator.unit and got and want and (want in got or got in want):
                found.append(ReportedValue(report, report.period.year, target.value, target.source_text[:200]))
                break
    return found


@dataclass
class IndicatorRow:
    """An indicator as its pages show it: the values approved reports state, and its status
    from the recorded actuals, else from those values."""

    indicator: Indicator
    reported: list[ReportedValue]
    status: Status
    status_actuals: list[IndicatorActual]  # what the status (and the chart) read
    status_from_reports: bool


def _indicator_row(
    indicator: Indicator,
    recorded: list[IndicatorActual],
    reports: Sequence[ProgressReport],
    parsed: dict[int, list[Target]] | None = None,
) -> IndicatorRow:
    """The status from the recorded actuals, else from what the reports state."""
    reported = reported_values(indicator, reports, parsed)
    actuals = recorded
    from_reports = False
    if not recorded and reported:
        latest_per_year: dict[int, ReportedValue] = {}
        for value in reported:  # newest first: keep each year's newest
            latest_per_year.setdefault(value.year, value)
        actuals = [
            IndicatorActual(indicator=indicator, year=y, value=v.value) for y, v in sorted(latest_per_year.items())
        ]
        from_reports = True
    return IndicatorRow(
        indicator=indicator,
        reported=reported,
        status=indicator_status(indicator, actuals),
        status_actuals=actuals,
        status_from_reports=from_reports,
    )


def indicators_list(*, plan: Plan | None = None, task: Task | None = None) -> list[IndicatorRow]:
    """Indicators with their reported values and status, in task order (three queries)."""
    qs = Indicator.objects.select_related("task__plan").prefetch_related(
        Prefetch("actuals", queryset=IndicatorActual.objects.order_by("year"), to_attr="actual_list")
    )
    if plan is not None:
        qs = qs.filter(task__plan=plan)
    if task is not None:
        qs = qs.filter(task=task)
    indicators = list(qs.order_by("task__plan__year_start", "task__position", "pk"))
    # The approved reports of these indicators' tasks, newest first, in one query.
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    if indicators:
        for report in approved_reports().filter(task_id__in={i.task_id for i in indicators}):
            reports[report.task_id].append(report)
    parsed: dict[int, list[Target]] = {}
    return [
        _indicator_row(indicator, indicator.actual_list, reports[indicator.task_id], parsed) for indicator in indicators
    ]


def indicator_detail(indicator: Indicator) -> tuple[list[IndicatorActual], IndicatorRow]:
    """The recorded actuals (recorder joined), and the indicator as indicators_list reads it."""
    actuals = list(indicator.actuals.select_related("recorded_by").order_by("year"))
    return actuals, _indicator_row(indicator, actuals, list(approved_reports().filter(task_id=indicator.task_id)))


@dataclass
class Chart:
    width: int
    height: int
    years: list[tuple[int, float]]  # (year, x)
    target_y: float
    path: str  # SVG points of the straight path, "" when unknown
    points: list[tuple[int, str, float, float]]  # (year, value label, x, y)
    line: str
    y_labels: list[tuple[str, float]]


def indicator_chart(indicator: Indicator, actuals: list[IndicatorActual]) -> Chart:
    """Geometry for a small SVG: years across, values up; the target as a line,
    the straight path to it dashed, actuals as dots."""
    width, height, left, right, top, bottom = 480, 200, 56, 16, 16, 28
    start = path_start(indicator, actuals)
    first_year = min([a.year for a in actuals] + ([start[0]] if start else []) + [indicator.target_year - 1])
    last_year = max([a.year for a in actuals] + [indicator.target_year])
    values = [a.value for a in actuals] + [indicator.target_value] + ([start[1]] if start else [])
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    low = min(low, Decimal(0)) if low >= 0 and low < high / 2 else low
    span_years = max(last_year - first_year, 1)

    def x(year: int) -> float:
        return round(left + (width - left - right) * (year - first_year) / span_years, 1)

    def y(value: Decimal) -> float:
        return round(top + (height - top - bottom) * float((high - value) / (high - low)), 1)

    points = [(a.year, f"{a.value.normalize():f}", x(a.year), y(a.value)) for a in actuals]
    path = ""
    if start:
        path = f"{x(start[0])},{y(start[1])} {x(indicator.target_year)},{y(indicator.target_value)}"
    return Chart(
        width=width,
        height=height,
        years=[(year, x(year)) for year in range(first_year, last_year + 1)],
        target_y=y(indicator.target_value),
        path=path,
        points=points,
        line=" ".join(f"{px},{py}" for _, _, px, py in points),
        y_labels=[(f"{v.normalize():f}", y(v)) for v in (high, low)],
    )
