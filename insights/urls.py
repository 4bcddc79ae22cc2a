from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("compare.xlsx", views.compare_xlsx, name="compare_xlsx"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/refresh/", views.suggestions_refresh, name="suggestions_refresh"),
    path("links/<id:link_id>/decide/", views.link_decide, name="link_decide"),
    path("five-year-tasks/<id:task_id>/", views.chain, name="chain"),
    path("gaps/", views.gaps, name="gaps"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/extract/", views.indicators_extract, name="indicators_extract"),
    path("indicators/<id:indicator_id>/", views.indicator_detail, name="indicator"),
]
