"""Reporter (training-script side) and retrieve (backend side), in process and
inside real training-script subprocesses started by LocalBackend."""

import json
import logging
import math
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from syne_tune import Reporter
from syne_tune.backend import LocalBackend
from syne_tune.trial import Status
from syne_tune.constants import ST_WORKER_ITER, ST_WORKER_TIME, ST_WORKER_TIMESTAMP
from syne_tune.report import retrieve

REPO_ROOT = Path(__file__).resolve().parents[1]


def reported_lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


# -- in process ----------------------------------------------------------------------
def test_report_line_format_and_added_fields(capsys):
    report = Reporter()
    report(epoch=1, loss=0.5, name="a b")
    report(epoch=2, loss=0.25, name="c")
    lines = reported_lines(capsys)
    assert len(lines) == 2 and all(line.startswith("[tune-metric]: {") for line in lines)
    results = retrieve(lines)
    assert [r["epoch"] for r in results] == [1, 2]
    assert results[0]["name"] == "a b"
    assert [r[ST_WORKER_ITER] for r in results] == [0, 1]
    assert abs(results[0][ST_WORKER_TIMESTAMP] - time.time()) < 60
    assert 0 <= results[0][ST_WORKER_TIME] <= results[1][ST_WORKER_TIME]


def test_add_time_false(capsys):
    Reporter(add_time=False)(x=1)
    (result,) = retrieve(reported_lines(capsys))
    assert ST_WORKER_TIME not in result


def test_numpy_values_are_converted(capsys):
    Reporter()(a=np.float32(0.5), b=np.int64(3), c=np.arange(3), d=np.bool_(True))
    (result,) = retrieve(reported_lines(capsys))
    assert result["a"] == 0.5 and result["b"] == 3 and result["c"] == [0, 1, 2] and result["d"] is True


@pytest.mark.parametrize(
    "value, message",
    [
        (float("nan"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (-math.inf, "not a finite number"),
        (np.float64("nan"), "not a finite number"),
        ([1.0, float("nan")], r"loss\[1\]"),
        ({"inner": float("inf")}, r"loss\.inner"),
        (None, "is None"),
        (object(), "not JSON-serializable"),
        ({1, 2}, "not JSON-serializable"),
    ],
)
def test_bad_values_raise_clear_errors(value, message, capsys):
    with pytest.raises(ValueError, match=message):
        Reporter()(loss=value)
    assert capsys.readouterr().out == ""  # nothing half-reported


def test_reserved_names_and_empty_report():
    with pytest.raises(ValueError, match="reserved"):
        Reporter()(st_worker_time=1.0)
    with pytest.raises(ValueError, match="at least one metric"):
        Reporter()()


def test_too_large_report():
    with pytest.raises(ValueError, match="too large"):
        Reporter()(big="x" * 60_000)


def test_retrieve_skips_noise_and_cut_lines():
    lines = [
        "epoch 1 done",
        '[tune-metric]: {"a": 1}',
        'prefix text [tune-metric]: {"b": 2}',
        '[tune-metric]: {"c": 3',  # cut off mid-write
        "[tune-metric]: not json",
        '[tune-metric]: {"d": {"nested": [1, 2]}}',
    ]
    assert retrieve(lines) == [{"a": 1}, {"b": 2}, {"d": {"nested": [1, 2]}}]


# -- inside training scripts run by LocalBackend ------------------------------------------
def run_script(tmp_path, body: str, config: dict, timeout: float = 30):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    backend = LocalBackend(entry_point=str(script))
    backend.set_path(str(tmp_path / "trials"), "reporter")
    backend.start_trial(config)
    results = []
    deadline = time.monotonic() + timeout
    while True:
        statuses, new = backend.fetch_status_results([0])
        results.extend(r for _, r in new)
        if statuses[0][1] != Status.in_progress:
            return statuses[0][1], results, "".join(backend.stderr(0))
        if time.monotonic() > deadline:
            backend.stop_all()
            pytest.fail("script did not finish")
        backend.wait_for_activity(0.2)


@pytest.mark.parametrize(
    "expr, message",
    [
        ("float('nan')", "metric 'loss' is nan, not a finite number"),
        ("float('inf')", "metric 'loss' is inf, not a finite number"),
        ("object()", "metric 'loss' has type object, which is not JSON-serializable"),
    ],
)
def test_bad_value_fails_trial_with_clear_error(tmp_path, caplog, expr, message):
    body = f"""
        from syne_tune import Reporter
        report = Reporter()
        report(epoch=1, loss=0.5)
        report(epoch=2, loss={expr})
    """
    with caplog.at_level(logging.WARNING):
        status, results, stderr = run_script(tmp_path, body, {})
    assert status == Status.failed
    assert [r["epoch"] for r in results] == [1]
    assert message in stderr
    assert message in caplog.text  # the tail of stderr is in the tuner's log


def test_arguments_with_spaces_reach_script(tmp_path):
    body = """
        import argparse
        from syne_tune import Reporter
        p = argparse.ArgumentParser()
        p.add_argument("--text", type=str)
        p.add_argument("--path", type=str)
        p.add_argument("--lr", type=float)
        p.add_argument("--st_checkpoint_dir", type=str)
        a = p.parse_args()
        Reporter()(text=a.text, path=a.path, lr=a.lr)
    """
    config = {"text": "  leading and   inner spaces ", "path": "/tmp/a dir/with 'quotes'", "lr": 1e-4}
    status, results, stderr = run_script(tmp_path, body, config)
    assert status == Status.completed, stderr
    assert results == [dict(config, **{k: results[0][k] for k in results[0] if k.startswith("st_")})]


def test_unicode_and_many_reports(tmp_path):
    body = """
        from syne_tune import Reporter
        report = Reporter()
        for i in range(500):
            report(i=i, label="température ✓")
    """
    status, results, stderr = run_script(tmp_path, body, {})
    assert status == Status.completed, stderr
    assert [r["i"] for r in results] == list(range(500))
    assert results[-1]["label"] == "température ✓"


def test_reporter_import_is_light():
    """A trial pays for ``from syne_tune import Reporter``: it must not pull in
    numpy, pandas or the tuner."""
    code = (
        "import sys\n"
        "from syne_tune import Reporter\n"
        "import syne_tune.utils\n"
        "heavy = [m for m in ('numpy', 'pandas', 'scipy', 'syne_tune.tuner', 'syne_tune.backend.local_backend') "
        "if m in sys.modules]\n"
        "print(heavy)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().replace("'", '"')) == []
