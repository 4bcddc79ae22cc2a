"""The type checker is part of the product's checks (`make lint`, CI): these tests hold it to what
issue 15 asked of it. mypy, with the project's own configuration (pyproject.toml, django-stubs),
must refuse a wrong field name read from a selector's typed row and a non-account passed where a
service records who acted; and no function of the product takes its user as `Any`."""

from __future__ import annotations

import ast
import os
import tomllib
from pathlib import Path

import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"


def _mypy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> tuple[str, int]:
    """mypy on one small module, as `make lint` runs it (same config, same cache); returns its
    report and exit status. Run from the project root, where `tasks` and the other apps import."""
    module = tmp_path / "typing_probe.py"
    module.write_text(source, encoding="utf-8")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SECRET_KEY", os.environ.get("SECRET_KEY") or "typing-test")
    stdout, stderr, status = mypy_api.run(["--config-file", str(CONFIG), str(module)])
    assert not stderr, stderr
    return stdout, status


ROW_READ = """\
from tasks.selectors.row_types import TaskRow


def shown(row: TaskRow) -> str:
    return row.{name}
"""


def test_a_wrong_field_name_read_from_a_selector_row_is_an_error(tmp_path, monkeypatch):
    report, status = _mypy(tmp_path, monkeypatch, ROW_READ.format(name="titel"))
    assert status == 1
    assert 'typing_probe.py:5: error: "TaskRow" has no attribute "titel"; maybe "title"?  [attr-defined]' in report


def test_the_right_field_name_passes(tmp_path, monkeypatch):
    report, status = _mypy(tmp_path, monkeypatch, ROW_READ.format(name="title"))
    assert (status, report.strip()) == (0, "Success: no issues found in 1 source file")


SERVICE_CALL = """\
from django.contrib.auth.models import User

from tasks.models import ProgressReport
from tasks.services import report_approve


def approve(report: ProgressReport, who: {who}) -> None:
    report_approve(user=who, report=report, version=report.version)
"""


def test_a_service_refuses_what_is_not_an_account(tmp_path, monkeypatch):
    report, status = _mypy(tmp_path, monkeypatch, SERVICE_CALL.format(who="str"))
    assert status == 1
    assert 'typing_probe.py:8: error: Argument "user" to "report_approve" has incompatible type "str"' in report


def test_a_service_takes_an_account(tmp_path, monkeypatch):
    report, status = _mypy(tmp_path, monkeypatch, SERVICE_CALL.format(who="User"))
    assert (status, report.strip()) == (0, "Success: no issues found in 1 source file")


# Parameters that hold a Django account. django-auth-ldap's `ldap_user` is its own LDAP-side
# object (not an account), so it is not one of them.
NOT_ACCOUNTS = {"ldap_user"}


def _is_account(name: str) -> bool:
    return name not in NOT_ACCOUNTS and (name in {"user", "actor", "owner", "author"} or name.endswith("_user"))


def _checked_files() -> list[Path]:
    """The product's Python files, as the type checker's configuration lists them."""
    mypy = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["tool"]["mypy"]
    return sorted(
        path
        for folder in mypy["files"]
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts and "tests" not in path.parts
    )


def test_no_function_takes_its_user_as_any():
    untyped = []
    for path in _checked_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                annotation = ast.unparse(arg.annotation) if arg.annotation else None
                if _is_account(arg.arg) and annotation in (None, "Any", "object"):
                    untyped.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}({arg.arg}: {annotation})")
    assert untyped == []
