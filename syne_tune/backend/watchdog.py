"""Watchdog that ends a tuner's trials when the tuner dies.

:class:`~syne_tune.backend.LocalBackend` starts this module once per tuner
process (``python -I -S``, with the folder of the ``syne_tune`` package put
on its path: it needs the standard library and
:mod:`syne_tune.backend.processes` only, and must not depend on the tuner's
environment), in a session of its own so that a signal to the tuner's
process group does not reach it, with a pipe on its standard input. The
backend writes one line per event:

* ``track <pgid> <start ticks>`` -- a trial's process group was started; its
  leader (process id ``pgid``) started at ``start ticks``, which tells it
  apart from a later process that got the same id;
* ``untrack <pgid>`` -- that group is gone (the backend reaped it).

The pipe reaches end-of-file when the tuner exits, whichever way: a clean
exit (everything is untracked by then), an exception, or SIGKILL. The
watchdog then sends SIGTERM to every group still tracked that is verified to
be the trial's (members of the group that started no earlier than its
leader), waits up to the grace period given as its first argument (seconds,
default 2), sends SIGKILL to what is left, and exits.
"""

import signal
import sys

from syne_tune.backend.processes import kill_groups


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
