"""Reads for plan chains: year-over-year comparison, a five-year task's chain
of annual items, gaps, indicator status and chart geometry. Each page's reads
are a fixed number of queries (prefetch), whatever the plan size."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from tasks.models import Category, Plan, PlanKind, ProgressReport, ReviewState, Task, TaskLeader, TaskUnit, UnitRole

from .matching import Doc
from .models import Direction, Indicator, IndicatorActual, LinkAbstention, LinkState, TaskLink
from .similarity import TfidfModel, cosine, normalise
from .targets import Target, extract_targets

# A reworded item keeps most of its wording; distinct items of one topic stay well below.
REWORDED_MIN_SCORE = 0.5
GROUPS = ("verbatim", "reworded", "new", "dropped")
GROUP_LABELS = {"verbatim": "原文延续", "reworded": "改写延续", "new": "新增", "dropped": "未再列入"}


# -- year over year ---------------------------------------------------------


@dataclass
class ComparedItem:
    """An item of a compared plan, with the lead units and leaders the breakdowns count."""

    pk: int
    number: str
    text: str
    position: int
    unit_names: list[str]
    leader_names: list[str]


def _compared_items(plan: Plan) -> list[ComparedItem]:
    tasks = (
        Task.objects.filter(plan=plan)
        .prefetch_related(
            # Filtered: on these tasks (they stay here) `unit_links` holds the lead units only.
            Prefetch(
                "unit_links",
                queryset=TaskUnit.objects.filter(role=UnitRole.LEAD).select_related("unit").order_by("position"),
            ),
            Prefetch("leader_links", queryset=TaskLeader.objects.select_related("leader").order_by("position")),
        )
        .order_by("position")
    )
    return [
        ComparedItem(
            pk=task.pk,
            number=task.number,
            text=task.text,
            position=task.position,
            unit_names=[link.unit.name for link in task.unit_links.all()],
            leader_names=[link.leader.name for link in task.leader_links.all()],
        )
        for task in tasks
    ]


@dataclass
class Pair:
    group: str
    old: ComparedItem | None
    new: ComparedItem | None
    score: float | None = None

    @property
    def group_label(self) -> str:
        return GROUP_LABELS[self.group]

    @property
    def subject(self) -> ComparedItem:
        """The item whose units and leaders the pair counts under: the new one, or the dropped one."""
        subject = self.new if self.new is not None else self.old
        if subject is None:
            raise ValueError("a pair has an old item, a new one or both")
        return subject

    @property
    def unit_names(self) -> list[str]:
        return self.subject.unit_names

    @property
    def leader_names(self) -> list[str]:
        return self.subject.leader_names


@dataclass
class Comparison:
    old_plan: Plan
    new_plan: Plan
    pairs: list[Pair]
    counts: dict[str, int]
    by_unit: list[tuple[str, dict[str, int]]]
    by_leader: list[tuple[str, dict[str, int]]]

    @property
    def summary(self) -> list[tuple[str, str, int]]:
        return [(g, GROUP_LABELS[g], self.counts[g]) for g in GROUPS]

    def group(self, name: str) -> list[Pair]:
        return [p for p in self.pairs if p.group == name]


def _breakdown(pairs: Sequence[Pair], names_of: Callable[[Pair], list[str]]) -> list[tuple[str, dict[str, int]]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for pair in pairs:
        for name in dict.fromkeys(names_of(pair)):
            table[name][pair.group] += 1
    rows = [(name, {g: counts[g] for g in GROUPS} | {"total": sum(counts.values())}) for name, counts in table.items()]
    rows.sort(key=lambda row: (-row[1]["total"], row[0]))
    return rows


def year_over_year_compare(*, old_plan: Plan, new_plan: Plan) -> Comparison:
    """Match the items of two annual plans by their text, never by number
    (numbers change every year): verbatim (same text up to punctuation and
    spacing), reworded (best mutual text similarity ≥ REWORDED_MIN_SCORE), new, dropped."""
    old_items = _compared_items(old_plan)
    new_items = _compared_items(new_plan)
    pairs: list[Pair] = []
    by_text: dict[str, list[ComparedItem]] = defaultdict(list)
    for item in old_items:
        by_text[normalise(item.text)].append(item)
    old_left = {item.pk: item for item in old_items}
    new_left: list[ComparedItem] = []
    for item in new_items:
        same = by_text.get(normalise(item.text))
        if same:
            match = same.pop(0)
            del old_left[match.pk]
            pairs.append(Pair("verbatim", match, item, 1.0))
        else:
            new_left.append(item)
    if new_left and old_left:
        model = TfidfModel([t.text for t in old_items] + [t.text for t in new_items])
        old_vectors = {pk: model.vector(t.text) for pk, t in old_left.items()}
        scored: list[tuple[float, int, ComparedItem, int]] = []
        for item in new_left:
            vector = model.vector(item.text)
            for pk, old_vector in old_vectors.items():
                score = cosine(vector, old_vector)
                if score >= REWORDED_MIN_SCORE:
                    scored.append((score, item.position, item, pk))
        scored.sort(key=lambda row: (-row[0], row[1]))
        taken_new: set[int] = set()
        for score, _, item, pk in scored:
            if item.pk in taken_new or pk not in old_left:
                continue
            taken_new.add(item.pk)
            pairs.append(Pair("reworded", old_left.pop(pk), item, round(score, 3)))
        new_left = [item for item in new_left if item.pk not in taken_new]
    pairs.extend(Pair("new", None, item) for item in new_left)
    pairs.extend(Pair("dropped", item, None) for item in old_left.values())
    order = {name: i for i, name in enumerate(GROUPS)}
    pairs.sort(key=lambda p: (order[p.group], p.subject.position))
    counts = Counter(p.group for p in pairs)
    return Comparison(
        old_plan=old_plan,
        new_plan=new_plan,
        pairs=pairs,
        counts={g: counts[g] for g in GROUPS},
        by_unit=_breakdown(pairs, lambda p: p.unit_names),
        by_leader=_breakdown(pairs, lambda p: p.leader_names),
    )


def annual_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(kind=PlanKind.ANNUAL).order_by("year_start", "pk")


def five_year_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(kind=PlanKind.FIVE_YEAR).order_by("year_start", "pk")


# -- suggestions --------------------------------------------------------------


def match_documents(*, plan: Plan) -> list[Doc[int]]:
    """The plan's tasks as the matcher sees them (three queries): text, headings
    (an annual item's category and project; a five-year task's category and headline),
    lead units, and the names the learned priors use (number, category, project, leaders)."""
    tasks = (
        Task.objects.filter(plan=plan)
        .select_related("category", "project")
        .prefetch_related(
            # Filtered: on these tasks (they stay here) `unit_links` holds the lead units only.
            Prefetch(
                "unit_links",
                queryset=TaskUnit.objects.filter(role=UnitRole.LEAD).select_related("unit").order_by("position"),
            ),
            Prefetch("leader_links", queryset=TaskLeader.objects.select_related("leader").order_by("position")),
        )
        .order_by("position")
    )
    docs = []
    for task in tasks:
        project = task.project.name if task.project else ""
        if plan.kind == PlanKind.FIVE_YEAR:
            heading = f"{task.category.name} {task.title}"
        else:
            heading = " ".join(filter(None, [task.category.name, project]))
        docs.append(
            Doc(
                key=task.pk,
                text=task.text,
                heading=heading,
                units=tuple(link.unit.name for link in task.unit_links.all()),
                number=task.number,
                category=task.category.name,
                project=project,
                leaders=tuple(link.leader.name for link in task.leader_links.all()),
            )
        )
    return docs


ABSTAINED = "none"  # the suggestions page's filter for items the matcher abstained on


@dataclass
class Suggestion:
    """An annual item on the suggestions page: its links to five-year tasks (best first) and
    the matcher's abstention, if any."""

    pk: int
    number: str
    text: str
    links: list[TaskLink]
    abstention: LinkAbstention | None


def suggestions_for_review(*, annual_plan: Plan, state: str | None = None) -> list[Suggestion]:
    """The plan's items with their links and abstention; items with neither (in the chosen
    state) are left out. `state`: a LinkState value, ABSTAINED, or None for everything."""
    links = TaskLink.objects.select_related("five_year_task", "decided_by").order_by("rank", "-score")
    if state and state != ABSTAINED:
        links = links.filter(state=state)
    # Filtered: on these tasks (which stay here) `five_year_links` holds the links in `state`.
    items = (
        Task.objects.filter(plan=annual_plan)
        .prefetch_related(Prefetch("five_year_links", queryset=links), "link_abstentions")
        .order_by("position")
    )
    keep_abstention = state in (None, ABSTAINED, LinkState.SUGGESTED)
    shown = []
    for item in items:
        abstentions = list(item.link_abstentions.all())
        suggestion = Suggestion(
            pk=item.pk,
            number=item.number,
            text=item.text,
            links=[] if state == ABSTAINED else list(item.five_year_links.all()),
            abstention=abstentions[0] if abstentions and keep_abstention else None,
        )
        if suggestion.links or suggestion.abstention:
            shown.append(suggestion)
    return shown


def abstentions_count(*, annual_plan: Plan) -> int:
    """How many items of the plan the matcher found no five-year task for."""
    return LinkAbstention.objects.filter(annual_task__plan=annual_plan).count()


# -- five-year task chain and gaps ------------------------------------------


@dataclass
class ChainItem:
    link: TaskLink
    task: Task
    latest: ProgressReport | None


@dataclass
class ChainYear:
    plan: Plan
    items: list[ChainItem] = field(default_factory=list)


def five_year_task_chain(*, task: Task) -> list[ChainYear]:
    """The annual items linked to `task` (confirmed first, then pending suggestions), by year."""
    links = (
        TaskLink.objects.filter(five_year_task=task)
        .exclude(state=LinkState.REJECTED)
        .select_related("annual_task__plan")
        .prefetch_related(
            # Newest first: the first is the item's latest report.
            Prefetch(
                "annual_task__reports",
                queryset=ProgressReport.objects.select_related("unit").order_by("-period", "-updated_at"),
            )
        )
        .order_by("annual_task__plan__year_start", "-state", "annual_task__position")
    )
    years: dict[int, ChainYear] = {}
    for link in links:
        annual = link.annual_task
        chain_year = years.setdefault(annual.plan_id, ChainYear(plan=annual.plan))
        reports = list(annual.reports.all())
        latest = reports[0] if reports else None
        chain_year.items.append(ChainItem(link=link, task=annual, latest=latest))
    return list(years.values())


@dataclass(frozen=True)
class Gap:
    """A five-year task no item of the year carries, and how many suggestions from that year
    await a decision."""

    pk: int
    number: str
    title: str
    category: Category
    pending: int


def gaps(*, five_year_plan: Plan, year: int) -> list[Gap]:
    """Five-year tasks no item of the `year` annual plan carries (no confirmed link)."""
    this_year = Q(
        annual_links__annual_task__plan__kind=PlanKind.ANNUAL, annual_links__annual_task__plan__year_start=year
    )
    tasks = (
        Task.objects.filter(plan=five_year_plan)
        .annotate(
            carried=Count("annual_links", filter=this_year & Q(annual_links__state=LinkState.CONFIRMED)),
            pending=Count("annual_links", filter=this_year & Q(annual_links__state=LinkState.SUGGESTED)),
        )
        .filter(carried=0)
        .select_related("category")
        .order_by("position")
    )
    return [_gap(task) for task in tasks]


def _gap(task: Any) -> Gap:
    """A Gap from a task of `gaps` (no query). `task` carries the `pending` annotation, which the
    type checker does not see on the rows of TaskQuerySet; here it becomes a typed field."""
    return Gap(pk=task.pk, number=task.number, title=task.title, category=task.category, pending=task.pending)


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
