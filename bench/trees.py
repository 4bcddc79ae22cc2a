"""Shared by the benchmarks that compare this tree with an earlier commit in one run
(cold_pages, mixed_cpu, soak): an exported commit, and a throwaway PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_export(*, commit: str, tree: Path) -> Path:
    """The commit's files in `tree` (git archive), sharing this checkout's virtualenv."""
    tree.mkdir()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    (tree / ".venv").symlink_to(ROOT / ".venv")
    return tree


def postgres_throwaway(*, extra_opts: str = "") -> tuple[subprocess.Popen, str]:
    """A throwaway cluster (bin/pg-throwaway) held by a bash child, and its DATABASE_URL. Closing
    the child's stdin lets its `read` return; its EXIT trap stops and removes the cluster."""
    options = f'PG_EXTRA_OPTS="{extra_opts}" ' if extra_opts else ""
    script = f'source bin/pg-throwaway; {options}pg_throwaway_start >&2 || exit 1; echo "$DATABASE_URL"; read -r _'
    proc = subprocess.Popen(["bash", "-c", script], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("postgres"):
        proc.kill()
        sys.exit("bench: could not start PostgreSQL (is postgresql installed?)")
    return proc, url
