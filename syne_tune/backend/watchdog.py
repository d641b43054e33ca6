"""Watchdog that ends a tuner's trials when the tuner dies.

:class:`~syne_tune.backend.LocalBackend` starts this script once per tuner
process, in a session of its own (so that a signal to the tuner's process
group does not reach it), with a pipe on its standard input. The backend
writes one line per event:

* ``track <pgid> <start ticks>`` -- a trial's process group was started; its
  leader (process id ``pgid``) started at ``start ticks`` (field 22 of
  ``/proc/<pid>/stat``), which tells it apart from a later process that got
  the same id;
* ``untrack <pgid>`` -- that group is gone (the backend reaped it).

The pipe reaches end-of-file when the tuner exits, whichever way: a clean
exit (everything is untracked by then), an exception, or SIGKILL. The
watchdog then sends SIGTERM to every group still tracked that is verified to
be the trial's (the leader with the same start ticks, or members of the
group that started no earlier than the leader), waits up to the grace period
given as its first argument (seconds, default 2), sends SIGKILL to what is
left, and exits.

Standard library only, started with ``python -I -S``: it must start fast and
must not depend on the environment of the tuner.
"""

import os
import signal
import sys
import time


def _stat_fields(pid: int):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        return data[data.rindex(b")") + 2 :].split()
    except (OSError, ValueError):
        return None


def _members(pgid: int, ticks: int) -> list:
    """Live processes of group ``pgid`` that started no earlier than its
    leader (zombies excluded)."""
    found = []
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is None or len(fields) < 20:
            continue
        try:
            if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X") and int(fields[19]) >= ticks:
                found.append(pid)
        except ValueError:
            continue
    return found


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill_groups(groups: dict, grace: float) -> None:
    """SIGTERM to the verified groups, SIGKILL after ``grace`` seconds."""
    alive = {pgid: ticks for pgid, ticks in groups.items() if _members(pgid, ticks)}
    for pgid in alive:
        _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = {pgid: ticks for pgid, ticks in alive.items() if _members(pgid, ticks)}
    for pgid, ticks in alive.items():
        for pid in _members(pgid, ticks):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    grace = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    tracked: dict = {}
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            break
        parts = line.split()
        try:
            if parts[0] == b"track" and len(parts) == 3:
                tracked[int(parts[1])] = int(parts[2])
            elif parts[0] == b"untrack" and len(parts) == 2:
                tracked.pop(int(parts[1]), None)
        except (IndexError, ValueError):
            continue
    if tracked:
        kill_groups(tracked, grace)


if __name__ == "__main__":
    main()
