from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from tasks.models import PlanKind

if TYPE_CHECKING:
    from .columns import Column

ACCEPTED_EXTENSIONS = ("docx", "xlsx", "csv", "txt", "tsv", "pdf", "xls", "doc")
_MAX_MB = settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="任务分解表文件",
        error_messages={"empty": "文件为空。", "required": "请选择要上传的文件。", "missing": "请选择要上传的文件。"},
        help_text=(
            "Word（.docx/.doc）、Excel（.xlsx/.xls）、带文字的 PDF、CSV 或文本文件（表格或编号段落）；"
            f"不超过 {_MAX_MB} MB。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.xlsx,.csv,.txt,.tsv,.pdf,.xls,.doc"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # The field refuses a file without a name or content, so both are there.
        size, name = upload.size or 0, upload.name or ""
        if size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件大小 {size // 1024} KB 超过上限 {settings.IMPORT_MAX_UPLOAD_BYTES // 1024} KB。"
            )
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension and extension not in ACCEPTED_EXTENSIONS:
            raise forms.ValidationError(
                f"不支持的文件类型“.{extension}”。请上传 .docx、.doc、.xlsx、.xls、.pdf、.csv 或 .txt 文件。"
            )
        return upload


class PlanMetaForm(forms.Form):
    """What the heading said about the plan, correctable before confirming."""

    title = forms.CharField(label="标题", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=PlanKind.choices)
    year_start = forms.IntegerField(label="起始年份", min_value=2000, max_value=2100)
    year_end = forms.IntegerField(label="截止年份", min_value=2000, max_value=2100)
    doc_number = forms.CharField(label="文号", max_length=100, required=False)
    doc_date = forms.DateField(label="印发日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # Whose aliases apply: another district's document never gets this district's short names.
    district = forms.CharField(
        label="所属区",
        max_length=50,
        required=False,
        help_text=(
            f"留空时按标题、发文机关或文号识别，识别不出即本区（{settings.DISTRICT_NAME}）；"
            "填写其他区名时只使用该区的单位、领导和单位别名。"
        ),
    )
    # Which plan the file updates; the choices are the plans of the same kind and years (PlanMetaForm(plans=…)).
    plan_choice = forms.ChoiceField(
        label="导入到",
        required=False,
        help_text="默认按所属区和标题识别：标题相同（不计“修订”“调整”等字样）的同年份规划才会更新，否则新建。",
    )

    AUTO = ""
    NEW = "new"

    def __init__(self, *args: Any, plans: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan_choice"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(self.AUTO, "自动识别"), (self.NEW, "新建规划")] + [
            (value, f"更新已有规划：{label}") for value, label in plans or []
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("year_start"), data.get("year_end")
        if start and end and end < start:
            self.add_error("year_end", "截止年份不能早于起始年份。")
        if data.get("kind") == PlanKind.ANNUAL and start and end and start != end:
            self.add_error("year_end", "年度重点工作的起止年份应相同。")
        return data


class MappingForm(forms.Form):
    """For each new unit or leader: create it, or take it as an existing one."""

    CREATE = ""

    def __init__(
        self,
        *args: Any,
        units: dict[str, list[str]],
        leaders: dict[str, list[str]],
        initial_units: dict[str, str],
        initial_leaders: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.unit_fields: list[tuple[str, str]] = []
        self.leader_fields: list[tuple[str, str]] = []
        for index, (name, suggestions) in enumerate(units.items()):
            key = f"unit_{index}"
            choices = [(self.CREATE, "新建该单位")] + [(s, f"即“{s}”（记为别名）") for s in suggestions]
            self.fields[key] = forms.ChoiceField(
                label=name, choices=choices, required=False, initial=initial_units.get(name, self.CREATE)
            )
            self.unit_fields.append((key, name))
        for index, (name, suggestions) in enumerate(leaders.items()):
            key = f"leader_{index}"
            choices = [(self.CREATE, "新建该领导")] + [(s, f"即“{s}”") for s in suggestions]
            self.fields[key] = forms.ChoiceField(
                label=name, choices=choices, required=False, initial=initial_leaders.get(name, self.CREATE)
            )
            self.leader_fields.append((key, name))

    def mappings(self) -> tuple[dict[str, str], dict[str, str]]:
        units = {name: self.cleaned_data[key] for key, name in self.unit_fields if self.cleaned_data.get(key)}
        leaders = {name: self.cleaned_data[key] for key, name in self.leader_fields if self.cleaned_data.get(key)}
        return units, leaders


class ColumnRolesForm(forms.Form):
    """Every column of the document with the role it is read as; any can be
    changed, including to 不导入. Field names follow the column's position."""

    def __init__(self, *args: Any, columns: list[Column], **kwargs: Any) -> None:
        from .columns import ROLE_CHOICES

        super().__init__(*args, **kwargs)
        self.columns = columns
        for column in columns:
            # Not required: a form posted without a column keeps that column's role.
            self.fields[f"col_{column.index}"] = forms.ChoiceField(
                label=column.header, choices=ROLE_CHOICES, initial=column.role, required=False
            )

    def roles(self) -> dict[str, str]:
        """{header: role} for every column, as the pipeline takes it; a repeated header's later
        columns as "备注#2" … (names.occurrence_keys), so each keeps the role chosen for it."""
        from .columns.names import occurrence_keys

        keys = occurrence_keys([column.header for column in self.columns])
        return {key: self._role(column) for key, column in zip(keys, self.columns, strict=True)}

    def _role(self, column: Column) -> str:
        return self.cleaned_data.get(f"col_{column.index}") or column.role

    def changed(self) -> bool:
        return any(self._role(column) != column.role for column in self.columns)

    def rows(self) -> list[tuple]:
        return [(self[f"col_{column.index}"], column) for column in self.columns]
