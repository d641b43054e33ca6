"""Clocks for the tuner: real time, or simulated time in the simulator.

Everything that needs "now" (the tuner loop, stop criteria, schedulers with a
time budget, the results table) asks a :class:`TimeKeeper`, so that the same
code runs in real and in simulated time.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta


class TimeKeeper:
    """Abstract clock. ``time()`` is seconds since ``start_of_time()``."""

    def start_of_time(self) -> None:
        """Start (or restart) the clock."""
        raise NotImplementedError

    def time(self) -> float:
        """Seconds since :meth:`start_of_time`."""
        raise NotImplementedError

    def time_stamp(self) -> datetime:
        """Current time as a datetime."""
        raise NotImplementedError

    def advance(self, step: float) -> None:
        """Move the clock forward by ``step`` seconds (real clock: sleep)."""
        raise NotImplementedError


class RealTimeKeeper(TimeKeeper):
    """Wall-clock time, measured with :func:`time.perf_counter`."""

    def __init__(self):
        self._start: float | None = None
        self._start_datetime: datetime | None = None

    def start_of_time(self) -> None:
        if self._start is None:
            self._start = time.perf_counter()
            self._start_datetime = datetime.now()

    def _check_started(self):
        if self._start is None:
            raise RuntimeError("RealTimeKeeper: call start_of_time() first")

    def time(self) -> float:
        self._check_started()
        return time.perf_counter() - self._start

    def time_stamp(self) -> datetime:
        self._check_started()
        return self._start_datetime + timedelta(seconds=self.time())

    def advance(self, step: float) -> None:
        if step > 0:
            time.sleep(step)

    def __getstate__(self):
        # perf_counter values are meaningless in another process: a resumed
        # tuner continues counting from the elapsed time at save.
        state = dict(self.__dict__)
        state["_elapsed_at_save"] = self.time() if self._start is not None else 0.0
        state["_start"] = None
        return state

    def __setstate__(self, state):
        elapsed = state.pop("_elapsed_at_save", 0.0)
        self.__dict__.update(state)
        if self._start_datetime is not None:
            self._start = time.perf_counter() - elapsed
