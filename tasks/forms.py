"""Forms for recording and reviewing progress (Chinese labels and messages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from . import services
from .models import ProgressStatus

# What an <input type="date"> shows and submits, whatever the active locale's formats say.
ISO_DATE = "%Y-%m-%d"


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
    attachment = forms.FileField(
        label="附件（可选）",
        required=False,
        error_messages={"empty": "附件是空文件。", "invalid": "附件无效，请重新选择文件。"},
    )
    # The version the user opened; None for a new report (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read per form, not at import: the limits are settings.
        allowed = services.attachment_extensions()
        field = self.fields["attachment"]
        field.widget.attrs["accept"] = ",".join(f".{e}" for e in allowed)
        field.help_text = (
            f"不超过 {services.file_size_text(settings.ATTACHMENT_MAX_BYTES)}；支持的类型：{'、'.join(allowed)}。"
        )

    def clean_attachment(self) -> UploadedFile | None:
        # Refused here, before anything is written: a bad file never saves or submits the report.
        upload = self.cleaned_data.get("attachment")
        if upload:
            services.attachment_check(name=upload.name, size=upload.size)
        return upload


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(choices=[("approve", "通过"), ("return", "退回")])


class ReopenForm(forms.Form):
    """The office takes back an approval (撤回审核) and sends the report back to the unit."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label="撤回理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "撤回审核时请填写理由。", "max_length": "理由不能超过 2000 字。"},
    )


class DueDateForm(forms.Form):
    """A blank date is refused unless 清除截止日期 is ticked: an empty box must never erase a date."""

    due_date = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        error_messages={"invalid": "请输入有效的日期（例如 2025-12-31）。"},
    )
    clear = forms.BooleanField(label="清除截止日期", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("clear"):
            # Ticking the box is the explicit choice; the date still shown beside it is ignored.
            data["due_date"] = None
        elif data.get("due_date") is None and "due_date" not in self.errors:
            self.add_error("due_date", "请选择截止日期。如需清除截止日期，请勾选“清除截止日期”。")
        return data
