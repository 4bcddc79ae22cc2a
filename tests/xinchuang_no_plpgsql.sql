-- A PostgreSQL database without PL/pgSQL, as a PostgreSQL-compatible database that does not ship it
-- (or a role that may not use it). Run in template1 by .ci/run, so every database created afterwards
-- (the suite's test database) lacks it; tests/test_xinchuang.py runs it in a database of its own.
DROP EXTENSION plpgsql;
