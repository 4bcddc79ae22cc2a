"""The Django admin's user form keeps 三员分立 too: it says why two administrator roles are refused,
instead of failing when the groups are saved (accounts/guards.py refuses them there)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from .guards import ADMIN_ROLE_NAMES
from .models import ROLE_CONFLICT_MESSAGE


class RoleSeparatedUserChangeForm(UserChangeForm):
    def clean_groups(self) -> Any:
        groups = self.cleaned_data.get("groups")
        if groups is not None and len({group.name for group in groups} & ADMIN_ROLE_NAMES) > 1:
            raise ValidationError(ROLE_CONFLICT_MESSAGE)
        return groups


class RoleSeparatedUserAdmin(UserAdmin):
    form = RoleSeparatedUserChangeForm


admin.site.unregister(User)
admin.site.register(User, RoleSeparatedUserAdmin)
