"""tests/planner_upkeep.py: no table of the test database is vacuumed behind an open test."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="autovacuum is PostgreSQL's")
def test_every_table_has_autovacuum_off(seed_plans):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace "
            "AND NOT coalesce('autovacuum_enabled=false' = ANY(c.reloptions), false)"
        )
        assert cursor.fetchall() == []
