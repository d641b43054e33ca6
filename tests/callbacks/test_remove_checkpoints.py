"""RemoveCheckpointsCallback and default_callbacks: checkpoints of paused
trials the scheduler reports as never to be resumed are deleted at the end
of a loop iteration (Syne Tune's semantics)."""

from types import SimpleNamespace

import pytest

from checkpoint_backend import CheckpointBackend, RecordingBackend
from syne_tune import StoppingCriterion, Tuner
from syne_tune.callbacks import (
    HyperbandRemoveCheckpointsCallback,
    RemoveCheckpointsCallback,
    RemoveCheckpointsSchedulerMixin,
    default_callbacks,
)
from syne_tune.config_space import uniform
from syne_tune.optimizer.baselines import RandomSearch
from syne_tune.optimizer.schedulers import HyperbandScheduler
from syne_tune.optimizer.schedulers.synchronous import SynchronousHyperbandScheduler
from syne_tune.tuner_callback import TunerCallback

SPACE = {"x": uniform(0, 1), "epochs": 9}


def objective(config, epoch):
    return (config["x"] - 0.3) ** 2 + 1.0 / epoch


class ReportingScheduler:
    def __init__(self, batches):
        self.batches = list(batches)

    def trials_checkpoints_can_be_removed(self):
        return self.batches.pop(0) if self.batches else []


def test_hooks_delete_reported_checkpoints_once_per_report():
    backend = RecordingBackend()
    callback = RemoveCheckpointsCallback()
    callback.on_tuning_start(SimpleNamespace(scheduler=ReportingScheduler([[1, 2], [], [5]]), trial_backend=backend))
    callback.on_loop_end()
    assert backend.deleted == [1, 2]
    callback.on_loop_end()
    callback.on_loop_end()
    callback.on_loop_end()
    assert backend.deleted == [1, 2, 5]


def test_scheduler_without_the_hook_is_rejected():
    with pytest.raises(TypeError, match="trials_checkpoints_can_be_removed"):
        RemoveCheckpointsCallback().on_tuning_start(SimpleNamespace(scheduler=object(), trial_backend=RecordingBackend()))


def test_default_callbacks_depend_on_backend_and_scheduler():
    stop = StoppingCriterion(max_wallclock_time=60)
    sync = SynchronousHyperbandScheduler(SPACE, bracket_rungs=[[(2, 1), (1, 9)]], metric="loss", random_seed=0)
    promotion = HyperbandScheduler(SPACE, metric="loss", type="promotion", max_resource_attr="epochs", random_seed=0,
                                   early_checkpoint_removal_kwargs={"max_num_checkpoints": 5})
    keeping = CheckpointBackend(objective, delete_checkpoints=False)
    deleting = CheckpointBackend(objective, delete_checkpoints=True)
    assert default_callbacks(keeping, sync, stop) == []
    assert default_callbacks(keeping, promotion, stop) == []
    [callback] = default_callbacks(deleting, sync, stop)
    assert type(callback) is RemoveCheckpointsCallback
    [callback] = default_callbacks(deleting, promotion, stop)
    assert isinstance(callback, HyperbandRemoveCheckpointsCallback) and callback.max_wallclock_time == 60
    # schedulers without early removal
    assert default_callbacks(deleting, RandomSearch(SPACE, metric="loss"), stop) == []
    assert default_callbacks(deleting, HyperbandScheduler(SPACE, metric="loss", max_t=9), stop) == []
    assert isinstance(sync, RemoveCheckpointsSchedulerMixin) and isinstance(promotion, RemoveCheckpointsSchedulerMixin)


def _with_default_callbacks(tuner, backend, scheduler, stop):
    """Adds the checkpoint removal callback unless the Tuner did already."""
    removal = (RemoveCheckpointsCallback, HyperbandRemoveCheckpointsCallback)
    if not any(isinstance(cb, removal) for cb in tuner.callbacks):
        tuner.callbacks.extend(default_callbacks(backend, scheduler, stop))
    return tuner


class EventLog(TunerCallback):
    def __init__(self, backend):
        self.backend = backend
        self.resumed_after_delete = []

    def on_resume_trial(self, trial):
        if (trial.trial_id, "Paused") in self.backend.delete_log:
            self.resumed_after_delete.append(trial.trial_id)


def test_tuner_removes_checkpoints_of_trials_sync_hyperband_does_not_promote():
    backend = CheckpointBackend(objective)
    scheduler = SynchronousHyperbandScheduler(
        SPACE, bracket_rungs=[[(6, 1), (2, 3), (1, 9)]], metric="loss", max_resource_attr="epochs", random_seed=1
    )
    stop = StoppingCriterion(max_num_trials_completed=2)
    log = EventLog(backend)
    tuner = Tuner(backend, scheduler, stop, n_workers=2, sleep_time=0, tuner_name="remove-cp", callbacks=[log])
    _with_default_callbacks(tuner, backend, scheduler, stop).run()
    paused_deleted = {tid for tid, status in backend.delete_log if status == "Paused"}
    first = scheduler.bracket_manager.brackets[0]
    ranked0 = sorted(first.history[0], key=lambda e: e[1])
    ranked1 = sorted(first.history[1], key=lambda e: e[1])
    never_resumed = {tid for tid, _ in ranked0[2:]} | {tid for tid, _ in ranked1[1:]}
    assert len(never_resumed) == 5 and never_resumed <= paused_deleted
    assert log.resumed_after_delete == []
    # promoted trials kept their checkpoint and continued from it
    best = ranked1[0][0]
    assert backend.start_epochs[best] == [0, 1, 3]
