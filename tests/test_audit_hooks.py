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


# -- downloads, documents, templates and decisions that were not recorded (QA D6) -----------------


def _one(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, [(e.action, e.object_repr) for e in events]
    return events[0]


def test_the_ranking_download_is_in_the_audit(seed_plans, client_as, office_user, liaison_user, clock_at):
    from assessment import services as assessment_services
    from assessment.models import Scope

    clock_at(dt.date(2025, 7, 3))
    plan = Plan.objects.get(kind="annual")
    run = assessment_services.score_run_compute(
        plan=plan, scope=Scope.PERIOD, start=dt.date(2025, 6, 1), user=office_user
    )
    # A liaison is refused the whole ranking: nothing taken, nothing recorded.
    assert client_as(liaison_user).get(reverse("assessment:run_xlsx", args=[run.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    response = client_as(office_user).get(reverse("assessment:run_xlsx", args=[run.pk]))
    assert response.status_code == 200
    event = _one(Action.EXPORT)
    assert event.username == office_user.username and event.user_id == office_user.pk
    assert event.object_repr == f"考评排名-{plan.title}-2025年6月.xlsx"
    assert event.detail["run"] == run.pk and event.detail["plan"] == plan.pk and event.detail["period"] == "2025年6月"
    assert event.detail["path"] == reverse("assessment:run_xlsx", args=[run.pk])


def test_the_admins_exports_are_in_the_audit(db, client_as, admin_user):
    from django.utils import timezone

    from tasks.models import Leader
    from tests.test_admin import _admin_export

    client = client_as(admin_user)
    Unit.objects.create(name="区科委")
    counts = {"task": Task.objects.count(), "unit": Unit.objects.count(), "leader": Leader.objects.count()}
    names = {"task": "任务", "unit": "牵头单位", "leader": "牵头领导"}
    labels = {"task": "tasks.Task", "unit": "tasks.Unit", "leader": "tasks.Leader"}
    for model in ("task", "unit", "leader"):
        for file_format in ("xlsx", "csv"):
            before = AuditEvent.objects.filter(action=Action.EXPORT).count()
            _admin_export(client, model, file_format)
            assert AuditEvent.objects.filter(action=Action.EXPORT).count() == before + 1
            event = AuditEvent.objects.filter(action=Action.EXPORT).latest("id")
            assert event.username == admin_user.username
            assert event.object_repr == f"{names[model]}-{timezone.localdate():%Y%m%d}.{file_format}"
            assert event.detail["admin"] == labels[model] and event.detail["format"] == file_format
            assert event.detail["rows"] == counts[model]
            assert event.detail["fields"]  # the columns ticked on the export page
    assert audit_verify() == []


def test_issuing_a_bulletin_and_making_a_slip_are_in_the_audit(progressed, client_as, office_user):
    from documents.models import BulletinIssue, SupervisionSlip

    client = client_as(office_user)
    client.post(
        reverse("documents:bulletin_issue"), {"plan": progressed.pk, "period": "2025-06-01", "reply_by": "2025-06-25"}
    )
    issue = BulletinIssue.objects.get()
    event = _one(Action.DOCUMENT_ISSUE)
    assert event.username == office_user.username
    assert event.object_repr == f"督查通报〔2025〕第1期：{issue.title}"
    assert event.detail["document"] == "督查通报" and event.detail["issue"] == issue.pk
    assert (event.detail["year"], event.detail["number"], event.detail["period"]) == (2025, 1, issue.period_label)

    task = Task.objects.get(plan=progressed, number="4")
    client.post(reverse("documents:slip_task", args=[task.pk]), {"reply_by": "2025-06-22", "requirement": ""})
    slip = SupervisionSlip.objects.get()
    events = list(AuditEvent.objects.filter(action=Action.DOCUMENT_ISSUE).order_by("id"))
    assert len(events) == 2
    made = events[1]
    assert made.username == office_user.username
    assert made.object_repr == f"督办单闵督办〔2025〕1号：{slip.subject}"
    assert made.detail["document"] == "督办单" and made.detail["slip"] == slip.pk
    assert made.detail["tasks"] == [task.pk] and made.detail["source"] == "督查室直接生成"
    assert audit_verify() == []


def test_template_upload_and_activation_are_configuration_changes(seed_plans, pinned_clock, client_as, office_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.bulletin_template import default_template_bytes
    from documents.models import BulletinTemplate

    client = client_as(office_user)
    upload = SimpleUploadedFile("通报模板.docx", default_template_bytes())
    assert client.post(reverse("documents:templates"), {"file": upload, "note": ""}).status_code == 302
    template = BulletinTemplate.objects.get()
    event = _one(Action.CONFIG_CHANGE)
    assert event.username == office_user.username
    assert event.object_repr == "督查通报模板“通报模板.docx”"
    assert event.detail == {
        "change": "上传并启用通报模板",
        "template": template.pk,
        "name": "通报模板.docx",
        "size": template.size,
    }
    client.post(reverse("documents:template_activate"), {"template": ""})
    events = list(AuditEvent.objects.filter(action=Action.CONFIG_CHANGE).order_by("id"))
    assert len(events) == 2
    assert events[1].object_repr == "督查通报模板“默认模板”"
    assert events[1].detail == {
        "change": "改用通报模板",
        "template": None,
        "name": "默认模板",
        "previous": "通报模板.docx",
    }
    # A refused activation changes nothing and records nothing.
    client.post(reverse("documents:template_activate"), {"template": "999999"})
    assert AuditEvent.objects.filter(action=Action.CONFIG_CHANGE).count() == 2


def test_an_extension_decision_is_in_the_audit(seed_plans, pinned_clock, client_as, office_user, liaison_user):
    from supervision import services as supervision_services
    from supervision.models import ExtensionRequest

    task = Task.objects.get(plan__kind="annual", number="4")
    Task.objects.filter(pk=task.pk).update(due_date=dt.date(2025, 12, 31))
    keji = Unit.objects.get(name="区科委")
    extension = supervision_services.extension_request(
        user=liaison_user, task=task, unit=keji, requested_date=dt.date(2026, 3, 31), reason="设备到货推迟。"
    )
    assert not AuditEvent.objects.filter(action=Action.EXTENSION_DECIDE).exists()
    client_as(office_user).post(
        reverse("supervision:extension_decide", args=[extension.pk]),
        {"decision": "approve", "granted_date": "2026-02-28", "reason": ""},
    )
    assert ExtensionRequest.objects.get().state == "approved"
    event = _one(Action.EXTENSION_DECIDE)
    assert event.username == office_user.username
    assert event.object_repr == "第4项 · 区科委 · 延期申请"
    assert event.detail == {
        "extension": extension.pk,
        "task": task.pk,
        "decision": "已同意",
        "due_date_before": "2025-12-31",
        "due_date_after": "2026-02-28",
        "reason": "",
    }
    from accounts.audit import ACTION_LABELS

    assert ACTION_LABELS[Action.EXTENSION_DECIDE] == "审批延期申请"
