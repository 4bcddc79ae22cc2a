"""Password rules (等保 2.0 身份鉴别), as Django password validators: they run wherever Django
validates a password (password change, the accounts page), and `password_changed` keeps the
history that "not one of the last N" needs."""

from __future__ import annotations

import re
import string

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

# 符号: ASCII punctuation and symbols, their full-width forms and the Chinese punctuation marks
# (、。《》「」【】…). Not a space, and not a letter of any other script (汉字 are letters): "abcd 1234"
# and "密码密码密码密码1a" have two classes, not three.
_SYMBOLS = (
    re.escape(string.punctuation)
    + "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"  # ！＂＃…／ ：…＠ ［…｀ ｛…･
    + "\u3001-\u3003\u3008-\u3011\u3014-\u301f"  # 、。〃 〈〉《》「」『』【】 〔〕…
    + "\u2010-\u2027\u00b7\uffe5\u00a5"  # ‐–—‘’“”…  ·  ￥ ¥
)
_CLASSES = (
    ("小写字母", re.compile(r"[a-z]")),
    ("大写字母", re.compile(r"[A-Z]")),
    ("数字", re.compile(r"[0-9]")),
    ("符号", re.compile(f"[{_SYMBOLS}]")),
)
SYMBOLS_NOTE = "符号指 ! @ # $ % & * 等标点符号（全角标点也算），空格和汉字不算符号。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in Chinese (Django's zh_Hans catalogue lacks the
    5.x wording and shows it in English)."""

    def get_error_message(self) -> str:
        return f"密码长度太短。密码必须包含至少 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码必须包含至少 {self.min_length} 个字符。"


class CharacterClassesValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: User | None = None) -> None:
        found = sum(1 for _name, pattern in _CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。",
                code="password_too_few_classes",
            )

    def get_help_text(self) -> str:
        return f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。{SYMBOLS_NOTE}"


class UsernameNotContainedValidator:
    """The password does not contain the username (ignoring case)."""

    def validate(self, password: str, user: User | None = None) -> None:
        username = (user.get_username() if user is not None else "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "密码不能包含用户名。"


class PasswordHistoryValidator:
    """Not one of the user's last `count` passwords (the current one included)."""

    def __init__(self, count: int = 5) -> None:
        self.count = count

    def _recent_hashes(self, user: User | None) -> list[str]:
        from .models import PasswordHistory

        if user is None or user.pk is None:
            return []
        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)
        return hashes[: self.count]

    def validate(self, password: str, user: User | None = None) -> None:
        for encoded in self._recent_hashes(user):
            if check_password(password, encoded):
                raise ValidationError(f"新密码不能与最近 {self.count} 次使用过的密码相同。", code="password_reused")

    def password_changed(self, password: str, user: User | None = None) -> None:
        """Called by Django after a new password is saved: keep its hash, note the time."""
        from .models import PasswordHistory, PasswordState

        if user is None or user.pk is None:
            return
        now = timezone.now()
        PasswordHistory.objects.create(user=user, password=user.password, created=now)
        keep = list(PasswordHistory.objects.filter(user=user).values_list("id", flat=True)[: self.count])
        PasswordHistory.objects.filter(user=user).exclude(id__in=keep).delete()
        # A new password clears "must change"; the security admin's reset sets it again afterwards.
        PasswordState.objects.update_or_create(user=user, defaults={"changed_at": now, "must_change": False})

    def get_help_text(self) -> str:
        return f"新密码不能与最近 {self.count} 次使用过的密码相同。"
