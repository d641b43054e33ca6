"""``BlackboxContract``: the pytest test suite every
:class:`~syne_tune.blackbox_repository.blackbox.Blackbox` passes.

Subclass it in a test module (the class name must start with ``Test``),
implement :meth:`BlackboxContract.make_blackbox` and set the class
attributes that describe the blackbox::

    from syne_tune.testing.blackbox import BlackboxContract

    class TestMyBlackbox(BlackboxContract):
        expected_num_seeds = 3
        serializable = True

        def make_blackbox(self):
            return my_blackbox()

The suite checks:

* ``configuration_space``, ``fidelity_space`` and ``objectives_names`` are
  consistent (and match :attr:`~BlackboxContract.has_fidelities`);
* ``fidelity_values`` is ``None`` without fidelity, else strictly increasing
  values of the fidelity domain, and ``configuration_space_with_max_resource_attr``
  adds their maximum;
* ``objective_function`` on valid configurations returns every objective: a
  dict for one fidelity (or without fidelity), an array ``(num_fidelities,
  num_objectives)`` for all fidelities, whose rows are the single-fidelity
  results; a fidelity given as number or as dict gives the same; ``__call__``
  is ``objective_function``;
* seeds: every seed of :meth:`~BlackboxContract.seeds` is accepted and gives
  the same result twice, ``seed=None`` gives the result of one of them, a
  seed outside them raises ``ValueError`` (unless
  :attr:`~BlackboxContract.checks_seed` is False);
* determinism: two blackboxes from :meth:`~BlackboxContract.make_blackbox`
  agree for fixed seeds, and for ``seed=None`` after the same
  ``numpy.random.seed``;
* a configuration outside the space (a hyperparameter missing, a value not
  of its domain) or, for tables, outside the table raises a ``KeyError`` or
  ``ValueError`` naming the hyperparameter or the value; so does a fidelity
  outside ``fidelity_values`` (unless
  :attr:`~BlackboxContract.rejects_unknown_fidelity` is False);
* ``hyperparameter_objectives_values`` has consistent shapes (or raises
  ``NotImplementedError`` for blackboxes without evaluation data);
* a pickle round trip keeps spaces and values; a
  :func:`~syne_tune.blackbox_repository.serialization.serialize` /
  ``deserialize`` round trip too, where supported.

Only pytest's test collection and its ``tmp_path`` fixture are used;
``pytest`` itself is imported when a test skips.
"""

from __future__ import annotations

import pickle
from numbers import Number
from typing import Any, Dict, List, Tuple

import numpy as np

from syne_tune.blackbox_repository.blackbox import Blackbox, is_domain

#: A value no domain contains (used to build invalid configurations).
INVALID_VALUE = "__not_a_valid_value__"

_CACHE_ATTRIBUTE = "_blackbox_contract_cache"


def _skip(reason: str):
    import pytest

    pytest.skip(reason)


def _as_row(result: Any, names: List[str]) -> np.ndarray:
    """Values of a single-fidelity result in the order of ``names``."""
    return np.array([float(result[name]) for name in names], dtype=np.float64)


def _assert_close(actual, expected, rtol: float, what: str):
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64),
        np.asarray(expected, dtype=np.float64),
        rtol=rtol,
        atol=0.0,
        equal_nan=True,
        err_msg=what,
    )


class BlackboxContract:
    """Test suite of the :class:`Blackbox` contract (see the module
    docstring). Subclasses implement :meth:`make_blackbox` and override the
    class attributes and methods below where their blackbox differs."""

    #: whether the blackbox has a (single) fidelity attribute
    has_fidelities: bool = True
    #: the expected value of ``blackbox.num_seeds``
    expected_num_seeds: int = 1
    #: whether a seed outside :meth:`seeds` raises ``ValueError`` (False
    #: for blackboxes that ignore the seed)
    checks_seed: bool = True
    #: whether a fidelity outside ``fidelity_values`` (or any fidelity, for
    #: a blackbox without fidelity) raises ``ValueError``
    rejects_unknown_fidelity: bool = True
    #: whether only recorded configurations can be evaluated (tables: then a
    #: configuration of the space outside the table must raise)
    answers_only_recorded_configurations: bool = False
    #: whether ``hyperparameter_objectives_values(False)`` returns data
    provides_evaluation_data: bool = False
    #: whether ``hyperparameter_objectives_values(True)`` returns data
    supports_predict_curves: bool = False
    #: whether the blackbox pickles
    picklable: bool = True
    #: whether ``serialization.serialize`` / ``deserialize`` store it
    serializable: bool = False
    #: relative tolerance when comparing results computed in different ways
    #: (e.g. a curve row and a single-fidelity evaluation)
    rtol: float = 1e-6
    #: how many valid configurations the checks evaluate
    num_configurations: int = 5

    # ---------------------------------------------------------------- hooks
    def make_blackbox(self) -> Blackbox:
        """Returns a new blackbox (called once per test class, and again by
        the determinism check). Call ``pytest.skip`` if data are missing."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement make_blackbox(self) -> Blackbox"
        )

    def configurations(self, blackbox: Blackbox) -> List[Dict[str, Any]]:
        """Valid configurations to evaluate: spread over
        ``all_configurations()`` if the blackbox has it, else sampled from
        the configuration space (fixed random state)."""
        n = self.num_configurations
        if hasattr(blackbox, "all_configurations"):
            configs = blackbox.all_configurations()
            return configs[:: max(1, len(configs) // n)][:n]
        from syne_tune.config_space import sample_configs

        return sample_configs(blackbox.configuration_space, n, random_state=0)

    def seeds(self, blackbox: Blackbox) -> List[Any]:
        """The valid ``seed`` arguments (default ``range(expected_num_seeds)``)."""
        return list(range(self.expected_num_seeds))

    def invalid_seed(self, blackbox: Blackbox) -> Any:
        """A seed the blackbox must reject (default: ``expected_num_seeds``)."""
        return self.expected_num_seeds

    def invalid_configurations(
        self, blackbox: Blackbox
    ) -> List[Tuple[Dict[str, Any], List[str]]]:
        """Configurations that must raise, each with the strings one of which
        the error message must contain. Default: a valid configuration
        without its first hyperparameter; with :data:`INVALID_VALUE` for the
        first categorical and the first numerical hyperparameter; and, if
        :attr:`answers_only_recorded_configurations`, one of the space that
        is not recorded (if the table does not hold the whole space)."""
        config = self.configurations(blackbox)[0]
        space = blackbox.configuration_space
        names = [k for k, v in space.items() if is_domain(v)]
        cases = [({k: v for k, v in config.items() if k != names[0]}, [names[0]])]
        categorical = [k for k in names if hasattr(space[k], "categories")]
        numerical = [k for k in names if not hasattr(space[k], "categories")]
        for group in (categorical, numerical):
            if group:
                cases.append((dict(config, **{group[0]: INVALID_VALUE}), [group[0], INVALID_VALUE]))
        if self.answers_only_recorded_configurations:
            unrecorded = self._unrecorded_configuration(blackbox, config, names)
            if unrecorded is not None:
                cases.append(unrecorded)
        return cases

    # -------------------------------------------------------------- helpers
    def _unrecorded_configuration(self, blackbox, config, names):
        recorded = {
            tuple(c.get(k) for k in names) for c in blackbox.all_configurations()
        }
        for name in names:
            domain = blackbox.configuration_space[name]
            if hasattr(domain, "categories"):
                candidates = list(domain.categories)
            else:
                candidates = domain.sample(size=20, random_state=0)
            for value in candidates:
                changed = dict(config, **{name: value})
                if tuple(changed.get(k) for k in names) not in recorded:
                    return changed, [name, str(value)]
        return None

    def _blackbox(self) -> Blackbox:
        """The blackbox of this test class (made once)."""
        cache = type(self).__dict__.get(_CACHE_ATTRIBUTE)
        if cache is None:
            cache = {"blackbox": self.make_blackbox()}
            setattr(type(self), _CACHE_ATTRIBUTE, cache)
        return cache["blackbox"]

    def _first_seed(self, blackbox: Blackbox):
        seeds = self.seeds(blackbox)
        return seeds[0] if seeds else None

    def _check_single(self, blackbox: Blackbox, result, what: str):
        assert isinstance(result, dict), f"{what}: expected a dict, got {type(result).__name__}"
        assert set(result) == set(blackbox.objectives_names), (
            f"{what}: keys {sorted(result)} differ from the objectives "
            f"{blackbox.objectives_names}"
        )
        for name, value in result.items():
            assert isinstance(value, (Number, np.number)), (
                f"{what}: objective {name} = {value!r} is not a number"
            )

    def _results(self, blackbox: Blackbox, configs, seed) -> List[np.ndarray]:
        """Results of ``configs`` (all fidelities) as arrays."""
        names = blackbox.objectives_names
        out = []
        for config in configs:
            result = blackbox.objective_function(config, seed=seed)
            out.append(_as_row(result, names) if isinstance(result, dict) else np.asarray(result))
        return out

    def _assert_same_values(self, a: Blackbox, b: Blackbox, what: str):
        configs = self.configurations(a)
        for seed in self.seeds(a) or [None]:
            for config, ra, rb in zip(
                configs, self._results(a, configs, seed), self._results(b, configs, seed)
            ):
                _assert_close(rb, ra, self.rtol, f"{what}: {config}, seed {seed}")

    def _assert_same_spaces(self, a: Blackbox, b: Blackbox):
        assert b.configuration_space == a.configuration_space
        assert b.fidelity_space == a.fidelity_space
        assert b.objectives_names == a.objectives_names
        if a.fidelity_values is None:
            assert b.fidelity_values is None
        else:
            np.testing.assert_array_equal(b.fidelity_values, a.fidelity_values)

    # ---------------------------------------------------------------- tests
    def test_spaces_and_objectives_are_consistent(self):
        bb = self._blackbox()
        assert isinstance(bb, Blackbox)
        space = bb.configuration_space
        assert isinstance(space, dict) and all(isinstance(k, str) for k in space)
        assert any(is_domain(v) for v in space.values()), "no hyperparameter to tune"
        names = bb.objectives_names
        assert isinstance(names, list) and names, "objectives_names must be a non-empty list"
        assert all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
        assert (bb.fidelity_space is not None) == self.has_fidelities
        if self.has_fidelities:
            assert isinstance(bb.fidelity_space, dict) and len(bb.fidelity_space) == 1
            assert not set(bb.fidelity_space) & set(space), "a fidelity is also a hyperparameter"
            assert bb.fidelity_name() == next(iter(bb.fidelity_space))
        assert bb.num_seeds == self.expected_num_seeds
        assert str(bb)

    def test_fidelity_values_are_sorted_and_in_the_fidelity_space(self):
        bb = self._blackbox()
        values = bb.fidelity_values
        if not self.has_fidelities:
            assert values is None
            return
        assert isinstance(values, np.ndarray) and values.ndim == 1 and len(values) > 0
        assert np.all(np.diff(values) > 0), f"fidelity values {values} not increasing"
        domain = bb.fidelity_space[bb.fidelity_name()]
        for value in values.tolist():
            assert domain.is_valid(value), f"fidelity {value} not in {domain!r}"
        space = bb.configuration_space_with_max_resource_attr("__max_resource__")
        assert space["__max_resource__"] == int(np.max(values))
        assert {k: v for k, v in space.items() if k != "__max_resource__"} == bb.configuration_space

    def test_objective_function_returns_every_objective(self):
        bb = self._blackbox()
        num_objectives = len(bb.objectives_names)
        seed = self._first_seed(bb)
        for config in self.configurations(bb):
            result = bb.objective_function(config, seed=seed)
            if not self.has_fidelities:
                self._check_single(bb, result, f"{config}")
                continue
            curve = np.asarray(result)
            assert not isinstance(result, dict), "without fidelity: expected all fidelities"
            assert curve.shape == (len(bb.fidelity_values), num_objectives), (
                f"{config}: shape {curve.shape}, expected "
                f"{(len(bb.fidelity_values), num_objectives)}"
            )
            assert np.issubdtype(curve.dtype, np.floating)
            for i, value in enumerate(bb.fidelity_values.tolist()):
                single = bb.objective_function(config, fidelity=value, seed=seed)
                self._check_single(bb, single, f"{config} at fidelity {value}")
                _assert_close(
                    _as_row(single, bb.objectives_names), curve[i], self.rtol,
                    f"{config}: row {i} of the curve differs from fidelity {value}",
                )

    def test_fidelity_as_number_or_dict_agree(self):
        bb = self._blackbox()
        if not self.has_fidelities:
            _skip("no fidelity")
        seed = self._first_seed(bb)
        value = bb.fidelity_values.tolist()[-1]
        for config in self.configurations(bb):
            by_number = bb.objective_function(config, fidelity=value, seed=seed)
            by_dict = bb.objective_function(config, fidelity={bb.fidelity_name(): value}, seed=seed)
            names = bb.objectives_names
            _assert_close(_as_row(by_dict, names), _as_row(by_number, names), self.rtol, f"{config}")

    def test_call_equals_objective_function(self):
        bb = self._blackbox()
        seed = self._first_seed(bb)
        config = self.configurations(bb)[0]
        fidelity = bb.fidelity_values.tolist()[0] if self.has_fidelities else None
        expected = bb.objective_function(config, fidelity=fidelity, seed=seed)
        got = bb(config, fidelity=fidelity, seed=seed)
        names = bb.objectives_names
        _assert_close(_as_row(got, names), _as_row(expected, names), 0.0, "__call__")

    def test_seeds_are_accepted_and_deterministic(self):
        bb = self._blackbox()
        configs = self.configurations(bb)
        seeds = self.seeds(bb)
        assert len(seeds) == self.expected_num_seeds
        by_seed = {}
        for seed in seeds:
            first = self._results(bb, configs, seed)
            again = self._results(bb, configs, seed)
            for config, a, b in zip(configs, first, again):
                _assert_close(b, a, 0.0, f"{config}, seed {seed}: not deterministic")
            by_seed[seed] = first
        # seed=None picks one of the seeds
        for i, config in enumerate(configs):
            got = self._results(bb, [config], None)[0]
            assert any(
                np.allclose(got, results[i], rtol=self.rtol, atol=0.0, equal_nan=True)
                for results in by_seed.values()
            ), f"{config}: seed=None gives a result of no recorded seed"

    def test_invalid_seed_raises(self):
        bb = self._blackbox()
        if not self.checks_seed:
            _skip("the blackbox ignores the seed")
        seed = self.invalid_seed(bb)
        config = self.configurations(bb)[0]
        try:
            bb.objective_function(config, seed=seed)
        except ValueError:
            return
        raise AssertionError(f"seed={seed!r} was accepted (valid seeds: {self.seeds(bb)})")

    def test_results_are_reproducible_across_instances(self):
        a = self._blackbox()
        b = self.make_blackbox()
        self._assert_same_values(a, b, "second instance")
        configs = self.configurations(a)
        fresh = self.make_blackbox()
        np.random.seed(1234)
        first = self._results(fresh, configs, None)
        other = self.make_blackbox()
        np.random.seed(1234)
        second = self._results(other, configs, None)
        for config, ra, rb in zip(configs, first, second):
            _assert_close(rb, ra, 0.0, f"{config}, seed=None after numpy.random.seed")

    def test_configuration_outside_the_space_or_table_raises(self):
        bb = self._blackbox()
        seed = self._first_seed(bb)
        for config, mentions in self.invalid_configurations(bb):
            try:
                bb.objective_function(config, seed=seed)
            except (KeyError, ValueError) as ex:
                message = str(ex)
                assert any(m in message for m in mentions), (
                    f"the error for {config} names none of {mentions}: {message!r}"
                )
                continue
            raise AssertionError(f"configuration {config} was accepted")

    def test_unknown_fidelity_raises(self):
        bb = self._blackbox()
        if not self.rejects_unknown_fidelity:
            _skip("the blackbox accepts any fidelity")
        config = self.configurations(bb)[0]
        seed = self._first_seed(bb)
        fidelity = float(np.max(bb.fidelity_values)) + 1 if self.has_fidelities else 1
        try:
            bb.objective_function(config, fidelity=fidelity, seed=seed)
        except ValueError:
            return
        raise AssertionError(f"fidelity={fidelity} was accepted")

    def test_hyperparameter_objectives_values(self):
        bb = self._blackbox()
        if not self.provides_evaluation_data:
            try:
                bb.hyperparameter_objectives_values()
            except NotImplementedError:
                return
            raise AssertionError("expected NotImplementedError (no evaluation data)")
        import pandas as pd

        names = bb.objectives_names
        hp_names = [k for k, v in bb.configuration_space.items() if is_domain(v)]
        X, y = bb.hyperparameter_objectives_values(predict_curves=False)
        assert isinstance(X, pd.DataFrame) and isinstance(y, pd.DataFrame)
        assert len(X) == len(y) > 0
        assert list(y.columns) == names
        assert set(hp_names) <= set(X.columns)
        if self.has_fidelities:
            assert bb.fidelity_name() in X.columns
            assert set(X[bb.fidelity_name()].tolist()) <= set(bb.fidelity_values.tolist())
        if not self.has_fidelities:
            return
        if not self.supports_predict_curves:
            try:
                bb.hyperparameter_objectives_values(predict_curves=True)
            except NotImplementedError:
                return
            raise AssertionError("expected NotImplementedError for predict_curves=True")
        X, y = bb.hyperparameter_objectives_values(predict_curves=True)
        assert len(X) == len(y) > 0
        assert y.shape[1] == len(bb.fidelity_values) * len(names)
        assert set(hp_names) <= set(X.columns) and bb.fidelity_name() not in X.columns

    def test_pickle_round_trip(self):
        bb = self._blackbox()
        if not self.picklable:
            _skip("the blackbox does not pickle")
        clone = pickle.loads(pickle.dumps(bb))
        assert type(clone) is type(bb)
        self._assert_same_spaces(bb, clone)
        self._assert_same_values(bb, clone, "after pickling")

    def test_serialize_round_trip(self, tmp_path):
        bb = self._blackbox()
        if not self.serializable:
            _skip("the blackbox is not stored with serialize")
        from syne_tune.blackbox_repository.serialization import deserialize, serialize

        path = serialize({"task": bb}, tmp_path / "stored", metadata={"contract": True})
        for ignore_hash in (True, False):
            loaded = deserialize(path, ignore_hash=ignore_hash)
            assert list(loaded) == ["task"]
            clone = loaded["task"]
            assert type(clone) is type(bb)
            assert clone.metadata == {"contract": True}
            self._assert_same_spaces(bb, clone)
            self._assert_same_values(bb, clone, "after serialize / deserialize")
