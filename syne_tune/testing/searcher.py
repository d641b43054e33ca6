"""Contract every searcher satisfies, as a pytest test class.

Subclass :class:`SearcherContract` in a test module (its name must start
with ``Test`` for pytest to collect it) and implement
:meth:`SearcherContract.make_searcher`::

    from syne_tune.testing.searcher import SearcherContract

    class TestMySearcher(SearcherContract):
        def make_searcher(self, config_space, metric, mode, random_seed, points_to_evaluate):
            return MySearcher(config_space, metric=metric, mode=mode,
                              random_seed=random_seed, points_to_evaluate=points_to_evaluate)

Checked (a searcher is driven as a FIFO scheduler drives it: ``get_config``,
``register_pending``, then ``on_trial_result`` with ``update=False`` and
``update=True`` and a deterministic metric value):

* suggested configurations lie in the space, with values of the domains'
  types;
* ``points_to_evaluate`` come first, completed by the midpoint rule, and
  ``None`` means one midpoint configuration;
* the same seed gives the same suggestions;
* ``on_trial_result``, ``register_pending``, ``evaluation_failed``,
  ``cleanup_pending`` and ``remove_case`` do not crash, also for trial ids
  the searcher never suggested;
* after ``clone_from_state(get_state())`` and after a pickle round trip
  (mid-run), the searcher continues with the same suggestions as an
  untouched twin; the state itself pickles;
* a finite space is exhausted: every configuration exactly once, then
  ``None`` (with :attr:`SearcherContract.allow_duplicates`, valid
  suggestions keep coming instead);
* an invalid ``metric`` or ``mode`` raises ``ValueError`` or ``TypeError``.

The suite needs pytest (the ``dev`` extra).
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from syne_tune.config_space import (
    Domain,
    check_config_in_space,
    choice,
    config_space_size,
    finrange,
    loguniform,
    non_constant_hyperparameter_keys,
    randint,
    uniform,
)
from syne_tune.optimizer.schedulers.searchers.searcher import impute_points_to_evaluate

__all__ = ["SearcherContract"]

#: Marks "argument not given" in the helpers (``None`` is a value under test).
_DEFAULT = object()


class SearcherContract:
    """Test suite for a searcher; subclasses implement :meth:`make_searcher`
    and may override the class attributes."""

    #: Space of most checks (float, log float, int, categorical, constant).
    config_space: dict = {
        "x": uniform(-1.0, 1.0),
        "lr": loguniform(1e-4, 1e-1),
        "n": randint(1, 6),
        "act": choice(["relu", "tanh", "sigmoid"]),
        "epochs": 5,
    }
    #: Finite space for the exhaustion check (12 configurations).
    finite_config_space: dict = {
        "a": choice(["p", "q", "r"]),
        "b": randint(1, 2),
        "c": finrange(0.0, 1.0, 2),
        "epochs": 5,
    }
    metric: str = "loss"
    #: Suggestions per run (kept small: model-based searchers fit a model each time).
    num_suggestions: int = 10
    #: Whether the searcher may suggest a configuration more than once.
    allow_duplicates: bool = False

    def make_searcher(
        self,
        config_space: dict,
        metric: Any,
        mode: Any,
        random_seed: int,
        points_to_evaluate: list[dict] | None,
    ):
        """Return a new searcher for the arguments given."""
        raise NotImplementedError(f"{type(self).__name__} must implement make_searcher")

    # -- helpers --------------------------------------------------------------
    def objective(self, config: dict) -> float:
        """Deterministic metric value of a configuration."""
        value = 0.0
        for v in config.values():
            if isinstance(v, bool):
                value += float(v)
            elif isinstance(v, (int, float)):
                value += float(v) ** 2
            else:
                value += len(str(v))
        return value

    def result(self, config: dict) -> dict:
        """The result reported for ``config`` (override to add the extra
        outputs a searcher needs, such as a constraint or a cost)."""
        return {self.metric: self.objective(config)}

    def run(self, searcher, num: int, first_trial_id: int = 0) -> list[dict]:
        """Drive ``searcher`` for up to ``num`` suggestions; returns them."""
        configs = []
        for trial_id in range(first_trial_id, first_trial_id + num):
            config = searcher.get_config(trial_id=trial_id)
            if config is None:
                break
            searcher.register_pending(trial_id, config=config)
            result = self.result(config)
            searcher.on_trial_result(trial_id, config, result, update=False)
            searcher.on_trial_result(trial_id, config, result, update=True)
            searcher.cleanup_pending(trial_id)
            configs.append(config)
        return configs

    def _make(self, config_space=None, random_seed=0, points_to_evaluate=None, metric=_DEFAULT, mode="min"):
        return self.make_searcher(
            config_space if config_space is not None else self.config_space,
            self.metric if metric is _DEFAULT else metric,
            mode,
            random_seed,
            points_to_evaluate,
        )

    @staticmethod
    def _hyperparameters(config: dict, config_space: dict) -> dict:
        return {k: config[k] for k in non_constant_hyperparameter_keys(config_space)}

    # -- checks ---------------------------------------------------------------
    def test_configs_are_in_the_space(self):
        searcher = self._make(points_to_evaluate=[])
        configs = self.run(searcher, self.num_suggestions)
        assert configs, "the searcher suggested nothing"
        for config in configs:
            check_config_in_space(self.config_space, config)
            for name, domain in self.config_space.items():
                if isinstance(domain, Domain):
                    assert type(config[name]) is domain.value_type, (name, config[name])

    def test_points_to_evaluate_come_first(self):
        points = [{"x": 0.25}, {"n": 2, "act": "tanh"}]
        expected = impute_points_to_evaluate(points, self.config_space)
        configs = self.run(self._make(points_to_evaluate=points), 3)
        for want, got in zip(expected, configs[:2]):
            assert self._hyperparameters(got, self.config_space) == self._hyperparameters(want, self.config_space)

    def test_default_is_one_midpoint_configuration(self):
        expected = impute_points_to_evaluate(None, self.config_space)
        assert len(expected) == 1
        config = self._make(points_to_evaluate=None).get_config(trial_id=0)
        assert self._hyperparameters(config, self.config_space) == self._hyperparameters(expected[0], self.config_space)

    def test_same_seed_same_suggestions(self):
        first = self.run(self._make(random_seed=3, points_to_evaluate=[]), self.num_suggestions)
        second = self.run(self._make(random_seed=3, points_to_evaluate=[]), self.num_suggestions)
        assert first == second

    def test_callbacks_do_not_crash(self):
        searcher = self._make(points_to_evaluate=[])
        configs = self.run(searcher, 3)
        foreign = dict(configs[0])
        searcher.register_pending(1000, config=foreign)
        searcher.register_pending(1001, config=foreign, milestone=3)
        searcher.on_trial_result(1002, foreign, self.result(foreign), update=False)
        searcher.on_trial_result(1003, foreign, self.result(foreign), update=True)
        searcher.evaluation_failed(1000)
        searcher.evaluation_failed(1004)
        searcher.cleanup_pending(1001)
        searcher.cleanup_pending(1005)
        searcher.remove_case(1003)
        searcher.remove_case(1006)
        searcher.remove_case(0)
        config = searcher.get_config(trial_id=3)
        searcher.register_pending(3, config=config)
        searcher.evaluation_failed(3)
        for config in self.run(searcher, 3, first_trial_id=4):
            check_config_in_space(self.config_space, config)
        assert isinstance(searcher.dataset_size(), int)
        assert isinstance(searcher.model_parameters(), dict)

    def _continue_identically(self, restore):
        """Run a searcher and its twin alike, ``restore`` the searcher while a
        trial is pending, and check both go on with the same suggestions."""
        half = self.num_suggestions // 2
        twin = self._make(random_seed=5, points_to_evaluate=[{"n": 3}])
        searcher = self._make(random_seed=5, points_to_evaluate=[{"n": 3}])
        assert self.run(searcher, half) == self.run(twin, half)
        pending = [s.get_config(trial_id=half) for s in (searcher, twin)]
        assert pending[0] == pending[1]
        for s in (searcher, twin):
            s.register_pending(half, config=pending[0])
        searcher = restore(searcher)
        result = self.result(pending[0])
        for s in (searcher, twin):
            s.on_trial_result(half, pending[0], result, update=True)
        rest = self.num_suggestions - half
        assert self.run(searcher, rest, first_trial_id=half + 1) == self.run(twin, rest, first_trial_id=half + 1)

    def test_clone_from_state_continues_identically(self):
        def restore(searcher):
            state = searcher.get_state()
            pickle.loads(pickle.dumps(state))
            return searcher.clone_from_state(state)

        self._continue_identically(restore)

    def test_pickle_round_trip_continues_identically(self):
        self._continue_identically(lambda searcher: pickle.loads(pickle.dumps(searcher)))

    def test_finite_space_is_exhausted(self):
        space = self.finite_config_space
        size = config_space_size(space)
        searcher = self._make(config_space=space, points_to_evaluate=[])
        configs = self.run(searcher, size + 5)
        for config in configs:
            check_config_in_space(space, config)
        keys = [tuple(sorted(self._hyperparameters(c, space).items())) for c in configs]
        if self.allow_duplicates:
            assert len(configs) == size + 5
        else:
            assert len(configs) == size and len(set(keys)) == size
            assert searcher.get_config(trial_id=size + 5) is None

    @pytest.mark.parametrize("metric", [None, 3, ""])
    def test_bad_metric_raises(self, metric):
        with pytest.raises((ValueError, TypeError)):
            self._make(metric=metric)

    @pytest.mark.parametrize("mode", ["maximize", None, 1])
    def test_bad_mode_raises(self, mode):
        with pytest.raises((ValueError, TypeError)):
            self._make(mode=mode)
