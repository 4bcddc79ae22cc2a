from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.history, name="history"),
    path("upload/", views.upload, name="upload"),
    path("pending/<uuid:token>/", views.preview, name="preview"),
    path("<id:pk>/", views.record_detail, name="record"),
    path("<id:pk>/download/", views.download, name="download"),
    path("<id:pk>/undo/", views.undo, name="undo"),
]
