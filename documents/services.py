"""Writes of the documents app: templates uploaded and chosen, bulletins issued with their
期号, supervision slips numbered and logged. Each is permission-checked and atomic; a
refused input changes nothing.

The 催办 (chase) action (supervision.services) calls `slip_create(chase=...)` (its source: 催办)
inside its own transaction: the slip covers exactly the chased tasks, goes to the chased unit,
is linked to the chase (SupervisionSlip.chase) and is numbered, rendered and stored in the
same transaction, so a chase that fails leaves no slip (and a slip that fails, no chase)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.audit import Action, audit_record
from minhang_plans.workdays import reply_by_default
from tasks import selectors as task_selectors
from tasks.models import Role, Task, Unit
from tasks.permissions import user_role

from . import bulletin, pdf, selectors
from .bulletin_template import default_template_bytes
from .models import BulletinIssue, BulletinTemplate, DocumentCounter, SlipKind, SlipSource, SupervisionSlip
from .selectors import Period, Scope, bulletin_data, unit_overdue_ids
from .slip import SlipData, slip_docx

if TYPE_CHECKING:
    from supervision.models import Chase

REQUIREMENT_MAX = 200  # a slip's 督办要求: what its one page holds


class DocumentError(ValueError):
    """A request the documents app refuses; the message is for people (Chinese)."""


def can_issue(user: User | AnonymousUser) -> bool:
    """督查室 and 系统管理员 issue bulletins and slips and manage the templates."""
    return user_role(user) in (Role.OFFICE, Role.ADMIN)


def require_issuer(user: User | AnonymousUser) -> User:
    """The user, who may issue (the signed-in account the documents record as their author)."""
    if not can_issue(user) or not isinstance(user, User):
        raise PermissionDenied("只有督查室或系统管理员可以执行此操作。")
    return user


def issuer_name() -> str:
    return f"{settings.DISTRICT_NAME}人民政府督查室"


def number_next(*, kind: str, year: int) -> int:
    """The next number of this kind for the year, under a row lock (call inside a transaction)."""
    DocumentCounter.objects.get_or_create(kind=kind, year=year)
    counter = DocumentCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


# -- templates -------------------------------------------------------------------------------


def bulletin_template_in_use() -> tuple[bytes, BulletinTemplate | None]:
    """The active uploaded template, or the built-in default (None)."""
    active = BulletinTemplate.objects.filter(is_active=True).first()
    if active is None:
        return default_template_bytes(), None
    return bytes(active.content), active


def bulletin_template_upload(
    *, user: User | AnonymousUser, name: str, content: bytes, note: str = ""
) -> BulletinTemplate:
    """Check the template (it must render every kind of data) and make it the one in use.

    A template that cannot be used raises bulletin.TemplateRefused with the reason and the place,
    and the template in use stays in use."""
    issuer = require_issuer(user)
    if not name.lower().endswith(".docx"):
        raise bulletin.TemplateRefused("请上传 Word 文档（.docx）。旧版 .doc 或 WPS 格式请先另存为 .docx。")
    today = selectors.today()
    sample = bulletin.sample_data(today=today)
    bulletin.template_check(template=content, context=bulletin.bulletin_context(sample, number="1", year=today.year))
    with transaction.atomic():
        BulletinTemplate.objects.filter(is_active=True).update(is_active=False)
        template = BulletinTemplate.objects.create(
            name=name[:200], content=content, size=len(content), is_active=True, uploaded_by=issuer, note=note[:200]
        )
        audit_record(
            action=Action.CONFIG_CHANGE,
            user=issuer,
            object_repr=f"督查通报模板“{template.name}”",
            detail={
                "change": "上传并启用通报模板",
                "template": template.pk,
                "name": template.name,
                "size": template.size,
            },
        )
        return template


def bulletin_template_activate(*, user: User | AnonymousUser, template_id: int | None) -> BulletinTemplate | None:
    """Use an earlier uploaded template again, or (None) the built-in default."""
    issuer = require_issuer(user)
    with transaction.atomic():
        chosen = None
        if template_id is not None:
            chosen = BulletinTemplate.objects.select_for_update().filter(pk=template_id).first()
            if chosen is None:
                raise DocumentError("没有这个模板。")
        previous = BulletinTemplate.objects.filter(is_active=True).values_list("name", flat=True).first()
        BulletinTemplate.objects.filter(is_active=True).update(is_active=False)
        if chosen is not None:
            chosen.is_active = True
            chosen.save(update_fields=["is_active"])
        audit_record(
            action=Action.CONFIG_CHANGE,
            user=issuer,
            object_repr=f"督查通报模板“{chosen.name if chosen else '默认模板'}”",
            detail={
                "change": "改用通报模板",
                "template": chosen.pk if chosen else None,
                "name": chosen.name if chosen else "默认模板",
                "previous": previous or "默认模板",
            },
        )
        return chosen


# -- bulletins -------------------------------------------------------------------------------


def bulletin_render(
    *, scope: Scope, period: Period, number: str, year: int, issued: dt.date, reply_by: dt.date
) -> bytes:
    """The bulletin as .docx bytes, from the template in use. A template that passed the upload
    check but fails on these data raises DocumentError (the office fixes or replaces it)."""
    data = bulletin_data(scope=scope, period=period, issued=issued, reply_by=reply_by)
    template, used = bulletin_template_in_use()
    try:
        return bulletin.render(template=template, context=bulletin.bulletin_context(data, number=number, year=year))
    except Exception as error:
        name = f"模板“{used.name}”" if used else "默认模板"
        message = (
            bulletin.template_error_text(error, template, None)
            if isinstance(error, bulletin.TemplateError)
            else "模板填入数据时出错。"
        )
        raise DocumentError(f"{name}无法生成本期通报：{message}") from None


def bulletin_preview(*, scope: Scope, period: Period) -> bytes:
    """An unnumbered draft (第　期) for any reader: nothing is stored."""
    today = selectors.today()
    return bulletin_render(
        scope=scope,
        period=period,
        number="　",
        year=today.year,
        issued=today,
        reply_by=reply_by_default(today=today),
    )


def bulletin_issue(
    *, user: User | AnonymousUser, scope: Scope, period: Period, reply_by: dt.date | None = None
) -> BulletinIssue:
    """Give the next 期号 of the year, render the bulletin and keep it as issued."""
    issuer = require_issuer(user)
    today = selectors.today()
    reply_by = reply_by or reply_by_default(today=today)
    if reply_by < today:
        raise DocumentError("反馈期限不能早于今天。")
    with transaction.atomic():
        number = number_next(kind="bulletin", year=today.year)
        _, used = bulletin_template_in_use()
        content = bulletin_render(
            scope=scope, period=period, number=str(number), year=today.year, issued=today, reply_by=reply_by
        )
        issue = BulletinIssue.objects.create(
            year=today.year,
            number=number,
            scope=scope.kind,
            plan=scope.plan,
            unit=scope.unit,
            leader=scope.leader,
            scope_label=scope.label[:300],
            period=period.start,
            period_label=period.label,
            as_of=period.as_of,
            title=scope.title[:300],
            template=used,
            template_name=used.name if used else "默认模板",
            docx=content,
            created_by=issuer,
        )
        audit_record(
            action=Action.DOCUMENT_ISSUE,
            user=issuer,
            object_repr=f"督查通报〔{issue.year}〕第{issue.number}期：{issue.title}",
            detail={
                "document": "督查通报",
                "issue": issue.pk,
                "year": issue.year,
                "number": issue.number,
                "scope": issue.scope_label,
                "period": issue.period_label,
                "template": issue.template_name,
            },
        )
        return issue


# -- supervision slips -------------------------------------------------------------------------


def _requirement(kind: str, reply_by: dt.date) -> str:
    from tasks.exports import date_text

    when = date_text(reply_by)
    if kind == SlipKind.UNIT_OVERDUE:
        return f"请对上述逾期任务逐项说明原因、整改措施和完成时限，于{when}前书面反馈。"
    if kind == SlipKind.UNIT_SILENT:
        return f"请于{when}前逐项报送上述任务的本期进展，并书面说明未按时报送的原因。"
    return f"请抓紧推进，于{when}前书面反馈推进情况、存在问题和下步措施；已逾期的，须说明原因和整改时限。"


def _chased_ids(chase: Chase) -> list[int]:
    """The tasks a chase covered, in plan and document order."""
    return list(chase.items.order_by("task__plan_id", "task__position", "task_id").values_list("task_id", flat=True))


def slip_create(
    *,
    user: User | AnonymousUser,
    task: Task | None = None,
    unit: Unit | None = None,
    chase: Chase | None = None,
    requirement: str = "",
    reply_by: dt.date | None = None,
    source: str = SlipSource.OFFICE,
    clock: task_selectors.Clock | None = None,
) -> SupervisionSlip:
    """A numbered slip for one task (its lead units), for a unit's overdue tasks, or for a 催办
    (exactly the chased tasks, to the chased unit, by the chase's 答复期限), rendered and logged
    against the task(s) and the chase. Exactly one of `task`, `unit` and `chase`."""
    issuer = require_issuer(user)
    if [task, unit, chase].count(None) != 2:
        raise DocumentError("督办单针对一项任务、一个单位的逾期任务或一次催办。")
    clock = clock or task_selectors.Clock.now()
    today = clock.today
    if chase is not None:
        source = SlipSource.CHASE
        reply_by = chase.reply_by or reply_by
    reply_by = reply_by or reply_by_default(today=today)
    if reply_by < today:
        raise DocumentError("反馈期限不能早于今天。")
    requirement = " ".join(requirement.split())
    if len(requirement) > REQUIREMENT_MAX:
        raise DocumentError(f"督办要求不能超过{REQUIREMENT_MAX}字。")
    addressed = False
    if chase is not None:
        ids = _chased_ids(chase)
        unit = chase.unit
        addressed = True
        if len(ids) == 1:
            # One task chased (the task page, or a unit with one task left): the task's full slip.
            kind = SlipKind.TASK
            task = Task.objects.get(pk=ids[0])
        else:
            kind = SlipKind.UNIT_SILENT
    elif task is not None:
        kind = SlipKind.TASK
        ids = [task.pk]
    else:
        assert unit is not None  # exactly one of the three
        kind = SlipKind.UNIT_OVERDUE
        ids = unit_overdue_ids(unit=unit, clock=clock)
        if not ids:
            raise DocumentError(f"{unit.name}目前没有逾期未完成的牵头任务，无需督办。")
    rows = list(task_selectors.export_rows(ids=ids, clock=clock))
    if not rows:
        raise DocumentError("没有可督办的任务。")
    unit_name = unit.name if unit is not None else (rows[0].units or "未明确牵头单位")
    requirement = requirement or _requirement(kind, reply_by)
    unit_slip = kind != SlipKind.TASK
    with transaction.atomic():
        sequence = number_next(kind="slip", year=today.year)
        number = f"{settings.DISTRICT_NAME[:1]}督办〔{today.year}〕{sequence}号"
        content = slip_docx(
            SlipData(
                number=number,
                issuer=issuer_name(),
                unit_name=unit_name,
                rows=rows,
                unit_slip=unit_slip,
                requirement=requirement,
                reply_by=reply_by,
                issued=today,
                today=today,
                listed_as="本期尚未报送进展" if kind == SlipKind.UNIT_SILENT else "已过完成时限尚未完成",
                addressed=addressed,
            )
        )
        if not unit_slip:
            subject = f"第{rows[0].number}项：{rows[0].title or rows[0].text}"
        elif kind == SlipKind.UNIT_SILENT:
            subject = f"{unit_name}本期未报送进展的牵头任务{len(rows)}项"
        else:
            subject = f"{unit_name}逾期未完成的牵头任务{len(rows)}项"
        slip = SupervisionSlip.objects.create(
            year=today.year,
            sequence=sequence,
            number=number,
            kind=kind,
            source=source,
            task=task if not unit_slip else None,
            unit=unit,
            chase=chase,
            unit_name=unit_name[:300],
            subject=subject,
            requirement=requirement,
            reply_by=reply_by,
            docx=content,
            created_by=issuer,
        )
        slip.tasks.set(ids)
        audit_record(
            action=Action.DOCUMENT_ISSUE,
            user=issuer,
            object_repr=f"督办单{number}：{subject}"[:300],
            detail={
                "document": "督办单",
                "slip": slip.pk,
                "number": number,
                "source": slip.get_source_display(),
                "unit": unit_name,
                "tasks": ids,
                "chase": chase.pk if chase is not None else None,
            },
        )
        return slip


# -- PDF ----------------------------------------------------------------------------------------


def pdf_of(content: bytes) -> bytes:
    """A PDF of a document that is not kept (a draft)."""
    try:
        return pdf.docx_to_pdf(content)
    except pdf.PdfError as error:
        raise DocumentError(str(error)) from None


def document_pdf(*, document: BulletinIssue | SupervisionSlip) -> bytes:
    """The issued document's PDF: converted once, then kept beside the .docx."""
    if document.pdf:
        return bytes(document.pdf)
    content = pdf_of(bytes(document.docx))
    type(document).objects.filter(pk=document.pk).update(pdf=content)
    return content
