"""The security administrator's writes (accounts, roles, units) and the password change.
Each is atomic, permission-checked, and recorded in the audit log in the same transaction."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Collection

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from tasks.models import Leader, Role, Unit, UserProfile
from tasks.permissions import ADMIN_ROLES, can_manage_accounts, require_user, user_role
from tasks.services import roles_ensure

from .audit import Action, audit_record
from .models import ROLE_CONFLICT_MESSAGE, PasswordState, UserSession


def _require_security_admin(actor: User | AnonymousUser) -> User:
    return require_user(actor, can_manage_accounts(actor), "只有安全管理员可以管理账号、角色和单位。")


# 三员分立: the 审计管理员 checks the other two administrators, so the 安全管理员 may neither make
# one (and sign in as it) nor reset, disable or re-role one. Auditor accounts are issued on the
# server by whoever installs the system (admin_account_issue, `manage.py admin_account`).
AUDITOR_OUT_OF_REACH = (
    "审计管理员账号由部署人员在服务器上用命令创建或重置（manage.py admin_account），"
    "安全管理员不能创建、修改、停用或重置，以免安全审计被代管。"
)


def _auditor_out_of_reach(*, role: Role | None = None, user: User | None = None) -> None:
    if role == Role.AUDITOR or (user is not None and user_role(user) == Role.AUDITOR):
        raise ValidationError(AUDITOR_OUT_OF_REACH)


def issued_password() -> str:
    """A random password that satisfies the policy (all four character classes)."""
    alphabet = string.ascii_letters + string.digits + "!@#%*-_"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(14))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(c in "!@#%*-_" for c in candidate)
        ):
            return candidate


def _issue_password(user: User, password: str) -> None:
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    PasswordState.objects.update_or_create(
        user=user, defaults={"must_change": True, "changed_at": user_changed_at(user)}
    )


def user_changed_at(user: User) -> dt.datetime:
    state = PasswordState.objects.filter(user=user).first()
    return state.changed_at if state else user.date_joined


def sessions_end(*, user: User, keep_key: str | None = None) -> int:
    """End the user's sessions (all but `keep_key`) by deleting them from the session store."""
    others = UserSession.objects.filter(user=user).exclude(session_key=keep_key or "")
    keys = list(others.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def _role_set(user: User, role: Role | None) -> None:
    if role is not None and role.value not in Role.values:
        raise ValidationError("未知的角色。")
    if role in (Role.SECURITY, Role.AUDITOR) and user.is_superuser:
        raise ValidationError(ROLE_CONFLICT_MESSAGE)
    groups = roles_ensure()
    role_names = set(Role.values)
    # One role per account: the three administrators can never be combined.
    user.groups.remove(*[groups[name] for name in role_names])
    if role is not None:
        user.groups.add(groups[role.value])
    # The 系统管理员 works in the Django admin (as staff, through its group's permissions, never a
    # superuser); no other role does.
    staff = role == Role.ADMIN
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    setattr(user, "_role_cache", False)  # noqa: B010  (user_role's per-request memo)


LIAISON_UNITS_MESSAGE = "单位联络员须至少关联一个单位。"


@transaction.atomic
def account_create(
    *,
    actor: User | AnonymousUser,
    username: str,
    full_name: str = "",
    role: Role | None,
    unit_ids: Collection[int] = (),
    request: HttpRequest | None = None,
) -> tuple[User, str]:
    """Create an account with an issued password (changed at the first login). Returns the
    account and the password, shown once to the security admin."""
    actor = _require_security_admin(actor)
    username = username.strip()
    if not username:
        raise ValidationError({"username": "请填写用户名。"})
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已存在。"})
    _auditor_out_of_reach(role=role)
    if role == Role.LIAISON and not Unit.objects.filter(pk__in=unit_ids).exists():
        # A liaison reports for their units: without one, the account could do nothing at all.
        raise ValidationError({"units": LIAISON_UNITS_MESSAGE})
    user = user_model(username=username, first_name=full_name.strip()[:150])
    user.set_unusable_password()
    user.save()
    password = issued_password()
    _issue_password(user, password)
    _role_set(user, role)
    profile, _ = UserProfile.objects.get_or_create(user=user)
    units = list(Unit.objects.filter(pk__in=unit_ids))
    profile.units.set(units)
    audit_record(
        action=Action.ACCOUNT_CREATE,
        user=actor,
        request=request,
        object_repr=username,
        detail={"role": role.value if role else "", "units": [u.name for u in units]},
    )
    return user, password


@transaction.atomic
def account_active_set(
    *, actor: User | AnonymousUser, user: User, active: bool, request: HttpRequest | None = None
) -> None:
    """Disable (or enable again) an account; disabling ends its sessions."""
    actor = _require_security_admin(actor)
    if user.pk == actor.pk:
        raise ValidationError("不能停用自己的账号。")
    _auditor_out_of_reach(user=user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    ended = 0 if active else sessions_end(user=user)
    audit_record(
        action=Action.ACCOUNT_ENABLE if active else Action.ACCOUNT_DISABLE,
        user=actor,
        request=request,
        object_repr=user.get_username(),
        detail={"sessions_ended": ended},
    )


@transaction.atomic
def account_password_reset(*, actor: User | AnonymousUser, user: User, request: HttpRequest | None = None) -> str:
    """Issue a new password (changed at the next login) and end the account's sessions."""
    actor = _require_security_admin(actor)
    if user.pk == actor.pk:
        raise ValidationError("不能在此重置自己的密码，请使用“修改密码”。")
    _auditor_out_of_reach(user=user)
    password = issued_password()
    _issue_password(user, password)
    sessions_end(user=user)
    audit_record(action=Action.PASSWORD_RESET, user=actor, request=request, object_repr=user.get_username())
    return password


@transaction.atomic
def account_role_assign(
    *, actor: User | AnonymousUser, user: User, role: Role | None, request: HttpRequest | None = None
) -> None:
    """Give the account exactly this role (or none). A new administrator role ends the account's
    sessions: a session signed in without the second factor that role asks for must not carry it."""
    actor = _require_security_admin(actor)
    if user.pk == actor.pk:
        raise ValidationError("不能更改自己的角色。")
    _auditor_out_of_reach(role=role, user=user)
    before = user_role(user)
    _role_set(user, role)
    # Only an administrator role asks for more at sign-in (the second factor); other roles take
    # effect on the next request of the session the user has.
    ended = sessions_end(user=user) if before != role and role in ADMIN_ROLES else 0
    audit_record(
        action=Action.ROLE_ASSIGN,
        user=actor,
        request=request,
        object_repr=user.get_username(),
        detail={"before": before.value if before else "", "after": role.value if role else "", "sessions_ended": ended},
    )


@transaction.atomic
def account_leader_assign(
    *, actor: User | AnonymousUser, user: User, leader: Leader | None, request: HttpRequest | None = None
) -> None:
    """Which 区领导 the account is (a leader's account reads and instructs as that leader)."""
    actor = _require_security_admin(actor)
    profile, _ = UserProfile.objects.get_or_create(user=user)
    before = profile.leader.name if profile.leader else ""
    profile.leader = leader
    profile.save(update_fields=["leader"])
    audit_record(
        action=Action.LEADER_ASSIGN,
        user=actor,
        request=request,
        object_repr=user.get_username(),
        detail={"before": before, "after": leader.name if leader else ""},
    )


@transaction.atomic
def admin_account_issue(*, username: str, role: Role, full_name: str = "") -> tuple[User, str, bool]:
    """An administrator account issued on the server (`manage.py admin_account`): created, or an
    existing one given this role and a new issued password (changed at its first sign-in; the
    second factor as for every administrator). Returns (user, password, created). The only way to
    the first 安全管理员 of an install, and to any 审计管理员 (AUDITOR_OUT_OF_REACH)."""
    if role not in ADMIN_ROLES:
        raise ValidationError("只能用此命令签发系统管理员、安全管理员或审计管理员账号。")
    username = username.strip()
    if not username:
        raise ValidationError("请填写用户名。")
    user_model = get_user_model()
    user = user_model.objects.filter(username__iexact=username).first()
    created = user is None
    if user is None:
        user = user_model(username=username)
        user.set_unusable_password()
    if full_name.strip():
        user.first_name = full_name.strip()[:150]
    user.is_superuser = False
    user.is_active = True
    user.save()
    password = issued_password()
    _issue_password(user, password)
    _role_set(user, role)
    sessions_end(user=user)
    audit_record(
        action=Action.ACCOUNT_CREATE if created else Action.PASSWORD_RESET,
        object_repr=user.get_username(),
        detail={"role": role.value, "via": "服务器命令 manage.py admin_account"},
    )
    return user, password, created


@transaction.atomic
def account_units_assign(
    *, actor: User | AnonymousUser, user: User, unit_ids: Collection[int], request: HttpRequest | None = None
) -> None:
    actor = _require_security_admin(actor)
    profile, _ = UserProfile.objects.get_or_create(user=user)
    before = sorted(profile.units.values_list("name", flat=True))
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    if len(units) != len(set(unit_ids)):
        raise ValidationError("所选单位不存在。")
    profile.units.set(units)
    setattr(user, "_unit_ids_cache", None)  # noqa: B010  (user_unit_ids' memo)
    audit_record(
        action=Action.UNITS_ASSIGN,
        user=actor,
        request=request,
        object_repr=user.get_username(),
        detail={"before": before, "after": [u.name for u in units]},
    )


@transaction.atomic
def password_change_record(*, user: User, request: HttpRequest | None = None) -> None:
    """The user changed their own password (the form saved it in this transaction)."""
    audit_record(action=Action.PASSWORD_CHANGE, user=user, request=request, object_repr=user.get_username())


def admin_role_conflict(user: User) -> bool:
    names = set(user.groups.values_list("name", flat=True))
    return len(names & {r.value for r in ADMIN_ROLES}) > 1


@transaction.atomic
def session_end_own(*, user: User, session_id: int, request: HttpRequest | None = None) -> bool:
    """A user ends one of their own sessions (never someone else's, never the current one)."""
    session = UserSession.objects.filter(user=user, pk=session_id).first()
    if session is None:
        raise ValidationError("该会话不存在或已结束。")
    if request is not None and session.session_key == request.session.session_key:
        raise ValidationError("当前会话请点击“退出”结束。")
    Session.objects.filter(session_key=session.session_key).delete()
    session.delete()
    audit_record(
        action=Action.SESSION_END,
        user=user,
        request=request,
        object_repr=f"{session.ip_address} {session.started:%Y-%m-%d %H:%M}",
    )
    return True
