"""Writes of 督办: 催办 (optionally with its 督办单) and its reply, 批示 and its 落实情况, the
to-do page's last visit. One module per subject:

    chases            — 催办 of a task or a unit, with its 督办单; the reply
    instructions      — 批示 and 落实情况 (on the panel, or sent with a progress report)
    extensions        — 申请延期 and the office's decision
    acknowledgements  — 签收 of a plan's new tasks
    todo              — the last visit to 我的待办
    common            — the text check, a unit's liaisons

Each write checks permission on the server, validates before writing, runs in one
transaction with its messages (notifications.message_send), and raises ValidationError
with the Chinese text the user reads; nothing is half-written.

The names below are re-exported so callers can write `services.chase_task(...)` or
`from supervision.services import instruction_create`.
"""

from notifications.services import unit_liaisons

from .acknowledgements import acknowledge_plan
from .chases import ONCE_A_DAY, SLIP_NOT_STORED, SLIP_NOTE_TOO_LONG, chase_reply, chase_task, chase_unit
from .common import TEXT_MAX
from .extensions import extension_decide, extension_request
from .instructions import ANSWER_FIELD, instruction_answers_record, instruction_create, instruction_reply
from .todo import todo_visit_mark

__all__ = [
    "ANSWER_FIELD",
    "ONCE_A_DAY",
    "SLIP_NOTE_TOO_LONG",
    "SLIP_NOT_STORED",
    "TEXT_MAX",
    "acknowledge_plan",
    "chase_reply",
    "chase_task",
    "chase_unit",
    "extension_decide",
    "extension_request",
    "instruction_answers_record",
    "instruction_create",
    "instruction_reply",
    "todo_visit_mark",
    "unit_liaisons",
]
