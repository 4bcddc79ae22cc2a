"""assessment.rules: the default figures are what the README's table says, and a plan finds its
rule set (its own, else its year's, else the default)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assessment.models import RuleSet
from assessment.rules import (
    DEFAULT_FIGURES,
    default_rule_set,
    default_rules_markdown,
    rule_set_for,
    rule_version_latest,
)

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_shows_the_default_figures_and_their_sources():
    assert default_rules_markdown() in README.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_plan_uses_its_own_set_else_its_years_else_the_default(seed_plans):
    from tasks.models import Plan

    plan = Plan.objects.get(kind="annual")
    default = default_rule_set()
    assert rule_set_for(plan_id=plan.pk, year=2025) == default
    version = rule_version_latest(rule_set=default)
    assert {f.field: getattr(version, f.field) for f in DEFAULT_FIGURES} == {f.field: f.value for f in DEFAULT_FIGURES}
    year = RuleSet.objects.create(name="2025年度考评细则", year=2025)
    assert rule_set_for(plan_id=plan.pk, year=2025) == year
    assert rule_version_latest(rule_set=year).base == Decimal(100)  # a set without figures starts from the default's
    own = RuleSet.objects.create(name="本规划", plan=plan)
    assert rule_set_for(plan_id=plan.pk, year=2025) == own
