"""Contract every scheduler must satisfy.

To add a scheduler, append an entry to ``SCHEDULER_FACTORIES``: a name and a
function ``(config_space, metric, mode, random_seed) -> TrialScheduler``. The
config space given is ``CONFIG_SPACE`` (with a constant ``"epochs"``, the
maximum resource); results report ``METRIC``, ``"epoch"`` (from 1) and
``"cost"``.

Checked for each scheduler:

* ``suggest`` returns configurations in the space (``"epochs"`` may be
  lowered by pause-and-resume schedulers) or resumes a paused trial;
* ``on_trial_result`` returns a :class:`SchedulerDecision`;
* ``on_trial_complete`` / ``on_trial_error`` / ``on_trial_remove`` do not
  crash, also for trials the scheduler never suggested;
* the same seed gives the same suggestions and decisions;
* ``metric_names``, ``metric_mode`` and ``metadata`` are consistent and
  JSON-serializable;
* a result without the metric raises ``ValueError`` naming it;
* an invalid ``mode`` raises ``ValueError``.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from sim_util import simulate
from syne_tune.trial import Trial
from syne_tune.config_space import check_config_in_space, choice, loguniform, randint, uniform
from syne_tune.optimizer.baselines import (
    BayesianOptimization,
    ASHA,
    PASHA,
    GridSearch,
    Hyperband,
    MedianStoppingRule,
    PopulationBasedTraining,
    RandomSearch,
    SyncHyperband,
)
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialScheduler, TrialSuggestion
from syne_tune.optimizer.schedulers.hyperband import HyperbandScheduler

METRIC = "loss"
MAX_EPOCHS = 9
CONFIG_SPACE = {
    "x": uniform(0.0, 1.0),
    "lr": loguniform(1e-4, 1e-1),
    "layers": randint(1, 4),
    "act": choice(["relu", "tanh"]),
    "epochs": MAX_EPOCHS,
}
RESOURCE_KEY = "epochs"


def _hb_kwargs(random_seed):
    return dict(resource_attr="epoch", max_resource_attr=RESOURCE_KEY, random_seed=random_seed)


SCHEDULER_FACTORIES = [
    ("RandomSearch", lambda cs, metric, mode, seed: RandomSearch(cs, metric=metric, mode=mode, random_seed=seed)),
    ("GridSearch", lambda cs, metric, mode, seed: GridSearch(cs, metric=metric, mode=mode, random_seed=seed)),
    (
        "BayesianOptimization",
        lambda cs, metric, mode, seed: BayesianOptimization(cs, metric=metric, mode=mode, random_seed=seed),
    ),
    ("ASHA", lambda cs, metric, mode, seed: ASHA(cs, metric=metric, mode=mode, **_hb_kwargs(seed))),
    (
        "ASHA-promotion",
        lambda cs, metric, mode, seed: ASHA(cs, metric=metric, mode=mode, type="promotion", **_hb_kwargs(seed)),
    ),
    ("Hyperband", lambda cs, metric, mode, seed: Hyperband(cs, metric=metric, mode=mode, **_hb_kwargs(seed))),
    (
        "Hyperband-promotion-per-bracket",
        lambda cs, metric, mode, seed: Hyperband(
            cs, metric=metric, mode=mode, type="promotion", rung_system_per_bracket=True, **_hb_kwargs(seed)
        ),
    ),
    ("PASHA", lambda cs, metric, mode, seed: PASHA(cs, metric=metric, mode=mode, **_hb_kwargs(seed))),
    (
        "CostPromotion",
        lambda cs, metric, mode, seed: HyperbandScheduler(
            cs, metric=metric, mode=mode, type="cost_promotion", cost_attr="cost", **_hb_kwargs(seed)
        ),
    ),
    ("SyncHyperband", lambda cs, metric, mode, seed: SyncHyperband(cs, metric=metric, mode=mode, **_hb_kwargs(seed))),
    (
        "MedianStoppingRule",
        lambda cs, metric, mode, seed: MedianStoppingRule(
            RandomSearch(cs, metric=metric, mode=mode, random_seed=seed), resource_attr="epoch", grace_population=3
        ),
    ),
    (
        "PopulationBasedTraining",
        lambda cs, metric, mode, seed: PopulationBasedTraining(
            cs, metric=metric, mode=mode, resource_attr="epoch", max_t=MAX_EPOCHS, perturbation_interval=2,
            random_seed=seed,
        ),
    ),
]

FACTORY_PARAMS = [pytest.param(factory, id=name) for name, factory in SCHEDULER_FACTORIES]


def _trial(tid, config=None):
    return Trial(tid, dict(config or {"x": 0.5, "lr": 0.01, "layers": 2, "act": "relu", "epochs": MAX_EPOCHS}), datetime(2024, 1, 1))


class _Checked:
    """Proxy checking every suggestion and decision, logging them."""

    def __init__(self, scheduler: TrialScheduler):
        self.scheduler = scheduler
        self.log = []
        self.started = set()

    def suggest(self, trial_id):
        sug = self.scheduler.suggest(trial_id)
        if sug is None:
            self.log.append(("none",))
            return None
        assert isinstance(sug, TrialSuggestion)
        if sug.spawn_new_trial_id:
            config = dict(sug.config)
            assert 1 <= config[RESOURCE_KEY] <= MAX_EPOCHS
            config[RESOURCE_KEY] = MAX_EPOCHS
            check_config_in_space(CONFIG_SPACE, config)
            if sug.checkpoint_trial_id is not None:
                assert sug.checkpoint_trial_id in self.started
            self.started.add(trial_id)
            self.log.append(("start", trial_id, sorted(sug.config.items()), sug.checkpoint_trial_id))
        else:
            assert sug.checkpoint_trial_id in self.started
            if sug.config is not None:
                config = dict(sug.config)
                config[RESOURCE_KEY] = MAX_EPOCHS
                check_config_in_space(CONFIG_SPACE, config)
            self.log.append(("resume", sug.checkpoint_trial_id))
        return sug

    def on_trial_result(self, trial, result):
        decision = self.scheduler.on_trial_result(trial, result)
        assert decision in SchedulerDecision.ALL, decision
        self.log.append(("decision", trial.trial_id, result["epoch"], decision))
        return decision

    def __getattr__(self, name):
        return getattr(self.scheduler, name)


def _run(factory, mode="min", seed=0, max_results=300):
    scheduler = factory(CONFIG_SPACE, METRIC, mode, seed)
    checked = _Checked(scheduler)
    res = simulate(
        checked,
        max_epochs=MAX_EPOCHS,
        n_workers=3,
        max_results=max_results,
        metric=METRIC,
        max_resource_attr=RESOURCE_KEY,
        mode=mode,
        extra_result=lambda config, epoch: {"cost": 0.5 * epoch},
    )
    return scheduler, checked, res


@pytest.mark.parametrize("factory", FACTORY_PARAMS)
@pytest.mark.parametrize("mode", ["min", "max"])
def test_suggestions_and_decisions_are_valid(factory, mode):
    scheduler, checked, res = _run(factory, mode=mode)
    assert res.num_started > 0
    assert res.num_results > 0
    assert scheduler.metric_names() == [METRIC]
    assert scheduler.metric_mode() == mode


@pytest.mark.parametrize("factory", FACTORY_PARAMS)
def test_seeded_determinism(factory):
    _, a, _ = _run(factory, seed=123, max_results=150)
    _, b, _ = _run(factory, seed=123, max_results=150)
    assert a.log == b.log


@pytest.mark.parametrize("factory", FACTORY_PARAMS)
def test_lifecycle_calls_do_not_crash(factory):
    scheduler = factory(CONFIG_SPACE, METRIC, "min", 0)
    # Trials the scheduler never suggested
    for tid, method in enumerate(["complete", "error", "remove"], start=100):
        t = _trial(tid)
        if method == "complete":
            scheduler.on_trial_complete(t, {METRIC: 1.0, "epoch": MAX_EPOCHS, "cost": 1.0})
        elif method == "error":
            scheduler.on_trial_error(t)
        else:
            scheduler.on_trial_remove(t)
    # Suggested and running trials
    for tid, method in enumerate(["complete", "error", "remove"]):
        sug = scheduler.suggest(tid)
        assert sug is not None
        t = _trial(tid, sug.config)
        scheduler.on_trial_add(t)
        decision = scheduler.on_trial_result(t, {METRIC: 1.0 + tid, "epoch": 1, "cost": 1.0})
        assert decision in SchedulerDecision.ALL
        if method == "complete":
            scheduler.on_trial_complete(t, {METRIC: 1.0 + tid, "epoch": 1, "cost": 1.0})
        elif method == "error":
            scheduler.on_trial_error(t)
        else:
            scheduler.on_trial_remove(t)
    assert scheduler.suggest(3) is not None


@pytest.mark.parametrize("factory", FACTORY_PARAMS)
def test_metadata_is_json_serializable(factory):
    scheduler = factory(CONFIG_SPACE, METRIC, "max", 0)
    meta = scheduler.metadata()
    text = json.dumps(meta)
    assert json.loads(text)["metric_names"] == [METRIC]
    assert meta["metric_mode"] == "max"
    json.dumps(scheduler.metric_names())
    json.dumps(scheduler.metric_mode())


@pytest.mark.parametrize("factory", FACTORY_PARAMS)
def test_unknown_metric_in_result_raises_naming_it(factory):
    scheduler = factory(CONFIG_SPACE, METRIC, "min", 0)
    sug = scheduler.suggest(0)
    t = _trial(0, sug.config)
    scheduler.on_trial_add(t)
    with pytest.raises(ValueError, match=f"'{METRIC}'"):
        scheduler.on_trial_result(t, {"accuracy": 0.5, "epoch": 1, "cost": 1.0})


@pytest.mark.parametrize("factory", FACTORY_PARAMS)
def test_bad_mode_raises(factory):
    with pytest.raises(ValueError, match="mode"):
        factory(CONFIG_SPACE, METRIC, "maximize", 0)
