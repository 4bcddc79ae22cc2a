"""Reads for plan chains: year-over-year comparison, a five-year task's chain
of annual items, gaps, indicator status and chart geometry. Each page's reads
are a fixed number of queries (prefetch), whatever the plan size. One module per subject:

    comparison   — 年度对比: two annual plans' items matched by text; the plan lists
    suggestions  — the matcher's documents, the suggestions page's items and abstentions
    chains       — a five-year task's annual items by year; the gaps of a year
    indicators   — indicator status, values reported, rows and chart geometry

The names below are re-exported so callers can write `selectors.gaps(...)` or
`from insights.selectors import year_over_year_compare`.
"""

from .chains import ChainItem, ChainYear, Gap, five_year_task_chain, gaps
from .comparison import (
    GROUP_LABELS,
    GROUPS,
    REWORDED_MIN_SCORE,
    ComparedItem,
    Comparison,
    Pair,
    annual_plans,
    five_year_plans,
    year_over_year_compare,
)
from .indicators import (
    Chart,
    IndicatorRow,
    ReportedValue,
    Status,
    approved_reports,
    expected_value,
    indicator_chart,
    indicator_detail,
    indicator_status,
    indicators_list,
    path_start,
    reported_values,
)
from .suggestions import ABSTAINED, Suggestion, abstentions_count, match_documents, suggestions_for_review

__all__ = [
    "ABSTAINED",
    "GROUPS",
    "GROUP_LABELS",
    "REWORDED_MIN_SCORE",
    "ChainItem",
    "ChainYear",
    "Chart",
    "ComparedItem",
    "Comparison",
    "Gap",
    "IndicatorRow",
    "Pair",
    "ReportedValue",
    "Status",
    "Suggestion",
    "abstentions_count",
    "annual_plans",
    "approved_reports",
    "expected_value",
    "five_year_plans",
    "five_year_task_chain",
    "gaps",
    "indicator_chart",
    "indicator_detail",
    "indicator_status",
    "indicators_list",
    "match_documents",
    "path_start",
    "reported_values",
    "suggestions_for_review",
    "year_over_year_compare",
]
