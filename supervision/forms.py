"""Forms of 督办. Dates render as yyyy-mm-dd so <input type="date"> shows and submits them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from minhang_plans.workdays import REPLY_WORKDAYS
from tasks.widgets import Textarea

ISO_DATE = "%Y-%m-%d"
DATE_INVALID = "请输入有效的日期（例如 2025-12-31）。"


def _choices_set(form: forms.Form, name: str, choices: Sequence[tuple[int, str]]) -> None:
    """The choices of a choice field, known only when the form is made (a task's units, leaders)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = list(choices)


class ChaseForm(forms.Form):
    note = forms.CharField(
        label="催办意见（可选）", required=False, max_length=2000, widget=Textarea(attrs={"rows": 2})
    )
    reply_by = forms.DateField(
        label="答复期限（可选）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        error_messages={"invalid": DATE_INVALID},
    )
    # Checked as the page renders it; unchecked a browser sends nothing, which is False.
    slip = forms.BooleanField(label="同时生成督办单", required=False, initial=True)


# Beside the box: where the slip's reply-by date comes from.
SLIP_HELP = f"督办单的反馈期限即答复期限，未填写时为{REPLY_WORKDAYS}个工作日后（节假日不计）。"


class TaskChaseForm(ChaseForm):
    unit = forms.TypedChoiceField(label="催办单位", coerce=int, choices=())

    def __init__(self, *args: Any, units: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_set(self, "unit", units)
        self.order_fields(["unit", "note", "reply_by", "slip"])


class InstructionForm(forms.Form):
    leader = forms.TypedChoiceField(label="批示领导（代录）", coerce=int, choices=(), required=False)
    text = forms.CharField(label="批示内容", max_length=2000, widget=Textarea(attrs={"rows": 3}))
    praise = forms.BooleanField(label="表扬（考评加分）", required=False)

    def __init__(self, *args: Any, leaders: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices_set(self, "leader", leaders)
        self.fields["text"].error_messages["required"] = "请填写批示内容。"


class ReplyForm(forms.Form):
    text = forms.CharField(label="答复", max_length=2000, widget=Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, label: str = "答复", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].error_messages["required"] = f"请填写{label}。"


class ExtensionRequestForm(forms.Form):
    unit = forms.TypedChoiceField(label="申请单位", coerce=int, choices=())
    requested_date = forms.DateField(
        label="申请延至",
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        error_messages={"invalid": DATE_INVALID, "required": "请选择申请延至的日期。"},
    )
    reason = forms.CharField(
        label="申请理由",
        max_length=2000,
        widget=Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写申请理由。"},
    )

    def __init__(self, *args: Any, units: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        # Its own ids: the 催办 form beside it on the task's panel has a `unit` field too.
        kwargs.setdefault("auto_id", "id_extension_%s")
        super().__init__(*args, **kwargs)
        _choices_set(self, "unit", units)


class ExtensionDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "同意"), ("refuse", "不同意")], widget=forms.HiddenInput)
    granted_date = forms.DateField(
        label="批准延至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        error_messages={"invalid": DATE_INVALID},
    )
    reason = forms.CharField(
        label="审批意见（不同意时必填）", required=False, max_length=2000, widget=Textarea(attrs={"rows": 2})
    )
