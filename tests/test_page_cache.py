"""Cached page fragments (views._page_key, tasks.DataVersion and its triggers, migration 0009).

A fragment is served again only while no committed write has touched the app's
tables since it was built: the triggers bump the data version on any write,
whichever path made it (service, admin, importer, bare ORM, raw SQL).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks import selectors
from tasks.models import Plan, ProgressStatus, ReviewState, Task, Unit
from tasks.services import ReportInput, report_approve, report_save, task_status_refresh
from tests.html import csrf_removed

# Committed writes, as in production: inside a transaction (a plain django_db test) pages are
# never cached under a shared key, and PostgreSQL bumps the version once per transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _today_in_the_seeds_year(pinned_clock):
    """Reports are filed for the current period, and a 2025 plan takes none after 2025: "today" is
    inside the seeds' year (tests.factories.TODAY) in every test here."""


def get(client, url: str, **params) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, url
    html = response.content.decode()
    # A token inside a cached fragment would be served to other users. The only forms with one are
    # rendered outside every fragment: the log-out button, the office's 督办单 panel and the search
    # page's background export (each page's template puts them after {% endcache %}).
    outside = re.sub(
        r'<form[^>]*(?:action="/accounts/logout/"|id="slip-form"|data-background-export).*?</form>',
        "",
        html,
        flags=re.S,
    )
    assert "csrfmiddlewaretoken" not in outside, url
    return csrf_removed(html), len(queries.captured_queries)


@pytest.fixture
def office(client_as, office_user):
    return client_as(office_user)


def test_a_second_visit_is_served_from_the_cache(office, seed_plans):
    plan = Plan.objects.get(kind="annual")
    unit = Unit.objects.get(name="区科委")
    for url in (
        reverse("tasks:dashboard"),
        reverse("tasks:plan", args=[plan.pk]),
        reverse("tasks:unit", args=[unit.pk]),
        reverse("tasks:unit_index"),
        reverse("tasks:leader_index"),
        reverse("tasks:task_search") + "?q=推进",
    ):
        first, cold = get(office, url)
        second, warm = get(office, url)
        assert second == first, url
        # Session, user, role, the unread-message count in the header, the data version and the page's
        # own small lookups (plan; unit and aliases); the unit page also lists the office's 督办单 for
        # the unit, outside the fragment.
        limit = 8 if url == reverse("tasks:unit", args=[unit.pk]) else 7
        assert warm < cold and warm <= limit, (url, cold, warm)


def test_search_parameters_are_part_of_the_key(office, seed_plans):
    one, _ = get(office, reverse("tasks:task_search"), q="推进")
    other, _ = get(office, reverse("tasks:task_search"), q="科创")
    assert one != other
    assert "科创" in other


def test_report_approved_through_the_services_shows_at_once(office, seed_plans, liaison_user, office_user):
    task = Task.objects.get(plan__kind="annual", number="4")  # led by 区科委 only
    keji = Unit.objects.get(name="区科委")
    url = reverse("tasks:unit", args=[keji.pk])
    before, _ = get(office, url)
    assert "本月已提交" not in before
    period = selectors.Clock.now().month_start
    data = ReportInput(
        status=ProgressStatus.IN_PROGRESS, percent=40, progress_text="本月已提交方案。", problems="审批延后。"
    )
    report = report_save(user=liaison_user, task=task, unit=keji, period=period, data=data, version=None)
    report_approve(user=office_user, report=report, version=report.version)
    after, _ = get(office, url)
    assert "本月已提交方案" in after


def test_writes_that_bypass_the_services_still_invalidate(office, seed_plans):
    unit = Unit.objects.get(name="区科委")
    url = reverse("tasks:unit_index")
    get(office, url)
    Unit.objects.filter(pk=unit.pk).update(name="区科学技术委员会")  # a bulk update: no save(), no signal
    html, _ = get(office, url)
    assert "区科学技术委员会" in html
    with connection.cursor() as cursor:  # a hand-run SQL statement
        cursor.execute("UPDATE tasks_unit SET name = %s WHERE id = %s", ["区科委（手工修改）", unit.pk])
    html, _ = get(office, url)
    assert "区科委（手工修改）" in html


def test_admin_edit_of_a_plan_title_shows_on_the_dashboard(client_as, admin_user, office, seed_plans):
    plan = Plan.objects.get(kind="annual")
    get(office, reverse("tasks:dashboard"))
    admin = client_as(admin_user)
    form = admin.get(reverse("admin:tasks_plan_change", args=[plan.pk])).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"title": "2025年重点工作（已改名）", "categories-TOTAL_FORMS": 0, "categories-INITIAL_FORMS": 0}
    response = admin.post(reverse("admin:tasks_plan_change", args=[plan.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    html, _ = get(office, reverse("tasks:dashboard"))
    assert "2025年重点工作（已改名）" in html


def test_a_new_day_is_a_new_key(office, seed_plans, monkeypatch):
    url = reverse("tasks:dashboard")
    monkeypatch.setattr(selectors.Clock, "now", classmethod(lambda cls: cls(today=dt.date(2025, 6, 15))))
    june, _ = get(office, url)
    monkeypatch.setattr(selectors.Clock, "now", classmethod(lambda cls: cls(today=dt.date(2026, 1, 5))))
    january, cold = get(office, url)
    assert cold > 6 and january != june  # rebuilt: the lights moved with the date


def test_inside_a_transaction_nothing_is_shared(seed_plans, office):
    from django.db import transaction

    with transaction.atomic():
        _, cold = get(office, reverse("tasks:dashboard"))
        _, again = get(office, reverse("tasks:dashboard"))
    assert again == cold  # rebuilt each time: an uncommitted view of the data is never served to others


def test_every_table_a_cached_page_reads_has_a_trigger():
    """A new model in the tasks app gets no trigger by itself: this lists what would be missed.
    Shared tables move the shared number; a task's own rows move its version (migration 0012)."""
    ignored = {
        "tasks_dataversion",
        "tasks_userprofile",
        "tasks_userprofile_units",
        # History feeds no cached page (the task page and the history page are built fresh).
        "tasks_historicaltask",
        "tasks_historicalprogressreport",
    }
    tables = {m._meta.db_table for m in apps.get_app_config("tasks").get_models(include_auto_created=True)} - ignored
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname IN ('tasks_data_version', 'tasks_status_touch', 'tasks_status_version')"
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND (name LIKE '%data_version_update' OR name LIKE '%status_touch_update' OR name LIKE '%_version')"
            )
        triggered = {row[0] for row in cursor.fetchall()}
    assert tables <= triggered, sorted(tables - triggered)


def _version(scope):
    return selectors.scope_version(scope=scope)


def test_the_version_moves_on_every_kind_of_write(seed_plans):
    task = Task.objects.filter(plan__kind="annual").first()
    unit_link = task.unit_links.first()
    plan, unit = selectors.Scope.plan(task.plan_id), selectors.Scope.unit(unit_link.unit_id)
    other_plan = selectors.Scope.plan(Plan.objects.exclude(pk=task.plan_id).get().pk)

    def moved(write, *scopes, still=()):
        before = {s: _version(s) for s in (*scopes, *still)}
        write()
        for s in scopes:
            assert _version(s) != before[s], s
        for s in still:
            assert _version(s) == before[s], s

    # A task's own text: its plan and unit move, the other plan does not.
    moved(lambda: Task.objects.filter(pk=task.pk).update(note="x"), plan, unit, still=[other_plan])
    # A report written with the bare ORM (no service, no status refresh).
    report = task.reports.model(
        task=task, unit=unit_link.unit, period=dt.date(2025, 1, 1), status="done", percent=100,
        review_state=ReviewState.DRAFT,
    )  # fmt: skip
    moved(
        report.save,
        plan,
        unit,
        selectors.Scope.everything(),
        still=[other_plan],
    )
    # A hand-run SQL statement on the report.
    with connection.cursor() as cursor:
        moved(
            lambda: cursor.execute("UPDATE tasks_progressreport SET progress_text = 'y' WHERE task_id = %s", [task.pk]),
            unit,
            still=[other_plan],
        )
    # A unit's name is on many pages: every scope moves.
    moved(lambda: Unit.objects.filter(pk=unit_link.unit_id).update(name="改名"), plan, unit, other_plan)
    # A link removed: the unit's page loses the task.
    moved(lambda: task.unit_links.filter(pk=unit_link.pk).delete(), unit, plan, other_plan)
    # A statement that touches no row moves nothing on SQLite (PostgreSQL's statement-level shared
    # trigger would fire once: harmless, one spurious miss).
    if connection.vendor == "sqlite":
        moved(lambda: Task.objects.filter(pk=-1).update(note="y"), still=[plan, other_plan])
    # The status refresh a real write path runs after such edits moves it again (the unit no
    # longer shows the task).
    moved(lambda: task_status_refresh(task_ids=[task.pk]), plan, still=[other_plan, unit])


def test_a_report_expires_only_the_pages_that_show_its_task(office, seed_plans, liaison_user, office_user):
    task = Task.objects.get(plan__kind="annual", number="4")  # led by 区科委 only
    keji = Unit.objects.get(name="区科委")
    other_plan = Plan.objects.exclude(pk=task.plan_id).get()
    untouched_unit = (
        Unit.objects.filter(task_links__task__plan__kind="annual").exclude(task_links__task=task).distinct().first()
    )
    leader = task.leaders.first()
    showing = [
        reverse("tasks:plan", args=[task.plan_id]),
        reverse("tasks:unit", args=[keji.pk]),
        reverse("tasks:leader", args=[leader.pk]),
        reverse("tasks:dashboard"),
        reverse("tasks:unit_index"),
    ]
    elsewhere = [reverse("tasks:plan", args=[other_plan.pk]), reverse("tasks:unit", args=[untouched_unit.pk])]
    for url in showing + elsewhere:
        get(office, url)
    warm = {url: get(office, url)[1] for url in showing + elsewhere}

    data = ReportInput(
        status=ProgressStatus.IN_PROGRESS, percent=40, progress_text="本月已提交方案。", problems="审批延后。"
    )
    report = report_save(
        user=liaison_user, task=task, unit=keji, period=selectors.Clock.now().month_start, data=data, version=None
    )
    report_approve(user=office_user, report=report, version=report.version)

    for url in elsewhere:
        assert get(office, url)[1] == warm[url], url  # still served from the cache
    for url in showing:
        _, queries = get(office, url)
        assert queries > warm[url], url  # rebuilt
    assert "本月已提交方案" in get(office, reverse("tasks:unit", args=[keji.pk]))[0]


def test_without_triggers_nothing_is_cached(office, seed_plans):
    """A database without PL/pgSQL gets no triggers and no version row (migrations 0009, 0012):
    then every page is built fresh, never served stale."""
    from tasks.models import DataVersion

    DataVersion.objects.all().delete()
    url = reverse("tasks:leader_index")
    first, cold = get(office, url)
    second, again = get(office, url)
    assert again == cold and second == first


def test_each_scope_version_is_its_tasks_count_and_version_sum(seed_plans):
    """The version's SQL (written once per scope kind in tasks/selectors/version.py) against the same
    aggregates through the ORM, for every kind of scope, and read with the leader in one query."""
    from django.db.models import Count, Sum

    from tasks.models import DataVersion, Leader, TaskLeader, TaskStatus, TaskUnit
    from trends.selectors import leader_get_for

    task = Task.objects.filter(plan__kind="annual").first()
    TaskStatus.objects.filter(task=task).update(version=41)  # versions differ, so a sum is a sum
    leader = Leader.objects.filter(task_links__isnull=False).first()
    unit = Unit.objects.filter(task_links__isnull=False).first()
    number = DataVersion.objects.get(pk=1).number
    scopes = {
        selectors.Scope.everything(): TaskStatus.objects.all(),
        selectors.Scope.plan(task.plan_id): TaskStatus.objects.filter(task__plan_id=task.plan_id),
        selectors.Scope.unit(unit.pk): TaskStatus.objects.filter(
            task_id__in=TaskUnit.objects.filter(unit=unit).values("task_id")
        ),
        selectors.Scope.leader(leader.pk): TaskStatus.objects.filter(
            task_id__in=TaskLeader.objects.filter(leader=leader).values("task_id")
        ),
    }
    for scope, statuses in scopes.items():
        totals = statuses.aggregate(n=Count("pk"), total=Sum("version"))
        assert totals["n"] > 0, scope
        assert selectors.scope_version(scope=scope) == (number, totals["n"], totals["total"]), scope
    _, _, version = leader_get_for(leader_id=leader.pk, user_id=None)
    assert version == selectors.scope_version(scope=selectors.Scope.leader(leader.pk))
    # A scope with no tasks: zero, not NULL (the key must still be a version, not "uncached").
    empty = Unit.objects.create(name="没有任务的单位")  # a new unit moves the shared number
    number = DataVersion.objects.get(pk=1).number
    assert selectors.scope_version(scope=selectors.Scope.unit(empty.pk)) == (number, 0, 0)
