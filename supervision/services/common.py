"""What the 督办 writes share: the text check (length, blank, control characters). Who a unit's
messages go to is notifications.services.unit_liaisons."""

from __future__ import annotations

from django.core.exceptions import ValidationError

TEXT_MAX = 2000


def _text(value: str, *, label: str, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"请填写{label}。")
    if len(value) > TEXT_MAX:
        raise ValidationError(f"{label}不能超过{TEXT_MAX}字。")
    if "\x00" in value:
        raise ValidationError(f"{label}含有无效字符。")
    return value
