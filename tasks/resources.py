"""django-import-export resources: the admin's xlsx/csv exports."""

from __future__ import annotations

from import_export import fields, resources

from .models import Leader, Task, Unit


class TaskResource(resources.ModelResource):
    plan = fields.Field(attribute="plan__title", column_name="规划")
    category = fields.Field(attribute="category__name", column_name="类别")
    project = fields.Field(attribute="project__name", column_name="项目")
    number = fields.Field(attribute="number", column_name="序号")
    text = fields.Field(attribute="text", column_name="任务")
    leaders = fields.Field(column_name="牵头领导")
    units = fields.Field(column_name="牵头单位")
    city_level = fields.Field(attribute="city_level", column_name="市级任务")
    state = fields.Field(attribute="get_state_display", column_name="状态")

    class Meta:
        model = Task
        fields = ["plan", "category", "project", "number", "text", "leaders", "units", "city_level", "state"]
        export_order = fields

    def get_queryset(self):  # type: ignore[override]
        return (
            Task.objects.select_related("plan", "category", "project")
            .prefetch_related("leader_links__leader", "unit_links__unit")
            .order_by("plan", "position")
        )

    def dehydrate_leaders(self, task: Task) -> str:
        return "、".join(link.leader.name for link in task.leader_links.all())

    def dehydrate_units(self, task: Task) -> str:
        return "、".join(link.unit.name for link in task.unit_links.all())


class UnitResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="规范名称")
    kind = fields.Field(attribute="get_kind_display", column_name="类型")
    aliases = fields.Field(column_name="别名")

    class Meta:
        model = Unit
        fields = ["name", "kind", "aliases"]
        export_order = fields

    def get_queryset(self):  # type: ignore[override]
        return Unit.objects.prefetch_related("aliases")

    def dehydrate_aliases(self, unit: Unit) -> str:
        return "、".join(alias.name for alias in unit.aliases.all())


class LeaderResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="姓名")
    title = fields.Field(attribute="title", column_name="职务")

    class Meta:
        model = Leader
        fields = ["name", "title"]
        export_order = fields
