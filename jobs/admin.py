"""Jobs and messages are read on their own pages, each by its owner (站内消息 are personal), so
neither is in the admin. django-q2's own admin pages (queue, schedules, results) are left out
too: the 系统管理员 role is granted the admin of this project's apps only (三员分立); the queue is
inspected with `manage.py jobs_schedule`, django-q2's `qinfo` and the worker's log."""

from django.contrib import admin
from django_q import models as queue

for _model in (queue.Schedule, queue.Success, queue.Failure, queue.OrmQ):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
