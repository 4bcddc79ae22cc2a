from django.urls import path

from . import views

app_name = "yearend"

urlpatterns = [
    path("plans/<id:plan_id>/yearend/", views.plan_yearend, name="plan"),
    path("plans/<id:plan_id>/yearend/close/", views.plan_close, name="close"),
    path("plans/<id:plan_id>/yearend/reopen/", views.plan_reopen, name="reopen"),
    path("yearend/tasks/<id:task_id>/propose/", views.outcome_propose, name="propose"),
    path("yearend/tasks/<id:task_id>/confirm/", views.outcome_confirm, name="confirm"),
    path("yearend/tasks/<id:task_id>/continuation/", views.continuation_link, name="continuation"),
]
