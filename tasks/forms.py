"""Forms for recording and reviewing progress (Chinese labels and messages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from minhang_plans.params import ascii_int
from supervision.services import ANSWER_FIELD

from . import services
from .models import ProgressStatus
from .selectors.reports import FormInstruction
from .widgets import PlainHiddenInput, PlainNumberInput, PlainSelect, PlainTextarea

# What an <input type="date"> shows and submits, whatever the active locale's formats say.
ISO_DATE = "%Y-%m-%d"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple> (Django's documented pattern): the
    cleaned value is a list, empty when none was chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    status = forms.ChoiceField(label="进展状态", choices=ProgressStatus.choices, widget=PlainSelect)
    percent = forms.IntegerField(
        label="完成百分比",
        widget=PlainNumberInput,
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
        label="进展情况", required=False, max_length=5000, widget=PlainTextarea(attrs={"rows": 5})
    )
    problems = forms.CharField(
        label="存在问题", required=False, max_length=5000, widget=PlainTextarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label="下步计划", required=False, max_length=5000, widget=PlainTextarea(attrs={"rows": 3})
    )
    attachment = MultipleFileField(
        label="附件（可选，可多选）",
        required=False,
        error_messages={"empty": "附件是空文件。", "invalid": "附件无效，请重新选择文件。"},
    )
    # 阶段目标 met this period (choices: the task's milestones, set per form).
    milestones_met = forms.TypedMultipleChoiceField(
        label="本期完成的阶段目标", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    # The version the user opened; None for a new report (optimistic locking).
    version = forms.IntegerField(widget=PlainHiddenInput, required=False, min_value=0)

    def __init__(
        self,
        *args: Any,
        instructions: Sequence[FormInstruction] = (),
        evidence_required: bool = False,
        reason_hint: str = "",
        milestones: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        """`instructions`: the 批示 this report answers (a 落实情况 box each, after the texts);
        `evidence_required`: the plan asks for 佐证材料; `reason_hint`: why 存在问题 is required
        whatever the status (the task is past due)."""
        super().__init__(*args, **kwargs)
        # Read per form, not at import: the limits are settings.
        allowed = services.attachment_extensions()
        field = self.fields["attachment"]
        field.widget.attrs["accept"] = ",".join(f".{e}" for e in allowed)
        size = services.file_size_text(settings.ATTACHMENT_MAX_BYTES)
        kinds = "、".join(allowed)
        field.help_text = (
            f"可一次选择多个文件（最多{services.ATTACHMENTS_PER_SAVE}个），每个不超过 {size}；支持的类型：{kinds}。"
        )
        if evidence_required:
            field.label = "佐证材料（必传，可多选）"
            field.help_text = "本规划要求提交进展时至少附一份佐证材料（已上传的附件计入）。" + field.help_text
        self.fields["problems"].help_text = reason_hint or "状态为“滞后”或任务已过截止日期时必填，请说明原因。"
        milestones_field = self.fields["milestones_met"]
        if milestones:
            milestones_field.choices = list(milestones)  # type: ignore[attr-defined]  # a ChoiceField
        else:
            del self.fields["milestones_met"]  # a task without 阶段目标 asks nothing
        self.instructions = list(instructions)
        for instruction in self.instructions:
            marked = "（督查室代录）" if instruction.on_behalf else ""
            self.fields[ANSWER_FIELD.format(pk=instruction.pk)] = forms.CharField(
                label=f"落实情况：{instruction.leader_name}批示{marked}",
                required=False,
                max_length=2000,
                initial=instruction.answer,
                widget=PlainTextarea(attrs={"rows": 3, "data-instruction": instruction.pk}),
                help_text=f"批示：{instruction.text}",
                error_messages={"max_length": "落实情况不能超过2000字。"},
            )

    def clean_attachment(self) -> list[UploadedFile]:
        # Refused here, before anything is written: a bad file never saves or submits the report.
        uploads: list[UploadedFile] = self.cleaned_data.get("attachment") or []
        if len(uploads) > services.ATTACHMENTS_PER_SAVE:
            raise forms.ValidationError(services.ATTACHMENTS_TOO_MANY_MESSAGE)
        for upload in uploads:
            services.attachment_check(name=upload.name, size=upload.size, stream=upload)
        return uploads

    def instruction_answers(self) -> dict[int, str]:
        """The 落实情况 typed, by instruction id (blank ones included: the service skips them)."""
        return {i.pk: self.cleaned_data.get(ANSWER_FIELD.format(pk=i.pk)) or "" for i in self.instructions}

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[ANSWER_FIELD.format(pk=i.pk)] for i in self.instructions]

    def report_fields(self) -> list[forms.BoundField]:
        answers = {ANSWER_FIELD.format(pk=i.pk) for i in self.instructions}
        return [f for f in self.visible_fields() if f.name not in answers and f.name != "milestones_met"]


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=PlainHiddenInput, min_value=1)
    comment = forms.CharField(
        label="审核意见", required=False, max_length=2000, widget=PlainTextarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(choices=[("approve", "通过"), ("return", "退回")])


class BatchReviewForm(forms.Form):
    """批量通过 / 批量退回 on the review queue: the ticked reports (`report`), each with the version
    the page showed (`version-<id>`), and one comment for all."""

    report = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), error_messages={"required": "请先勾选要审核的报告。"}
    )
    comment = forms.CharField(label="审核意见（批量退回时必填）", required=False, max_length=2000)
    decision = forms.ChoiceField(choices=[("approve", "批量通过"), ("return", "批量退回")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any report id is accepted here; the service refuses what it cannot review.
        ids = self.data.getlist("report") if hasattr(self.data, "getlist") else []
        field = self.fields["report"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(i, i) for i in ids]

    def versions(self) -> dict[int, int]:
        """The ticked reports and the versions the page showed; an id without a number is version 0
        (refused by the service as changed)."""
        result: dict[int, int] = {}
        for pk in self.cleaned_data["report"]:
            raw = self.data.get(f"version-{pk}", "")
            result[pk] = ascii_int(raw) or 0
        return result


class ReopenForm(forms.Form):
    """The office takes back an approval (撤回审核) and sends the report back to the unit."""

    version = forms.IntegerField(widget=PlainHiddenInput, min_value=1)
    reason = forms.CharField(
        label="撤回理由",
        max_length=2000,
        widget=PlainTextarea(attrs={"rows": 2}),
        error_messages={"required": "撤回审核时请填写理由。", "max_length": "理由不能超过 2000 字。"},
    )


class MilestoneForm(forms.Form):
    due_date = forms.DateField(
        label="完成日期",
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        error_messages={"invalid": "请输入有效的日期（例如 2025-06-30）。", "required": "请填写完成日期。"},
    )
    target = forms.CharField(
        label="阶段目标",
        max_length=300,
        error_messages={"required": "请填写阶段目标。", "max_length": "阶段目标不能超过 300 字。"},
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
