"""max_wallclock_time is met within a second whatever sleep_time is, and
status lines show the figures of the moment they are printed."""

from __future__ import annotations

import logging
import re
import textwrap
import time

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import randint

SILENT = textwrap.dedent(
    """
    import time
    time.sleep(60)  # prints nothing
    """
)


def test_stop_within_a_second_with_silent_trials(tmp_path, caplog):
    script = tmp_path / "silent.py"
    script.write_text(SILENT)
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(script)),
        scheduler=_scheduler(),
        stop_criterion=StoppingCriterion(max_wallclock_time=3),
        n_workers=2,
        sleep_time=10.0,
        print_update_interval=1.0,
    )
    t0 = time.perf_counter()
    with caplog.at_level(logging.INFO, logger="syne_tune"):
        tuner.run()
    wall = time.perf_counter() - t0
    # stopped within 1 s of the limit (plus stopping the trials: SIGTERM ends them at once)
    assert 3.0 <= tuner.tuning_status.wallclock_time < 4.0
    assert wall < 6.0
    # the status lines are printed about once a second, with current figures
    lines = [r for r in caplog.records if "trials started=" in r.getMessage()]
    assert len(lines) >= 3
    printed = [float(re.match(r"\s*([\d.]+)s", r.getMessage()).group(1)) for r in lines[:-1]]
    logged = [r.created - lines[0].created + printed[0] for r in lines[:-1]]
    for p, l in zip(printed, logged):
        assert abs(p - l) < 0.3, (printed, logged)


def test_custom_stop_criterion_is_looked_at_every_second(tmp_path):
    script = tmp_path / "silent.py"
    script.write_text(SILENT)
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(script)),
        scheduler=_scheduler(),
        stop_criterion=lambda status: status.wallclock_time >= 2.0,
        n_workers=1,
        sleep_time=30.0,
    )
    tuner.run()
    assert 2.0 <= tuner.tuning_status.wallclock_time < 3.1


def _scheduler():
    from syne_tune.optimizer.baselines import RandomSearch

    return RandomSearch({"x": randint(0, 100)}, metric="loss", random_seed=0)
