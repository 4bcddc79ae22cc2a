"""LDAP sign-in settings (django-auth-ldap), read only from the environment.

Kept apart from settings.py so the test applies exactly what a deployment's environment gives.
Imports nothing from Django's apps: settings.py calls it while settings are being built."""

from __future__ import annotations

from typing import Any

from minhang_plans.env import env_bool, env_str

BACKEND = "accounts.ldap.LDAPBackend"


def ldap_settings() -> dict[str, Any]:
    """The AUTH_LDAP_* settings, or {} when LDAP_SERVER_URI is unset (LDAP off)."""
    uri = env_str("LDAP_SERVER_URI", "").strip()
    if not uri:
        return {}
    # python-ldap is only needed where LDAP is on (requirements-ldap.txt).
    import ldap
    from django_auth_ldap.config import LDAPSearch

    dn_template = env_str("LDAP_USER_DN_TEMPLATE", "").strip()
    search_base = env_str("LDAP_USER_SEARCH_BASE", "").strip()
    if not dn_template and not search_base:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("LDAP_SERVER_URI needs LDAP_USER_SEARCH_BASE or LDAP_USER_DN_TEMPLATE.")
    values: dict[str, Any] = {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": env_str("LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": env_str("LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_START_TLS": env_bool("LDAP_START_TLS", False),
        "AUTH_LDAP_USER_ATTR_MAP": {
            "first_name": env_str("LDAP_ATTR_NAME", "cn"),
            "email": env_str("LDAP_ATTR_EMAIL", "mail"),
        },
        # Roles and units are never taken from the directory: the security admin assigns them.
        "AUTH_LDAP_MIRROR_GROUPS": False,
        "AUTH_LDAP_FIND_GROUP_PERMS": False,
        "AUTH_LDAP_USER_FLAGS_BY_GROUP": {},
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 5},
        # A cached group lookup would outlive a change in the directory; we read none anyway.
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
    }
    if dn_template:
        values["AUTH_LDAP_USER_DN_TEMPLATE"] = dn_template
    else:
        user_filter = env_str("LDAP_USER_FILTER", "(uid=%(user)s)")
        values["AUTH_LDAP_USER_SEARCH"] = LDAPSearch(search_base, ldap.SCOPE_SUBTREE, user_filter)
    return values
