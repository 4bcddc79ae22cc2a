"""Two-factor sign-in with TOTP (django-otp): required for the three administrators, and for
everyone when TWO_FACTOR_ALL is on. Whether the current session still owes a code is decided at
login and kept in the session, so ordinary requests cost no query."""

from __future__ import annotations

import math
from base64 import b32encode

import django_otp
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tasks.permissions import require_user, user_role

from .audit import Action, audit_record
from .models import Outcome

OTP_PENDING = "_security_otp_pending"


def two_factor_required(user: User | AnonymousUser) -> bool:
    if settings.DEMO_MODE:
        from .demo import DEMO_USERNAMES

        # The quick start's demo accounts sign in with their printed passwords (documented).
        if user.get_username() in DEMO_USERNAMES:
            return False
    if settings.TWO_FACTOR_ALL:
        return True
    role = user_role(user)
    return role is not None and role.value in settings.TWO_FACTOR_ROLES


def confirmed_device(user: User | AnonymousUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user: User) -> TOTPDevice:
    """The device being enrolled (a new secret until the user confirms it with a code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    return device


def device_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it by hand (base32, in groups of four)."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_wait_seconds(user: User | AnonymousUser) -> int:
    """Seconds until the user's device takes another code: django-otp doubles the wait after each
    wrong code (1, 2, 4 … seconds) and, until then, refuses even the right one. 0: no wait."""
    device = confirmed_device(user) or TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def totp_refusal(*, waited: int, wait_now: int) -> str:
    """What the second sign-in step says after a refused code: `waited` is the wait that was still
    running when the code was sent (the code was not even checked), `wait_now` the wait after it."""
    if waited > 0:
        return f"验证码输入错误次数较多，请在 {wait_now or waited} 秒后再输入（等待期间输入的验证码不会被校验）。"
    if wait_now > 1:
        return f"动态验证码不正确或已过期，请在 {wait_now} 秒后重新输入。"
    return "动态验证码不正确或已过期，请重新输入。"


@transaction.atomic
def totp_check(*, request: HttpRequest, token: str) -> bool:
    """Check a code from the user's confirmed device, or confirm the device being enrolled.
    On success the session is verified; each attempt is recorded in the audit log."""
    user = require_user(request.user, request.user.is_authenticated)
    device = confirmed_device(user)
    enrolling = device is None
    if device is None:
        device = pending_device(user)
    assert device is not None  # pending_device creates one when there is none
    ok = device.verify_token(token.strip())
    if ok:
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        django_otp.login(request, device)
        request.session.pop(OTP_PENDING, None)
    audit_record(
        action=Action.OTP_ENROL if enrolling else Action.OTP_VERIFY,
        user=user,
        request=request,
        object_repr=user.get_username(),
        outcome=Outcome.SUCCESS if ok else Outcome.FAILURE,
    )
    return ok
