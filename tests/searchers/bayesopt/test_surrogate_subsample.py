"""Which observations a GP surrogate keeps above ``max_size_data_for_model``."""

import numpy as np
import pytest

pytest.importorskip("autograd")
pytest.importorskip("scipy")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData  # noqa: E402
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import (  # noqa: E402
    GPModel,
    subsample_multi_fidelity,
)

LEVELS = (1, 3, 9, 27)


def _rows(top_levels):
    """One row per level up to each trial's top level (a stopped trial's rungs)."""
    trial_ids, resources = [], []
    for trial_id, top in enumerate(top_levels):
        for level in LEVELS[: LEVELS.index(top) + 1]:
            trial_ids.append(trial_id)
            resources.append(level)
    return trial_ids, np.asarray(resources, dtype=float)


def test_trials_reaching_high_levels_are_kept_whole():
    # trial 0 reached 9 (3 rows), trial 1 reached 3 (2 rows), trials 2-5 stopped at 1
    trial_ids, resources = _rows([9, 3, 1, 1, 1, 1])
    rs = np.random.RandomState(0)
    keep = subsample_multi_fidelity(trial_ids, resources, 6, rs)
    assert list(keep[:5]) == [0, 1, 2, 3, 4]
    assert len(keep) == 6 and keep[5] in (5, 6, 7, 8)
    # Not room for trial 1 whole: its row at level 1 goes first
    assert list(subsample_multi_fidelity(trial_ids, resources, 4, rs)) == [0, 1, 2, 4]
    # Not room for trial 0 whole: its highest rows are kept
    assert list(subsample_multi_fidelity(trial_ids, resources, 2, rs)) == [1, 2]
    assert list(subsample_multi_fidelity(trial_ids, resources, 9, rs)) == list(range(9))


@settings(max_examples=60, deadline=None)
@given(
    top_levels=st.lists(st.sampled_from(LEVELS), min_size=1, max_size=40),
    max_size=st.integers(1, 60),
    seed=st.integers(0, 1000),
)
def test_multi_fidelity_subsample_properties(top_levels, max_size, seed):
    trial_ids, resources = _rows(top_levels)
    trial_ids = np.asarray(trial_ids)
    keep = subsample_multi_fidelity(trial_ids, resources, max_size, np.random.RandomState(seed))
    assert len(keep) == min(len(resources), max_size)
    assert len(set(keep.tolist())) == len(keep)
    kept = np.zeros(len(resources), dtype=bool)
    kept[keep] = True
    top = np.asarray(top_levels)
    for a in range(len(top_levels)):
        rows_a = trial_ids == a
        # within a trial, a kept row implies its rows at higher levels are kept
        levels_kept = resources[rows_a & kept]
        if len(levels_kept):
            assert np.all(kept[rows_a & (resources > levels_kept.min())])
        for b in range(len(top_levels)):
            # a trial that went further is kept whole before any row of one that did not
            if top[a] > top[b] and np.any(kept[trial_ids == b]):
                assert np.all(kept[rows_a])


def _mf_data(top_levels, seed=0):
    trial_ids, resources = _rows(top_levels)
    rs = np.random.RandomState(seed)
    configs = rs.rand(len(top_levels), 2)
    X = configs[trial_ids]
    y = np.sum(X, axis=1) - np.log(resources) + 0.01 * rs.randn(len(resources))
    return ModelData(X=X, y=y, resources=resources, trial_ids=list(trial_ids))


def test_gp_model_fits_to_high_fidelity_trials_above_the_cap():
    top_levels = [27] * 3 + [9] * 6 + [3] * 15 + [1] * 60
    data = _mf_data(top_levels)
    model = GPModel(max_size_data_for_model=40, opt_nstarts=1, opt_maxiter=5)
    model.fit(data, np.random.RandomState(1))
    X_fit = model._gp.X
    assert X_fit.shape[0] == 40
    fitted_levels = X_fit[:, -1] * model.resource_scale
    # the trials that reached 27 and 9 whole (3 * 4 + 6 * 3 = 30 rows), then 10
    # rows at level 3 of the trials that reached 3, none of their rows at level 1
    counts = {level: int(np.sum(np.isclose(fitted_levels, level))) for level in LEVELS}
    assert counts == {27: 3, 9: 9, 3: 9 + 10, 1: 9}


def test_gp_model_single_fidelity_cap_keeps_the_best():
    rs = np.random.RandomState(0)
    X = rs.rand(100, 2)
    y = np.arange(100, dtype=float)
    model = GPModel(max_size_data_for_model=20, max_size_top_fraction=0.5, opt_nstarts=1, opt_maxiter=5)
    model.fit(ModelData(X=X, y=y), np.random.RandomState(1))
    X_fit = model._gp.X
    assert X_fit.shape[0] == 20
    # the 10 best rows are all kept
    kept = {tuple(row) for row in X_fit}
    assert all(tuple(X[i]) in kept for i in range(10))


def test_independent_model_subsamples_over_all_levels():
    from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import IndependentGPModel

    top_levels = [27] * 3 + [9] * 6 + [3] * 15 + [1] * 60
    model = IndependentGPModel(max_size_data_for_model=40, opt_nstarts=1, opt_maxiter=5)
    model.fit(_mf_data(top_levels), np.random.RandomState(1))
    sizes = {int(level): m._gp.X.shape[0] for level, m in model._models.items()}
    assert sizes == {27: 3, 9: 9, 3: 19, 1: 9}
