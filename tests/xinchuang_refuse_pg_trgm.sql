-- A PostgreSQL database that refuses CREATE EXTENSION pg_trgm (superusers too), as a PostgreSQL-
-- compatible database that does not ship the extension. Installed in template1 by .ci/run, so every
-- database created afterwards (the suite's test database) refuses it; tests/test_xinchuang.py uses it too.
CREATE FUNCTION minhang_refuse_pg_trgm() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_query() ~* 'pg_trgm' THEN
        RAISE EXCEPTION 'extension "pg_trgm" is not available' USING ERRCODE = 'feature_not_supported';
    END IF;
END
$$;
CREATE EVENT TRIGGER minhang_refuse_pg_trgm ON ddl_command_start WHEN TAG IN ('CREATE EXTENSION')
    EXECUTE FUNCTION minhang_refuse_pg_trgm();
