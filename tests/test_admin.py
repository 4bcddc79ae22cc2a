"""The Django admin: every model registered, its list pages usable (search, filters) in Chinese."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


# Edited as inlines of the task (the order of leaders and units belongs to the task).
INLINE_ONLY = {"TaskLeader", "TaskUnit"}
# Not data anyone edits or reads: the counter the page cache is keyed by, kept by database triggers.
NOT_IN_ADMIN = {"DataVersion"}


def _models(app):
    return [
        m
        for m in apps.get_app_config(app).get_models()
        if not m.__name__.startswith("Historical") and m.__name__ not in INLINE_ONLY | NOT_IN_ADMIN
    ]


def test_every_domain_model_is_in_the_admin():
    from tasks.admin import TaskAdmin

    for app in ("tasks", "imports", "insights"):
        for model in _models(app):  # history models are shown through each model's history page
            assert admin.site.is_registered(model), model.__name__
    assert {inline.model.__name__ for inline in TaskAdmin.inlines} == INLINE_ONLY


def test_changelists_and_history_pages_render(seed_plans, client_as, admin_user):
    client = client_as(admin_user)
    for app, model in [("tasks", m.__name__.lower()) for m in _models("tasks")] + [("imports", "importrecord")]:
        response = client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "区科委"})
        assert response.status_code == 200, model
    from tasks.models import Task

    task = Task.objects.first()
    history = client.get(reverse("admin:tasks_task_history", args=[task.pk]))
    assert history.status_code == 200 and "导入" in history.content.decode()
    index = client.get(reverse("admin:index")).content.decode()
    assert "闵行区规划任务跟踪系统" in index and "牵头单位" in index
