from django.urls import path, re_path

from . import views

app_name = "documents"

urlpatterns = [
    path("bulletins/", views.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", views.bulletin_page, name="bulletin"),
    path("bulletins/new/draft.docx", views.bulletin_draft, {"fmt": "docx"}, name="bulletin_draft"),
    path("bulletins/new/draft.pdf", views.bulletin_draft, {"fmt": "pdf"}, name="bulletin_draft_pdf"),
    path("bulletins/issue/", views.bulletin_issue, name="bulletin_issue"),
    re_path(
        r"^bulletins/(?P<issue_id>[1-9][0-9]{0,17})\.(?P<fmt>docx|pdf)$", views.bulletin_download, name="bulletin_file"
    ),
    path("templates/", views.template_page, name="templates"),
    path("templates/default.docx", views.template_download, name="template_default"),
    path("templates/<id:template_id>/file/", views.template_download, name="template_file"),
    path("templates/activate/", views.template_activate, name="template_activate"),
    path("slips/task/<id:task_id>/", views.slip_for_task, name="slip_task"),
    path("slips/unit/<id:unit_id>/", views.slip_for_unit, name="slip_unit"),
    re_path(r"^slips/(?P<slip_id>[1-9][0-9]{0,17})\.(?P<fmt>docx|pdf)$", views.slip_download, name="slip_file"),
]
