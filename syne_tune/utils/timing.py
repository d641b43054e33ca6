"""Small timing helpers: rate-limited callbacks and a timing context manager.

Standard library only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["RegularCallback", "catchtime"]


class RegularCallback:
    """Wraps ``callback`` so that calls go through at most once every
    ``call_seconds_frequency`` seconds; calls in between are dropped.

    The interval is counted from the creation of the wrapper, so the first
    call goes through only once ``call_seconds_frequency`` seconds have
    passed.

    Parameters
    ----------
    callback
        Function to call.
    call_seconds_frequency
        Minimum time between two calls that go through, in seconds.
    """

    def __init__(self, callback: Callable[..., Any], call_seconds_frequency: float):
        from numbers import Real

        from syne_tune.utils.validation import Interval, check_parameter

        check_parameter(self, "callback", callback, ["callable"])
        non_negative = Interval(Real, 0, None, closed="left")
        check_parameter(self, "call_seconds_frequency", call_seconds_frequency, [non_negative])
        self.callback = callback
        self.frequency = float(call_seconds_frequency)
        self._last_call = time.monotonic()

    def __call__(self, *args, **kwargs) -> Any:
        """Call ``callback(*args, **kwargs)`` if enough time has passed since
        the last call that went through; returns its result, else ``None``."""
        now = time.monotonic()
        if now - self._last_call >= self.frequency:
            self._last_call = now
            return self.callback(*args, **kwargs)
        return None


@contextmanager
def catchtime(name: str) -> Iterator[Callable[[], float]]:
    """Print ``start: <name>`` on entry and ``Time for <name>: <s> secs`` on
    exit; yields a function returning the seconds elapsed so far::

        with catchtime("fit") as elapsed:
            fit()
            print(elapsed())
    """
    start = time.perf_counter()
    print(f"start: {name}")
    try:
        yield lambda: time.perf_counter() - start
    finally:
        print(f"Time for {name}: {time.perf_counter() - start:.4f} secs")
