"""The simulator's event queue and the state of one simulated trial run.

Each trial that occupies a simulated worker has one :class:`TrialRun` (one
stretch of training, from a start or a resume until it completes, is paused
or is stopped). A run has at most one pending event in the
:class:`EventQueue` at any time: the next result it reports, or its
completion once all results are out. Processing that event pushes the next
one. So the queue holds about one entry per busy worker, however long the
learning curves are, and pausing or stopping a run only needs to mark it
inactive: its pending entry is dropped when it comes up ("lazy deletion").

Event times are simulated seconds. Ties are broken by the order in which the
events were pushed, which makes the simulation deterministic.
"""

from __future__ import annotations

import heapq
from typing import Any


class TrialRun:
    """One stretch of training of a trial on a simulated worker.

    Attributes
    ----------
    trial_id
        The trial.
    start_time
        Simulated time at which the worker starts (or resumes) training.
    rows
        Source data of the results, one entry per result the run can report;
        what an entry is depends on the backend (a row of a learning curve, a
        result dict reported by a script).
    elapsed
        ``elapsed[i]``: elapsed-time value that goes with ``rows[i]``;
        ``elapsed[i] - base_elapsed`` is the time from ``start_time`` until
        result ``i`` is reported.
    base_elapsed
        Elapsed time already paid before this run (a resumed trial continues
        from its checkpoint and pays only the remaining time).
    next_index, end_index
        Index (into ``rows``) of the next result to report; results
        ``next_index`` up to ``end_index - 1`` remain.
    offset
        Position of ``rows[0]`` among all results of the trial (a resumed run
        holds only the results after its checkpoint), so that result ``i`` of
        the run is result ``offset + i`` of the trial.
    final_status
        Status once all results are out (completed, or failed).
    last_report_time
        Simulated time of the latest result of this run (worker side).
    batch
        Delivery batch of the latest result (see ``SimulatorBackend``).
    extra
        Whatever the backend wants to keep with the run.
    active
        ``False`` once the run was paused, stopped or finished: its pending
        event is then ignored.
    """

    __slots__ = (
        "trial_id",
        "start_time",
        "rows",
        "elapsed",
        "base_elapsed",
        "next_index",
        "end_index",
        "offset",
        "final_status",
        "last_report_time",
        "batch",
        "active",
        "extra",
    )

    def __init__(
        self,
        trial_id: int,
        rows: list,
        elapsed: list,
        next_index: int = 0,
        end_index: int | None = None,
        base_elapsed: float = 0.0,
        final_status: str = "Completed",
        offset: int = 0,
        extra: Any = None,
    ):
        self.trial_id = trial_id
        self.start_time = 0.0
        self.rows = rows
        self.elapsed = elapsed
        self.base_elapsed = base_elapsed
        self.next_index = next_index
        self.end_index = len(rows) if end_index is None else end_index
        self.offset = offset
        self.final_status = final_status
        self.last_report_time = 0.0
        self.batch = -1
        self.active = True
        self.extra = extra

    def __repr__(self):
        return (
            f"TrialRun(trial_id={self.trial_id}, start_time={self.start_time}, "
            f"next_index={self.next_index}, end_index={self.end_index}, active={self.active})"
        )


class EventQueue:
    """Priority queue of ``(time, sequence number, run)`` entries.

    The sequence number is a counter, so that entries with equal times come
    out in the order they were pushed (and runs are never compared).
    Entries of inactive runs are skipped.
    """

    __slots__ = ("heap", "counter")

    def __init__(self):
        self.heap: list[tuple[float, int, TrialRun]] = []
        #: sequence number of the latest entry (the backend's hot loop
        #: pushes entries itself and updates it)
        self.counter = 0

    def push(self, time: float, run: TrialRun) -> None:
        self.counter += 1
        heapq.heappush(self.heap, (time, self.counter, run))

    def pop_until(self, time: float) -> tuple[float, TrialRun] | None:
        """Remove and return the earliest entry of an active run whose time is
        ``<= time``; ``None`` if there is none."""
        heap = self.heap
        while heap and heap[0][0] <= time:
            event_time, _, run = heapq.heappop(heap)
            if run.active:
                return event_time, run
        return None

    def next_time(self) -> float | None:
        """Time of the earliest entry of an active run, ``None`` if none."""
        heap = self.heap
        while heap and not heap[0][2].active:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def __len__(self) -> int:
        return len(self.heap)
