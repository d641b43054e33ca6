"""Reporting metrics from a training script.

The training script creates a :class:`Reporter` and calls it once per epoch
(or whenever it has new metrics). Each call prints one line
``[tune-metric]: {json}`` to stdout, which the backend parses. This module
imports only the standard library: every trial pays its import time.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from dataclasses import dataclass, field

from syne_tune.constants import (
    ST_SAGEMAKER_METRIC_TAG,
    ST_WORKER_ITER,
    ST_WORKER_TIME,
    ST_WORKER_TIMESTAMP,
)

_METRIC_LINE_PREFIX = f"[{ST_SAGEMAKER_METRIC_TAG}]: "
_METRIC_LINE_RE = re.compile(r"\[" + re.escape(ST_SAGEMAKER_METRIC_TAG) + r"\]: (\{.*\})")
#: SageMaker parses metrics from log lines; keep each line below this size.
MAX_REPORT_BYTES = 50_000


def _check_value(key: str, value, path: str = ""):
    """Raise ``ValueError`` for values that are not finite JSON data."""
    where = f"{key}{path}"
    if value is None:
        raise ValueError(f"Reporter: metric '{where}' is None; report only actual values")
    if isinstance(value, bool) or isinstance(value, str):
        return
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"Reporter: metric '{where}' is {value}, not a finite number")
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_value(key, v, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _check_value(key, v, f"{path}.{k}")
        return
    # numpy scalars and arrays, without importing numpy here
    if hasattr(value, "tolist"):
        return _check_value(key, value.tolist(), path)
    raise ValueError(
        f"Reporter: metric '{where}' has type {type(value).__name__}, which is not JSON-serializable"
    )


def _to_json_compatible(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_to_json_compatible(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json_compatible(v) for k, v in value.items()}
    return value


@dataclass
class Reporter:
    """Sends metrics from a training script to the tuner.

    Parameters
    ----------
    add_time
        Add ``st_worker_time``: seconds since the reporter was created.
    add_cost
        Kept for API compatibility (cost is added by cloud backends).

    Examples
    --------
    >>> report = Reporter()
    >>> for epoch in range(1, epochs + 1):
    ...     report(epoch=epoch, mean_loss=loss)
    """

    add_time: bool = True
    add_cost: bool = True
    _start: float = field(default_factory=time.perf_counter, init=False, repr=False)
    _iter: int = field(default=0, init=False, repr=False)

    def __call__(self, **kwargs) -> None:
        self.report(**kwargs)

    def report(self, **metrics) -> None:
        """Report ``metrics`` (name=value) to the tuner.

        Values must be finite numbers, strings, booleans, or lists/dicts of
        those; names must not start with ``st_`` (reserved).
        """
        if not metrics:
            raise ValueError("Reporter: report() needs at least one metric")
        for key, value in metrics.items():
            if key.startswith("st_"):
                raise ValueError(f"Reporter: metric name '{key}' is reserved (names starting with 'st_')")
            _check_value(key, value)
        result = {k: _to_json_compatible(v) for k, v in metrics.items()}
        result[ST_WORKER_TIMESTAMP] = time.time()
        if self.add_time:
            result[ST_WORKER_TIME] = time.perf_counter() - self._start
        result[ST_WORKER_ITER] = self._iter
        self._iter += 1
        line = json.dumps(result, allow_nan=False)
        if len(line) > MAX_REPORT_BYTES:
            raise ValueError(f"Reporter: the reported metrics are too large ({len(line)} bytes > {MAX_REPORT_BYTES})")
        sys.stdout.write(_METRIC_LINE_PREFIX + line + "\n")
        sys.stdout.flush()


def parse_report_lines(log_lines) -> tuple[list[dict], list[str]]:
    """Parse the metric lines a training script printed.

    Returns the reported results, in order, and the lines that carry the
    ``[tune-metric]: `` tag but are not a JSON object (garbage, or a line
    cut off mid-write). Lines without the tag are ordinary output and are
    skipped. Non-finite numbers (``NaN``, ``Infinity``) are parsed as floats:
    the tuner decides what to do with them.
    """
    results = []
    bad = []
    for line in log_lines:
        if _METRIC_LINE_PREFIX not in line:
            continue
        match = _METRIC_LINE_RE.search(line)
        if match is None:
            bad.append(line)
            continue
        try:
            result = json.loads(match.group(1))
        except json.JSONDecodeError:
            bad.append(line)
            continue
        if isinstance(result, dict) and result:
            results.append(result)
        else:
            bad.append(line)
    return results, bad


def retrieve(log_lines) -> list[dict]:
    """Parse the metrics a training script printed (its stdout lines).

    Lines that are not metric lines, and metric lines that cannot be parsed
    (e.g. a last line cut off mid-write), are ignored.
    """
    return parse_report_lines(log_lines)[0]
