"""Forms for recording and reviewing progress (Chinese labels and messages)."""

from __future__ import annotations

from django import forms

from .models import ProgressStatus


class ReportForm(forms.Form):
    status = forms.ChoiceField(label="进展状态", choices=ProgressStatus.choices)
    percent = forms.IntegerField(
        label="完成百分比",
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": "完成百分比应在 0 到 100 之间。",
            "max_value": "完成百分比应在 0 到 100 之间。",
            "invalid": "请输入 0 到 100 之间的整数。",
            "required": "请填写完成百分比。",
        },
    )
    progress_text = forms.CharField(
        label="进展情况", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    problems = forms.CharField(
        label="存在问题", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label="下步计划", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(label="附件（可选）", required=False)
    # The version the user opened; None for a new report (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(choices=[("approve", "通过"), ("return", "退回")])


class DueDateForm(forms.Form):
    due_date = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请输入有效的日期。"},
    )
