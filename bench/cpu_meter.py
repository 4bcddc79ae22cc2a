"""Where a benchmark's CPU went, by process tree (Linux /proc): the load generator itself, the app
servers, PostgreSQL and everything else on the machine. On a shared 2-core box the load generator
competes with what it measures; this says by how much.

A tree's CPU is its root's own time plus the time of its children, live (read now) or already
reaped (the root's cutime/cstime), so a backend that closed its connection is still counted."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")  # Linux only, as /proc is


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, own CPU seconds, reaped children's CPU seconds), or None once it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    ppid, utime, stime, cutime, cstime = int(fields[1]), *map(int, fields[11:15])
    return ppid, (utime + stime) / _TICK, (cutime + cstime) / _TICK


def _table() -> dict[int, tuple[int, float, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def tree_cpu(root: int, table: dict[int, tuple[int, float, float]]) -> float:
    """CPU seconds of a process and all its descendants since they started (`table`: one _table())."""
    if root not in table:
        return 0.0
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        _, own, reaped = table[pid]
        total += own + reaped
        stack.extend(children.get(pid, []))
    return total


def postmaster_of(port: int) -> int | None:
    """The PostgreSQL server listening on this port (its command line holds `-p PORT`)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"postgres") and b"-p" in args:
            index = args.index(b"-p")
            if index + 1 < len(args) and args[index + 1] == str(port).encode():
                return int(entry.name)
    return None


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, summed over its cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # without guest time, which is already in user
    return (total - idle) / _TICK, total / _TICK


@dataclass(frozen=True)
class Reading:
    client: float
    servers: float
    database: float
    busy: float
    total: float


def read(*, servers: list[int], database: int | None) -> Reading:
    table = _table()
    client = os.times()
    busy, total = machine_cpu()
    return Reading(
        client=client.user + client.system,
        servers=sum(tree_cpu(pid, table) for pid in servers),
        database=tree_cpu(database, table) if database else 0.0,
        busy=busy,
        total=total,
    )


def split_lines(before: Reading, after: Reading, *, requests: int) -> list[tuple[str, str]]:
    """The report's rows: CPU per request by tree, and how busy the machine was."""
    per = 1000 / max(requests, 1)
    client = after.client - before.client
    servers = after.servers - before.servers
    database = after.database - before.database
    busy = after.busy - before.busy
    other = max(busy - client - servers - database, 0.0)
    share = busy / (after.total - before.total) if after.total > before.total else 0.0
    return [
        ("machine busy (all cores)", f"{share:.0%}"),
        ("CPU ms per request: app servers", f"{servers * per:.1f}"),
        ("  PostgreSQL", f"{database * per:.1f}"),
        ("  the load generator (this process)", f"{client * per:.1f}"),
        ("  everything else", f"{other * per:.1f}"),
    ]
