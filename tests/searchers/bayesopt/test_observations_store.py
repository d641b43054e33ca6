"""Observation store: keys, outputs, pending evaluations, arrays, state."""

import copy
import math
import pickle

import numpy as np
import pytest

from syne_tune.config_space import choice, randint, uniform
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData, ObservationStore
from syne_tune.optimizer.schedulers.searchers.utils import make_hyperparameter_ranges

SPACE = {"x": uniform(0.0, 1.0), "n": randint(1, 4), "c": choice(["a", "b", "c"])}


def _config(x, n=1, c="a"):
    return {"x": x, "n": n, "c": c}


def test_keys_replace_and_outputs_are_filtered():
    store = ObservationStore(["loss", "cost"])
    assert store.add(0, _config(0.1), {"loss": 1.0, "cost": 2.0, "other": 5.0})
    assert store.add(0, _config(0.1), {"loss": 0.5}, resource=1)
    assert store.add(0, _config(0.1), {"loss": 0.4}, resource=1)  # replaces
    assert len(store) == 2
    assert store.observations()[1].outputs == {"loss": 0.4}
    assert "other" not in store.observations()[0].outputs
    # non-finite values count as missing
    assert store.add(1, _config(0.2), {"loss": math.nan, "cost": 1.0})
    assert store.count("loss") == 2 and store.count("cost") == 2
    assert not store.add(2, _config(0.3), {"loss": math.inf})
    assert store.trial_ids() == [0, 1]
    assert store.resources() == [None, 1]


def test_remove_and_latest_per_trial():
    store = ObservationStore(["loss"])
    for r in (1, 3, 9):
        store.add(0, _config(0.1), {"loss": 1.0 / r}, resource=r)
    store.add(1, _config(0.7), {"loss": 2.0}, resource=1)
    assert store.latest_per_trial()[0].resource == 9
    assert store.remove(0, resource=3) == 1
    assert store.remove(0, resource=3) == 0
    assert store.remove(0, all_resources=True) == 2
    assert store.trial_ids() == [1]


def test_pending_cleared_by_observation_and_by_removal():
    store = ObservationStore(["loss"])
    store.add_pending(0, _config(0.1), resource=1)
    store.add_pending(0, _config(0.1), resource=3)
    store.add_pending(1, _config(0.5))
    assert store.num_pending() == 3
    store.add(0, _config(0.1), {"loss": 1.0}, resource=1)
    assert sorted((t, r) for t, r, _ in store.pending()) == [(0, 3), (1, None)]
    store.remove_pending(0)
    assert [(t, r) for t, r, _ in store.pending()] == [(1, None)]
    # an observed key is never pending
    store.add_pending(0, _config(0.1), resource=1)
    assert store.num_pending() == 1


def test_arrays_encode_configs_and_pending():
    hp_ranges = make_hyperparameter_ranges(SPACE)
    store = ObservationStore(["loss", "constraint"])
    store.add(0, _config(0.25, 2, "b"), {"loss": 1.0, "constraint": -1.0}, resource=1)
    store.add(1, _config(0.75, 3, "c"), {"loss": 2.0}, resource=3)
    store.add_pending(2, _config(0.5, 1, "a"), resource=1)
    data = store.arrays(hp_ranges, with_resources=True)
    assert isinstance(data, ModelData)
    assert data.X.shape == (2, hp_ranges.ndarray_size)
    np.testing.assert_allclose(data.X[0], hp_ranges.to_ndarray(_config(0.25, 2, "b")))
    np.testing.assert_allclose(data.y, [1.0, 2.0])
    np.testing.assert_allclose(data.resources, [1, 3])
    assert data.num_pending == 1 and data.pending_resources.tolist() == [1.0]
    constraint = store.arrays(hp_ranges, output="constraint", with_pending=False)
    assert constraint.num_observations == 1 and constraint.num_pending == 0 and constraint.resources is None
    kept = store.arrays(hp_ranges, keep=[(1, 3)])
    assert kept.trial_ids == [1]
    empty = ObservationStore(["loss"]).arrays(hp_ranges)
    assert empty.X.shape == (0, hp_ranges.ndarray_size) and empty.num_observations == 0


def test_state_round_trip_and_pickle():
    store = ObservationStore(["loss"])
    store.add(0, _config(0.1), {"loss": 1.0}, resource=1)
    store.add_pending(1, _config(0.2), resource=1)
    clone = ObservationStore.from_state(copy.deepcopy(store.get_state()))
    assert clone.get_state() == store.get_state()
    assert pickle.loads(pickle.dumps(store)).get_state() == store.get_state()


def test_bad_output_names():
    with pytest.raises(ValueError, match="output_names"):
        ObservationStore([])
    with pytest.raises(ValueError, match="output_names"):
        ObservationStore(["a", "a"])
