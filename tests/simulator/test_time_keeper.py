"""SimulatedTimeKeeper and the event queue."""

from __future__ import annotations

import pickle
import time

import pytest

from syne_tune.backend.simulator_backend import SimulatedTimeKeeper
from syne_tune.backend.simulator_backend.events import EventQueue, TrialRun


def test_simulated_time_moves_only_when_told():
    tk = SimulatedTimeKeeper(add_real_time=False)
    with pytest.raises(RuntimeError, match="start_of_time"):
        tk.time()
    tk.start_of_time()
    assert tk.time() == 0.0
    tk.advance(10.0)
    tk.advance_to(5.0)  # the past: no-op
    assert tk.time() == 10.0
    tk.advance_to(3600.0)
    assert tk.time() == 3600.0
    assert (tk.time_stamp() - tk.start_time_stamp).total_seconds() == pytest.approx(3600.0)
    with pytest.raises(ValueError):
        tk.advance(-1.0)
    tk.start_of_time()  # a started clock keeps its time (resumed tuner)
    assert tk.time() == 3600.0
    tk.mark_exit()
    time.sleep(0.01)
    assert tk.real_time_since_last_recent_exit() >= 0.01
    tk.advance_by_outside_time()
    assert tk.time() == 3600.0  # add_real_time=False


def test_real_time_outside_the_backend_is_added():
    tk = SimulatedTimeKeeper()
    tk.start_of_time()
    tk.mark_exit()
    time.sleep(0.02)
    tk.advance_by_outside_time()
    assert 0.02 <= tk.time() < 1.0
    clone = pickle.loads(pickle.dumps(tk))
    assert clone.time() == tk.time()
    assert clone.real_time_since_last_recent_exit() == 0.0
    with pytest.raises(TypeError):
        SimulatedTimeKeeper(add_real_time="yes")


def test_event_queue_order_and_lazy_deletion():
    q = EventQueue()
    runs = [TrialRun(i, rows=[], elapsed=[]) for i in range(4)]
    q.push(5.0, runs[0])
    q.push(3.0, runs[1])
    q.push(5.0, runs[2])  # same time as runs[0]: comes after it
    q.push(1.0, runs[3])
    runs[3].active = False
    assert q.next_time() == 3.0
    assert q.pop_until(2.0) is None
    assert q.pop_until(10.0) == (3.0, runs[1])
    assert q.pop_until(10.0) == (5.0, runs[0])
    assert q.pop_until(10.0) == (5.0, runs[2])
    assert q.pop_until(10.0) is None and len(q) == 0
