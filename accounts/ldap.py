"""LDAP sign-in (optional, django-auth-ldap): the directory checks the password; the account is
local. A new directory user gets a local account with no role, no unit and no usable password,
and waits for the security admin, as with OIDC and CAS."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django_auth_ldap.backend import LDAPBackend as _LDAPBackend

from .sso import _account_created


class LDAPBackend(_LDAPBackend):
    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[User, bool]:
        user, built = super().get_or_build_user(username, ldap_user)
        ldap_user._minhang_built = built
        return user, built

    def authenticate_ldap_user(self, ldap_user: Any, password: str) -> User | None:
        # The new account and its audit record commit together.
        with transaction.atomic():
            user = super().authenticate_ldap_user(ldap_user, password)
            if user is not None and getattr(ldap_user, "_minhang_built", False):
                _account_created(user, "ldap")
        return user
