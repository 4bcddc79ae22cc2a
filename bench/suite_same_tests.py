"""The suite's time before and after, on the same tests: the test functions an earlier commit had
(BENCH_REF, default ca20fed: the commit before issue 15) that this tree still has, by name, run in
each tree with that tree's own bin/run-tests, back to back on this machine.

Whole-suite times are not comparable across commits once later work has added tests (762 tests at
ca20fed, about 1,460 now). Here both trees run only the shared names, with their parametrizations.
Beside the times, the script counts each shared test's assertions (`assert` statements and
`pytest.raises` blocks in the test function's own body, not in the helpers it calls) in both trees,
and lists the tests that have fewer now: the figure is only fair if none was dropped.

    .venv/bin/python bench/suite_same_tests.py                        # ca20fed, then HEAD
    BENCH_REF=<commit> BENCH_THIS=<commit> .venv/bin/python bench/suite_same_tests.py --names-only

Each tree is the commit exported (bench/trees.py, as the other benchmarks that compare two commits)
and shares this checkout's virtualenv.
A tree from before stop 33 drives /usr/bin/chromium (Debian's full browser), not the headless shell:
install it for the run. Takes about 12 minutes for ca20fed and HEAD.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from trees import tree_export

ROOT = Path(__file__).resolve().parent.parent

# Loaded into each run's pytest (and its xdist workers) with -p: keeps the tests whose function
# name is in the file SAME_TESTS_FILE names.
PLUGIN = """
import os

NAMES = set(open(os.environ["SAME_TESTS_FILE"], encoding="utf-8").read().split())


def pytest_collection_modifyitems(config, items):
    keep, drop = [], []
    for item in items:
        name = getattr(item, "originalname", None) or item.name.split("[")[0]
        (keep if name in NAMES else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep
"""


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def _is_raises(item: ast.withitem) -> bool:
    call = item.context_expr
    return isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "raises"


def _assertions(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    count = 0
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert):
            count += 1
        elif isinstance(node, ast.With):
            count += sum(_is_raises(i) for i in node.items)
    return count


def tests_at(commit: str) -> Counter[str]:
    """Test function name -> its assertions at that commit (summed where two modules share a name)."""
    found: Counter[str] = Counter()
    for path in _git("ls-tree", "-r", "--name-only", commit, "tests/").split():
        if not re.search(r"(^|/)test_[^/]*\.py$", path):
            continue
        tree = ast.parse(_git("show", f"{commit}:{path}"))
        bodies = [tree.body] + [n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name.startswith("Test")]
        for body in bodies:
            for node in body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                    found[node.name] += _assertions(node)  # a test without assertions is still listed
    return found


def suite_run(*, commit: str, names: Path, plugin_dir: Path) -> tuple[str, float, int]:
    """(pytest's summary line, wall seconds, exit status) of the shared tests in that commit's tree."""
    tree = tree_export(commit=commit, tree=plugin_dir / f"tree-{commit}")
    try:
        path = os.pathsep.join(p for p in (str(plugin_dir), os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "CI": "1", "SAME_TESTS_FILE": str(names), "PYTHONPATH": path}
        env.pop("DATABASE_URL", None)
        env.pop("TEST_DATABASE_URL", None)
        started = time.monotonic()
        run = subprocess.run(
            ["bin/run-tests", "-q", "-rf", "-p", "no:randomly", "-p", "same_tests"],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.monotonic() - started
        summary = [line for line in run.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
        if run.returncode != 0:
            print(run.stdout[-4000:], run.stderr[-2000:], sep="\n")
        return (summary[-1].strip("= ") if summary else "no summary"), wall, run.returncode
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names-only", action="store_true", help="count the shared tests and assertions; run nothing")
    args = parser.parse_args()
    ref = os.environ.get("BENCH_REF", "ca20fed")
    this = os.environ.get("BENCH_THIS", "HEAD")
    ref_id, this_id = (_git("rev-parse", "--short", c).strip() for c in (ref, this))

    before, after = tests_at(ref_id), tests_at(this_id)
    shared = sorted(set(before) & set(after))
    fewer = [(n, before[n], after[n]) for n in shared if after[n] < before[n]]
    print(f"{ref_id}: {len(before)} test functions; {this_id}: {len(after)}; shared by name: {len(shared)}")
    print(f"  gone since {ref_id}: {', '.join(sorted(set(before) - set(after))) or 'none'}")
    print(
        f"  assertions in the shared tests' own bodies: {sum(before[n] for n in shared)} at {ref_id}, "
        f"{sum(after[n] for n in shared)} at {this_id}"
    )
    print(f"  shared tests with fewer assertions at {this_id}: {len(fewer)}")
    for name, was, now in fewer:
        print(f"    {name}: {was} -> {now}")
    if args.names_only:
        return

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-same-") as scratch:
        work = Path(scratch)
        (work / "same_tests.py").write_text(PLUGIN, encoding="utf-8")
        names = work / "names.txt"
        names.write_text("\n".join(shared) + "\n", encoding="utf-8")
        for label, commit in (("before", ref_id), ("after", this_id)):
            started = time.strftime("%H:%M:%S")
            print(f"{started} {label}: {commit}, the shared tests, its own bin/run-tests …", flush=True)
            results[label] = suite_run(commit=commit, names=names, plugin_dir=work)
            summary, wall, status = results[label]
            print(f"  {summary} (wall {wall:.1f} s)", flush=True)
            if status != 0:
                sys.exit(f"bench: the shared tests failed at {commit} (exit {status}); no comparison")
    ratio = results["before"][1] / results["after"][1]
    print(f"{ref_id} -> {this_id}, the same {len(shared)} test functions: {ratio:.2f}x faster (wall, back to back)")


if __name__ == "__main__":
    sys.exit(main())
