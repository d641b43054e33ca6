"""RayBackend passes :class:`syne_tune.testing.BackendContract` on a real
local Ray cluster (the ``ray_cluster`` fixture), running the contract's
script and the same training loop as a Python function."""

from __future__ import annotations

import pytest

pytest.importorskip("ray", reason="the RayBackend tests need ray (the 'ray' extra)")

from test_backend_contract import SCRIPT, train  # noqa: E402

from syne_tune.backend import RayBackend  # noqa: E402
from syne_tune.config_space import randint  # noqa: E402
from syne_tune.testing.backend import BackendContract  # noqa: E402

# half a CPU per trial: the contract's 4 workers fit on the 2-CPU cluster
RESOURCES = {"cpu": 0.5}


class _Config:
    def make_config(self, epochs, fail_at=None):
        return {"epochs": epochs, "fail_at": fail_at or 0, "sleep": 0.02}


class TestRayBackendScript(_Config, BackendContract):
    num_short_trials = 16
    def make_backend(self, tmp_path):
        script = tmp_path / "contract_script.py"
        script.write_text(SCRIPT)
        backend = RayBackend(entry_point=str(script), resources_per_trial=RESOURCES)
        backend.set_path(str(tmp_path / "trials"), "contract")
        return backend


class TestRayBackendFunction(_Config, BackendContract):
    """The contract with a Python function (sent as its code, see
    PythonBackend). Only the command line the runner starts differs from the
    script's, so the tests of pausing, stopping and bad calls, which do not
    depend on it, run once (above) to keep the suite short."""

    test_pause_and_resume = None
    test_stop = None
    test_stop_all = None
    test_many_short_trials = None
    test_bad_calls_raise = None
    test_clock_runs_and_wait_returns = None

    def make_backend(self, tmp_path):
        space = {"epochs": randint(1, 100), "fail_at": randint(0, 100), "sleep": 0.02}
        backend = RayBackend(tune_function=train, config_space=space, resources_per_trial=RESOURCES)
        backend.set_path(str(tmp_path / "trials"), "contract")
        return backend
