"""信创 databases: PostgreSQL-compatible databases (openGauss, 人大金仓, 瀚高) may lack what a
stock PostgreSQL has. Here: a PostgreSQL database where `CREATE EXTENSION pg_trgm` is refused, as
on a database that does not ship it (an event trigger refuses it, for superusers too). The
migrations still run there and search finds the same tasks, without the trigram indexes.

Also a database without PL/pgSQL: the audit log stays append-only and no account holds two
administrator roles, through rules and a unique index instead of triggers.

Needs PostgreSQL (bin/run-tests, CI); skipped on SQLite except in CI, where it fails.
.ci/run also runs the whole suite on a cluster where every database refuses pg_trgm
(EXPECT_NO_PG_TRGM=1), and this file with the audit and account tests on one where no database
has PL/pgSQL (EXPECT_NO_PLPGSQL=1)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tasks.models import Task
from tasks.status.stored import _status_plan_kept
from tests.settings_probe import settings_printed

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ["fixtures/000_a62ce10d14304788.txt", "fixtures/004_81e3937e704ee9fc.txt"]
QUERIES = ["科技", "营商环境", "发改委", "谭瑞琮"]
# tasks/migrations/0007_search_trigram_indexes.py
TRIGRAM_INDEXES = 6

# Installed by a superuser in a database (.ci/run: in template1, so every later database has it).
REFUSE_PG_TRGM = (ROOT / "tests" / "xinchuang_refuse_pg_trgm.sql").read_text(encoding="utf-8")
NO_PLPGSQL = (ROOT / "tests" / "xinchuang_no_plpgsql.sql").read_text(encoding="utf-8")
ROLE_CONFLICT = "系统管理员、安全管理员、审计管理员三者分立，一个账号只能担任其中一个。"
APPEND_ONLY = "审计记录只能追加，不能修改或删除。"

pytestmark = pytest.mark.django_db


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        message = "信创 fallbacks are checked on PostgreSQL: run with bin/run-tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _url(database: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


def _admin(database: str):
    import psycopg

    return psycopg.connect(_url(database), autocommit=True)


def _manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    environment.update({"DATABASE_URL": database_url, "SECRET_KEY": "xinchuang", "SECURE_SSL_REDIRECT": "0"})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def database_without_pg_trgm() -> Iterator[str]:
    _needs_postgresql()
    name = f"xinchuang_{uuid.uuid4().hex[:8]}"
    with _admin(connection.settings_dict["NAME"]) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        with _admin(name) as refusing:
            refusing.execute(REFUSE_PG_TRGM)
            with pytest.raises(Exception, match='extension "pg_trgm" is not available'):
                refusing.execute("CREATE EXTENSION pg_trgm")
        yield _url(name)
    finally:
        with _admin(connection.settings_dict["NAME"]) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Runs in the other database: the seeds imported as `make run` does, then the search page.
SEARCH_SCRIPT = """
import json, re
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from tasks.models import Task
from tasks.services import roles_ensure

call_command("import_plan", *{seeds!r}, verbosity=0)
user = get_user_model().objects.create_user("xinchuang")
user.groups.add(roles_ensure()["督查室"])
client = Client()
client.force_login(user)
found = {{}}
for query in {queries!r}:
    page = client.get("{url}", {{"q": query}})
    assert page.status_code == 200, page.status_code
    ids = {{int(i) for i in re.findall(r'href="/tasks/(\\d+)/"', page.content.decode())}}
    rows = Task.objects.filter(pk__in=ids).values_list("plan__kind", "number")
    found[query] = sorted(f"{{kind}}-{{number}}" for kind, number in rows)
print("RESULT" + json.dumps(found, ensure_ascii=False))
"""


def _found_here(client) -> dict[str, list[str]]:
    found = {}
    for query in QUERIES:
        page = client.get(reverse("tasks:task_search"), {"q": query})
        ids = {int(i) for i in re.findall(r'href="/tasks/(\d+)/"', page.content.decode())}
        found[query] = sorted(
            f"{kind}-{number}" for kind, number in Task.objects.filter(pk__in=ids).values_list("plan__kind", "number")
        )
    return found


def test_without_pg_trgm_the_migrations_run_and_search_finds_the_same_tasks(
    database_without_pg_trgm, seed_plans, client_as, office_user
):
    migrated = _manage(database_without_pg_trgm, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    assert "pg_trgm unavailable" in migrated.stderr
    name = database_without_pg_trgm.rsplit("/", 1)[1]
    with _admin(name) as db:
        assert db.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'").fetchone() == (0,)
        indexes = {row[0] for row in db.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%trgm'")}
        assert indexes == set()
        # The other PostgreSQL features are still there: the triggers of the audit log and the page cache.
        triggers = {row[0] for row in db.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
        assert {"accounts_audit_append_only", "tasks_data_version"} <= triggers
    script = SEARCH_SCRIPT.format(seeds=SEEDS, queries=QUERIES, url=reverse("tasks:task_search"))
    searched = _manage(database_without_pg_trgm, "shell", "-c", script)
    assert searched.returncode == 0, searched.stderr[-3000:]
    there = json.loads(searched.stdout.split("RESULT", 1)[1])
    # The same tasks as on this database, which has pg_trgm (unless the whole run refuses it).
    here = _found_here(client_as(office_user))
    assert all(here[query] for query in QUERIES), here
    assert there == here


def test_this_run_has_pg_trgm_unless_told_otherwise():
    """The CI step that refuses pg_trgm in every database really runs without it."""
    _needs_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
        installed = cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%%upper_trgm'")
        indexes = cursor.fetchone()[0]
    if os.environ.get("EXPECT_NO_PG_TRGM") == "1":
        assert (installed, indexes) == (False, 0)
    else:
        assert (installed, indexes) == (True, TRIGRAM_INDEXES)


def test_jit_setting_can_be_left_out_for_databases_without_it():
    expression = "settings.DATABASES['default'].get('OPTIONS', {})"
    names = ("PG_JIT_OFF", "PG_RANDOM_PAGE_COST", "PG_PREPARED_STATEMENTS")
    base = {k: v for k, v in os.environ.items() if k not in names}
    base.update({"SECRET_KEY": "x", "DATABASE_URL": "postgres://u@127.0.0.1:1/db"})

    def options(**env: str) -> str:
        done = settings_printed(expression, environment={**base, **env})
        return (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]

    # By default: prepared statements with generic plans (settings.py says why).
    assert options() == (
        "{'server_side_binding': True, 'prepare_threshold': 2, "
        "'options': '-c jit=off -c random_page_cost=1.1 -c plan_cache_mode=force_generic_plan'}"
    )
    off = {"PG_PREPARED_STATEMENTS": "0"}
    assert options(**off) == "{'options': '-c jit=off -c random_page_cost=1.1'}"
    assert options(**off, PG_JIT_OFF="0") == "{'options': '-c random_page_cost=1.1'}"
    # The planner's setting: the server's own when set empty; a number otherwise, or no start.
    assert options(**off, PG_JIT_OFF="0", PG_RANDOM_PAGE_COST="") == "{}"
    assert options(**off, PG_RANDOM_PAGE_COST="2") == "{'options': '-c jit=off -c random_page_cost=2'}"
    assert "PG_RANDOM_PAGE_COST='fast' is not a number." in options(PG_RANDOM_PAGE_COST="fast")


@pytest.fixture
def database_without_advisory_locks() -> Iterator[str]:
    """A database whose owner (not a superuser) may not call pg_advisory_xact_lock."""
    _needs_postgresql()
    suffix = uuid.uuid4().hex[:8]
    name, role = f"xinchuang_{suffix}", f"xinchuang_app_{suffix}"
    with _admin(connection.settings_dict["NAME"]) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{role}" TEMPLATE template0')
    try:
        with _admin(name) as db:
            db.execute("REVOKE EXECUTE ON FUNCTION pg_advisory_xact_lock(bigint) FROM PUBLIC")
        yield _url(name).replace(f"//{connection.settings_dict['USER']}", f"//{role}", 1)
    finally:
        with _admin(connection.settings_dict["NAME"]) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


AUDIT_SCRIPT = """
import threading
from django.db import connection, transaction
from accounts.audit import Action, audit_record, audit_verify

with connection.cursor() as cursor, transaction.atomic():
    try:
        cursor.execute("SELECT pg_advisory_xact_lock(1)")
        print("ADVISORY-ALLOWED")
    except Exception as refused:
        print("ADVISORY-REFUSED", type(refused).__name__)
        transaction.set_rollback(True)

def append(n):
    for i in range(5):
        with transaction.atomic():
            audit_record(action=Action.LOGIN, username=f"user{n}-{i}", object_repr="x")
    connection.close()

threads = [threading.Thread(target=append, args=(n,)) for n in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
from accounts.models import AuditEvent
print("RECORDS", AuditEvent.objects.count(), "PROBLEMS", len(audit_verify()))
"""


def test_without_advisory_locks_the_audit_chain_still_appends_one_at_a_time(database_without_advisory_locks):
    migrated = _manage(database_without_advisory_locks, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    appended = _manage(database_without_advisory_locks, "shell", "-c", AUDIT_SCRIPT)
    assert appended.returncode == 0, appended.stderr[-3000:]
    assert "ADVISORY-REFUSED" in appended.stdout  # this role really may not take advisory locks
    # Three concurrent writers, fifteen records, and the chain has no fork.
    assert "RECORDS 15 PROBLEMS 0" in appended.stdout, appended.stdout + appended.stderr[-2000:]


@pytest.fixture
def database_without_plpgsql() -> Iterator[str]:
    _needs_postgresql()
    name = f"xinchuang_{uuid.uuid4().hex[:8]}"
    with _admin(connection.settings_dict["NAME"]) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        with _admin(name) as db:
            db.execute(NO_PLPGSQL)
            with pytest.raises(Exception, match='language "plpgsql" does not exist'):
                db.execute("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'")
        yield _url(name)
    finally:
        with _admin(connection.settings_dict["NAME"]) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Runs in the database without PL/pgSQL: each way of giving an account a second administrator
# role, and of changing or deleting an audit record, and what refused it.
GUARDS_SCRIPT = """
import datetime as dt, json
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from accounts import services
from accounts.audit import Action, audit_prune, audit_record, audit_verify
from accounts.models import AuditEvent
from tasks.models import Role
from tasks.services import roles_ensure

def refusal(attempt):
    try:
        with transaction.atomic():
            attempt()
    except ValidationError as refused:
        return "ValidationError: " + " ".join(refused.messages)
    except DatabaseError as refused:
        return type(refused).__name__ + ": " + str(refused).splitlines()[0]
    return "allowed"

def sql(statement, params):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
    return run

out = {}
groups = roles_ensure()
users = get_user_model().objects
security = users.create_user("anquan")
security.groups.add(groups[Role.SECURITY.value])
worker = users.create_user("worker")
services.account_role_assign(actor=security, user=worker, role=Role.ADMIN)
out["roles"] = list(worker.groups.values_list("name", flat=True))
out["add"] = refusal(lambda: worker.groups.add(groups[Role.AUDITOR.value]))
out["reverse add"] = refusal(lambda: groups[Role.SECURITY.value].user_set.add(worker))
insert = "INSERT INTO auth_user_groups (user_id, group_id) VALUES (%s, %s)"
out["sql insert"] = refusal(sql(insert, [worker.pk, groups[Role.AUDITOR.value].pk]))
out["business group"] = refusal(lambda: worker.groups.add(groups["督查室"]))
services.admin_account_issue(username="worker", role=Role.AUDITOR)  # the server's way to an auditor
out["roles after a change"] = list(worker.groups.values_list("name", flat=True))
groups[Role.SECURITY.value].delete()  # the index names the groups' ids: it follows a new one
out["sql insert, group re-created"] = refusal(sql(insert, [worker.pk, roles_ensure()[Role.SECURITY.value].pk]))

event = AuditEvent.objects.order_by("-id").first()
event.object_repr = "changed"
out["save"] = refusal(event.save)
out["sql update"] = refusal(sql("UPDATE accounts_auditevent SET username = 'x' WHERE id = %s", [event.pk]))
out["sql delete"] = refusal(sql("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk]))
out["records"] = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
out["verify"] = [problem.message for problem in audit_verify()]
out["pruned"] = audit_prune(now=timezone.now() + dt.timedelta(days=400))
out["after prune"] = list(AuditEvent.objects.values_list("action", flat=True))
out["verify after prune"] = [problem.message for problem in audit_verify()]
audit_record(action=Action.LOGIN, username="a")
last = audit_record(action=Action.LOGIN, username="b")
with connection.cursor() as cursor:  # past the rules, as someone with database access could
    cursor.execute("SET session_replication_role = replica")
    cursor.execute("UPDATE accounts_auditevent SET username = 'c' WHERE id = %s", [last.pk])
    cursor.execute("SET session_replication_role = origin")
out["tampered"] = last.pk
out["verify after tampering"] = [problem.message for problem in audit_verify()]
print("RESULT" + json.dumps(out, ensure_ascii=False))
"""


def test_without_plpgsql_the_migrations_run_and_the_audit_log_and_role_separation_still_refuse(
    database_without_plpgsql,
):
    migrated = _manage(database_without_plpgsql, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    assert "PL/pgSQL unavailable" in migrated.stderr
    name = database_without_plpgsql.rsplit("/", 1)[1]
    with _admin(name) as db:
        assert db.execute("SELECT count(*) FROM pg_language WHERE lanname = 'plpgsql'").fetchone() == (0,)
        triggers = {row[0] for row in db.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
        assert not {name for name in triggers if name.startswith("accounts_")}
        rules = {row[0] for row in db.execute("SELECT rulename FROM pg_rules WHERE tablename = 'accounts_auditevent'")}
        assert rules == {"accounts_audit_no_update", "accounts_audit_no_delete"}
        index = db.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'accounts_one_admin_role'").fetchone()
        assert index is not None and "UNIQUE INDEX" in index[0] and "WHERE (group_id = ANY" in index[0], index
    checked = _manage(database_without_plpgsql, "shell", "-c", GUARDS_SCRIPT)
    assert checked.returncode == 0, checked.stderr[-3000:]
    out = json.loads(checked.stdout.split("RESULT", 1)[1])
    # 三员分立: the service gives one role; every other way to add a second one is refused.
    assert out["roles"] == ["系统管理员"]
    assert out["add"] == f"ValidationError: {ROLE_CONFLICT}"
    assert out["reverse add"] == f"ValidationError: {ROLE_CONFLICT}"
    assert out["sql insert"] == (
        'IntegrityError: duplicate key value violates unique constraint "accounts_one_admin_role"'
    )
    assert out["business group"] == "allowed"
    assert out["roles after a change"] == ["审计管理员"]
    assert out["sql insert, group re-created"] == out["sql insert"]
    # Append-only: the model and, below it, the database refuse with the same words.
    assert out["save"] == f"ValidationError: {APPEND_ONLY}"
    assert out["sql update"] == f'DataError: invalid input syntax for type integer: "{APPEND_ONLY}"'
    assert out["sql delete"] == f'DataError: invalid input syntax for type integer: "{APPEND_ONLY}"'
    assert out["records"] == ["role_assign", "password_reset"]  # the second: admin_account_issue
    assert out["verify"] == []
    # The retention job may still delete (and says how many), and the chain stays verifiable.
    assert out["pruned"] == 2
    assert out["after prune"] == ["audit_prune"]
    assert out["verify after prune"] == []
    assert out["verify after tampering"] == [f"记录 #{out['tampered']} 的内容与摘要不符（已被修改）。"]
    # Migration 0002 reversed takes the rules and the index away (and migrate does not rebuild it).
    reversed_ = _manage(database_without_plpgsql, "migrate", "accounts", "0001", "--noinput")
    assert reversed_.returncode == 0, reversed_.stderr[-3000:]
    with _admin(name) as db:
        rules = db.execute("SELECT count(*) FROM pg_rules WHERE rulename LIKE 'accounts%'").fetchone()
        index = db.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_one_admin_role'").fetchone()
        assert (rules, index) == ((0,), (0,))


def test_this_run_has_plpgsql_unless_told_otherwise():
    """The CI step whose databases lack PL/pgSQL really runs without it, with the fallbacks."""
    _needs_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_language WHERE lanname = 'plpgsql'")
        plpgsql = cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'accounts%%'")
        triggers = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_rules WHERE rulename LIKE 'accounts%%'")
        rules = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_one_admin_role'")
        index = cursor.fetchone()[0]
    # The status rows' plan is kept (and checked after every test) only where its triggers are.
    kept = _status_plan_kept()
    if os.environ.get("EXPECT_NO_PLPGSQL") == "1":
        assert (plpgsql, triggers, rules, index, kept) == (False, 0, 2, 1, False)
    else:
        assert (plpgsql, triggers, rules, index, kept) == (True, 2, 0, 0, True)
