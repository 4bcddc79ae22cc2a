"""The typed rows of the task page's 批示与催办 panel (task_panel): 批示 with their 落实情况,
催办, 申请延期."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from ..models import ExtensionState


@dataclass
class PanelReply:
    unit_id: int
    unit_name: str
    text: str
    at: datetime.datetime


@dataclass
class PanelInstruction:
    pk: int
    leader_name: str
    text: str
    on_behalf: bool
    written_by: str
    at: datetime.datetime
    praise: bool = False
    replies: list[PanelReply] = field(default_factory=list)
    answer_units: list[Any] = field(default_factory=list)  # filled by the template tag


@dataclass
class PanelChase:
    pk: int
    unit_id: int
    unit_name: str
    note: str
    created_by: str
    at: datetime.datetime
    reply_by: datetime.date | None
    reply_text: str
    replied_at: datetime.datetime | None
    replied_by: str
    may_reply: bool = False  # filled by the template tag
    # The 督办单 generated with the chase (SupervisionSlip.chase), if any.
    slip_id: int | None = None
    slip_number: str = ""


@dataclass
class PanelExtension:
    pk: int
    unit_id: int
    unit_name: str
    reason: str
    requested_by: str
    at: datetime.datetime
    requested_date: datetime.date
    decision_reason: str
    decided_at: datetime.datetime | None
    decided_by: str
    granted_date: datetime.date | None
    original_due_date: datetime.date | None
    state: str
    decide_form: Any = None  # filled by the view for the office

    @property
    def pending(self) -> bool:
        return self.state == ExtensionState.PENDING

    @property
    def state_label(self) -> str:
        return str(ExtensionState(self.state).label)


@dataclass
class TaskPanel:
    instructions: list[PanelInstruction]
    chases: list[PanelChase]
    extensions: list[PanelExtension]
    leader_id: int | None  # the reading leader's own leader, when asked for
