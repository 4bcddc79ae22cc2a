"""Who may do what. Every write path calls one of these on the server; the
templates only hide what these would refuse anyway.

| role        | read | record progress            | review | edit tasks | import |
|-------------|------|----------------------------|--------|------------|--------|
| 系统管理员  | all  | any lead unit              | yes    | yes        | yes    |
| 督查室      | all  | any lead unit              | yes    | yes        | no     |
| 单位联络员  | all  | tasks its own units lead   | no     | no         | no     |
| 区领导      | all  | no                         | no     | no         | no     |
| 安全管理员  | no   | no (accounts, roles, units: accounts app)                   |
| 审计管理员  | no   | no (reads and exports the security audit log only)          |
| (no role)   | no   | no                         | no     | no         | no     |

Review is one by one or in batches (批量通过 / 批量退回 on the queue). A report's attachments are
read (downloaded, or previewed when an image or PDF) by every reader, a draft's only by its
unit's liaisons and the office.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from minhang_plans.compiled import compiled_rows

from .models import Role, Task, TaskUnit, UnitRole

# Who the signed-in account is (its role, its units), read once per request: tasks/roles.py.
from .roles import user_role, user_unit_ids

# The three separated administrators (三员分立); no account holds two of them.
ADMIN_ROLES = (Role.ADMIN, Role.SECURITY, Role.AUDITOR)
# Roles that read the plans and tasks; the security and audit administrators do not.
READER_ROLES = (Role.ADMIN, Role.OFFICE, Role.LIAISON, Role.LEADER)


def can_read(user: User | AnonymousUser) -> bool:
    return user_role(user) in READER_ROLES


def read_refusal(user: User | AnonymousUser) -> str:
    """Why a signed-in account may not read the plans and tasks, and where its own page is."""
    role = user_role(user)
    if role == Role.SECURITY:
        return "安全管理员不能查看规划和任务，您的工作页面是“账号管理”（/security/accounts/）。"
    if role == Role.AUDITOR:
        return "审计管理员不能查看规划和任务，您的工作页面是“安全审计”（/security/audit/）。"
    return "您的账号尚未分配角色，无法查看。"


def can_manage_accounts(user: User | AnonymousUser) -> bool:
    """安全管理员: accounts, roles and unit assignments (accounts app)."""
    return user_role(user) == Role.SECURITY


def can_read_audit(user: User | AnonymousUser) -> bool:
    """审计管理员: reads and exports the security audit log, and only that."""
    return user_role(user) == Role.AUDITOR


def can_review(user: User | AnonymousUser) -> bool:
    return user_role(user) in (Role.OFFICE, Role.ADMIN)


def can_review_batch(user: User | AnonymousUser) -> bool:
    """批量通过 / 批量退回 from the review queue: whoever reviews one by one."""
    return can_review(user)


def can_read_attachment(user: User | AnonymousUser, *, unit_id: int, draft: bool) -> bool:
    """Download or preview a report's attachment: every reader, except that a draft and its files
    are the unit's own (its liaisons) until submitted, and the office's."""
    if not can_read(user):
        return False
    return not draft or can_review(user) or unit_id in user_unit_ids(user)


def can_edit_tasks(user: User | AnonymousUser) -> bool:
    return user_role(user) in (Role.OFFICE, Role.ADMIN)


def can_import(user: User | AnonymousUser) -> bool:
    return user_role(user) == Role.ADMIN


def can_report(user: User | AnonymousUser, task: Task, unit_id: int) -> bool:
    """May `user` record progress on `task` for the unit `unit_id`?"""
    role = user_role(user)
    if role is None or role == Role.LEADER:
        return False
    is_lead = compiled_rows(
        key="can_report.is_lead",
        build=lambda task_id, unit_id: TaskUnit.objects.filter(
            task_id=task_id, unit_id=unit_id, role=UnitRole.LEAD
        ).values_list("pk")[:1],
        ids={"task_id": task.pk, "unit_id": unit_id},
    )
    if not is_lead:
        return False
    if role in (Role.OFFICE, Role.ADMIN):
        return True
    return unit_id in user_unit_ids(user)


def reportable_unit_ids(user: User | AnonymousUser, task: Task, *, lead_unit_ids: list[int] | None = None) -> list[int]:
    """The lead units of `task` the user may report for, in document order.

    Pass `lead_unit_ids` when the caller already holds the task's links."""
    role = user_role(user)
    if role is None or role == Role.LEADER:
        return []
    lead = lead_unit_ids
    if lead is None:
        lead = compiled_rows(
            key="reportable_unit_ids.lead",
            build=lambda task_id: (
                TaskUnit.objects.filter(task_id=task_id, role=UnitRole.LEAD)
                .order_by("position")
                .values_list("unit_id", flat=True)
            ),
            ids={"task_id": task.pk},
        )
    if role in (Role.OFFICE, Role.ADMIN):
        return lead
    mine = user_unit_ids(user)
    return [unit_id for unit_id in lead if unit_id in mine]


def require(allowed: bool, message: str = "您没有执行此操作的权限。") -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_user(user: User | AnonymousUser, allowed: bool, message: str = "您没有执行此操作的权限。") -> User:
    """`require(allowed, message)`, returning the signed-in account that a write records as its
    author. Every rule here refuses an anonymous user already; the isinstance check is the
    same refusal stated so that the type checker knows the result is a real account."""
    if not allowed or not isinstance(user, User):
        raise PermissionDenied(message)
    return user


# -- 督办 (supervision app): 催办, 批示, their replies, 我的待办 -------------------------------


def can_chase(user: User | AnonymousUser) -> bool:
    """催办 is the office's (and the system administrator's)."""
    return user_role(user) in (Role.OFFICE, Role.ADMIN)


def user_leader_id(user: User | AnonymousUser) -> int | None:
    """The leader this account is (区领导 only), else None."""
    if user_role(user) != Role.LEADER:
        return None
    profile = getattr(user, "profile", None)
    return getattr(profile, "leader_id", None)


def can_instruct(user: User | AnonymousUser, task: Task) -> bool:
    """批示: a leader on a task they lead; the office and admin on any task (代录 for a leader)."""
    role = user_role(user)
    if role in (Role.OFFICE, Role.ADMIN):
        return True
    leader_id = user_leader_id(user)
    return leader_id is not None and task.leader_links.filter(leader_id=leader_id).exists()


def can_answer_for_unit(user: User | AnonymousUser, task: Task, unit_id: int) -> bool:
    """Reply to a chase or record 落实情况 for `unit_id` on `task`: the same people who may
    report for that lead unit (its own liaisons; the office and admin for any lead unit)."""
    return can_report(user, task, unit_id)


def can_answer_chase(user: User | AnonymousUser, unit_id: int) -> bool:
    """Reply to a 催办 sent to `unit_id`: its own liaisons, or the office recording an answer."""
    role = user_role(user)
    if role in (Role.OFFICE, Role.ADMIN):
        return True
    return role == Role.LIAISON and unit_id in user_unit_ids(user)


def can_decide_extension(user: User | AnonymousUser) -> bool:
    """申请延期 is approved or refused by the office (the due date is the office's)."""
    return can_edit_tasks(user)


def can_acknowledge(user: User | AnonymousUser, unit_id: int) -> bool:
    """签收 is the unit's own liaison's act (not the office's on its behalf)."""
    return user_role(user) == Role.LIAISON and unit_id in user_unit_ids(user)


def can_set_milestones(user: User | AnonymousUser, task: Task) -> bool:
    """阶段目标: set or remove a task's milestones: the office, or a liaison of one of its lead units."""
    if can_review(user):
        return True
    return user_role(user) == Role.LIAISON and bool(reportable_unit_ids(user, task))
