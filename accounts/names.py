"""How a person is named on pages and in documents: the account's 姓名 (stored in first_name by
the 账号管理 form, SSO and LDAP), else its login name. One home for the page filter and the SQL."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf


def person_name(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The person's 姓名, else the login name; "" for nobody."""
    if user is None or not user.is_authenticated:
        return ""
    return getattr(user, "first_name", "") or user.get_username()


def person_name_sql(prefix: str) -> Coalesce:
    """person_name as an expression over the user at `prefix` (e.g. "reviewed_by__"); "" for none."""
    return Coalesce(
        NullIf(F(f"{prefix}first_name"), Value("")),
        F(f"{prefix}username"),
        Value(""),
        output_field=CharField(),
    )
