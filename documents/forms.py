"""Forms of the documents pages (Chinese labels and messages)."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

from tasks.forms import ISO_DATE
from tasks.widgets import Textarea

from .bulletin import TEMPLATE_MAX_BYTES


class ReplyByForm(forms.Form):
    reply_by = forms.DateField(
        label="反馈期限",
        input_formats=[ISO_DATE],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        error_messages={"required": "请填写反馈期限。", "invalid": "反馈期限的日期格式应为 年-月-日。"},
    )


class SlipForm(ReplyByForm):
    requirement = forms.CharField(
        label="督办要求（可不填，用默认要求）",
        required=False,
        max_length=200,
        widget=Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "督办要求不能超过200字。"},
    )


class TemplateUploadForm(forms.Form):
    file = forms.FileField(
        label="模板文件（.docx）",
        error_messages={"required": "请选择要上传的模板文件。", "empty": "上传的文件是空的。"},
    )
    note = forms.CharField(label="说明（可不填）", required=False, max_length=200)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > TEMPLATE_MAX_BYTES:  # the field refused a file without a size
            raise forms.ValidationError(f"模板文件过大（不能超过 {TEMPLATE_MAX_BYTES // 1024 // 1024} MB）。")
        return upload
