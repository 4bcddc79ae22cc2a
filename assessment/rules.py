"""Rule sets: the shipped default, and which version applies to a plan's run.

The default figures and where each comes from (the README's table is generated from this list,
`default_rules_markdown`, and tested against it)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import LineKind, RuleSet, RuleVersion
from .scoring import Figures


@dataclass(frozen=True)
class DefaultFigure:
    field: str
    value: Decimal | None
    source: str


# The published local scheme the defaults follow (quoted in the README): each unit starts at 100,
# loses 10 points per missing half-year, Q3 or year-end report and 5–10 for a report without
# substance, and gains points when a leader praises its work.
PUBLISHED = "公开的地方督查考评办法"
OURS = "本系统取值"

DEFAULT_FIGURES: tuple[DefaultFigure, ...] = (
    DefaultFigure("base", Decimal(100), PUBLISHED + "（基础分100分）"),
    DefaultFigure("missing_report", Decimal(10), PUBLISHED + "（缺报一次扣10分）"),
    DefaultFigure("late_report", Decimal(2), OURS),
    DefaultFigure("returned_report", Decimal(5), PUBLISHED + "（内容空泛扣5–10分；退回视同空泛，取下限）"),
    DefaultFigure("overdue_task", Decimal(5), OURS),
    DefaultFigure("unfinished_task", Decimal(10), OURS + "（与缺报同档）"),
    DefaultFigure("mostly_done_task", Decimal(3), OURS),
    DefaultFigure("early_bonus", Decimal(2), OURS),
    DefaultFigure("praise_bonus", Decimal(5), PUBLISHED + "定有表扬加分；分值为本系统取值"),
    DefaultFigure("lead_weight", Decimal("1.00"), OURS + "（牵头全额）"),
    DefaultFigure("support_weight", Decimal("0.50"), OURS + "（配合减半）"),
    DefaultFigure("missing_cap", Decimal(30), OURS),
    DefaultFigure("late_cap", Decimal(10), OURS),
    DefaultFigure("returned_cap", Decimal(20), OURS),
    DefaultFigure("overdue_cap", Decimal(20), OURS),
    DefaultFigure("yearend_cap", Decimal(30), OURS),
    DefaultFigure("early_cap", Decimal(10), OURS),
    DefaultFigure("praise_cap", Decimal(10), OURS),
)
DEFAULT_NAME = "默认考评细则"
FIGURE_FIELDS = tuple(f.field for f in DEFAULT_FIGURES)


def figures_of(version: RuleVersion) -> Figures:
    return Figures(
        base=version.base,
        points={
            LineKind.MISSING: version.missing_report,
            LineKind.LATE: version.late_report,
            LineKind.RETURNED: version.returned_report,
            LineKind.OVERDUE: version.overdue_task,
            LineKind.UNFINISHED: version.unfinished_task,
            LineKind.MOSTLY_DONE: version.mostly_done_task,
            LineKind.EARLY: version.early_bonus,
            LineKind.PRAISE: version.praise_bonus,
        },
        caps={
            "missing": version.missing_cap,
            "late": version.late_cap,
            "returned": version.returned_cap,
            "overdue": version.overdue_cap,
            "yearend": version.yearend_cap,
            "early": version.early_cap,
            "praise": version.praise_cap,
        },
        lead_weight=version.lead_weight,
        support_weight=version.support_weight,
    )


def default_rule_set() -> RuleSet:
    """The default rule set, with its first version from DEFAULT_FIGURES (made on first use)."""
    rule_set, _ = RuleSet.objects.get_or_create(plan=None, year=None, defaults={"name": DEFAULT_NAME})
    if not rule_set.versions.exists():
        RuleVersion.objects.create(
            rule_set=rule_set, number=1, note="系统默认", **{f.field: f.value for f in DEFAULT_FIGURES}
        )
    return rule_set


def rule_set_for(*, plan_id: int, year: int) -> RuleSet:
    """The plan's own rule set, else the year's, else the default."""
    found = RuleSet.objects.filter(plan_id=plan_id).first() or RuleSet.objects.filter(year=year).first()
    return found or default_rule_set()


def rule_version_latest(*, rule_set: RuleSet) -> RuleVersion:
    version = rule_set.versions.order_by("-number").first()
    if version is None:  # a set made without figures takes the default's
        default = default_rule_set().versions.order_by("-number").first()
        assert default is not None
        version = RuleVersion.objects.create(
            rule_set=rule_set, number=1, note="沿用默认", **{f: getattr(default, f) for f in FIGURE_FIELDS}
        )
    return version


def default_rules_markdown() -> str:
    """The README's table of the default figures with their sources."""
    labels = {f.name: str(f.verbose_name) for f in RuleVersion._meta.get_fields() if hasattr(f, "verbose_name")}
    rows = ["| 项目 | 默认值 | 来源 |", "|---|---|---|"]
    for figure in DEFAULT_FIGURES:
        value = "不封顶" if figure.value is None else f"{figure.value.normalize():f}"
        rows.append(f"| {labels[figure.field]} | {value} | {figure.source} |")
    return "\n".join(rows)
