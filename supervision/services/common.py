"""What the 督办 writes share: the text check (length, blank, control characters) and the
liaisons a unit's messages go to."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

TEXT_MAX = 2000


def unit_liaisons(*, unit_ids: list[int]) -> QuerySet[User]:
    """The active accounts that report for these units."""
    return User.objects.filter(profile__units__in=unit_ids, is_active=True).distinct()


def _text(value: str, *, label: str, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"请填写{label}。")
    if len(value) > TEXT_MAX:
        raise ValidationError(f"{label}不能超过{TEXT_MAX}字。")
    if "\x00" in value:
        raise ValidationError(f"{label}含有无效字符。")
    return value
