"""Two unit names printed with no separator between them, as when a line break
inside a cell is lost ("市行政审批局市司法局", Xi'an 2022): split, but only where
it is safe, so that a real single name is never broken.

A name is split at a point when either both halves are known units, or both
halves are whole names of the same level: the second starts again with the
first's level prefix (市…市…, 区…区…), the first ends with an office ending
(局, 委, 办, 厅, 院) and each half has at least four characters. So
"市委市政府督查室", "县委县政府督查室" (a joint office; "市委" is too short),
"市城市管理局" and "市委宣传部市文明办" (部 is not an office ending here) stay
whole; a name the database knows is never split.
"""

from __future__ import annotations

from collections.abc import Callable

_LEVELS = "市区县省"
_OFFICE_ENDINGS = ("局", "委", "办", "厅", "院")
# A second half that starts with one of these is a phrase, not a unit of the level ("市直机关", "市属学校").
_NOT_A_RESTART = ("市区", "市直", "市属", "市辖", "区直", "区属", "县直", "县属", "省直", "省属")
# What the second half may end with: any whole unit of the level.
_WHOLE_ENDINGS = (*_OFFICE_ENDINGS, "中心", "公司", "集团", "政府", "管委会", "部", "所", "站", "队", "馆")
_MIN_PART = 4


def split_run_together(name: str, *, is_known: Callable[[str], bool]) -> list[str]:
    """ "市行政审批局市司法局" → ["市行政审批局", "市司法局"]; any other name → [name]."""
    if len(name) < 2 * _MIN_PART - 1 or is_known(name) or any(c in name for c in "（()）、，, "):
        return [name]
    for cut in range(2, len(name) - 1):
        left, right = name[:cut], name[cut:]
        if is_known(left) and is_known(right):
            return [left, *split_run_together(right, is_known=is_known)]
        if _same_level_restart(left, right):
            return [left, *split_run_together(right, is_known=is_known)]
    return [name]


def _same_level_restart(left: str, right: str) -> bool:
    return (
        left[0] in _LEVELS
        and right[0] == left[0]
        and left.endswith(_OFFICE_ENDINGS)
        and len(left) >= _MIN_PART
        and len(right) >= _MIN_PART
        and not right.startswith(_NOT_A_RESTART)
        and right.endswith(_WHOLE_ENDINGS)
    )
