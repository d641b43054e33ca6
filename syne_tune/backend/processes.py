"""Processes and process groups on Linux, from ``/proc``: the helpers the
local backend and its watchdog share (standard library only).

A process is recognised by its id *and* its start time (field 22 of
``/proc/<pid>/stat``, in clock ticks since boot), so that a later process
that got the same id is never taken for it. A trial runs in a process group
of its own whose id is its leader's process id; a member of that group is
the trial's only if it started no earlier than the leader.
"""

from __future__ import annotations

import os
import signal
import time

__all__ = [
    "stat_fields",
    "process_start_ticks",
    "process_running",
    "group_alive",
    "group_members",
    "signal_group",
    "kill_groups",
]


def stat_fields(pid: int) -> list[bytes] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name (state first),
    or ``None`` if the process does not exist."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        return data[data.rindex(b")") + 2 :].split()
    except (OSError, ValueError):
        return None


def process_start_ticks(pid: int) -> int | None:
    """Start time of a process (Linux ``/proc``), to recognise it later
    despite pid reuse. ``None`` where unavailable."""
    fields = stat_fields(pid)
    try:
        return int(fields[19]) if fields is not None else None
    except (IndexError, ValueError):
        return None


def process_running(pid: int, ticks: int | None) -> bool:
    """Is process ``pid``, started at ``ticks``, alive (not a zombie)?"""
    if ticks is None:
        return False
    fields = stat_fields(pid)
    if fields is None or len(fields) < 20:
        return False
    try:
        return int(fields[19]) == ticks and fields[0] not in (b"Z", b"X")
    except ValueError:
        return False


def group_alive(pgid: int) -> bool:
    """Does process group ``pgid`` have any process (zombies included)?"""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def group_members(pgid: int, min_ticks: int | None = None) -> list[int]:
    """Live processes (zombies excluded) of group ``pgid``, started no earlier
    than ``min_ticks`` if given. Scans ``/proc``."""
    if not group_alive(pgid):
        return []
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return [pgid]
    found = []
    for pid in pids:
        fields = stat_fields(pid)
        if fields is None or len(fields) < 20:
            continue
        try:
            if int(fields[2]) != pgid or fields[0] in (b"Z", b"X"):
                continue
            if min_ticks is not None and int(fields[19]) < min_ticks:
                continue
        except ValueError:
            continue
        found.append(pid)
    return found


def signal_group(pgid: int, sig: int) -> None:
    """Send ``sig`` to process group ``pgid`` (nothing if it is gone)."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_groups(groups: dict[int, int], grace: float) -> None:
    """SIGTERM to each process group ``pgid`` of ``groups`` (pgid -> start
    ticks of its leader) that has members of its own, SIGKILL to what is left
    after ``grace`` seconds."""
    alive = {pgid: ticks for pgid, ticks in groups.items() if group_members(pgid, ticks)}
    for pgid in alive:
        signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = {pgid: ticks for pgid, ticks in alive.items() if group_members(pgid, ticks)}
    for pgid, ticks in alive.items():
        for pid in group_members(pgid, ticks):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
