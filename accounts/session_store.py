"""Django's database sessions (SESSION_ENGINE), with the read that every signed-in request makes
written as SQL once per process: building and compiling Django's `Session.objects.get(...)`
cost more than running it (about 0.6 ms a request). The same table, rows and expiry rule, so
sessions from before carry on; every write is Django's own."""

from __future__ import annotations

from functools import cache

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone


@cache
def _read_sql(using: str) -> str:
    quote = connections[using].ops.quote_name
    return (
        f"SELECT {quote('session_data')} FROM {quote(Session._meta.db_table)} "
        f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
    )


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        if key is None:
            return None
        using = router.db_for_read(self.model)
        connection = connections[using]
        # As Django's: a session past its expiry date is no session.
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_read_sql(using), [key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        # What load() reads of it (Django's own returns the whole row, and reads this field only).
        return Session(session_key=key, session_data=row[0])
