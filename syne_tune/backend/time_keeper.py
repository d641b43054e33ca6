"""Clocks: real time for real backends, simulated time for the simulator.

Every trial backend owns one clock (:attr:`TrialBackend.time_keeper
<syne_tune.backend.trial_backend.TrialBackend.time_keeper>`); the tuner, its
stop criteria, the schedulers and the results table read "now" from it, and
nobody else moves it. So the same tuning code runs in real and in simulated
time.

* :class:`RealTimeKeeper`: seconds since tuning started, from
  :func:`time.perf_counter`. A resumed tuner continues counting from the time
  elapsed when it was saved.
* :class:`SimulatedTimeKeeper`: a clock that moves only when the simulator
  moves it, to the time of its next event. The real time the tuner and the
  scheduler spend between two calls into the simulator (deciding on a
  result, suggesting a configuration) is added to it, so a slow scheduler
  pays for its decisions as on a real cluster: the simulator calls
  :meth:`SimulatedTimeKeeper.mark_exit` when it returns to the tuner and
  :meth:`SimulatedTimeKeeper.advance_by_outside_time` when it is entered
  again. With ``add_real_time=False`` that charge is left out and a
  simulation is exactly reproducible.

(``syne_tune.backend.simulator_backend.time_keeper`` is Syne Tune's import
path of :class:`SimulatedTimeKeeper`; it resolves to this module.)
"""

from __future__ import annotations

import abc
import time
from datetime import datetime, timedelta


class TimeKeeper(abc.ABC):
    """Abstract clock. :meth:`time` is seconds since :meth:`start_of_time`."""

    @abc.abstractmethod
    def start_of_time(self) -> None:
        """Start the clock; a clock that is already running keeps its time
        (a resumed tuner continues where it stopped)."""

    @abc.abstractmethod
    def time(self) -> float:
        """Seconds since :meth:`start_of_time`."""

    @abc.abstractmethod
    def time_stamp(self) -> datetime:
        """Current time as a datetime."""

    @abc.abstractmethod
    def advance(self, step: float) -> None:
        """Move the clock forward by ``step`` seconds (a real clock sleeps)."""


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


class SimulatedTimeKeeper(TimeKeeper):
    """Clock that moves only when told to (see the module docstring).

    Parameters
    ----------
    add_real_time
        If ``True`` (default), :meth:`advance_by_outside_time` adds the real
        time spent outside the simulator since the last :meth:`mark_exit`
        (the tuner's and the scheduler's own work). If ``False``, simulated
        time depends only on the simulated events, so that runs are exactly
        reproducible.
    """

    def __init__(self, add_real_time: bool = True):
        if not isinstance(add_real_time, bool):
            from syne_tune.utils.validation import check_parameter

            check_parameter(self, "add_real_time", add_real_time, ["boolean"])
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

    def advance_to(self, to_time: float) -> bool:
        """Move the clock forward to ``to_time``; no-op if it is in the past.
        Returns ``True`` if the clock moved."""
        self._check_started()
        if to_time > self._current_time:
            self._current_time = float(to_time)
            return True
        return False

    # -- real time spent outside the simulator ----------------------------------
    def mark_exit(self) -> None:
        """Remember now (real time): the simulator returns to the tuner."""
        self._last_recent_exit = time.perf_counter()

    def real_time_since_last_recent_exit(self) -> float:
        """Real seconds since the last :meth:`mark_exit` (0 if never marked)."""
        if self._last_recent_exit is None:
            return 0.0
        return time.perf_counter() - self._last_recent_exit

    def advance_by_outside_time(self) -> float:
        """The simulator is entered: start the clock if needed, add the real
        time spent outside since the last :meth:`mark_exit` (unless
        ``add_real_time`` is ``False``; charged once), and return the current
        time."""
        now = self._current_time
        if now is None:
            self.start_of_time()
            return self._current_time
        if self._last_recent_exit is not None:
            if self.add_real_time:
                now += time.perf_counter() - self._last_recent_exit
                self._current_time = now
            # inside the simulator until the next mark_exit: charged once
            self._last_recent_exit = None
        return now

    def jump_to(self, to_time: float) -> bool:
        """The simulator found nothing to do before ``to_time``: charge the
        real time spent outside since the last :meth:`mark_exit`, move the
        clock forward to ``to_time`` (no-op if it is in the past) and mark
        the exit. Returns ``True`` if the clock moved to ``to_time``."""
        now = self._current_time
        if now is None:
            self.start_of_time()
            now = self._current_time
        exit_time = self._last_recent_exit
        self._last_recent_exit = current = time.perf_counter()
        if exit_time is not None and self.add_real_time:
            now += current - exit_time
        if to_time > now:
            self._current_time = float(to_time)
            return True
        self._current_time = now
        return False

    # -- pickling ---------------------------------------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        # a perf_counter value means nothing in another process
        state["_last_recent_exit"] = None
        return state
