"""Simulated time for the simulator backend.

The simulator does not wait: a trial that would train for an hour reports its
results "one hour later" on a simulated clock. The tuner, its stop criteria,
the schedulers and the results table all read that clock through the
:class:`~syne_tune.backend.time_keeper.TimeKeeper` interface.

The real time the tuner and scheduler spend between two calls to the backend
(deciding what to do with a result, suggesting a configuration) is added to
the simulated clock, so a slow scheduler is charged for its decisions just as
on a real cluster. The backend calls :meth:`SimulatedTimeKeeper.mark_exit`
when it returns to the tuner and
:meth:`SimulatedTimeKeeper.advance_by_outside_time` when it is entered again.
With ``add_real_time=False`` this charge is left out, which makes a
simulation exactly reproducible (useful in tests).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from syne_tune.backend.time_keeper import TimeKeeper


class SimulatedTimeKeeper(TimeKeeper):
    """Clock that only moves when told to.

    Parameters
    ----------
    add_real_time
        If ``True`` (default), :meth:`advance_by_outside_time` adds the real
        time spent outside the backend since the last :meth:`mark_exit` (the
        tuner's and scheduler's own work). If ``False``, simulated time depends
        only on the simulated events, so that runs are exactly reproducible.
    """

    def __init__(self, add_real_time: bool = True):
        if not isinstance(add_real_time, bool):
            raise TypeError(f"add_real_time must be a bool, got {add_real_time!r}")
        self.add_real_time = add_real_time
        self._current_time: float | None = None
        self._start_time_stamp: datetime | None = None
        self._last_recent_exit: float | None = None

    # -- TimeKeeper API --------------------------------------------------------
    def start_of_time(self) -> None:
        """Start the clock at 0. A clock already started keeps its time (a
        resumed tuner continues where it stopped)."""
        if self._current_time is None:
            self._current_time = 0.0
            self._start_time_stamp = datetime.now()
        self.mark_exit()

    @property
    def started(self) -> bool:
        return self._current_time is not None

    def _check_started(self):
        if self._current_time is None:
            raise RuntimeError("SimulatedTimeKeeper: call start_of_time() first")

    def time(self) -> float:
        """Simulated seconds since :meth:`start_of_time`."""
        if self._current_time is None:
            self._check_started()
        return self._current_time

    @property
    def start_time_stamp(self) -> datetime:
        """Real date and time at which the simulated clock was started."""
        self._check_started()
        return self._start_time_stamp

    def time_stamp(self) -> datetime:
        """The simulated time as a datetime (start date plus simulated seconds)."""
        self._check_started()
        return self._start_time_stamp + timedelta(seconds=self._current_time)

    def advance(self, step: float) -> None:
        """Move the clock forward by ``step`` seconds (never backward)."""
        self._check_started()
        if step < 0:
            raise ValueError(f"SimulatedTimeKeeper.advance: step must be >= 0, got {step}")
        self._current_time += step

    def advance_to(self, to_time: float) -> None:
        """Move the clock forward to ``to_time``; no-op if it is in the past."""
        self._check_started()
        if to_time > self._current_time:
            self._current_time = float(to_time)

    # -- real time spent outside the backend ------------------------------------
    def mark_exit(self) -> None:
        """Remember now (real time): the backend returns to the tuner."""
        self._last_recent_exit = time.perf_counter()

    def real_time_since_last_recent_exit(self) -> float:
        """Real seconds since the last :meth:`mark_exit` (0 if never marked)."""
        if self._last_recent_exit is None:
            return 0.0
        return time.perf_counter() - self._last_recent_exit

    def advance_by_outside_time(self) -> None:
        """Add the real time spent outside the backend since the last
        :meth:`mark_exit` to the simulated clock (unless ``add_real_time`` is
        ``False``)."""
        if self.add_real_time and self._last_recent_exit is not None and self._current_time is not None:
            self._current_time += time.perf_counter() - self._last_recent_exit

    # -- pickling ---------------------------------------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        # a perf_counter value means nothing in another process
        state["_last_recent_exit"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
