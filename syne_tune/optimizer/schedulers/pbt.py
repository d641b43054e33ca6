"""Population based training (Jaderberg et al., 2017).

Each trial (population member) reports results with a resource attribute
(time, epochs, ...). Every ``perturbation_interval`` units of resource since
its last perturbation point, a member is ranked among the live members that
have a score (their value at their latest perturbation point):

* if it is in the bottom ``quantile_fraction`` of them (and at least
  ``min(population_size, largest number of live members so far)`` members,
  and at least 2, have a score), it is stopped (*exploit*): the next
  suggestion starts a new trial from the checkpoint of a member drawn
  uniformly from the top ``quantile_fraction``
  (``TrialSuggestion.start_suggestion(config, checkpoint_trial_id=...)``; the
  backend copies the checkpoint), with the hyperparameters of that member
  *explored*;
* otherwise it continues.

Explore, per hyperparameter: with probability ``resample_probability`` a new
value is sampled from its domain; otherwise numerical values are multiplied
by 0.8 or 1.2 (probability 1/2 each, clipped to the bounds; integers move by
at least one step), and categorical, ordinal and finite-range values move to a
neighbouring value (index -1 or +1; at an end the only neighbour).
``custom_explore_fn(config) -> config`` replaces this.

Members whose resource reaches ``max_t`` are stopped. When no exploit is
pending, new members are sampled by the searcher (random search), so free
workers never idle. Training scripts must checkpoint (``st_checkpoint_dir``).
"""

from __future__ import annotations

import logging
import math
from collections import deque
from typing import Any, Callable

import numpy as np

from numbers import Integral, Real

from syne_tune.trial import Trial
from syne_tune.config_space import Categorical, Domain, FiniteRange, Float, Integer
from syne_tune.optimizer.scheduler import SchedulerDecision, TrialSuggestion
from syne_tune.optimizer.schedulers.fifo import FIFOScheduler, check_metric_in_result
from syne_tune.optimizer.schedulers.hyperband import NonEmptyString, check_resource_in_result
from syne_tune.utils.validation import Interval, Options, validate_parameters

logger = logging.getLogger(__name__)


class _Member:
    __slots__ = ("config", "score", "last_perturbation", "alive")

    def __init__(self, config: dict, last_perturbation: float = 0.0):
        self.config = config
        self.score = None
        self.last_perturbation = last_perturbation
        self.alive = True


class PopulationBasedTraining(FIFOScheduler):
    """Population based training.

    Parameters
    ----------
    config_space
        Configuration space.
    custom_explore_fn
        Optional ``f(config) -> config`` replacing the built-in explore step.
    resource_attr
        Resource in results used for the perturbation interval (default
        ``"time_total_s"``).
    population_size
        Number of members the population is meant to have: exploitation
        starts once ``min(population_size, largest number of live members so
        far)`` members have a score.
    perturbation_interval
        Resource units between two exploit/explore points of a member.
    quantile_fraction
        Bottom / top fraction for exploit, in [0, 0.5].
    resample_probability
        Probability of resampling a hyperparameter in the explore step.
    kwargs
        :class:`FIFOScheduler` arguments (``metric``, ``mode``, ``max_t``,
        ``max_resource_attr``, ``random_seed``, ``points_to_evaluate``, ...).
        The searcher must be ``"random"``.

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and ``TypeError``) for an argument of the wrong type
        or out of range, e.g. ``quantile_fraction`` above 0.5, or a searcher
        other than ``"random"``.
    """

    _parameter_constraints = {
        "custom_explore_fn": ["callable", None],
        "resource_attr": [NonEmptyString()],
        "population_size": [Interval(Integral, 1, None, closed="left")],
        "perturbation_interval": [Interval(Real, 0, None, closed="neither")],
        "quantile_fraction": [Interval(Real, 0, 0.5, closed="both")],
        "resample_probability": [Interval(Real, 0, 1, closed="both")],
        "searcher": [Options(str, {"random"})],
    }

    def __init__(
        self,
        config_space: dict,
        custom_explore_fn: Callable[[dict], dict] | None = None,
        resource_attr: str = "time_total_s",
        population_size: int = 4,
        perturbation_interval: float = 60.0,
        quantile_fraction: float = 0.25,
        resample_probability: float = 0.25,
        **kwargs,
    ):
        searcher = kwargs.pop("searcher", "random")
        validate_parameters(self, locals())
        super().__init__(config_space, searcher="random", **kwargs)
        if len(self._metrics) != 1:
            raise ValueError(f"PopulationBasedTraining supports a single metric, got {self._metrics}")
        self.custom_explore_fn = custom_explore_fn
        self.resource_attr = resource_attr
        self.population_size = int(population_size)
        self.perturbation_interval = float(perturbation_interval)
        self.quantile_fraction = float(quantile_fraction)
        self.resample_probability = float(resample_probability)
        self._sign = 1.0 if self._modes[0] == "min" else -1.0
        self._members: dict[Any, _Member] = {}
        self._num_alive = 0
        self._max_alive = 0
        # (trial_id to clone, explored config, resource at the clone point)
        self._exploit_queue: deque = deque()
        # trial_id given to _suggest -> member created on start
        self._pending_members: dict[Any, _Member] = {}
        self.random_state = np.random.RandomState((self.random_seed + 7) % (2**31 - 1))
        self.num_perturbations = 0

    # -- population bookkeeping --------------------------------------------------
    def _member(self, trial: Trial) -> _Member:
        member = self._members.get(trial.trial_id)
        if member is None:
            member = self._pending_members.pop(trial.trial_id, None) or _Member(dict(trial.config))
            self._members[trial.trial_id] = member
            self._num_alive += 1
            self._max_alive = max(self._max_alive, self._num_alive)
        return member

    def _retire(self, trial_id) -> None:
        member = self._members.get(trial_id)
        if member is not None and member.alive:
            member.alive = False
            self._num_alive -= 1

    def on_trial_add(self, trial: Trial) -> None:
        self._member(trial)

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        super().on_trial_complete(trial, result)
        self._retire(trial.trial_id)

    def on_trial_error(self, trial: Trial) -> None:
        super().on_trial_error(trial)
        self._retire(trial.trial_id)

    def on_trial_remove(self, trial: Trial) -> None:
        self._retire(trial.trial_id)

    def _quantiles(self) -> tuple[list, list]:
        """(bottom, top) trial ids among the live members with a score."""
        scored = [(m.score, tid) for tid, m in self._members.items() if m.alive and m.score is not None]
        needed = max(2, min(self.population_size, self._max_alive))
        if len(scored) < needed:
            return [], []
        scored.sort(key=lambda x: (x[0], str(x[1])))
        num = int(math.ceil(len(scored) * self.quantile_fraction))
        num = min(num, len(scored) // 2)
        if num == 0:
            return [], []
        top = [tid for _, tid in scored[:num]]
        bottom = [tid for _, tid in scored[-num:]]
        return bottom, top

    # -- decisions -------------------------------------------------------------------
    def on_trial_result(self, trial: Trial, result: dict) -> str:
        check_metric_in_result(result, self._metrics, trial.trial_id)
        resource = check_resource_in_result(result, self.resource_attr, trial.trial_id)
        member = self._member(trial)
        self.searcher.on_trial_result(trial.trial_id, trial.config, result, update=False)
        if not member.alive:
            return SchedulerDecision.STOP
        if self.max_t is not None and resource >= self.max_t:
            self._retire(trial.trial_id)
            return SchedulerDecision.STOP
        if resource - member.last_perturbation < self.perturbation_interval:
            return SchedulerDecision.CONTINUE
        value = float(result[self._metrics[0]])
        member.score = math.inf if value != value else self._sign * value
        member.last_perturbation = resource
        bottom, top = self._quantiles()
        if trial.trial_id not in bottom:
            return SchedulerDecision.CONTINUE
        # Exploit: replace this member by a clone of a top member
        clone_id = top[int(self.random_state.randint(len(top)))]
        source = self._members[clone_id]
        config = self._explore(source.config)
        self._exploit_queue.append((clone_id, config, source.last_perturbation))
        self._retire(trial.trial_id)
        logger.debug("PBT: trial %s replaced by a clone of trial %s", trial.trial_id, clone_id)
        return SchedulerDecision.STOP

    def _suggest(self, trial_id: int) -> TrialSuggestion | None:
        if self._exploit_queue:
            clone_id, config, resource = self._exploit_queue.popleft()
            self._pending_members[trial_id] = _Member(dict(config), last_perturbation=resource)
            return TrialSuggestion.start_suggestion(config, checkpoint_trial_id=clone_id)
        suggestion = super()._suggest(trial_id)
        if suggestion is not None:
            self._pending_members[trial_id] = _Member(dict(suggestion.config))
        return suggestion

    # -- explore ------------------------------------------------------------------------
    def _explore(self, config: dict) -> dict:
        """New configuration perturbed from ``config`` (see module doc)."""
        self.num_perturbations += 1
        new_config = dict(config)
        if self.custom_explore_fn is not None:
            new_config = self.custom_explore_fn(new_config)
            if not isinstance(new_config, dict):
                raise ValueError("custom_explore_fn must return a config dict")
            return new_config
        rs = self.random_state
        for name, domain in self.config_space.items():
            if not isinstance(domain, Domain) or name not in config:
                continue
            if rs.rand() < self.resample_probability:
                new_config[name] = domain.sample(random_state=rs)
            else:
                new_config[name] = self._perturb(domain, config[name], rs)
        return new_config

    @staticmethod
    def _neighbour(values: list, index: int, rs) -> int:
        if len(values) == 1:
            return index
        if index == 0:
            return 1
        if index == len(values) - 1:
            return index - 1
        return index + (1 if rs.rand() < 0.5 else -1)

    def _perturb(self, domain: Domain, value, rs):
        if isinstance(domain, FiniteRange):
            values = list(domain.values)
            idx = domain._map_to_int(value)
            return values[self._neighbour(values, idx, rs)]
        if isinstance(domain, Categorical):
            values = list(domain.categories)
            idx = domain.index_of(domain.cast(value))
            return values[self._neighbour(values, idx, rs)]
        if isinstance(domain, (Float, Integer)):
            up = rs.rand() < 0.5
            factor = 1.2 if up else 0.8
            new = float(np.clip(value * factor, domain.lower, domain.upper))
            new = domain.cast(new)
            if isinstance(domain, Integer) and new == value:
                step = domain.q or 1
                new = domain.cast(float(np.clip(value + (step if up else -step), domain.lower, domain.upper)))
            return new
        return domain.sample(random_state=rs)

    def metadata(self) -> dict[str, Any]:
        meta = super().metadata()
        meta.update(
            resource_attr=self.resource_attr,
            population_size=self.population_size,
            perturbation_interval=self.perturbation_interval,
            quantile_fraction=self.quantile_fraction,
            resample_probability=self.resample_probability,
        )
        return meta
