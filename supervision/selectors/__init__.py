"""Reads of 督办: 我的待办 per role, and the panels on the task and leader pages. One module per subject:

    liaison           — 我的待办 of a unit's liaison
    leader            — 我的待办 of a leader
    office            — 我的待办 of the office
    counts            — the header badge: the counts of 我的待办 in one statement
    chases            — open 催办 and their list
    acknowledgements  — 签收: new lead tasks not yet acknowledged
    panel             — the task page's 批示与催办 panel, the leader page's 批示
    panel_rows        — the panel's typed rows
    rows              — TodoTask and the links to the task search

Every list counts with the read side's rules (tasks.status: `TaskUnit.objects.lead()
.with_status(clock).silent()`, `Task.objects.with_status(clock)` and its light), so a to-do
count and the task search it links to agree. A fixed number of queries per page, whatever
the data's size: each list is one query over all of the person's units at once.

The names below are re-exported so callers can write `selectors.liaison_todo(...)` or
`from supervision.selectors import todo_count`.
"""

from .acknowledgements import NewTasks, new_tasks_list, unacknowledged_links
from .chases import chases_open
from .counts import counts_fetch, header_counts_fetch, todo_count, todo_querysets
from .leader import FIRST_VISIT_DAYS, NEW_REPORTS_SHOWN, LeaderTodo, SilentUnit, leader_todo
from .liaison import EXTENSIONS_SHOWN_DAYS, UnitTodo, liaison_todo
from .office import PENDING_SHOWN, OfficeTodo, office_todo
from .panel import leader_instructions, task_panel
from .panel_rows import PanelChase, PanelExtension, PanelInstruction, PanelReply, TaskPanel
from .rows import SEARCH, TodoTask, Units

__all__ = [
    "EXTENSIONS_SHOWN_DAYS",
    "FIRST_VISIT_DAYS",
    "NEW_REPORTS_SHOWN",
    "PENDING_SHOWN",
    "SEARCH",
    "LeaderTodo",
    "NewTasks",
    "OfficeTodo",
    "PanelChase",
    "PanelExtension",
    "PanelInstruction",
    "PanelReply",
    "SilentUnit",
    "TaskPanel",
    "TodoTask",
    "UnitTodo",
    "Units",
    "chases_open",
    "counts_fetch",
    "header_counts_fetch",
    "leader_instructions",
    "leader_todo",
    "liaison_todo",
    "new_tasks_list",
    "office_todo",
    "task_panel",
    "todo_count",
    "todo_querysets",
    "unacknowledged_links",
]
