"""Pages of the security administrator (accounts), the audit administrator (audit log) and
every user (own sessions, password change). Views parse, check permission, call, render.

    roles           — the role checks (security_admin_required, audit_admin_required)
    signin          — after sign-in: home, the second step (two-factor), an expired session
    accounts_admin  — 安全管理员: accounts, roles, units, enable or disable, password reset
    audit_log       — 审计管理员: the audit log and its export
    self_service    — every user: own sessions, password change

The views are re-exported so urls.py can write `views.accounts_page`.
"""

from .accounts_admin import (
    account_active,
    account_leader,
    account_page,
    account_reset,
    account_role,
    account_units,
    accounts_page,
)
from .audit_log import AUDIT_EXPORT_MAX_ROWS, AUDIT_PAGE_SIZE, audit_export, audit_page
from .roles import audit_admin_required, security_admin_required
from .self_service import PasswordChangeView, session_end, sessions_page
from .signin import home, otp_page, session_expired

__all__ = [
    "AUDIT_EXPORT_MAX_ROWS",
    "AUDIT_PAGE_SIZE",
    "PasswordChangeView",
    "account_active",
    "account_leader",
    "account_page",
    "account_reset",
    "account_role",
    "account_units",
    "accounts_page",
    "audit_admin_required",
    "audit_export",
    "audit_page",
    "home",
    "otp_page",
    "security_admin_required",
    "session_end",
    "session_expired",
    "sessions_page",
]
