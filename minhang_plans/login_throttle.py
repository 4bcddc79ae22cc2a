"""Login throttling with two limits (django-axes).

axes checks every lockout parameter against one limit (AXES_FAILURE_LIMIT). We lock a
username at one address after a few failures, and the address alone after a higher number
(a spray across many usernames), so this handler measures each parameter against its own limit.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from ipware.ip import get_client_ip


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: from the first header of AXES_IPWARE_META_PRECEDENCE_ORDER the
    request carries, the entry AXES_IPWARE_PROXY_COUNT places before the trusted proxies.

    One header at a time: ipware ranks all headers by address type, and a public REMOTE_ADDR
    (a proxy's) would then outrank the private intranet address the proxy forwarded."""
    for header in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        if not request.META.get(header):
            continue
        address, _routable = get_client_ip(
            request,
            proxy_count=settings.AXES_IPWARE_PROXY_COUNT,
            request_header_order=[header],
            # Entries a client wrote before the proxies' own are skipped, not trusted.
            strict=False,
        )
        if address:
            return address
    return request.META.get("REMOTE_ADDR")


def _own_limit(parameter: str | list[str], base: int) -> int:
    if parameter == "ip_address":
        return settings.AXES_IP_FAILURE_LIMIT
    return base


class TwoLimitDatabaseHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Failures expressed against AXES_FAILURE_LIMIT, which axes compares them with.

        Each parameter's count is scaled by base/own limit and rounded down, so the result
        reaches `base` exactly when some parameter has reached its own limit."""
        base = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            worst = max(worst, count * base // _own_limit(parameter, base))
        return worst

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """A successful login clears that username's failures at this address only.

        axes would clear every parameter's attempts, including the address's: one valid
        account would then reset a spray across other usernames."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        ).delete()
        return count
