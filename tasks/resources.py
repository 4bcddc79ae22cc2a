"""django-import-export resources: the admin's xlsx/csv exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from import_export import fields, resources

from .exports import local_time_text, spreadsheet_safe
from .models import Leader, Task, Unit


def readable(value: object) -> object:
    """A value as a reader of the file sees it: local times, 是/否, nothing for None, and
    text a spreadsheet will not run (the library's own switch only strips a leading "=")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return local_time_text(value)
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, int | float | Decimal):
        return value
    return spreadsheet_safe(str(value))


class ReadableResource(resources.ModelResource):
    """Every admin export's base: each cell goes through readable(), whichever way it was
    produced (attribute or dehydrate_ method), before the format (xlsx, csv) sees it.

    The widget step is skipped on purpose: the default widget writes a datetime in UTC
    with its offset, a boolean as True/1 and a choice as its key."""

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> object:
        dehydrate = field.get_dehydrate_method(self.get_field_name(field))
        method = dehydrate if callable(dehydrate) else getattr(self, dehydrate, None)
        return readable(method(instance) if method is not None else field.get_value(instance))

    def get_export_headers(self, selected_fields: Any = None) -> list[str]:
        headers: list[Any] = super().get_export_headers(selected_fields)
        return [str(spreadsheet_safe(str(name))) for name in headers]


class TaskResource(ReadableResource):
    plan = fields.Field(attribute="plan__title", column_name="规划")
    category = fields.Field(attribute="category__name", column_name="类别")
    project = fields.Field(attribute="project__name", column_name="项目")
    number = fields.Field(attribute="number", column_name="序号")
    text = fields.Field(attribute="text", column_name="任务")
    leaders = fields.Field(column_name="牵头领导")
    units = fields.Field(column_name="牵头单位")
    city_level = fields.Field(attribute="city_level", column_name="市级任务")
    due_date = fields.Field(attribute="due_date", column_name="截止日期")
    state = fields.Field(attribute="get_state_display", column_name="状态")
    updated_at = fields.Field(attribute="updated_at", column_name="更新时间")

    class Meta:
        model = Task
        fields = [
            "plan",
            "category",
            "project",
            "number",
            "text",
            "leaders",
            "units",
            "city_level",
            "due_date",
            "state",
            "updated_at",
        ]
        export_order = fields

    def get_queryset(self):
        return self.filter_export(Task.objects.order_by("plan", "position"))

    def filter_export(self, queryset, **kwargs):
        # The admin hands over its changelist queryset: without these, two queries per task.
        return queryset.select_related("plan", "category", "project").prefetch_related(
            "leader_links__leader", "unit_links__unit"
        )

    def dehydrate_leaders(self, task: Task) -> str:
        return "、".join(link.leader.name for link in task.leader_links.all())

    def dehydrate_units(self, task: Task) -> str:
        return "、".join(link.unit.name for link in task.unit_links.all())


class UnitResource(ReadableResource):
    name = fields.Field(attribute="name", column_name="规范名称")
    kind = fields.Field(attribute="get_kind_display", column_name="类型")
    aliases = fields.Field(column_name="别名")

    class Meta:
        model = Unit
        fields = ["name", "kind", "aliases"]
        export_order = fields

    def get_queryset(self):
        return self.filter_export(Unit.objects.all())

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("aliases")

    def dehydrate_aliases(self, unit: Unit) -> str:
        return "、".join(alias.name for alias in unit.aliases.all())


class LeaderResource(ReadableResource):
    name = fields.Field(attribute="name", column_name="姓名")
    title = fields.Field(attribute="title", column_name="职务")

    class Meta:
        model = Leader
        fields = ["name", "title"]
        export_order = fields
