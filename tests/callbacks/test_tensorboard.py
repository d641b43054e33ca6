"""TensorboardCallback: what is written to the event files (read back with
tensorboardX's protobuf classes), pickling, and the message when
tensorboardX is missing."""

import pickle
import struct
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from syne_tune.callbacks import TensorboardCallback
from syne_tune.trial import Trial
from syne_tune.utils.validation import InvalidParameterError

pytest.importorskip("tensorboardX")


def read_events(folder: Path) -> list:
    from tensorboardX.proto import event_pb2

    events = []
    for path in folder.glob("events.out.tfevents.*"):
        data = path.read_bytes()
        pos = 0
        while pos < len(data):
            (length,) = struct.unpack("<Q", data[pos : pos + 8])
            event = event_pb2.Event()
            event.ParseFromString(data[pos + 12 : pos + 12 + length])
            events.append(event)
            pos += 12 + length + 4
    return sorted(events, key=lambda e: e.step)


def scalars(events) -> dict:
    out = {}
    for event in events:
        for value in event.summary.value:
            if value.HasField("simple_value"):
                out.setdefault(value.tag, []).append((event.step, round(value.simple_value, 6)))
    return out


def texts(events) -> dict:
    out = {}
    for event in events:
        for value in event.summary.value:
            if value.metadata.plugin_data.plugin_name == "text":
                tag = value.tag.removesuffix("/text_summary")
                out.setdefault(tag, []).append((event.step, value.tensor.string_val[0].decode()))
    return out


def trial(tid, lr, act):
    return Trial(tid, {"lr": lr, "act": act}, datetime(2024, 1, 1))


def run(callback, tmp_path, results):
    callback.on_tuning_start(SimpleNamespace(tuner_path=tmp_path))
    for t, result in results:
        callback.on_trial_result(t, "InProgress", result, "CONTINUE")
    callback.on_tuning_end()
    return read_events(tmp_path / "tensorboard_output")


RESULTS = [
    (trial(0, 0.1, "relu"), {"loss": 3.0, "epoch": 1, "st_tuner_time": 1.0, "note": "a"}),
    (trial(1, 0.2, "tanh"), {"loss": 2.0, "epoch": 1, "st_tuner_time": 2.0, "note": "b"}),
    (trial(0, 0.1, "relu"), {"loss": 2.5, "epoch": 2, "st_tuner_time": 3.0, "note": "c"}),
]


def test_logs_metrics_best_value_and_hyperparameters(tmp_path):
    events = run(TensorboardCallback(target_metric="loss", mode="min"), tmp_path, RESULTS)
    sc = scalars(events)
    # the target metric is the best value so far
    assert sc["loss"] == [(0, 3.0), (1, 2.0), (2, 2.0)]
    assert sc["optimal_lr"] == [(0, 0.1), (1, 0.2), (2, 0.2)]
    assert sc["epoch"] == [(0, 1.0), (1, 1.0), (2, 2.0)]
    assert sc["lr"] == [(0, 0.1), (1, 0.2), (2, 0.1)]
    assert sc["runtime"] == [(0, 1.0), (1, 2.0), (2, 3.0)]
    assert sc["number_of_trials"] == [(0, 1.0), (1, 2.0), (2, 2.0)]
    assert "note" not in sc  # not a number
    tx = texts(events)
    assert tx["act"] == [(0, "relu"), (1, "tanh"), (2, "relu")]
    assert tx["optimal_act"] == [(0, "relu"), (1, "tanh"), (2, "tanh")]
    # events are stamped with the tuner time
    stamped = {e.step: e.wall_time for e in events if e.summary.value and e.summary.value[0].tag == "runtime"}
    assert stamped == {0: 1.0, 1: 2.0, 2: 3.0}


def test_mode_max_ignore_metrics_and_no_hyperparameters(tmp_path):
    callback = TensorboardCallback(ignore_metrics=["epoch"], target_metric="loss", mode="max", log_hyperparameters=False)
    sc = scalars(run(callback, tmp_path, RESULTS))
    assert sc["loss"] == [(0, 3.0), (1, 3.0), (2, 3.0)]
    assert "epoch" not in sc and "lr" not in sc
    assert sc["optimal_lr"] == [(0, 0.1), (1, 0.1), (2, 0.1)]


def test_without_target_metric_logs_reported_values(tmp_path):
    sc = scalars(run(TensorboardCallback(), tmp_path, RESULTS))
    assert sc["loss"] == [(0, 3.0), (1, 2.0), (2, 2.5)]
    assert not any(tag.startswith("optimal_") for tag in sc)


def test_pickling_drops_the_writer_and_keeps_the_state(tmp_path):
    callback = TensorboardCallback(target_metric="loss")
    callback.on_tuning_start(SimpleNamespace(tuner_path=tmp_path))
    for t, result in RESULTS[:2]:
        callback.on_trial_result(t, "InProgress", result, "CONTINUE")
    restored = pickle.loads(pickle.dumps(callback))
    callback.on_tuning_end()
    assert restored.writer is None and restored.iter == 2 and restored.curr_best_value == 2.0
    restored.on_tuning_start(SimpleNamespace(tuner_path=tmp_path))
    restored.on_trial_result(*RESULTS[2][:1], "InProgress", RESULTS[2][1], "CONTINUE")
    restored.on_tuning_end()
    sc = scalars(read_events(tmp_path / "tensorboard_output"))
    assert sc["loss"] == [(0, 3.0), (1, 2.0), (2, 2.0)]  # steps go on after loading


def test_missing_target_metric_and_bad_arguments(tmp_path):
    callback = TensorboardCallback(target_metric="acc")
    callback.on_tuning_start(SimpleNamespace(tuner_path=tmp_path))
    with pytest.raises(ValueError, match="'acc'"):
        callback.on_trial_result(*RESULTS[0][:1], "InProgress", RESULTS[0][1], "CONTINUE")
    callback.on_tuning_end()
    with pytest.raises(InvalidParameterError, match="The 'mode' parameter of TensorboardCallback"):
        TensorboardCallback(mode="maximize")
    with pytest.raises(InvalidParameterError, match="The 'ignore_metrics' parameter of TensorboardCallback"):
        TensorboardCallback(ignore_metrics="epoch")


def test_missing_tensorboardx_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # import fails
    callback = TensorboardCallback()  # creating it needs no tensorboardX
    with pytest.raises(ImportError, match=r"syne-tune\[tensorboard\]"):
        callback.on_tuning_start(SimpleNamespace(tuner_path=tmp_path))


def test_with_the_tuner(tmp_path):
    from checkpoint_backend import CheckpointBackend
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.config_space import uniform
    from syne_tune.optimizer.baselines import RandomSearch

    space = {"x": uniform(0, 1), "epochs": 3}
    backend = CheckpointBackend(lambda config, epoch: config["x"] / epoch, delete_checkpoints=False)
    callback = TensorboardCallback(target_metric="loss")
    tuner = Tuner(backend, RandomSearch(space, metric="loss", random_seed=0), StoppingCriterion(max_num_trials_completed=3),
                  n_workers=2, sleep_time=0, tuner_name="tensorboard", callbacks=[callback])
    tuner.run()
    sc = scalars(read_events(Path(tuner.tuner_path) / "tensorboard_output"))
    num_results = tuner.tuning_status.overall_metric_statistics.count
    assert len(sc["loss"]) == len(sc["epoch"]) == num_results
    best = [value for _, value in sc["loss"]]
    assert best == sorted(best, reverse=True)  # best so far only improves
    # trials that reported (a trial started last may not have reported yet)
    assert 3 <= sc["number_of_trials"][-1][1] <= tuner.tuning_status.num_trials_started
