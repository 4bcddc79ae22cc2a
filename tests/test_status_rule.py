"""The light rule's one home (tasks/status/rule.py): the legend on the dashboard and the README's
table are generated from LIGHT_RULES, and a changed setting changes both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tasks.choices import Light
from tasks.status.rule import LIGHT_OTHERWISE, LIGHT_RULES, light_legend, light_legend_steps, light_rules_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_table_is_the_rule():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- light-rules:start[^>]*-->\n(.*?)\n<!-- light-rules:end -->", text, re.S)
    assert found, "README.md has no generated light-rules table"
    assert found.group(1) == light_rules_markdown()


def test_every_light_has_a_condition_and_green_is_the_default():
    assert {rule.light for rule in LIGHT_RULES} | {LIGHT_OTHERWISE} == set(Light)
    assert LIGHT_OTHERWISE == Light.GREEN
    # Overdue is checked before everything else; grey (someone has not reported) before behind-schedule yellow.
    assert LIGHT_RULES[0].light == Light.RED and "截止" in LIGHT_RULES[0].says
    order = [rule.light for rule in LIGHT_RULES]
    assert order.index(Light.GREY) < len(order) - 1 and order[-1] == Light.YELLOW


@pytest.mark.django_db
def test_the_dashboard_legend_is_generated_from_the_rule(client_as, office_user, settings):
    settings.LIGHT_DUE_SOON_DAYS = 12  # a changed setting changes the words, not only the figures
    page = client_as(office_user).get(reverse("tasks:dashboard")).content.decode()
    legend = re.search(r'<p class="muted" id="light-legend">(.*?)</p>', page, re.S)
    assert legend
    # In the order the rules are tried: grey (进展不明) before the milestone's 进度偏慢, as the rule decides.
    steps = light_legend_steps()
    shown = legend.group(1)
    positions = [shown.index(f"{step.number}. {step.label}＝{step.says}") for step in steps]
    assert positions == sorted(positions) and len(steps) == len(LIGHT_RULES) + 1
    assert shown.index("进展不明") < shown.index("有阶段目标已过完成日期仍未完成")
    assert {step.says for step in steps} == {c for row in light_legend() for c in row.conditions}
    assert "12天内到期且未完成" in legend.group(1) and "30天内" not in legend.group(1)
