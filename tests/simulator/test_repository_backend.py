"""BlackboxRepositoryBackend: loading by name, tasks, surrogate, pickling."""

from __future__ import annotations

import pickle

import pytest

import syne_tune.blackbox_repository as repo
from syne_tune.trial import Status
from syne_tune.blackbox_repository import BlackboxRepositoryBackend
from sim_blackboxes import NUM_EPOCHS, make_tabular


@pytest.fixture
def fake_repository(tmp_path, monkeypatch):
    """A real repository folder holding the blackbox "toy" (two tasks); the
    list returned grows with every load of a blackbox from disk."""
    from syne_tune.blackbox_repository.serialization import serialize

    root = tmp_path / "repository"
    serialize({"task-a": make_tabular(), "task-b": make_tabular(nan_lengths={0: 3})}, root / "toy")
    monkeypatch.setenv("SYNE_TUNE_BLACKBOX_REPOSITORY", str(root))
    loads = []
    real_load = repo.load_blackbox

    def counting_load(name, *args, **kwargs):
        loads.append(name)
        return real_load(name, *args, **kwargs)

    monkeypatch.setattr(repo, "load_blackbox", counting_load)
    return loads


def run_trial(backend, config):
    backend.time_keeper.start_of_time()
    trial_id = backend.start_trial(config).trial_id
    results = []
    while backend.trial_status(trial_id) == Status.in_progress:
        statuses, new = backend.fetch_status_results([trial_id])
        results.extend(r for _, r in new)
        if not new:
            backend.advance_to_next_event()
    return results


def test_load_by_name_and_task(fake_repository):
    backend = BlackboxRepositoryBackend("toy", elapsed_time_attr="elapsed", dataset="task-b", seed=0, max_resource_attr="epochs")
    assert backend.reported_metric_names() == ["error", "elapsed", "epoch"]
    results = run_trial(backend, {"a": 1, "b": 1, "c": 1, "epochs": NUM_EPOCHS})
    assert [r["epoch"] for r in results] == [1, 2, 3]  # NaN-padded row of task-b
    with pytest.raises(ValueError, match="pass dataset"):
        BlackboxRepositoryBackend("toy", elapsed_time_attr="elapsed")
    with pytest.raises(ValueError, match="no task 'task-c'"):
        BlackboxRepositoryBackend("toy", elapsed_time_attr="elapsed", dataset="task-c")
    with pytest.raises(KeyError):
        BlackboxRepositoryBackend("nope", elapsed_time_attr="elapsed")
    with pytest.raises(ValueError, match="need a surrogate"):
        BlackboxRepositoryBackend("toy", elapsed_time_attr="elapsed", dataset="task-a", surrogate_kwargs={"n_neighbors": 2})


def test_pickled_without_blackbox(fake_repository):
    backend = BlackboxRepositoryBackend(
        "toy", elapsed_time_attr="elapsed", dataset="task-a", seed=1, add_real_time=False
    )
    backend.time_keeper.start_of_time()
    backend.start_trial({"a": 2, "b": 2, "c": 2})
    data = pickle.dumps(backend)
    assert len(data) < 20_000  # the table (64 x 2 x 20 x 2 floats) is not in it
    n_loads = len(fake_repository)
    clone = pickle.loads(data)
    assert clone._blackbox is None
    a = run_trial(backend, {"a": 3, "b": 1, "c": 4})
    b = run_trial(clone, {"a": 3, "b": 1, "c": 4})
    assert a == b and len(a) == NUM_EPOCHS
    assert len(fake_repository) == n_loads + 1  # loaded again by name


def test_surrogate_evaluates_configs_outside_the_table(fake_repository):
    backend = BlackboxRepositoryBackend(
        "toy", elapsed_time_attr="elapsed", dataset="task-a", seed=0, surrogate="NearestNeighbor"
    )
    results = run_trial(backend, {"a": 1, "b": 2, "c": 3})
    assert len(results) == NUM_EPOCHS
    with pytest.raises(ValueError, match="unknown surrogate"):
        BlackboxRepositoryBackend("toy", elapsed_time_attr="elapsed", dataset="task-a", surrogate="NoSuchModel")
