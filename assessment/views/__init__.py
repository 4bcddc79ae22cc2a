"""考评 pages: parse, check permission, call a service or selector, render or redirect."""

from .burden import burden, cap_set
from .rules import rule_set_edit, rule_set_for_plan, rules
from .runs import adjust, compute, freeze, index, publish, recompute, run_detail, run_xlsx, sheet

__all__ = [
    "adjust",
    "burden",
    "cap_set",
    "compute",
    "freeze",
    "index",
    "publish",
    "recompute",
    "rule_set_edit",
    "rule_set_for_plan",
    "rules",
    "run_detail",
    "run_xlsx",
    "sheet",
]
