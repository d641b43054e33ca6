"""PythonBackend: a plain function runs in a subprocess per trial."""

import logging
import pickle
import time

import pytest

from syne_tune.backend import PythonBackend
from syne_tune.trial import Status

CONFIG_SPACE = {"width": 1.0, "height": 2.0, "epochs": 3}

HELPER_CONSTANT = 42


def train_height(width: float, height: float, epochs: int):
    from syne_tune import Reporter

    report = Reporter()
    for epoch in range(1, epochs + 1):
        report(epoch=epoch, mean_loss=(0.1 + width * epoch / 100) ** -1 + height / 10, types=[type(width).__name__, type(epochs).__name__])


def with_checkpoint(epochs: int, st_checkpoint_dir: str, scale: float = 2.0):
    import json
    import os

    from syne_tune import Reporter

    os.makedirs(st_checkpoint_dir, exist_ok=True)  # the backend does not create it
    path = os.path.join(st_checkpoint_dir, "state.json")
    start = 0
    if os.path.exists(path):
        with open(path) as f:
            start = json.load(f)["epoch"]
    report = Reporter()
    for epoch in range(start + 1, epochs + 1):
        with open(path, "w") as f:
            json.dump({"epoch": epoch}, f)
        report(epoch=epoch, value=epoch * scale)


def takes_kwargs(**config):
    from syne_tune import Reporter

    Reporter()(keys=sorted(config))


def uses_global(epochs: int):
    from syne_tune import Reporter

    Reporter()(x=HELPER_CONSTANT)


def crashes(epochs: int):
    raise ValueError("crash inside the tune function")


def run(backend, ids, timeout=30):
    results = []
    deadline = time.monotonic() + timeout
    while True:
        statuses, new = backend.fetch_status_results(ids)
        results.extend(new)
        if all(st != Status.in_progress for _, st in statuses.values()):
            return {tid: st for tid, (_, st) in statuses.items()}, results
        if time.monotonic() > deadline:
            backend.stop_all()
            pytest.fail("trial did not finish")
        backend.wait_for_activity(0.2)


def make(tmp_path, fn, config_space=CONFIG_SPACE, **kwargs):
    backend = PythonBackend(tune_function=fn, config_space=config_space, **kwargs)
    backend.set_path(str(tmp_path / "trials"), "py")
    return backend


def test_runs_function_with_typed_config(tmp_path):
    backend = make(tmp_path, train_height)
    backend.start_trial({"width": 3.0, "height": 1.0, "epochs": 3})
    statuses, results = run(backend, [0])
    assert statuses == {0: Status.completed}, backend.stderr(0)
    assert [r["epoch"] for _, r in results] == [1, 2, 3]
    assert results[0][1]["types"] == ["float", "int"]  # JSON keeps the types
    assert (tmp_path / "trials" / "tune_function" / "tune_function.bin").exists()


def test_checkpoint_dir_parameter_and_defaults(tmp_path):
    backend = make(tmp_path, with_checkpoint, config_space={"epochs": 6})
    backend.start_trial({"epochs": 6})
    seen = []
    deadline = time.monotonic() + 20
    while not seen and time.monotonic() < deadline:
        seen.extend(backend.fetch_status_results([0])[1])
    statuses, results = run(backend, [0])
    assert statuses == {0: Status.completed}, backend.stderr(0)
    results = seen + results
    assert [r["value"] for _, r in results] == [2.0 * e for e in range(1, 7)]
    # a second trial from trial 0's checkpoint has nothing left to do
    backend.start_trial({"epochs": 8}, checkpoint_trial_id=0)
    _, results = run(backend, [1])
    assert [r["epoch"] for _, r in results] == [7, 8]


def test_kwargs_function_gets_everything(tmp_path):
    backend = make(tmp_path, takes_kwargs, config_space={"a": 1, "b": 2})
    backend.start_trial({"a": 1, "b": 2})
    _, results = run(backend, [0])
    assert results[0][1]["keys"] == ["a", "b", "st_checkpoint_dir"]


def test_lambda_and_local_function(tmp_path):
    def local_fn(width: float):
        from syne_tune import Reporter

        Reporter()(w=width * 2)

    backend = make(tmp_path, local_fn, config_space={"width": 1.0})
    backend.start_trial({"width": 1.5})
    _, results = run(backend, [0])
    assert results[0][1]["w"] == 3.0


def test_parameters_must_be_config_keys():
    with pytest.raises(ValueError, match=r"\['epochs'\].*not keys of the config space"):
        PythonBackend(tune_function=train_height, config_space={"width": 1.0, "height": 2.0})


def test_global_names_rejected_up_front():
    with pytest.raises(ValueError, match="HELPER_CONSTANT.*inside the function"):
        PythonBackend(tune_function=uses_global, config_space={"epochs": 1})


def test_closures_rejected_up_front():
    factor = 3

    def closure(width: float):
        return width * factor

    with pytest.raises(ValueError, match="enclosing function"):
        PythonBackend(tune_function=closure, config_space={"width": 1.0})


def test_non_function_rejected():
    with pytest.raises(TypeError, match="plain Python function"):
        PythonBackend(tune_function=print, config_space={})


def test_crash_is_failed_with_message(tmp_path, caplog):
    backend = make(tmp_path, crashes, config_space={"epochs": 1})
    backend.start_trial({"epochs": 1})
    with caplog.at_level(logging.WARNING):
        statuses, _ = run(backend, [0])
    assert statuses == {0: Status.failed}
    assert "crash inside the tune function" in caplog.text


def test_backend_pickles_and_restored_copy_runs(tmp_path):
    def local_fn(width: float):
        from syne_tune import Reporter

        Reporter()(w=width)

    backend = make(tmp_path, local_fn, config_space={"width": 1.0})
    backend.start_trial({"width": 1.0})
    run(backend, [0])
    restored = pickle.loads(pickle.dumps(backend))
    assert restored.tune_function is not None and restored.tune_function.__name__ == "local_fn"
    restored.start_trial({"width": 2.0})
    _, results = run(restored, [1])
    assert results[0][1]["w"] == 2.0


def test_with_tuner(tmp_path):
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.config_space import randint
    from syne_tune.optimizer.baselines import RandomSearch

    config_space = {"width": randint(1, 20), "height": randint(1, 20), "epochs": 3}
    tuner = Tuner(
        trial_backend=PythonBackend(tune_function=train_height, config_space=config_space),
        scheduler=RandomSearch(config_space, metric="mean_loss", mode="min", random_seed=0),
        stop_criterion=StoppingCriterion(max_num_trials_completed=4),
        n_workers=2,
        sleep_time=0.01,
        tuner_name="python-backend",
    )
    tuner.run()
    df = tuner.results_dataframe()
    assert (df.groupby("trial_id")["epoch"].max() == 3).sum() >= 4
