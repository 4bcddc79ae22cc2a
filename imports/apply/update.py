"""The batched task update: one statement for all rows (PostgreSQL), one prepared UPDATE per row elsewhere."""

from __future__ import annotations

import json

from django.db import connections, router
from django.db.models import Field, JSONField

from tasks.models import Task

_TASK_FIELDS = [
    "category",
    "project",
    "position",
    "text",
    "title",
    "city_level",
    "note",
    "deadline_text",
    "source_row",
    "state",
    "extras",
    "updated_at",
]


def _tasks_update(tasks: list[Task], names: list[str]) -> None:
    """Write `names` of each task in one statement (PostgreSQL: arrays unnested
    into a join, as Django's own bulk insert does), elsewhere one prepared
    UPDATE run for every row.

    Django's bulk_update builds a CASE expression per field per row; moving the
    10,000 tasks of a plan down one position took over a minute that way."""
    if not tasks:
        return
    db = connections[router.db_for_write(Task)]
    columns = [_column(name) for name in names]
    pk = Task._meta.pk
    quote = db.ops.quote_name
    # JSON travels as text and is cast in SQL: an array of jsonb parameters is not portable across drivers.
    is_json = [isinstance(column, JSONField) for column in columns]
    values = [
        [
            json.dumps(getattr(task, column.attname), ensure_ascii=False)
            if json_column
            else column.get_db_prep_save(getattr(task, column.attname), db)
            for column, json_column in zip(columns, is_json, strict=True)
        ]
        for task in tasks
    ]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            unnest = ", ".join(
                f"unnest(%s::{'text' if index < len(columns) and is_json[index] else field.db_type(db)}[]) AS c{index}"
                for index, field in enumerate([*columns, pk])
            )
            assignments = ", ".join(
                f"{quote(column.column)} = v.c{index}{'::jsonb' if is_json[index] else ''}"
                for index, column in enumerate(columns)
            )
            cursor.execute(
                f"UPDATE {quote(Task._meta.db_table)} AS t SET {assignments} FROM (SELECT {unnest}) AS v "
                f"WHERE t.{quote(pk.column)} = v.c{len(columns)}",
                [list(column_values) for column_values in zip(*values, strict=True)] + [[task.pk for task in tasks]],
            )
        else:
            assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
            cursor.executemany(
                f"UPDATE {quote(Task._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s",
                [[*row, task.pk] for row, task in zip(values, tasks, strict=True)],
            )


def _column(name: str) -> Field:
    """The model field behind a column of the tasks table (never a relation's reverse side)."""
    field = Task._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise ValueError(f"Task.{name} is not a column")
    return field
