from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("assessment/", views.index, name="index"),
    path("assessment/compute/", views.compute, name="compute"),
    path("assessment/runs/<id:run_id>/", views.run_detail, name="run"),
    path("assessment/runs/<id:run_id>/recompute/", views.recompute, name="recompute"),
    path("assessment/runs/<id:run_id>/freeze/", views.freeze, name="freeze"),
    path("assessment/runs/<id:run_id>/publish/", views.publish, name="publish"),
    path("assessment/runs/<id:run_id>/ranking.xlsx", views.run_xlsx, name="run_xlsx"),
    path("assessment/runs/<id:run_id>/units/<id:unit_id>/", views.sheet, name="sheet"),
    path("assessment/runs/<id:run_id>/units/<id:unit_id>/adjust/", views.adjust, name="adjust"),
    path("assessment/rules/", views.rules, name="rules"),
    path("assessment/rules/<id:set_id>/", views.rule_set_edit, name="rule_set"),
    path("assessment/rules/plan/<id:plan_id>/", views.rule_set_for_plan, name="rule_set_for_plan"),
    path("assessment/burden/", views.burden, name="burden"),
    path("assessment/burden/<id:plan_id>/cap/", views.cap_set, name="cap_set"),
]
