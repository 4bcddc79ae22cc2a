"""Pages and actions of 督办: parse, check permission, call a service, render or redirect.
One module per subject; urls.py reaches them through these names.

    todo          — 我的待办 by role, 签收
    panel         — the task page's 批示与催办 panel
    chases        — 催办 of a task or a unit, the reply
    instructions  — 批示, 落实情况
    extensions    — 申请延期, its decision
    common        — a service run as a message, form errors, the task page's section
"""

from .chases import chase_reply, task_chase, unit_chase
from .extensions import extension_decide, extension_request
from .instructions import instruction_create, instruction_reply
from .panel import task_panel
from .todo import acknowledge, todo

__all__ = [
    "acknowledge",
    "chase_reply",
    "extension_decide",
    "extension_request",
    "instruction_create",
    "instruction_reply",
    "task_chase",
    "task_panel",
    "todo",
    "unit_chase",
]
