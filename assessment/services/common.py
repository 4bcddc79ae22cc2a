"""What every 考评 write shares: only the office writes, and the texts of its refusals."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from tasks import permissions

OFFICE_ONLY = "只有督查室可以维护考评。"
FROZEN = "该期考评已定稿，不能重算或调整。"


def office_writer(user: User | AnonymousUser) -> User:
    return permissions.require_user(user, permissions.can_review(user), OFFICE_ONLY)
