"""Rule versions: a change is a new version (audited); a plan's own rule set starts from the one in force."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import Action, audit_record
from tasks.models import Plan

from ..models import (
    RuleSet,
    RuleVersion,
)
from ..rules import FIGURE_FIELDS, rule_set_for, rule_version_latest
from .common import office_writer


def rule_version_create(
    *, user: User | AnonymousUser, rule_set: RuleSet, figures: dict[str, Any], note: str
) -> RuleVersion:
    """A new version of the set's figures (the old ones stay, with the runs that used them)."""
    writer = office_writer(user)
    note = note.strip()
    if not note:
        raise ValidationError("请填写修改说明。")
    values: dict[str, Decimal | None] = {}
    labels = {f.name: str(f.verbose_name) for f in RuleVersion._meta.fields}
    for name in FIGURE_FIELDS:
        raw = figures.get(name)
        if raw in (None, ""):
            if not name.endswith("_cap"):
                raise ValidationError(f"请填写{labels[name]}。")
            values[name] = None
            continue
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise ValidationError(f"{labels[name]}须为数字。") from None
        if value < 0 or value > 1000:
            raise ValidationError(f"{labels[name]}须在0至1000之间。")
        values[name] = value
    with transaction.atomic():
        locked = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        number = (locked.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = RuleVersion.objects.create(rule_set=locked, number=number, note=note, created_by=writer, **values)
        audit_record(
            action=Action.ASSESSMENT_RULES,
            user=writer,
            object_repr=str(version),
            detail={"figures": {k: str(v) for k, v in values.items()}, "note": note},
        )
    return version


def rule_set_for_plan_create(*, user: User | AnonymousUser, plan: Plan) -> RuleSet:
    """The plan's own rule set, starting from the figures in force for it."""
    writer = office_writer(user)
    with transaction.atomic():
        existing = RuleSet.objects.filter(plan=plan).first()
        if existing is not None:
            return existing
        current = rule_version_latest(rule_set=rule_set_for(plan_id=plan.pk, year=plan.year_start))
        rule_set = RuleSet.objects.create(name=f"{plan.title}考评细则", plan=plan)
        RuleVersion.objects.create(
            rule_set=rule_set,
            number=1,
            note=f"由“{current.rule_set.name}”第{current.number}版复制",
            created_by=writer,
            **{f: getattr(current, f) for f in FIGURE_FIELDS},
        )
        audit_record(action=Action.ASSESSMENT_RULES, user=writer, object_repr=str(rule_set), detail={"plan": plan.pk})
    return rule_set
