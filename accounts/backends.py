"""The local sign-in backend: Django's ModelBackend, reading the account's role with the account.

Every signed-in request loads its account (`get_user`) and then asks its role (tasks.roles
.user_role): two queries, the second among the busiest under the reporting rush. Here they are one
(tasks.roles.user_get_with_role); the checks are Django's own (an inactive account is no
user). Sessions signed in before this backend was configured name Django's ModelBackend and end
once: their holders sign in again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from tasks.roles import user_get_with_role


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = user_get_with_role(user_id=pk)
        return user if user is not None and self.user_can_authenticate(user) else None
