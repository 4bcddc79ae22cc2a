"""Shared fixtures, in this order: the database in use; the seed documents (imported once per
session, tests/seeds.py) and the stored-status check after every test; the personas (one table);
the clock (clock_at, pinned_clock); the browser. Small built worlds: tests/factories.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Browser, BrowserType, Playwright, sync_playwright

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIVE_YEAR_TXT = FIXTURES / "000_a62ce10d14304788.txt"
ANNUAL_2025_TXT = FIXTURES / "004_81e3937e704ee9fc.txt"

pytest_plugins = ["tests.planner_upkeep", "tests.fast_flush", "tests.static_scan", "tests.gc_settings"]


def _database_label() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"PostgreSQL at {db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
    return "SQLite (embedded)"


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {_database_label()}"


# The modules that take longest (bench/results/test_suite.txt) run first, so that the two workers
# (bin/run-tests: --dist loadfile hands out whole modules in order) finish together, rather than
# one of them running a slow module alone at the end (test_xinchuang was the 81st of 109).
SLOW_MODULES = (
    "test_accessibility",
    "test_month_browser",
    "test_xinchuang",
    "test_import_faults",
    "test_plan_summaries",
)


@pytest.hookimpl(trylast=True)  # after pytest-django's, which orders by database use
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def weight(item: pytest.Item) -> int:
        name = item.path.stem
        return SLOW_MODULES.index(name) if name in SLOW_MODULES else len(SLOW_MODULES)

    items.sort(key=weight)  # stable: each module's tests keep their order


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    terminalreporter.write_line(f"Tests ran on: {_database_label()}")


@pytest.fixture(autouse=True)
def _plain_http(settings) -> None:
    # Production redirects to HTTPS; the test client speaks plain HTTP.
    settings.SECURE_SSL_REDIRECT = False


# -- seed data ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no cached page fragments: a rolled-back test leaves the data
    version where it was, and the next test's writes reach the same numbers again."""
    from django.core.cache import cache

    from minhang_plans.compiled import compiled_clear

    cache.clear()
    compiled_clear()  # and no compiled SQL: a test may patch what a builder reads
    yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with autovacuum off for its tables (tests/planner_upkeep.py
    vacuums between tests instead, so no table is measured mid-transaction as empty)."""
    from tests.planner_upkeep import autovacuum_off

    with django_db_blocker.unblock():
        autovacuum_off()


@pytest.fixture(scope="session", autouse=True)
def _reseed_after_flush():
    """Make test order irrelevant to what data migrations wrote.

    A transactional test (live_server, transaction=True) ends with a flush of every table, which
    also empties the role groups and unit aliases migration 0003 ships; the slowest modules, browser
    modules among them, run first (SLOW_MODULES), so every later test would otherwise run on a
    database without them. The flush sends post_migrate, and this puts them back exactly as the
    migration wrote them (tests/fast_flush.py then records that state and writes it back).
    """
    import importlib

    from django.apps import apps
    from django.db.models.signals import post_migrate

    seed = importlib.import_module("tasks.migrations.0003_seed_roles_and_unit_aliases").seed

    def reseed(sender, **kwargs):
        if sender.label == "tasks":
            seed(apps, None)

    post_migrate.connect(reseed, weak=False, dispatch_uid=RESEED_UID)
    yield reseed
    post_migrate.disconnect(dispatch_uid=RESEED_UID)


RESEED_UID = "tests-reseed-after-flush"


@pytest.fixture
def flush_as_in_production(_reseed_after_flush):
    """A `manage.py flush` in production leaves the seeded units out (no test re-seeding)."""
    from django.db.models.signals import post_migrate

    post_migrate.disconnect(dispatch_uid=RESEED_UID)
    yield
    post_migrate.connect(_reseed_after_flush, weak=False, dispatch_uid=RESEED_UID)


@pytest.fixture(autouse=True)
def _stored_status_matches_reports(request: pytest.FixtureRequest):
    """After every test that touched the database: each task's stored status (TaskStatus and
    the link periods) equals what its reports say. A write path that forgets
    services.task_status_refresh fails here, whichever test exercised it."""
    from tests.planner_upkeep import uses_database

    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
    if not uses_database(request.node):
        yield
        return
    # Requested here so that this check runs before the database is rolled back or flushed.
    request.getfixturevalue("transactional_db" if transactional else "db")
    from tests.status_writes import status_agreed_at_start, status_forget, status_unwritten_since_agreed

    status_agreed_at_start()
    yield
    unwritten = status_unwritten_since_agreed()  # tests/status_writes.py: then nothing can differ
    status_forget()
    if unwritten:
        return
    from tasks.services import task_status_drift

    assert task_status_drift() == [], "stored task status differs from the reports (a write without refresh)"


@pytest.fixture(scope="session")
def _seed_snapshot(django_db_setup, django_db_blocker):
    """Both seed documents imported through the real pipeline once per session, in a transaction
    rolled back at once; the rows it added are kept (tests/seeds.py)."""
    from tests.seeds import Snapshot

    with django_db_blocker.unblock():
        shipped_rows_ensure()
        from imports.pipeline import plan_import

        paths = (FIVE_YEAR_TXT, ANNUAL_2025_TXT)
        return Snapshot.take(lambda: [plan_import(data=p.read_bytes(), file_name=p.name) for p in paths])


@pytest.fixture(scope="session", autouse=True)
def _world_snapshot(request: pytest.FixtureRequest) -> Iterator[None]:
    """tests.factories' world at scale 1, built once per session (tests/seeds.py) for world_build to
    copy, when any collected test uses the database."""
    from tests import factories
    from tests.planner_upkeep import uses_database
    from tests.seeds import Snapshot

    if not any(uses_database(item) for item in request.session.items):
        yield
        return
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        factories.WORLD_SNAPSHOT.append(Snapshot.take(factories.world_steps))
    yield
    factories.WORLD_SNAPSHOT.clear()


@pytest.fixture
def seed_plans(_seed_snapshot, db, shipped_aliases):
    """Both seed documents as the real pipeline imports them (with the shipped alias table
    present, even after a transactional test flushed it): the session's import, copied into this
    test's transaction in ~0.1 s. Returns the two ImportReports."""
    _seed_snapshot.restore()
    return _seed_snapshot.result


@pytest.fixture(scope="session")
def _progressed_snapshot(_seed_snapshot, django_db_blocker):
    """Both seeds and tests.factories.progress_make's reporting month on the annual plan, made once
    per session (0.7 s) and copied like the seeds (tests/seeds.py)."""
    from tasks.models import Plan
    from tests.factories import progress_make
    from tests.seeds import Snapshot

    def build() -> None:
        shipped_rows_ensure()
        _seed_snapshot.restore()
        progress_make(Plan.objects.get(kind="annual"))

    with django_db_blocker.unblock():
        return Snapshot.take(build)


@pytest.fixture
def progressed(_progressed_snapshot, db, shipped_aliases, pinned_clock):
    """The annual seed plan in the middle of a reporting month (tests.factories.progress_make),
    on the pinned clock: returns the plan. It copies the seeds too: ask for it instead of
    `seed_plans`, not beside it (both would copy the same rows)."""
    from tasks.models import Plan

    _progressed_snapshot.restore()
    return Plan.objects.get(kind="annual")


# -- personas ----------------------------------------------------------------
#
# Every test account comes from here. Password: "pw-" + username.
#
#   fixture        username   role (Django group)        sees / may
#   admin_user     sysadmin   系统管理员 (staff+superuser)  everything, the admin site, imports
#   office_user    duchashi   督查室                      reads all, reviews reports, issues documents
#   liaison_user   liaison    单位联络员 of 区科委           reports for 区科委's tasks only
#   leader_user    leader     区领导, leader 谭瑞琮          reads all; "my tasks" are 谭瑞琮's
#   outsider_user  outsider   (none)                     logged in, 403 everywhere
#
# One more account of the same kind (another unit's liaison, a second office account):
# `user_make(username, Role.X, units=[...], leader=...)`. The 安全管理员/审计管理员 accounts are
# test_accounts.py's own (三员分立 is what that module tests).


def _make_user(username: str, role, *, units=(), leader=None):
    from django.contrib.auth import get_user_model

    from tasks.models import Leader, Role, Unit, UserProfile
    from tasks.services import roles_ensure

    groups = roles_ensure()
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    if role is not None:
        user.groups.add(groups[role.value])
        if role == Role.ADMIN:
            user.is_staff = True
            user.is_superuser = True
            user.save()
    profile = UserProfile.objects.create(user=user)
    if units:
        profile.units.set([Unit.objects.get_or_create(name=name)[0] for name in units])
    if leader:
        profile.leader = Leader.objects.get_or_create(name=leader)[0]
        profile.save()
    return user


@pytest.fixture
def admin_user(db):
    from tasks.models import Role

    return _make_user("sysadmin", Role.ADMIN)


@pytest.fixture
def office_user(db):
    from tasks.models import Role

    return _make_user("duchashi", Role.OFFICE)


@pytest.fixture
def liaison_user(db):
    """Liaison of 区科委."""
    from tasks.models import Role

    return _make_user("liaison", Role.LIAISON, units=["区科委"])


@pytest.fixture
def leader_user(db):
    """The account of leader 谭瑞琮."""
    from tasks.models import Role

    return _make_user("leader", Role.LEADER, leader="谭瑞琮")


@pytest.fixture
def outsider_user(db):
    """Logged in, but in no role group."""
    return _make_user("outsider", None)


@pytest.fixture
def user_make(db):
    """user_make(username, role, *, units=(), leader=None) -> a user built like the personas above."""
    return _make_user


@pytest.fixture
def client_as(client):
    """client_as(user) -> the test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


# -- browser (pages helper) --


@pytest.fixture
def plain_static(settings) -> None:
    """Serve static files from the source tree: the manifest storage needs a collectstatic the suite never runs."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# -- the clock ----------------------------------------------------------------


@pytest.fixture
def clock_at(monkeypatch):
    """clock_at(day) -> Clock: from now on `Clock.now()` (the "today" of every light, period,
    reminder and document) is that day, until the test ends. Call it again to move the day."""
    from tasks.status.clock import Clock

    def pin(day):
        clock = Clock(today=day)
        monkeypatch.setattr(Clock, "now", classmethod(lambda cls: clock))
        return clock

    return pin


@pytest.fixture
def locmem_mail(settings):
    """Django's in-memory mail backend: what was e-mailed is in django.core.mail.outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def pinned_clock(clock_at):
    """Pin "today" to tests.factories.TODAY (2025-06-15), so lights do not depend on the run date."""
    from tests.factories import TODAY

    return clock_at(TODAY)


# Debian's package chromium-headless-shell: the same Chromium build without the full browser's
# user interface layers, as Playwright itself runs headless tests. Against /usr/bin/chromium it
# cut the browser tests' CPU by 29% (tests/ -m browser: 361 -> 255 CPU-seconds, docs/performance.md).
CHROMIUM = Path("/usr/bin/chromium-headless-shell")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, django_db_setup):
    # Debian's Chromium, never a downloaded browser; if it is missing the browser tests fail (CI installs it).
    # Depends on django_db_setup so the test database exists before Playwright's event loop starts:
    # Django refuses to create it from inside a running loop.
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def _live_server_plain_http():
    # The live server builds its middleware once, when it starts, before any function-scoped
    # settings fixture runs: switch the HTTPS redirect off for the whole session first.
    from django.test.utils import override_settings

    override = override_settings(SECURE_SSL_REDIRECT=False)
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session")
def live_server(_live_server_plain_http, live_server):
    return live_server


@pytest.fixture
def shipped_aliases(db):
    """The role groups and unit aliases migration 0003 ships, present again.

    A transactional test (live_server, transaction=True) ends with a flush of every table, which
    also empties what data migrations wrote; request this before `seed_plans` so the import still
    knows 区发改委 = 区发展改革委 whatever ran before.
    """
    shipped_rows_ensure()


def shipped_rows_ensure() -> None:
    """Migration 0003's role groups, units and aliases, written again where any is missing."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    from tasks.models import Unit, UnitAlias

    shipped = importlib.import_module("tasks.migrations.0003_seed_roles_and_unit_aliases")
    # The migration's get_or_create calls change nothing when every name is there (about forty
    # queries); three queries tell.
    units = set(Unit.objects.values_list("name", flat=True))
    aliases = {alias for _, names in shipped.UNITS.values() for alias in names if alias not in units}
    if (
        set(shipped.UNITS) <= units
        and Group.objects.filter(name__in=shipped.ROLES).count() == len(shipped.ROLES)
        and UnitAlias.objects.filter(name__in=aliases).count() == len(aliases)
    ):
        return
    shipped.seed(apps, None)


# The browser fixtures of every Chromium test module: module-scoped replacements for
# pytest-playwright's session fixtures (same behaviour otherwise).
@pytest.fixture(scope="module")
def _orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in this thread; Django refuses ORM calls
    there without DJANGO_ALLOW_ASYNC_UNSAFE. The flag must not outlive the module that starts the
    browser (`check --deploy` rejects it), so it and Playwright are module-scoped: set before
    Playwright starts, removed after it stops. Not autouse: only modules that use a browser get it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def playwright(_orm_beside_playwright, django_db_setup) -> Iterator[Playwright]:
    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="module")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="module")
def browser(browser_type: BrowserType, browser_type_launch_args: dict) -> Iterator[Browser]:
    browser = browser_type.launch(**browser_type_launch_args)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def browser_context_args(base_url: str | None) -> dict:
    return {"base_url": base_url} if base_url else {}
