"""RayBackend on a real local Ray cluster (the ``ray_cluster`` fixture):
tuning with ASHA, killed workers, pause and resume from a checkpoint,
per-trial resources, storage, and argument checks."""

from __future__ import annotations

import functools
import json
import os
import signal
import time
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="the RayBackend tests need ray (the 'ray' extra)")

from syne_tune import StoppingCriterion, Tuner  # noqa: E402
from syne_tune.backend import RayBackend  # noqa: E402
from syne_tune.config_space import randint  # noqa: E402
from syne_tune.optimizer.baselines import ASHA, RandomSearch  # noqa: E402
from syne_tune.testing.backend import fetch_until  # noqa: E402
from syne_tune.trial import Status  # noqa: E402
from syne_tune.tuner_callback import TunerCallback  # noqa: E402
from syne_tune.utils.validation import InvalidParameterError  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
HEIGHT = REPO / "examples" / "training_scripts" / "height" / "train_height.py"
HALF_CPU = {"cpu": 0.5}



# fetch, waiting up to 1.0 s for activity in between
_fetch_until = functools.partial(fetch_until, wait=1.0)


def _process_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie counts as gone
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def test_asha_promotion_tuning_runs_to_completion_with_pause_and_resume(tmp_path):
    """ASHA (promotion type) pauses trials at rungs and resumes the best ones
    from their checkpoints: a resumed trial continues where it stopped."""
    space = {"width": randint(1, 20), "height": randint(-100, 100), "epochs": 9, "sleep_time": 0.0}
    scheduler = ASHA(
        space,
        metric="mean_loss",
        mode="min",
        resource_attr="epoch",
        max_resource_attr="epochs",
        grace_period=1,
        reduction_factor=3,
        type="promotion",
        random_seed=1,
    )
    backend = RayBackend(entry_point=str(HEIGHT), resources_per_trial=HALF_CPU)
    tuner = Tuner(
        trial_backend=backend,
        scheduler=scheduler,
        stop_criterion=StoppingCriterion(max_num_evaluations=16),
        n_workers=4,
        sleep_time=0.05,
        save_tuner=False,
        print_update_interval=1e9,
        tuner_name="ray-asha",
    )
    tuner.run()
    df = tuner.results_dataframe()
    assert len(df) >= 16 and df["mean_loss"].notna().all()
    assert tuner.tuning_status.num_trials_failed == 0
    epochs = df.groupby("trial_id")["epoch"].apply(list)
    # a resumed trial continues from its checkpoint: its epochs never go back
    # to 1; the epoch it was paused at repeats if the pause came before the
    # script checkpointed it
    for e in epochs:
        assert e == sorted(e) and sorted(set(e)) == list(range(1, max(e) + 1)), epochs.to_dict()
        assert len(e) - len(set(e)) <= 2, epochs.to_dict()
    promoted = [t for t, e in epochs.items() if len(e) > 1]
    assert promoted, "no trial was promoted (resumed) past the first rung"
    for trial_id in promoted:
        # resumed from the checkpoint the script wrote at its rung
        assert (backend.checkpoint_path(trial_id) / "checkpoint.json").exists()
    assert backend.busy_trial_ids() == []


class _KillOnFirstResult(TunerCallback):
    """SIGKILLs, at its first result, the Ray worker of trial 0 and the
    script process of trial 1."""

    def __init__(self, backend):
        self.backend = backend
        self.killed: dict[int, dict] = {}

    def on_trial_result(self, trial, status, result, decision):
        trial_id = trial.trial_id
        if trial_id in (0, 1) and trial_id not in self.killed:
            info = self.backend.worker_info(trial_id)
            self.killed[trial_id] = info
            os.kill(info["worker_pid"] if trial_id == 0 else info["trial_pid"], signal.SIGKILL)


def test_sigkilled_worker_or_script_fails_its_trial_and_tuning_goes_on(script):
    backend = RayBackend(entry_point=script, resources_per_trial=HALF_CPU)
    killer = _KillOnFirstResult(backend)
    tuner = Tuner(
        trial_backend=backend,
        scheduler=RandomSearch({"epochs": 40, "sleep": 0.05, "x": randint(0, 9)}, metric="loss", mode="min", random_seed=0),
        stop_criterion=StoppingCriterion(max_num_trials_finished=5),
        n_workers=2,
        sleep_time=0.05,
        max_failures=2,
        callbacks=[killer],
        save_tuner=False,
        print_update_interval=1e9,
        tuner_name="ray-kill",
    )
    # trials 2.. must not be slow: shorten them once the kills are done
    tuner.scheduler.config_space["epochs"] = 3
    tuner.run()
    status = tuner.tuning_status
    assert set(killer.killed) == {0, 1}
    assert backend.trial_status(0) == Status.failed and backend.trial_status(1) == Status.failed
    assert "Ray worker died" in backend.failure_reason(0)
    assert backend.failure_reason(1) == "killed by signal SIGKILL"
    assert "failed: killed by signal SIGKILL" in "".join(backend.stderr(1))
    with open(backend.trial_path(0) / "end") as f:
        assert "Ray worker died" in json.load(f)["reason"]
    # tuning went on: later trials completed
    assert status.num_trials_failed == 2 and status.num_trials_completed >= 3
    # (those still running at the end are stopped by the tuner)
    later = {backend.trial_status(t) for t in range(2, backend.new_trial_id())}
    assert later <= {Status.completed, Status.stopped}, later
    # the script of the trial whose worker was killed died with it (the runner's watchdog)
    assert _process_gone(killer.killed[0]["trial_pid"])


class _InterruptAfter(TunerCallback):
    """Sends SIGINT to this process (Ctrl-C) at the ``n``-th result."""

    def __init__(self, n: int):
        self.n = n
        self.seen = 0

    def on_trial_result(self, trial, status, result, decision):
        self.seen += 1
        if self.seen == self.n:
            os.kill(os.getpid(), signal.SIGINT)


def test_interrupted_tuner_resumes_and_restarts_its_trials_from_their_checkpoints(script):
    space = {"epochs": 8, "sleep": 0.1, "x": randint(0, 99)}
    tuner = Tuner(
        trial_backend=RayBackend(entry_point=script, resources_per_trial=HALF_CPU),
        scheduler=RandomSearch(space, metric="loss", mode="min", random_seed=0),
        stop_criterion=StoppingCriterion(max_num_trials_completed=3),
        n_workers=2,
        sleep_time=0.05,
        results_update_interval=0.2,
        callbacks=[_InterruptAfter(5)],
        print_update_interval=1e9,
        tuner_name="ray-interrupt",
    )
    with pytest.raises(KeyboardInterrupt):
        tuner.run()
    interrupted = tuner.results_dataframe()
    assert interrupted["trial_id"].nunique() == 2 and interrupted["epoch"].max() < 8
    resumed = Tuner.load(str(tuner.tuner_path))
    resumed.run()
    df = resumed.results_dataframe()
    backend = resumed.trial_backend
    assert resumed.tuning_status.num_trials_completed >= 3
    for trial_id in (0, 1):  # running at the interruption: restarted from their checkpoints
        assert backend.trial_status(trial_id) == Status.completed
        epochs = df[df.trial_id == trial_id]["epoch"].tolist()
        assert set(epochs) == set(range(1, 9)), epochs  # nothing lost
        assert len(epochs) - len(set(epochs)) <= 1, epochs  # at most the epoch it was ended in repeats
        assert len({pid for pid in df[df.trial_id == trial_id]["pid"]}) == 2  # a second run


def test_pause_keeps_checkpoint_and_resume_continues_on_a_reused_worker(script, tmp_path):
    backend = RayBackend(entry_point=script, resources_per_trial=HALF_CPU)
    backend.set_path(str(tmp_path / "trials"), "pause")
    backend.time_keeper.start_of_time()
    backend.start_trial({"epochs": 12, "sleep": 0.05})
    first = _fetch_until(backend, [0], lambda r: len(r) >= 3)
    worker = backend.worker_info(0)["worker_pid"]
    last = first[-1][1]["epoch"]
    backend.pause_trial(0, first[-1][1])
    assert backend.trial_status(0) == Status.paused
    assert backend.fetch_status_results([0])[1] == []
    backend.resume_trial(0)
    assert backend.worker_info(0)["worker_pid"] == worker  # the idle runner was reused
    more = _fetch_until(backend, [0], lambda r: backend.trial_status(0) == Status.completed)
    epochs = [r["epoch"] for _, r in more]
    assert epochs in (list(range(last + 1, 13)), list(range(last, 13)))
    assert len({r["pid"] for _, r in first}) == 1 and {r["pid"] for _, r in more}.isdisjoint({first[0][1]["pid"]})
    with open(backend.checkpoint_path(0) / "state.json") as f:
        assert json.load(f)["epoch"] == 12
    # stop keeps the checkpoint unless asked otherwise; with delete_checkpoints it goes
    deleting = RayBackend(entry_point=script, resources_per_trial=HALF_CPU, delete_checkpoints=True)
    deleting.set_path(str(tmp_path / "trials-del"), "pause")
    deleting.start_trial({"epochs": 50, "sleep": 0.05})
    _fetch_until(deleting, [0], lambda r: len(r) >= 2)  # epoch 1 is checkpointed by then
    assert deleting.checkpoint_path(0).exists()
    deleting.stop_trial(0)
    deleting.stop_all()
    assert not deleting.checkpoint_path(0).exists()
    backend.stop_all()


def _wait_for_free_cpus(ray, cpus: float, timeout: float = 20.0) -> float:
    deadline = time.monotonic() + timeout
    while ray.available_resources().get("CPU", 0.0) < cpus and time.monotonic() < deadline:
        time.sleep(0.1)
    return ray.available_resources().get("CPU", 0.0)


def test_trials_hold_their_resources_and_storage_path(script, tmp_path, ray_cluster):
    mib = 1024 * 1024
    backend = RayBackend(
        entry_point=script,
        resources_per_trial={"cpu": 0.5, "memory": 64 * mib},
        storage_path=str(tmp_path / "shared"),
        reuse_workers=False,
    )
    backend.set_path(str(tmp_path / "tuner"), "storage-test")
    before = ray_cluster.cluster_resources()
    _wait_for_free_cpus(ray_cluster, before["CPU"])  # runners of earlier tests are killed asynchronously
    for _ in range(2):
        backend.start_trial({"epochs": 40, "sleep": 0.05})
    _fetch_until(backend, [0, 1], lambda r: {t for t, _ in r} == {0, 1})
    during = ray_cluster.available_resources()
    assert during.get("CPU", 0.0) == pytest.approx(before.get("CPU", 0.0) - 1.0)
    assert during.get("memory", 0.0) == pytest.approx(before.get("memory", 0.0) - 128 * mib)
    # trial folders live under storage_path/<tuner name>
    assert backend.trial_path(1) == tmp_path / "shared" / "storage-test" / "1"
    assert (backend.trial_path(1) / "std.out").exists() and (backend.trial_path(1) / "config.json").exists()
    assert not (tmp_path / "tuner").exists()
    backend.stop_all()
    # with reuse_workers=False no runner is kept: the resources are free again
    assert _wait_for_free_cpus(ray_cluster, before["CPU"]) == pytest.approx(before["CPU"])


def test_function_trials_stream_results_through_a_tuner():
    def objective(x: int, epochs: int):
        from syne_tune import Reporter

        report = Reporter()
        for epoch in range(1, epochs + 1):
            report(epoch=epoch, loss=(x - 3) ** 2 + 1.0 / epoch)

    space = {"x": randint(0, 6), "epochs": 3}
    tuner = Tuner(
        trial_backend=RayBackend(tune_function=objective, config_space=space, resources_per_trial=HALF_CPU),
        scheduler=RandomSearch(space, metric="loss", mode="min", random_seed=0),
        stop_criterion=StoppingCriterion(max_num_trials_completed=4),
        n_workers=2,
        sleep_time=0.05,
        save_tuner=False,
        print_update_interval=1e9,
        tuner_name="ray-function",
    )
    backend = tuner.trial_backend
    tuner.run()
    df = tuner.results_dataframe()
    assert tuner.tuning_status.num_trials_completed >= 4
    completed = [t for t in range(backend.new_trial_id()) if backend.trial_status(t) == Status.completed]
    epochs = df.groupby("trial_id")["epoch"].apply(list)
    assert len(completed) >= 4 and all(epochs[t] == [1, 2, 3] for t in completed), epochs.to_dict()
    last = df.groupby("trial_id").last()
    assert all(last.loc[t, "loss"] == pytest.approx((last.loc[t, "config_x"] - 3) ** 2 + 1 / 3) for t in completed)


def test_a_script_that_cannot_start_fails_with_the_reason(script, tmp_path):
    backend = RayBackend(entry_point=script, resources_per_trial=HALF_CPU, binary=str(tmp_path / "no-such-python"))
    backend.set_path(str(tmp_path / "trials"), "no-binary")
    backend.start_trial({"epochs": 2})
    _fetch_until(backend, [0], lambda r: backend.trial_status(0) == Status.failed)
    assert "its script could not be started" in backend.failure_reason(0)
    assert "no-such-python" in backend.failure_reason(0)
    backend.stop_all()


def test_bad_arguments_are_named(script):
    with pytest.raises(InvalidParameterError, match=r"'resources_per_trial'.*'cpus' \(did you mean 'cpu'"):
        RayBackend(entry_point=script, resources_per_trial={"cpus": 1})
    with pytest.raises(InvalidParameterError, match=r"'resources_per_trial\[\"gpu\"\]' parameter of RayBackend must be a float in the range \[0, inf\)\. Got -1"):
        RayBackend(entry_point=script, resources_per_trial={"gpu": -1})
    with pytest.raises(InvalidParameterError, match="'reuse_workers' parameter of RayBackend"):
        RayBackend(entry_point=script, reuse_workers="yes")
    with pytest.raises(ValueError, match="exactly one of entry_point"):
        RayBackend()
    with pytest.raises(ValueError, match="other URIs are not supported"):
        RayBackend(entry_point=script, storage_path="gs://bucket/prefix")
    with pytest.raises(ValueError, match="or an S3 location"):
        RayBackend(entry_point=script, storage_path="s3:///no-bucket")
    with pytest.raises(InvalidParameterError, match=r"keys of the 'resources_per_trial\[\"custom\"\]' parameter"):
        RayBackend(entry_point=script, resources_per_trial={"custom": {"CPU": 1}})
    with pytest.raises(InvalidParameterError, match=r"'resources_per_trial\[\"custom\"\]\[\"lossy\"\]' parameter of RayBackend must be a float"):
        RayBackend(entry_point=script, resources_per_trial={"custom": {"lossy": -1}})
    with pytest.raises(FileNotFoundError, match="is not a file"):
        RayBackend(entry_point=script + ".missing")
    with pytest.raises(ValueError, match="needs config_space"):
        RayBackend(tune_function=lambda x: None)
