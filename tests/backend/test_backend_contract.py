"""Every backend of the library passes :class:`syne_tune.testing.BackendContract`."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from syne_tune.backend import LocalBackend, PythonBackend
from syne_tune.backend.simulator_backend import SimulatorBackend
from syne_tune.blackbox_repository import UserBlackboxBackend
from syne_tune.config_space import randint
from syne_tune.testing.backend import BackendContract

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "core"))
sys.path.insert(0, str(HERE.parent / "simulator"))

SCRIPT = textwrap.dedent(
    """
    import argparse, json, os, sys, time
    from syne_tune import Reporter

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--fail_at", type=int, default=0)
    parser.add_argument("--sleep", type=float, default=0.02)
    parser.add_argument("--st_checkpoint_dir")
    args, _ = parser.parse_known_args()
    path = os.path.join(args.st_checkpoint_dir, "state.json")
    start = json.load(open(path))["epoch"] if os.path.exists(path) else 0
    report = Reporter()
    for epoch in range(start + 1, args.epochs + 1):
        if epoch == args.fail_at:
            sys.exit(3)
        time.sleep(args.sleep)
        report(epoch=epoch, loss=1.0 / epoch, elapsed=0.5 * epoch)
        os.makedirs(args.st_checkpoint_dir, exist_ok=True)
        with open(path + ".tmp", "w") as f:
            json.dump({"epoch": epoch}, f)
        os.replace(path + ".tmp", path)
    """
)


def train(epochs: int, fail_at: int, sleep: float, st_checkpoint_dir: str):
    import json
    import os
    import sys
    import time

    from syne_tune import Reporter

    path = os.path.join(st_checkpoint_dir, "state.json")
    start = json.load(open(path))["epoch"] if os.path.exists(path) else 0
    report = Reporter()
    for epoch in range(start + 1, epochs + 1):
        if epoch == fail_at:
            sys.exit(3)
        time.sleep(sleep)
        report(epoch=epoch, loss=1.0 / epoch)
        os.makedirs(st_checkpoint_dir, exist_ok=True)
        with open(path + ".tmp", "w") as f:
            json.dump({"epoch": epoch}, f)
        os.replace(path + ".tmp", path)


def _script(tmp_path) -> Path:
    path = tmp_path / "contract_script.py"
    path.write_text(SCRIPT)
    return path


class _ScriptConfig:
    def make_config(self, epochs, fail_at=None):
        return {"epochs": epochs, "fail_at": fail_at or 0, "sleep": 0.02}


class TestLocalBackend(_ScriptConfig, BackendContract):
    def make_backend(self, tmp_path):
        backend = LocalBackend(entry_point=str(_script(tmp_path)))
        backend.set_path(str(tmp_path / "trials"), "contract")
        return backend


class TestLocalBackendTrialsOutliveTuner(_ScriptConfig, BackendContract):
    def make_backend(self, tmp_path):
        backend = LocalBackend(entry_point=str(_script(tmp_path)), trials_die_with_tuner=False)
        backend.set_path(str(tmp_path / "trials"), "contract")
        return backend


class TestPythonBackend(_ScriptConfig, BackendContract):
    def make_backend(self, tmp_path):
        space = {"epochs": randint(1, 100), "fail_at": randint(0, 100), "sleep": 0.02}
        backend = PythonBackend(tune_function=train, config_space=space)
        backend.set_path(str(tmp_path / "trials"), "contract")
        return backend


class TestSimulatorBackend(_ScriptConfig, BackendContract):
    num_short_trials = 8  # every trial runs its script to completion up front

    def make_backend(self, tmp_path):
        return SimulatorBackend(entry_point=str(_script(tmp_path)), elapsed_time_attr="elapsed", add_real_time=False)


class TestUserBlackboxBackend(BackendContract):
    metric = "error"
    can_fail = False

    def make_backend(self, tmp_path):
        from sim_blackboxes import make_tabular

        return UserBlackboxBackend(make_tabular(), elapsed_time_attr="elapsed", max_resource_attr="epochs", seed=0)

    def make_config(self, epochs, fail_at=None):
        return {"a": 1, "b": 2, "c": 3, "epochs": epochs}


def _inverse_epoch(config, epoch):
    return 1.0 / epoch


def _fails(config):
    return config.get("fail_at") == 3


class TestInProcessTestBackend(BackendContract):
    """The tiny backend the Tuner tests use passes the contract too."""

    def make_backend(self, tmp_path):
        from inprocess_backend import InProcessBackend

        return InProcessBackend(_inverse_epoch, fail_if=_fails)

    def make_config(self, epochs, fail_at=None):
        return {"epochs": epochs, "fail_at": fail_at or 0}

    def test_failure(self, tmp_path):
        """This backend fails a trial at once (without results)."""
        backend = self._backend(tmp_path)
        backend.start_trial(self.make_config(10, fail_at=3))
        self._run_to_end(backend, [0])
        assert backend.trial_status(0) == "Failed"


class TestBlackboxRepositoryBackend(BackendContract):
    """Loads a real (small) blackbox from a repository folder on disk."""

    metric = "error"
    can_fail = False

    def make_backend(self, tmp_path):
        import os

        from sim_blackboxes import make_tabular

        from syne_tune.blackbox_repository import BlackboxRepositoryBackend
        from syne_tune.blackbox_repository.serialization import serialize

        root = tmp_path / "repository"
        if not (root / "toy-contract").exists():
            serialize({"task-a": make_tabular()}, root / "toy-contract")
        os.environ["SYNE_TUNE_BLACKBOX_REPOSITORY"] = str(root)
        try:
            return BlackboxRepositoryBackend(
                "toy-contract", elapsed_time_attr="elapsed", max_resource_attr="epochs", seed=0
            )
        finally:
            del os.environ["SYNE_TUNE_BLACKBOX_REPOSITORY"]

    def make_config(self, epochs, fail_at=None):
        return {"a": 1, "b": 2, "c": 3, "epochs": epochs}
