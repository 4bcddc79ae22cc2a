from django.urls import path

from . import sso, views

app_name = "security"

urlpatterns = [
    path("start/", views.home, name="home"),
    path("accounts/", views.accounts_page, name="accounts"),
    path("accounts/<id:user_id>/", views.account_page, name="account"),
    path("accounts/<id:user_id>/role/", views.account_role, name="account_role"),
    path("accounts/<id:user_id>/units/", views.account_units, name="account_units"),
    path("accounts/<id:user_id>/leader/", views.account_leader, name="account_leader"),
    path("accounts/<id:user_id>/active/", views.account_active, name="account_active"),
    path("accounts/<id:user_id>/reset/", views.account_reset, name="account_reset"),
    path("audit/", views.audit_page, name="audit"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("sessions/", views.sessions_page, name="sessions"),
    path("sessions/end/", views.session_end, name="session_end"),
    path("sso/oidc/login/", sso.oidc_login, name="oidc_login"),
    path("sso/oidc/callback/", sso.oidc_callback, name="oidc_callback"),
    path("sso/cas/login/", sso.cas_login, name="cas_login"),
    path("sso/cas/logout/", sso.cas_logout, name="cas_logout"),
    path("two-factor/", views.otp_page, name="otp"),
    path("session-expired/", views.session_expired, name="session_expired"),
]
