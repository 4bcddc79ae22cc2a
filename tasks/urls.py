from django.urls import path

from documents import views as document_views

from . import views
from .views import review as review_views
from .views import task as task_views

app_name = "tasks"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("plans/<id:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<id:plan_id>/categories/<id:category_id>/", views.category_detail, name="category"),
    path("units/", views.unit_index, name="unit_index"),
    path("units/<id:unit_id>/", views.unit_detail, name="unit"),
    path("units/<id:unit_id>/print/", views.unit_print, name="unit_print"),
    path("units/name/<str:name>/", views.unit_by_name, name="unit_by_name"),
    path("leaders/", views.leader_index, name="leader_index"),
    path("leaders/<id:leader_id>/", views.leader_detail, name="leader"),
    path("tasks/", views.task_search, name="task_search"),
    path("tasks/export.xlsx", views.task_export_xlsx, name="task_export_xlsx"),
    # The 督查通报 lives in the documents app; this address stays for links people kept.
    path("plans/<id:plan_id>/bulletin.docx", document_views.plan_bulletin, name="plan_bulletin"),
    path("plans/<id:plan_id>/export.csv", views.plan_export_csv_view, name="plan_csv"),
    path("tasks/<id:task_id>/", views.task_detail, name="task"),
    path("tasks/<id:task_id>/report/<id:unit_id>/", views.report_edit, name="report_edit"),
    path("tasks/<id:task_id>/due-date/", views.task_due_date, name="task_due_date"),
    path("tasks/<id:task_id>/milestones/", task_views.task_milestone_add, name="milestone_add"),
    path("milestones/<id:milestone_id>/remove/", task_views.task_milestone_remove, name="milestone_remove"),
    path("reports/<id:report_id>/review/", views.report_review, name="report_review"),
    path("reports/<id:report_id>/reopen/", views.report_reopen, name="report_reopen"),
    path("reports/pending/", views.review_queue, name="review_queue"),
    path("reports/pending/batch/", review_views.review_batch, name="review_batch"),
    path("attachments/<id:attachment_id>/", views.attachment_download, name="attachment"),
    path("start/", views.landing, name="landing"),
]
