"""The offline bundle's cheap invariants (`make bundle`, deploy/INSTALL.md, deploy/systemd/).

Building the bundle and installing it with --no-index is the CI step bin/check-bundle (.ci/run):
it needs PyPI and takes minutes, so it is not a test here.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
APP = "/srv/minhang/app"
PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!_-]+$")


def _requirements(name: str) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in (ROOT / name).read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("-r")]


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser


def _env_example() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines())
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2 and not pair[0].startswith("#")}


def test_makefile_bundle_target_runs_the_script():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^bundle:.*\n\t(.*)$", makefile, re.MULTILINE)
    assert target, "Makefile has no bundle target"
    assert "bin/make-bundle" in target.group(1)
    assert re.search(r"^\.PHONY:.*\bbundle\b", makefile, re.MULTILINE)
    script = ROOT / "bin" / "make-bundle"
    assert script.stat().st_mode & 0o111
    text = script.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    assert "git archive" in text and "collectstatic" in text and "deploy/INSTALL.md" in text
    assert "manage.py words_cache_build" in text  # the word table ships: the app directory is read-only on a server
    assert "--no-index" not in text  # building needs the index; installing must not
    assert "dist/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_every_requirement_is_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt"):
        loose = [line for line in _requirements(name) if not PIN.match(line)]
        assert not loose, f"{name}: not pinned with ==: {loose}"


def test_install_md_lists_the_steps_in_order():
    text = (ROOT / "deploy" / "INSTALL.md").read_text(encoding="utf-8")
    steps = [
        "tar -xzf minhang-plans-",
        "python3.11 -m venv .venv",
        ".venv/bin/pip install --no-index --find-links wheels -r requirements.txt",
        "cp .env.example /etc/minhang/env",
        "manage.py migrate --noinput",
        "manage.py check --deploy",
        "systemctl enable --now minhang-gunicorn.service minhang-worker.service minhang-audit-prune.timer",
    ]
    positions = [text.find(step) for step in steps]
    assert -1 not in positions, [step for step, pos in zip(steps, positions, strict=True) if pos == -1]
    assert positions == sorted(positions)
    for heading in ("解压 · Unpack", "安装依赖", "配置环境", "建表与检查", "systemd 服务"):
        assert heading in text
    for unit in UNITS.iterdir():
        if unit.suffix == ".timer" or unit.name == "minhang-gunicorn.service":
            assert unit.name in text, f"INSTALL.md does not enable {unit.name}"


def test_systemd_units_reference_files_of_the_bundle():
    env = _env_example()
    services = sorted(UNITS.glob("*.service"))
    assert {p.name for p in services} >= {"minhang-gunicorn.service", "minhang-audit-prune.service"}
    requirements = {re.split(r"[\[=]", line)[0].lower() for line in _requirements("requirements.txt")}
    for path in services:
        service = _unit(path)["Service"]
        assert service["User"] == "minhang" and service["WorkingDirectory"] == APP
        assert service["EnvironmentFile"] == "/etc/minhang/env"
        assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
        assert service["PrivateTmp"] == "yes"
        program, *args = service["ExecStart"].split()
        assert program.startswith(f"{APP}/.venv/bin/"), program
        script = program.rsplit("/", 1)[1]
        assert script == "python" or script in requirements, f"{path.name}: {script} is not installed"
        if script == "gunicorn":
            config = args[args.index("-c") + 1]
            assert (ROOT / config).is_file(), config
            assert (ROOT / (args[-1].replace(".", "/") + ".py")).is_file(), args[-1]
        else:
            assert args[0] == "manage.py"
            assert list(ROOT.glob(f"*/management/commands/{args[1]}.py")), f"{path.name}: no command {args[1]}"
    gunicorn = _unit(UNITS / "minhang-gunicorn.service")["Service"]
    assert gunicorn["Restart"] == "on-failure"
    assert set(gunicorn["ReadWritePaths"].split()) == {env["MEDIA_ROOT"], env["FILE_UPLOAD_TEMP_DIR"]}


def test_every_timer_starts_a_service_daily():
    timers = sorted(UNITS.glob("*.timer"))
    assert {p.name for p in timers} >= {"minhang-audit-prune.timer"}
    # Reminders run on the worker (jobs/), which every app server runs; no timer may send them too.
    assert (UNITS / "minhang-worker.service").is_file() and not (UNITS / "minhang-reminders.timer").exists()
    for path in timers:
        unit = _unit(path)
        assert (UNITS / path.name.replace(".timer", ".service")).is_file()
        assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", unit["Timer"]["OnCalendar"]), path.name
        assert unit["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    # Pointed at this checkout, whose .venv has the same programs an installed bundle has.
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text(encoding="utf-8").replace(APP, str(ROOT)), encoding="utf-8")
    names = sorted(f"./{p.name}" for p in tmp_path.iterdir())
    result = subprocess.run(
        ["systemd-analyze", "verify", *names], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
