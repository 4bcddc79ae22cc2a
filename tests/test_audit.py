"""The security audit log (等保 2.0 安全审计): what is recorded, with the client address behind
the proxy; same transaction as the action; append-only; hash chain; retention."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, audit_prune, audit_record, audit_verify
from accounts.models import AuditEvent

ROOT = Path(__file__).resolve().parent.parent


def proxied_login(client: Client, username: str, password: str, address: str):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


def actions() -> list[tuple[str, str, str, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("action", "username", "ip_address", "outcome"))


@pytest.mark.django_db
def test_logins_failures_and_logouts_are_recorded_with_the_client_address(office_user):
    client = Client()
    assert proxied_login(client, "duchashi", "wrong", "10.20.30.40").status_code == 200
    assert proxied_login(client, "duchashi", "pw-duchashi", "10.20.30.40").status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.20.30.40")
    assert actions() == [
        ("login_failed", "duchashi", "10.20.30.40", "failure"),
        ("login", "duchashi", "10.20.30.40", "success"),
        ("logout", "duchashi", "10.20.30.40", "success"),
    ]
    assert audit_verify() == []


@pytest.mark.django_db
def test_a_lockout_is_recorded(office_user, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = proxied_login(client, "duchashi", "wrong", "10.9.9.9")
    assert response.status_code == 429
    lockouts = AuditEvent.objects.filter(action=Action.LOCKOUT)
    assert lockouts.count() == 1
    assert lockouts.get().ip_address == "10.9.9.9" and lockouts.get().outcome == "denied"


@pytest.mark.django_db
def test_a_password_change_is_recorded(client_as, liaison_user):
    client = client_as(liaison_user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-liaison", "new_password1": "Lian-luo-2026!", "new_password2": "Lian-luo-2026!"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE, username="liaison").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_record_commits_or_rolls_back_with_its_action(office_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=Action.ROLE_ASSIGN, user=office_user, object_repr="x")
        raise RuntimeError("the audited action failed")
    assert AuditEvent.objects.count() == 0
    with transaction.atomic():
        audit_record(action=Action.ROLE_ASSIGN, user=office_user, object_repr="x")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_log_is_append_only_through_the_models(office_user):
    event = audit_record(action=Action.LOGIN, user=office_user)
    event.object_repr = "changed"
    with pytest.raises(ValidationError, match="审计记录只能追加，不能修改或删除。"):
        event.save()
    with pytest.raises(ValidationError, match="审计记录只能追加"):
        event.delete()
    with pytest.raises(ValidationError, match="审计记录只能追加"):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="changed")
    with pytest.raises(ValidationError, match="审计记录只能追加"):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_the_database_refuses_an_update(office_user):
    event = audit_record(action=Action.LOGIN, user=office_user)
    with (
        pytest.raises((DatabaseError, IntegrityError), match="审计记录只能追加"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_auditevent SET username = 'x' WHERE id = %s", [event.pk])


@pytest.mark.django_db
def test_on_postgresql_the_database_refuses_a_delete_except_for_the_retention_job(office_user):
    if connection.vendor != "postgresql":
        pytest.skip("the DELETE trigger is PostgreSQL's; SQLite refuses in the model")
    event = audit_record(action=Action.LOGIN, user=office_user)
    with (
        pytest.raises(DatabaseError, match="审计记录只能追加"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('minhang.audit_prune', 'on', true)")
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    assert not AuditEvent.objects.filter(pk=event.pk).exists()


def _tamper(sql: str, params: list) -> None:
    """What an attacker with database access could do: bypass the guards and change rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Turns off the trigger, or (without PL/pgSQL) the rules, of migration 0002.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER accounts_audit_no_update")
            cursor.execute(sql, params)


def _three_records(user) -> list[AuditEvent]:
    return [audit_record(action=Action.LOGIN, user=user, object_repr=str(n)) for n in range(3)]


@pytest.mark.django_db
def test_audit_verify_passes_an_intact_chain(office_user, capsys):
    _three_records(office_user)
    call_command("audit_verify")
    assert "审计记录校验通过：共 3 条，摘要链完整。" in capsys.readouterr().out


@pytest.mark.django_db
def test_audit_verify_detects_a_changed_record(office_user, capsys):
    records = _three_records(office_user)
    _tamper("UPDATE accounts_auditevent SET username = 'someone' WHERE id = %s", [records[1].pk])
    with pytest.raises(CommandError, match="审计记录校验失败：发现 1 处问题。"):
        call_command("audit_verify")
    assert f"记录 #{records[1].pk} 的内容与摘要不符（已被修改）。" in capsys.readouterr().err


@pytest.mark.django_db
def test_audit_verify_detects_a_deleted_record(office_user, capsys):
    records = _three_records(office_user)
    _tamper("DELETE FROM accounts_auditevent WHERE id = %s", [records[1].pk])
    with pytest.raises(CommandError, match="审计记录校验失败"):
        call_command("audit_verify")
    assert f"记录 #{records[2].pk} 之前的记录缺失或被修改（链条断开）。" in capsys.readouterr().err


@pytest.mark.django_db
def test_audit_verify_detects_the_oldest_record_deleted(office_user, capsys):
    records = _three_records(office_user)
    _tamper("DELETE FROM accounts_auditevent WHERE id = %s", [records[0].pk])
    with pytest.raises(CommandError):
        call_command("audit_verify")
    assert f"记录 #{records[1].pk} 之前的记录缺失（已被删除）。" in capsys.readouterr().err


@pytest.mark.django_db
def test_prune_keeps_180_days_and_the_chain_still_verifies(office_user, monkeypatch, capsys):
    now = timezone.now()
    for days in (400, 200, 179, 1):
        monkeypatch.setattr(timezone, "now", lambda days=days: now - dt.timedelta(days=days))
        audit_record(action=Action.LOGIN, user=office_user, object_repr=f"{days} days ago")
    monkeypatch.setattr(timezone, "now", lambda: now)
    call_command("audit_prune")
    assert "已删除 2 条超过 180 天的安全审计记录。" in capsys.readouterr().out
    kept = list(AuditEvent.objects.order_by("id").values_list("object_repr", flat=True))
    assert kept == ["179 days ago", "1 days ago", "2 条"]
    assert AuditEvent.objects.filter(action=Action.AUDIT_PRUNE).count() == 1
    assert audit_verify() == []
    # Run again: nothing more is old enough.
    assert audit_prune() == 0


@pytest.mark.django_db
def test_a_longer_retention_keeps_more(office_user, monkeypatch, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    for days in (400, 200):
        monkeypatch.setattr(timezone, "now", lambda days=days: now - dt.timedelta(days=days))
        audit_record(action=Action.LOGIN, user=office_user)
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert audit_prune() == 1


def test_the_settings_refuse_a_retention_under_180_days():
    env = {**os.environ, "AUDIT_RETENTION_DAYS": "90", "SECRET_KEY": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS=90 must be at least 180." in result.stderr


# -- the one-line API for the other apps, and the Django admin's changes ------------------------


@pytest.mark.django_db
def test_audit_download_records_who_took_which_file_with_its_filters(office_user):
    from django.test import RequestFactory

    from accounts.audit import audit_download

    request = RequestFactory().get(
        "/tasks/export.xlsx", {"unit": "12", "light": ["red", "yellow"]}, HTTP_X_FORWARDED_FOR="10.8.1.7"
    )
    request.user = office_user
    audit_download(request, object_repr="任务台账-20251231.xlsx")
    audit_download(request, action=Action.DOWNLOAD, object_repr="附件.pdf", detail={"attachment": 5})
    export, download = AuditEvent.objects.order_by("id")
    assert (export.action, export.username, export.ip_address) == (Action.EXPORT, "duchashi", "10.8.1.7")
    assert export.object_repr == "任务台账-20251231.xlsx"
    assert export.detail == {"path": "/tasks/export.xlsx", "filters": {"unit": "12", "light": ["red", "yellow"]}}
    assert (download.action, download.action_label) == (Action.DOWNLOAD, "下载")
    assert download.detail["attachment"] == 5
    assert audit_verify() == []


def test_every_action_has_a_chinese_name_on_the_audit_page():
    from accounts.audit import ACTION_LABELS

    codes = {value for name, value in vars(Action).items() if name.isupper()}
    assert codes == set(ACTION_LABELS)
    assert ACTION_LABELS[Action.REVIEW_APPROVE] == "审核通过"
    assert ACTION_LABELS[Action.IMPORT_UNDO] == "回退导入"
    # The 考评 records read "assessment.freeze" on the audit page before they had names.
    assert ACTION_LABELS[Action.ASSESSMENT_FREEZE] == "考评定稿" and Action.ASSESSMENT_FREEZE == "assessment.freeze"


@pytest.mark.django_db
def test_a_record_without_a_chinese_name_is_refused_and_nothing_written():
    from accounts.audit import audit_record
    from accounts.models import AuditEvent

    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match="no entry in ACTION_LABELS"):
        audit_record(action="assessment.unknown", object_repr="x")
    assert AuditEvent.objects.count() == before


def _admin_client(admin_user) -> Client:
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.8.2.9")
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_changes_in_the_django_admin_are_recorded_as_configuration_changes(admin_user):
    from tasks.models import Leader

    client = _admin_client(admin_user)
    # 区 is a field of the form (a leader belongs to a district); its default is shown and posted back.
    district = {"district": "闵行区", "initial-district": "闵行区"}
    client.post("/admin/tasks/leader/add/", {"name": "周八", "title": "副区长", **district})
    leader = Leader.objects.get(name="周八")
    client.post(f"/admin/tasks/leader/{leader.pk}/change/", {"name": "周八", "title": "区长", **district})
    client.post(f"/admin/tasks/leader/{leader.pk}/delete/", {"post": "yes"})
    events = list(AuditEvent.objects.filter(action=Action.CONFIG_CHANGE).order_by("id"))
    assert [(e.username, e.ip_address, e.object_repr, e.detail["change"]) for e in events] == [
        ("sysadmin", "10.8.2.9", "牵头领导：周八", "新增"),
        ("sysadmin", "10.8.2.9", "牵头领导：周八", "修改"),
        ("sysadmin", "10.8.2.9", "牵头领导：周八", "删除"),
    ]
    assert events[0].detail["model"] == "tasks.leader" and events[0].detail["via"] == "admin"
    assert events[1].detail["message"] == "已修改职务。"


@pytest.mark.django_db
def test_several_objects_deleted_at_once_in_the_admin_are_recorded(admin_user):
    from tasks.models import Leader

    ids = [Leader.objects.create(name=name).pk for name in ("甲", "乙", "丙")]
    client = _admin_client(admin_user)
    form = {"action": "delete_selected", "_selected_action": [str(i) for i in ids]}
    confirm = client.post("/admin/tasks/leader/", form)
    assert "删除所选的" in confirm.content.decode() or confirm.status_code == 200
    assert not AuditEvent.objects.filter(action=Action.CONFIG_CHANGE).exists()  # asked, not done
    client.post("/admin/tasks/leader/", {**form, "post": "yes"})
    assert not Leader.objects.filter(pk__in=ids).exists()
    event = AuditEvent.objects.get(action=Action.CONFIG_CHANGE)
    assert (event.object_repr, event.ip_address) == ("牵头领导：3 条", "10.8.2.9")
    assert event.detail["change"] == "删除" and sorted(event.detail["objects"]) == sorted(["甲", "乙", "丙"])


@pytest.mark.django_db
def test_an_admin_change_that_rolls_back_leaves_no_record(admin_user):
    from django.contrib.admin.models import CHANGE, LogEntry

    from tasks.models import Leader

    leader = Leader.objects.create(name="周八")
    with pytest.raises(RuntimeError), transaction.atomic():
        LogEntry.objects.log_actions(admin_user.pk, [leader], CHANGE, single_object=True)
        raise RuntimeError("the admin's save failed")
    assert not AuditEvent.objects.exists()
    with transaction.atomic():
        LogEntry.objects.log_actions(admin_user.pk, [leader], CHANGE, single_object=True)
    assert AuditEvent.objects.get().action == Action.CONFIG_CHANGE
