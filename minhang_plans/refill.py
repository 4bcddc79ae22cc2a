"""A refused form loses nothing the user typed.

Most forms here post, and on a refusal (a service's ValidationError, an invalid field) the view
adds an error message and redirects back to the page the form sits on (a task's 批示与催办 panel,
我的待办, the review queue). The redirect used to drop what was typed: a 300-character 催办意见 with
a wrong date came back blank.

- `MessageStorage` (settings.MESSAGE_STORAGE) is Django's fallback storage that remembers whether
  this request added an error;
- `RefusedInputMiddleware` keeps the fields of a POST that added an error and redirected (its path
  and its values; never a password, a token or a file) in the session, for the next page only;
- `refused_input` (a context processor) hands them to that page, which carries them as JSON
  (base.html); static/js/refill.js puts them back into the form that posts to the same path and
  opens the <details> it sits in. Hidden fields are not restored: they carry the server's state
  (a report's version), which the refusal may have moved on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "refused_input"
# The session row stays small: a form's text fields are at most a few thousand characters each.
MAX_CHARACTERS = 40_000
SKIPPED = ("csrfmiddlewaretoken", "next", "back")


class MessageStorage(FallbackStorage):
    """Django's default message storage, noting whether an error was added in this request."""

    refused = False

    def add(self, level: int, message: str, extra_tags: str | None = "") -> None:
        if level >= messages.ERROR:
            self.refused = True
        super().add(level, message, extra_tags)


def _kept_fields(request: HttpRequest) -> dict[str, list[str]] | None:
    fields = {
        name: values
        for name, values in request.POST.lists()
        if name not in SKIPPED and "password" not in name and "token" not in name
    }
    if sum(len(v) for values in fields.values() for v in values) > MAX_CHARACTERS:
        return None
    return fields or None


class RefusedInputMiddleware:
    """After MessageMiddleware: a refused POST that redirects keeps its fields for the next page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code in (301, 302, 303)
            and getattr(getattr(request, "_messages", None), "refused", False)
            and request.user.is_authenticated
        ):
            fields = _kept_fields(request)
            if fields is not None:
                request.session[SESSION_KEY] = {"action": request.path, "fields": fields}
        return response


def refused_input(request: HttpRequest) -> dict[str, Any]:
    """The fields kept by RefusedInputMiddleware, once (taken out of the session)."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return {}
    return {"refused_input": session.pop(SESSION_KEY)}
