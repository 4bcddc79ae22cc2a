"""考评 drawn on the server: the cockpit's score chart, with the trends' one column geometry."""

from __future__ import annotations

from typing import Any

from django import template

from trends.templatetags.trends_ui import columns_geometry

from ..selectors import LeaderScores

register = template.Library()

SCORE_COLOUR = "#6b3fa0"  # at least 3:1 against white (WCAG 1.4.11), apart from the lights' colours


@register.inclusion_tag("assessment/partials/score_chart.html")
def score_chart(scores: LeaderScores, prefix: str) -> dict[str, Any]:
    values = [None if p.average is None else round(p.average) for p in scores.points]
    top = 120 if any(v is not None and v > 100 for v in values) else 100
    chart = columns_geometry(
        values=values,
        shorts=[p.short for p in scores.points],
        top=top,
        chart_id=f"{prefix}-score",
        title="所属单位考评平均得分",
        unit="分",
        colour=SCORE_COLOUR,
    )
    return {"scores": scores, "chart": chart, "prefix": prefix}
