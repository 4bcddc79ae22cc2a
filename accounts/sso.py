"""Single sign-on (统一身份认证), configured only from the environment: OIDC through
mozilla-django-oidc, CAS through django-cas-ng. A sign-on maps to a local account by username;
a new account gets no role and no unit (the security admin assigns them) and no usable password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django_cas_ng.backends import CASBackend as _CASBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .audit import Action, audit_record

# Shown when the identity provider refuses or a ticket/code does not verify (CAS: the locale catalogue).
SIGN_ON_FAILED = "统一身份认证登录失败，请重新登录；如仍失败，请联系系统管理员。"


def _account_created(user: User, provider: str) -> None:
    audit_record(
        action=Action.SSO_ACCOUNT_CREATE,
        username=user.get_username(),
        object_repr=user.get_username(),
        detail={"provider": provider},
    )


class OIDCBackend(OIDCAuthenticationBackend):
    """Matches the identity provider's username claim (OIDC_USERNAME_CLAIM) to a local username."""

    def _claim_username(self, claims: dict[str, Any]) -> str:
        return str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip()[:150]

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(self._claim_username(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return get_user_model().objects.filter(username=self._claim_username(claims))

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> User:
        user = get_user_model()(
            username=self._claim_username(claims),
            email=str(claims.get("email") or "")[:254],
            first_name=str(claims.get("name") or "")[:150],
        )
        user.set_unusable_password()
        user.save()
        _account_created(user, "oidc")
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user


class CASBackend(_CASBackend):
    def configure_user(self, user: User) -> User:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _account_created(user, "cas")
        return user


def _enabled_or_404(enabled: bool) -> None:
    if not enabled:
        raise Http404("未启用该统一身份认证方式。")


def oidc_login(request: HttpRequest) -> HttpResponse:
    from mozilla_django_oidc.views import OIDCAuthenticationRequestView

    _enabled_or_404(settings.OIDC_ENABLED)
    return OIDCAuthenticationRequestView.as_view()(request)


def oidc_callback(request: HttpRequest) -> HttpResponse:
    from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

    class CallbackView(OIDCAuthenticationCallbackView):
        def login_failure(self) -> HttpResponse:
            # mozilla-django-oidc only redirects to the login page, which would then say nothing.
            messages.error(self.request, SIGN_ON_FAILED)
            return super().login_failure()

    _enabled_or_404(settings.OIDC_ENABLED)
    return CallbackView.as_view()(request)


def cas_login(request: HttpRequest) -> HttpResponseBase:
    from django_cas_ng.views import LoginView

    _enabled_or_404(settings.CAS_ENABLED)
    return LoginView.as_view()(request)


def cas_logout(request: HttpRequest) -> HttpResponseBase:
    from django_cas_ng.views import LogoutView

    _enabled_or_404(settings.CAS_ENABLED)
    return LogoutView.as_view()(request)
