"""考评 forms: what the pages post, parsed; the rules themselves are checked in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from tasks.widgets import Textarea

from .models import ReportCap, RuleVersion
from .rules import FIGURE_FIELDS


class RuleVersionForm(forms.ModelForm):
    """The figures of a new version, pre-filled with the version in force."""

    class Meta:
        model = RuleVersion
        fields = [*FIGURE_FIELDS, "note"]
        widgets = {"note": Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].required = True
        self.fields["note"].error_messages["required"] = "请填写修改说明。"
        for name in FIGURE_FIELDS:
            field = self.fields[name]
            field.widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0"})
            if name.endswith("_cap"):
                field.help_text = "留空表示不封顶。"
            else:
                field.error_messages["required"] = f"请填写{field.label}。"


class AdjustmentForm(forms.Form):
    points = forms.DecimalField(
        label="调整分值（加分为正，扣分为负）",
        max_digits=6,
        decimal_places=2,
        min_value=Decimal(-100),
        max_value=Decimal(100),
    )
    reason = forms.CharField(label="调整理由", max_length=300, widget=Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "人工调整须填写理由。"
        self.fields["points"].error_messages.update({"required": "请填写调整分值。", "invalid": "调整分值须为数字。"})


class ComputeForm(forms.Form):
    plan = forms.TypedChoiceField(label="规划", coerce=int, choices=())
    period = forms.ChoiceField(label="考评周期", choices=())

    def __init__(self, *args: Any, plans: list[tuple[int, str]], periods: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        period_field = self.fields["period"]
        assert isinstance(plan_field, forms.ChoiceField) and isinstance(period_field, forms.ChoiceField)
        plan_field.choices = plans
        period_field.choices = periods
        plan_field.error_messages["invalid_choice"] = "请选择规划。"
        period_field.error_messages["invalid_choice"] = "请选择已结束的考评周期。"


class CapForm(forms.Form):
    per_year = forms.TypedChoiceField(label="报送频次上限", coerce=int, choices=ReportCap.choices)
