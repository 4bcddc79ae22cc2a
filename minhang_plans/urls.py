from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from accounts.views import PasswordChangeView

from .converters import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Every role changes its own password here (the admin's form is for staff only).
    # (accounts.views: Django's view, recorded in the audit log; clears a forced change.)
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("security/", include("accounts.urls")),
    path("imports/", include("imports.urls")),
    path("insights/", include("insights.urls")),
    path("documents/", include("documents.urls")),
    path("jobs/", include("jobs.urls")),
    path("messages/", include("notifications.urls")),
    path("", include("supervision.urls")),
    path("", include("yearend.urls")),
    path("", include("assessment.urls")),
    path("", include("tasks.urls")),
]
