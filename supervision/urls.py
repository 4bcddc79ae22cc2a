from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("todo/", views.todo, name="todo"),
    path("supervision/tasks/<id:task_id>/", views.task_panel, name="task_panel"),
    path("supervision/tasks/<id:task_id>/chase/", views.task_chase, name="task_chase"),
    path("supervision/units/<id:unit_id>/chase/", views.unit_chase, name="unit_chase"),
    path(
        "supervision/units/<id:unit_id>/plans/<id:plan_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
    path("supervision/chases/<id:chase_id>/reply/", views.chase_reply, name="chase_reply"),
    path("supervision/tasks/<id:task_id>/instruction/", views.instruction_create, name="instruction_create"),
    path("supervision/tasks/<id:task_id>/extension/", views.extension_request, name="extension_request"),
    path("supervision/extensions/<id:extension_id>/decide/", views.extension_decide, name="extension_decide"),
    path(
        "supervision/instructions/<id:instruction_id>/units/<id:unit_id>/reply/",
        views.instruction_reply,
        name="instruction_reply",
    ),
]
