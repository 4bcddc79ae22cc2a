"""The security audit records what leaves the system and every review decision, through the
pages people use (accounts.audit: audit_record, audit_download)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from accounts.audit import Action, audit_verify
from accounts.models import AuditEvent
from tasks.models import Plan, ProgressStatus, ReviewState, Task, Unit
from tests.factories import report_make


def _submitted(task: Task, unit: Unit):
    return report_make(
        task=task,
        unit=unit,
        period=dt.date(2025, 6, 1),
        status=ProgressStatus.IN_PROGRESS,
        percent=40,
        progress_text="方案已起草。",
        review_state=ReviewState.SUBMITTED,
    )


def test_review_decisions_are_in_the_audit(seed_plans, client_as, office_user, pinned_clock):
    task = Task.objects.get(plan__kind="annual", number="4")
    keji = Unit.objects.get(name="区科委")
    report = _submitted(task, keji)
    client = client_as(office_user)
    client.post(
        reverse("tasks:report_review", args=[report.pk]),
        {"version": report.version, "decision": "return", "comment": "请补充数据"},
    )
    report.refresh_from_db()
    client.post(
        reverse("tasks:report_review", args=[report.pk]),
        {"version": report.version, "decision": "approve", "comment": ""},
    )
    report.refresh_from_db()
    assert report.review_state == ReviewState.RETURNED  # a returned report waits for the unit
    events = list(AuditEvent.objects.filter(action__startswith="review").order_by("id"))
    assert [e.action for e in events] == [Action.REVIEW_RETURN]
    returned = events[0]
    assert returned.username == office_user.username
    assert returned.object_repr == "第4项 · 区科委 · 2025-06"
    assert returned.detail["comment"] == "请补充数据" and returned.detail["report"] == report.pk

    report.review_state = ReviewState.SUBMITTED
    report.save()
    client.post(
        reverse("tasks:report_review", args=[report.pk]),
        {"version": report.version, "decision": "approve", "comment": ""},
    )
    report.refresh_from_db()
    client.post(
        reverse("tasks:report_reopen", args=[report.pk]),
        {f"reopen-{report.pk}-version": report.version, f"reopen-{report.pk}-reason": "数据有误"},
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="review").order_by("id").values_list("action", flat=True)
    )
    assert actions == [Action.REVIEW_RETURN, Action.REVIEW_APPROVE, Action.REVIEW_REOPEN]
    assert audit_verify() == []


def test_a_refused_review_leaves_no_audit_record(seed_plans, client_as, office_user, pinned_clock):
    task = Task.objects.get(plan__kind="annual", number="4")
    report = _submitted(task, Unit.objects.get(name="区科委"))
    client_as(office_user).post(
        reverse("tasks:report_review", args=[report.pk]),
        {"version": report.version, "decision": "return", "comment": ""},
    )
    assert not AuditEvent.objects.filter(action__startswith="review").exists()


def test_exports_and_downloads_are_in_the_audit_with_their_filters(seed_plans, client_as, office_user, pinned_clock):
    plan = Plan.objects.get(kind="annual")
    keji = Unit.objects.get(name="区科委")
    client = client_as(office_user)
    ledger = client.get(reverse("tasks:task_export_xlsx"), {"plan": plan.pk, "unit": keji.pk})
    assert ledger.status_code == 200
    csv = client.get(reverse("tasks:plan_csv", args=[plan.pk]))
    assert csv.status_code == 200
    draft = client.get(reverse("documents:bulletin_draft"), {"plan": plan.pk})
    assert draft.status_code == 200
    exports = list(AuditEvent.objects.filter(action=Action.EXPORT).order_by("id"))
    assert len(exports) == 3
    first = exports[0]
    assert first.object_repr.endswith(".xlsx") and "区科委" in first.object_repr
    assert first.detail["filters"] == {"plan": str(plan.pk), "unit": str(keji.pk)}
    assert first.detail["rows"] == Task.objects.filter(plan=plan, unit_links__unit=keji, state="active").count()
    assert exports[1].object_repr == f"{plan.title}.csv"
    assert exports[2].object_repr.endswith(".docx") and exports[2].detail["path"] == reverse("documents:bulletin_draft")
    assert all(e.username == office_user.username for e in exports)
    assert audit_verify() == []


def test_a_default_template_download_is_a_download(seed_plans, client_as, admin_user):
    response = client_as(admin_user).get(reverse("documents:template_default"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=Action.DOWNLOAD)
    assert event.object_repr == "督查通报默认模板.docx"


def test_link_decisions_and_the_comparison_download_are_in_the_audit(seed_plans, client_as, office_user):
    from insights import services as insights_services
    from insights.models import TaskLink

    annual = Plan.objects.get(kind="annual")
    insights_services.link_suggestions_refresh(annual_plan=annual)
    link = TaskLink.objects.filter(annual_task__plan=annual).order_by("pk").first()
    client = client_as(office_user)
    client.post(reverse("insights:link_decide", args=[link.pk]), {"decision": "reject"})
    decided = AuditEvent.objects.get(action=Action.REVIEW)
    assert decided.detail == {"link": link.pk, "decision": "reject"} and decided.username == office_user.username

    later = Plan.objects.create(
        title="2026年重点工作", kind="annual", year_start=2026, year_end=2026, district=annual.district
    )
    response = client.get(reverse("insights:compare_xlsx"), {"old": annual.pk, "new": later.pk})
    assert response.status_code == 200
    export = AuditEvent.objects.get(action=Action.EXPORT)
    assert export.object_repr == "compare-2025-2026.xlsx"
    assert export.detail["filters"] == {"old": str(annual.pk), "new": str(later.pk)}


def test_an_import_its_confirm_download_and_undo_are_in_the_audit(seed_plans, client_as, admin_user):
    from imports.export import plan_export_csv
    from imports.models import ImportRecord
    from tests.test_import_views import preview_url, upload

    plan = Plan.objects.get(kind="annual")
    lines = plan_export_csv(plan=plan).splitlines()
    lines.append(lines[-1].replace("190,", "191,", 1).replace("在履职尽责上作表率", "新增任务"))
    client = client_as(admin_user)
    url = preview_url(upload(client, "rev.csv", "\n".join(lines).encode()))
    assert AuditEvent.objects.filter(action=Action.IMPORT, object_repr="rev.csv").count() == 1
    client.post(url, {"action": "confirm"})
    record = ImportRecord.objects.order_by("-pk").first()
    confirm = AuditEvent.objects.get(action=Action.IMPORT_CONFIRM)
    assert confirm.object_repr == "rev.csv" and confirm.detail["record"] == record.pk
    assert client.get(reverse("imports:download", args=[record.pk])).status_code == 200
    assert AuditEvent.objects.get(action=Action.DOWNLOAD).detail["record"] == record.pk
    client.post(reverse("imports:undo", args=[record.pk]))
    assert AuditEvent.objects.get(action=Action.IMPORT_UNDO).detail == {"record": record.pk}
    assert audit_verify() == []
