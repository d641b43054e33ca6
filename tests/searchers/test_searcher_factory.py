"""Searcher module layout, the validating registry, ``search_options`` checks
and the refusal of single-fidelity model searchers by multi-fidelity schedulers."""

import subprocess
import sys

import pytest

from syne_tune.config_space import randint, uniform
from syne_tune.optimizer.baselines import ASHA, BayesianOptimization, GridSearch, RandomSearch, SyncHyperband
from syne_tune.optimizer.schedulers.fifo import FIFOScheduler
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler
from syne_tune.optimizer.schedulers.searchers import (
    BaseSearcher,
    GridSearcher,
    RandomSearcher,
    StochasticAndFilterDuplicatesSearcher,
    StochasticSearcher,
    impute_points_to_evaluate,
    register_searcher,
    searcher_factory,
)
from syne_tune.optimizer.schedulers.searchers.searcher_factory import SEARCHER_REGISTRY, searcher_argument_names
from syne_tune.optimizer.schedulers.synchronous.hyperband import SynchronousGeometricHyperbandScheduler
from syne_tune.utils.validation import InvalidParameterError

SPACE = {"x": uniform(0, 1), "n": randint(1, 4), "epochs": 9}


def test_import_paths():
    from syne_tune.optimizer.schedulers.searchers import GPFIFOSearcher
    from syne_tune.optimizer.schedulers.searchers import random_grid_searcher, searcher_base
    from syne_tune.optimizer.schedulers.searchers import searcher as old
    from syne_tune.optimizer.schedulers.searchers.bayesopt import GPFIFOSearcher as GP2
    from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_searcher import GPFIFOSearcher as GP3
    from syne_tune.optimizer.schedulers.searchers.gp_fifo_searcher import GPFIFOSearcher as GP4

    assert GPFIFOSearcher is GP2 is GP3 is GP4
    assert random_grid_searcher.RandomSearcher is RandomSearcher and random_grid_searcher.GridSearcher is GridSearcher
    assert searcher_base.StochasticSearcher is StochasticSearcher
    # the old module keeps working for the names that lived there
    assert old.BaseSearcher is BaseSearcher and old.impute_points_to_evaluate is impute_points_to_evaluate
    assert old.RandomSearcher is RandomSearcher and old.GridSearcher is GridSearcher
    assert old.searcher_factory is searcher_factory and old.StochasticAndFilterDuplicatesSearcher is StochasticAndFilterDuplicatesSearcher
    with pytest.raises(AttributeError):
        old.NoSuchSearcher  # noqa: B018


def test_base_searcher_is_abstract():
    with pytest.raises(TypeError):
        BaseSearcher(SPACE, metric="y")

    class NoUpdate(BaseSearcher):
        def get_config(self, **kwargs):
            return self._next_initial_config()

    with pytest.raises(TypeError, match="_update"):
        NoUpdate(SPACE, metric="y")

    class Minimal(NoUpdate):
        def _update(self, trial_id, config, result):
            pass

    scheduler = FIFOScheduler(SPACE, searcher=Minimal(SPACE, metric="y"), metric="y", points_to_evaluate=[{"n": 2}])
    assert scheduler.suggest(0).config == {"x": 0.5, "n": 2, "epochs": 9}
    assert scheduler.suggest(1) is None
    with pytest.raises(TypeError):
        StochasticAndFilterDuplicatesSearcher(SPACE, metric="y")


def test_factory_by_name_and_errors():
    assert type(searcher_factory("random", config_space=SPACE, metric="y")) is RandomSearcher
    assert type(searcher_factory("grid", config_space=SPACE, metric="y")) is GridSearcher
    assert type(searcher_factory("bayesopt", config_space=SPACE, metric="y")).__name__ == "GPFIFOSearcher"
    with pytest.raises(InvalidParameterError, match="The 'searcher_name' parameter of searcher_factory must be one of .*Got 'randm' instead \\(did you mean 'random'"):
        searcher_factory("randm", config_space=SPACE, metric="y")
    with pytest.raises(InvalidParameterError, match="The 'searcher' parameter of FIFOScheduler must be one of .*Got 'grd' instead"):
        FIFOScheduler(SPACE, searcher="grd", metric="y")
    with pytest.raises(InvalidParameterError, match="searcher 'botorch' of Syne Tune, which is not implemented"):
        searcher_factory("botorch", config_space=SPACE, metric="y")
    with pytest.raises(InvalidParameterError, match="'allow_duplicate' \\(did you mean 'allow_duplicates'\\?\\)"):
        searcher_factory("random", config_space=SPACE, metric="y", allow_duplicate=True)
    # scheduler context the searcher does not take is dropped
    grid = searcher_factory("grid", config_space=SPACE, metric="y", resource_attr="epoch", scheduler="hyperband_stopping")
    assert isinstance(grid, GridSearcher)
    assert "num_samples" in searcher_argument_names("grid") and "scheduler" not in searcher_argument_names("grid")


def test_register_searcher_validates():
    class MySearcher(RandomSearcher):
        pass

    try:
        register_searcher("mine", MySearcher)
        scheduler = FIFOScheduler(SPACE, searcher="mine", metric="y", search_options={"allow_duplicates": True})
        assert type(scheduler.searcher) is MySearcher and scheduler.searcher.allow_duplicates
        with pytest.raises(InvalidParameterError, match="taken"):
            register_searcher("mine", RandomSearcher)
        register_searcher("mine", RandomSearcher, overwrite=True)
        with pytest.raises(InvalidParameterError, match="'name'"):
            register_searcher("", MySearcher)
        with pytest.raises(InvalidParameterError, match="'factory'"):
            register_searcher("other", 42)
        with pytest.raises(InvalidParameterError, match="'factory'"):
            register_searcher("other", "no_colon_here")

        def by_function(config_space, metric, **kwargs):
            return RandomSearcher(config_space, metric=metric, random_seed=kwargs.get("random_seed"))

        register_searcher("func", by_function)
        assert searcher_argument_names("func") is None  # **kwargs: anything goes
        assert isinstance(FIFOScheduler(SPACE, searcher="func", metric="y", search_options={"foo": 1}).searcher, RandomSearcher)
    finally:
        SEARCHER_REGISTRY.pop("mine", None)
        SEARCHER_REGISTRY.pop("func", None)


@pytest.mark.parametrize(
    "make, options, match",
    [
        (RandomSearch, {"allow_duplicate": True}, "'allow_duplicate' \\(did you mean 'allow_duplicates'\\?\\)"),
        (GridSearch, {"num_sample": {"x": 3}}, "'num_sample' \\(did you mean 'num_samples'\\?\\)"),
        (BayesianOptimization, {"num_init_randm": 3}, "'num_init_randm' \\(did you mean 'num_init_random'"),
        (BayesianOptimization, {"zzz": 3}, "'zzz'. Valid keys are: .*num_init_random"),
    ],
)
def test_unknown_search_options_name_the_closest_keys(make, options, match):
    with pytest.raises(InvalidParameterError, match=f"The 'search_options' parameter of {make.__name__} got unknown key {match}"):
        make(SPACE, metric="y", search_options=options)


def test_search_options_reach_the_searcher_and_syne_tune_gp_options_are_accepted():
    scheduler = BayesianOptimization(
        SPACE,
        metric="y",
        search_options={"num_init_random": 5, "opt_skip_init_length": 100, "num_fantasy_samples": 10, "debug_log": False},
    )
    assert scheduler.searcher.num_init_random == 5
    with pytest.raises(InvalidParameterError, match="'gp_base_kernel'"):
        BayesianOptimization(SPACE, metric="y", search_options={"gp_base_kernel": "matern52-noard"})
    assert GridSearch(SPACE, metric="y", search_options={"num_samples": {"x": 2}}).searcher.num_samples == {"x": 2}


@pytest.mark.parametrize("key", ["metric", "mode", "config_space", "points_to_evaluate"])
def test_search_options_must_not_set_scheduler_arguments(key):
    with pytest.raises(InvalidParameterError, match=f"must not contain '{key}'"):
        FIFOScheduler(SPACE, metric="y", search_options={key: None})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(metric=None), "The 'metric' parameter of FIFOScheduler must be a str or a list. Got None instead."),
        (dict(metric="y", mode="maximize"), "The 'mode' parameter of FIFOScheduler must be"),
        (dict(metric="y", random_seed=-1), "The 'random_seed' parameter of FIFOScheduler must be an int in the range"),
        (dict(metric="y", max_t=0), "The 'max_t' parameter of FIFOScheduler must be a float in the range \\(0, inf\\)"),
        (dict(metric="y", max_t=float("inf")), "The 'max_t' parameter"),
        (dict(metric="y", max_resource_attr="steps"), "The 'max_resource_attr' parameter of FIFOScheduler"),
        (dict(metric="y", searcher=3), "The 'searcher' parameter of FIFOScheduler"),
        (dict(metric="y", search_options=[1]), "The 'search_options' parameter of FIFOScheduler must be a dict"),
        (dict(metric="y", points_to_evaluate={"x": 1}), "The 'points_to_evaluate' parameter"),
        (dict(metric="y", serch_options={}), "'serch_options' \\(did you mean 'search_options'\\?\\)"),
        (dict(metric="y", searcher=RandomSearcher(SPACE, metric="y"), search_options={"a": 1}), "searcher is given by name"),
    ],
)
def test_fifo_argument_messages(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        FIFOScheduler(SPACE, **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(metric=None), "The 'metric' parameter of RandomSearcher"),
        (dict(metric=""), "non-empty"),
        (dict(metric="y", mode="up"), "The 'mode' parameter of RandomSearcher"),
        (dict(metric=["a", "b"], mode=["min"]), "one entry per metric"),
        (dict(metric="y", random_seed=1.5), "The 'random_seed' parameter of RandomSearcher"),
        (dict(metric="y", allow_duplicates="yes"), "The 'allow_duplicates' parameter of RandomSearcher"),
        (dict(metric="y", restrict_configurations=[]), "non-empty"),
        (dict(metric="y", debug_log=1), "The 'debug_log' parameter of RandomSearcher must be a bool"),
    ],
)
def test_searcher_argument_messages(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        RandomSearcher(SPACE, **kwargs)


def test_gp_argument_messages():
    from syne_tune.optimizer.schedulers.searchers.bayesopt import GPFIFOSearcher

    for kwargs, message in [
        (dict(metric=["a", "b"]), "The 'metric' parameter of GPFIFOSearcher must be a str"),
        (dict(metric="y", mode=["min"]), "The 'mode' parameter of GPFIFOSearcher"),
        (dict(metric="y", num_init_candidates=0), "The 'num_init_candidates' parameter of GPFIFOSearcher"),
        (dict(metric="y", refit_fraction=1.0), "The 'refit_fraction' parameter"),
        (dict(metric="y", acq_function="pi"), "The 'acq_function' parameter"),
    ]:
        with pytest.raises(InvalidParameterError, match=message):
            GPFIFOSearcher(SPACE, **kwargs)


@pytest.mark.parametrize(
    "make",
    [
        lambda s: HyperbandScheduler(SPACE, searcher=s, metric="y", max_resource_attr="epochs"),
        lambda s: HyperbandScheduler(SPACE, searcher=s, metric="y", max_t=9, type="promotion"),
        lambda s: SynchronousGeometricHyperbandScheduler(SPACE, searcher=s, metric="y", max_resource_attr="epochs"),
    ],
)
def test_multi_fidelity_schedulers_refuse_single_fidelity_models(make):  # noqa: D103
    from syne_tune.optimizer.schedulers.searchers.bayesopt import GPFIFOSearcher

    with pytest.raises(InvalidParameterError, match="single-fidelity model.*multi-fidelity scheduler"):
        make("bayesopt_constrained")
    # "bayesopt" names the multi-fidelity GP searcher (MOBSTER) here
    assert not make("bayesopt").searcher.single_fidelity_model
    with pytest.raises(InvalidParameterError, match="GPFIFOSearcher fits a single-fidelity model"):
        make(GPFIFOSearcher(SPACE, metric="y"))
    for allowed in ("random", "grid"):
        assert make(allowed).searcher is not None
    assert FIFOScheduler(SPACE, searcher="bayesopt", metric="y").searcher.single_fidelity_model


def test_multi_fidelity_baselines_with_random_search_still_work():
    assert isinstance(ASHA(SPACE, metric="y", resource_attr="epoch", max_t=9).searcher, RandomSearcher)
    assert isinstance(SyncHyperband(SPACE, metric="y", resource_attr="epoch", max_resource_level=9).searcher, RandomSearcher)


def test_importing_baselines_stays_cheap():
    code = (
        "import sys\n"
        "import syne_tune.optimizer.baselines as b\n"
        "b.BayesianOptimization({'x': __import__('syne_tune.config_space').config_space.uniform(0, 1)}, metric='y')\n"
        "heavy = [m for m in ('autograd', 'scipy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _evaluations():
    import numpy as np
    import pandas as pd

    from syne_tune.optimizer.schedulers.transfer_learning import TransferLearningTaskEvaluations

    hp = pd.DataFrame({"x": [0.1, 0.7], "n": [1, 3]})
    return {"task": TransferLearningTaskEvaluations(SPACE, hp, ["y"], np.array([1.0, 2.0]).reshape(2, 1, 1, 1))}


@pytest.mark.parametrize("name", sorted(n for n in SEARCHER_REGISTRY if n != "random_search"))
def test_every_registered_searcher_builds_under_fifo(name):
    required = {"bayesopt_constrained": {"constraint_attr": "c"}, "zero_shot": {"transfer_learning_evaluations": _evaluations()}}
    metric = ["y", "z"] if name in ("nsga2", "moregularized_evolution") else "y"  # multi-objective
    scheduler = FIFOScheduler(SPACE, searcher=name, metric=metric, random_seed=0, search_options=required.get(name))
    config = scheduler.suggest(trial_id=0).config
    assert set(SPACE) <= set(config)


@pytest.mark.parametrize("name", ["random", "grid", "bayesopt", "kde", "bore", "cqr"])
def test_multi_fidelity_variant_is_used_by_hyperband(name):
    from syne_tune.optimizer.schedulers.searchers.searcher_factory import MULTI_FIDELITY_REGISTRY, _import

    scheduler = HyperbandScheduler(SPACE, searcher=name, metric="y", max_resource_attr="epochs", random_seed=0)
    if name in MULTI_FIDELITY_REGISTRY:
        assert type(scheduler.searcher) is _import(MULTI_FIDELITY_REGISTRY, name)
        assert not scheduler.searcher.single_fidelity_model
    assert scheduler.suggest(trial_id=0) is not None
