"""Reads for plan chains: year-over-year comparison, a five-year task's chain
of annual items, gaps, indicator status and chart geometry. Each page's reads
are a fixed number of queries (prefetch), whatever the plan size."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from tasks.models import Plan, PlanKind, ProgressReport, ReviewState, Task, TaskLeader, TaskUnit, UnitRole

from .matching import Doc
from .models import Direction, Indicator, IndicatorActual, LinkAbstention, LinkState, TaskLink
from .similarity import TfidfModel, cosine, normalise
from .targets import extract_targets

# A reworded item keeps most of its wording; distinct items of one topic stay well below.
REWORDED_MIN_SCORE = 0.5
GROUPS = ("verbatim", "reworded", "new", "dropped")
GROUP_LABELS = {"verbatim": "原文延续", "reworded": "改写延续", "new": "新增", "dropped": "未再列入"}


def _tasks_with_people(plan: Plan) -> QuerySet[Task]:
    return (
        Task.objects.filter(plan=plan)
        .select_related("plan")
        .prefetch_related(
            Prefetch(
                "unit_links",
                queryset=TaskUnit.objects.filter(role=UnitRole.LEAD).select_related("unit").order_by("position"),
                to_attr="lead_links",
            ),
            Prefetch("leader_links", queryset=TaskLeader.objects.select_related("leader").order_by("position")),
        )
        .order_by("position")
    )


# -- year over year ---------------------------------------------------------


@dataclass
class Pair:
    group: str
    old: Task | None
    new: Task | None
    score: float | None = None

    @property
    def group_label(self) -> str:
        return GROUP_LABELS[self.group]

    @property
    def subject(self) -> Task:
        """The item whose units and leaders the pair counts under: the new one, or the dropped one."""
        return self.new if self.new is not None else self.old  # type: ignore[return-value]

    @property
    def unit_names(self) -> list[str]:
        return [link.unit.name for link in self.subject.lead_links]

    @property
    def leader_names(self) -> list[str]:
        return [link.leader.name for link in self.subject.leader_links.all()]


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


def _breakdown(pairs: list[Pair], names_of) -> list[tuple[str, dict[str, int]]]:
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
    old_items = list(_tasks_with_people(old_plan))
    new_items = list(_tasks_with_people(new_plan))
    pairs: list[Pair] = []
    by_text: dict[str, list[Task]] = defaultdict(list)
    for item in old_items:
        by_text[normalise(item.text)].append(item)
    old_left = {item.pk: item for item in old_items}
    new_left: list[Task] = []
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
        scored = []
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


def match_documents(*, plan: Plan) -> list[Doc]:
    """The plan's tasks as the matcher sees them (two queries): text, headings
    (an annual item's category and project; a five-year task's category and headline)
    and lead units."""
    tasks = (
        Task.objects.filter(plan=plan)
        .select_related("category", "project")
        .prefetch_related(
            Prefetch(
                "unit_links",
                queryset=TaskUnit.objects.filter(role=UnitRole.LEAD).select_related("unit").order_by("position"),
                to_attr="lead_links",
            )
        )
        .order_by("position")
    )
    docs = []
    for task in tasks:
        if plan.kind == PlanKind.FIVE_YEAR:
            heading = f"{task.category.name} {task.title}"
        else:
            heading = " ".join(filter(None, [task.category.name, task.project.name if task.project else ""]))
        units = tuple(link.unit.name for link in task.lead_links)
        docs.append(Doc(key=task.pk, text=task.text, heading=heading, units=units))
    return docs


ABSTAINED = "none"  # the suggestions page's filter for items the matcher abstained on


def suggestions_for_review(*, annual_plan: Plan, state: str | None = None) -> list[Task]:
    """The plan's items with their links (best first) as `.links` and the matcher's
    abstention, if any, as `.abstention`; items with neither (in the chosen state) are
    left out. `state`: a LinkState value, ABSTAINED, or None for everything."""
    links = TaskLink.objects.select_related("five_year_task", "decided_by").order_by("rank", "-score")
    if state and state != ABSTAINED:
        links = links.filter(state=state)
    items = (
        Task.objects.filter(plan=annual_plan)
        .prefetch_related(
            Prefetch("five_year_links", queryset=links, to_attr="links"),
            Prefetch("link_abstentions", to_attr="abstentions"),
        )
        .order_by("position")
    )
    keep_abstention = state in (None, ABSTAINED, LinkState.SUGGESTED)
    shown = []
    for item in items:
        item.abstention = item.abstentions[0] if item.abstentions and keep_abstention else None
        if state == ABSTAINED:
            item.links = []
        if item.links or item.abstention:
            shown.append(item)
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
            Prefetch(
                "annual_task__reports",
                queryset=ProgressReport.objects.select_related("unit").order_by("-period", "-updated_at"),
                to_attr="recent_reports",
            )
        )
        .order_by("annual_task__plan__year_start", "-state", "annual_task__position")
    )
    years: dict[int, ChainYear] = {}
    for link in links:
        annual = link.annual_task
        chain_year = years.setdefault(annual.plan_id, ChainYear(plan=annual.plan))
        latest = annual.recent_reports[0] if annual.recent_reports else None
        chain_year.items.append(ChainItem(link=link, task=annual, latest=latest))
    return list(years.values())


def gaps(*, five_year_plan: Plan, year: int) -> list[Task]:
    """Five-year tasks no item of the `year` annual plan carries (no confirmed link),
    with `.pending` = how many suggestions from that year await a decision."""
    this_year = Q(
        annual_links__annual_task__plan__kind=PlanKind.ANNUAL, annual_links__annual_task__plan__year_start=year
    )
    return list(
        Task.objects.filter(plan=five_year_plan)
        .annotate(
            carried=Count("annual_links", filter=this_year & Q(annual_links__state=LinkState.CONFIRMED)),
            pending=Count("annual_links", filter=this_year & Q(annual_links__state=LinkState.SUGGESTED)),
        )
        .filter(carried=0)
        .select_related("category")
        .order_by("position")
    )


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
    indicator: Indicator, reports: list[ProgressReport], parsed: dict[int, list] | None = None
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


def _with_reports(
    indicator: Indicator,
    recorded: list[IndicatorActual],
    reports: list[ProgressReport],
    parsed: dict[int, list] | None = None,
) -> None:
    """`.reported` and `.status`: from the recorded actuals, else from what the reports state."""
    indicator.reported = reported_values(indicator, reports, parsed)
    actuals = recorded
    indicator.status_from_reports = False
    if not recorded and indicator.reported:
        latest_per_year: dict[int, ReportedValue] = {}
        for value in indicator.reported:  # newest first: keep each year's newest
            latest_per_year.setdefault(value.year, value)
        actuals = [
            IndicatorActual(indicator=indicator, year=y, value=v.value) for y, v in sorted(latest_per_year.items())
        ]
        indicator.status_from_reports = True
    indicator.status_actuals = actuals
    indicator.status = indicator_status(indicator, actuals)


def indicators_list(*, plan: Plan | None = None, task: Task | None = None) -> list[Indicator]:
    """Indicators with `.actual_list`, `.reported` (values in approved reports) and `.status`, in task order."""
    qs = Indicator.objects.select_related("task__plan").prefetch_related(
        Prefetch("actuals", queryset=IndicatorActual.objects.order_by("year"), to_attr="actual_list"),
        Prefetch("task__reports", queryset=approved_reports(), to_attr="approved_reports"),
    )
    if plan is not None:
        qs = qs.filter(task__plan=plan)
    if task is not None:
        qs = qs.filter(task=task)
    rows = list(qs.order_by("task__plan__year_start", "task__position", "pk"))
    parsed: dict[int, list] = {}
    for indicator in rows:
        _with_reports(indicator, indicator.actual_list, indicator.task.approved_reports, parsed)
    return rows


def indicator_detail(indicator: Indicator) -> tuple[list[IndicatorActual], Status]:
    """The recorded actuals (recorder joined); sets `.reported` and `.status` as indicators_list does."""
    actuals = list(indicator.actuals.select_related("recorded_by").order_by("year"))
    _with_reports(indicator, actuals, list(approved_reports().filter(task_id=indicator.task_id)))
    return actuals, indicator.status


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
