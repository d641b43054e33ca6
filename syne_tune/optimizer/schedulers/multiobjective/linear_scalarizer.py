"""Linear scalarization: multi-objective tuning with any single-objective scheduler.

:class:`LinearScalarizedScheduler` turns ``K`` metrics ``y_1 .. y_K`` into
one value and lets a single-objective *base scheduler* minimize it. For every
result (``on_trial_result`` and ``on_trial_complete``) it computes

    ``v = sum_i w_i * s_i * y_i``,   ``s_i = +1`` if ``mode[i] == "min"``, ``-1`` if ``"max"``,

adds ``v`` to a copy of the result under the name
:attr:`LinearScalarizedScheduler.single_objective_metric`
(``"scalarized_<metric_1>_<metric_2>_..._<metric_K>"``, or
``"scalarized_objective_<10 hex digits of the SHA-1 of the names>"`` if that
is longer than 64 characters) and passes it to the base scheduler, which was
built with that metric and ``mode="min"``. Suggestions, decisions and all
other events are those of the base scheduler.

The weights ``w_i`` (default: all 1) are used as given, not normalized:
multiplying all of them by a positive factor scales ``v`` and changes no
decision of a scheduler that compares values or fits a normalized model
(FIFO with Bayesian optimization, successive halving). Minimizing ``v``
finds points of the Pareto front where a hyperplane of normal ``(w_i s_i)``
touches it; non-convex parts of the front cannot be reached by any weights
(for those, see random Chebyshev scalarization in
:mod:`~syne_tune.optimizer.schedulers.multiobjective.random_scalarization`).

Differences to Syne Tune 0.13:

* Syne Tune requires all modes to be equal (and tells users to flip signs
  with negative weights) and gives the base scheduler that common mode. Here
  the modes may be mixed: each metric is signed by its mode and the base
  scheduler always minimizes. With all modes ``"max"``, Syne Tune's base
  scheduler maximizes ``sum_i w_i y_i`` where ours minimizes its negative:
  the same decisions, the opposite sign of the stored scalarized value.
* Weights must be non-negative, finite and not all zero (Syne Tune accepts
  any); a negative weight would optimize a metric against its mode.
* The long-name fallback is deterministic (Syne Tune appends a random
  string from ``random.SystemRandom``, so two runs differ).
* A scalarized value already present in a result is overwritten (Syne Tune
  keeps the reported one).

The default base scheduler factory is
:class:`~syne_tune.optimizer.schedulers.FIFOScheduler` with its own default
searcher (``"random"``), as in Syne Tune;
``MOLinearScalarizationBayesOpt`` in :mod:`syne_tune.optimizer.baselines`
sets ``searcher="bayesopt"``.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import numpy as np

from syne_tune.optimizer.scheduler import TrialScheduler, TrialSuggestion, _normalize_metric_and_mode
from syne_tune.optimizer.schedulers.fifo import check_metric_in_result
from syne_tune.trial import Trial
from syne_tune.utils.validation import InvalidParameterError, Options, validate_parameters

__all__ = ["LinearScalarizedScheduler", "MAX_NAME_LENGTH"]

#: Longest name of the scalarized metric before the hashed fallback is used.
MAX_NAME_LENGTH = 64
#: Hex digits of the hash in the fallback name.
_HASH_DIGITS = 10


def _scalarized_name(metrics: list[str]) -> str:
    """The name of the scalarized metric (see the module docstring); made
    unique among ``metrics`` by appending underscores."""
    name = "scalarized_" + "_".join(metrics)
    if len(name) > MAX_NAME_LENGTH:
        digest = hashlib.sha1("\x00".join(metrics).encode("utf-8")).hexdigest()[:_HASH_DIGITS]
        name = f"scalarized_objective_{digest}"
    while name in metrics:
        name += "_"
    return name


class LinearScalarizedScheduler(TrialScheduler):
    """Optimizes the weighted sum of several metrics with a single-objective
    scheduler (see the module docstring for the formula).

    Parameters
    ----------
    config_space
        Configuration space.
    metric
        Names of the metrics (at least two, distinct).
    mode
        ``"min"`` or ``"max"`` for all metrics, or a list with one entry per
        metric.
    scalarization_weights
        Non-negative weight of each metric, not all zero; default: all 1.
        Not normalized.
    base_scheduler_factory
        Called as ``factory(config_space=..., metric=<scalarized name>,
        mode="min", **base_kwargs)``; returns the single-objective
        :class:`~syne_tune.optimizer.scheduler.TrialScheduler`. Default:
        :class:`~syne_tune.optimizer.schedulers.FIFOScheduler`.
    base_kwargs
        Further arguments of the factory (e.g. ``searcher="bayesopt"``,
        ``random_seed``, ``search_options``). ``config_space``, ``metric``
        and ``mode`` are this scheduler's own parameters, so they cannot be
        passed to the factory.

    Raises
    ------
    InvalidParameterError
        If an argument is invalid (fewer than two metrics, a bad mode, weights
        of the wrong length, negative, non-finite or all zero, or a factory
        that is not callable or does not return a scheduler).
    """

    _parameter_constraints = {
        "metric": [list],
        "mode": [Options(str, {"min", "max"}), list],
        "scalarization_weights": [list, tuple, np.ndarray, None],
        "base_scheduler_factory": ["callable", None],
    }

    def __init__(
        self,
        config_space: dict,
        metric: list[str],
        mode: str | list[str] = "min",
        scalarization_weights: list[float] | np.ndarray | None = None,
        base_scheduler_factory: Callable[..., TrialScheduler] | None = None,
        **base_kwargs: Any,
    ):
        super().__init__(config_space)
        validate_parameters(self, locals())
        try:
            metrics, modes = _normalize_metric_and_mode(metric, mode)
        except ValueError as ex:
            raise InvalidParameterError(f"{type(self).__name__}: {ex}") from None
        if len(metrics) < 2:
            raise InvalidParameterError(
                f"The 'metric' parameter of {type(self).__name__} must be a list of at least two metric names "
                f"(use a single-objective scheduler for one metric). Got {metric!r} instead."
            )
        self.metric = list(metrics)
        self.mode = mode if isinstance(mode, str) else list(mode)
        self._modes = modes
        self.scalarization_weights = self._check_weights(scalarization_weights, len(metrics))
        signs = np.array([1.0 if m == "min" else -1.0 for m in modes])
        self._signed_weights = self.scalarization_weights * signs
        self.single_objective_metric = _scalarized_name(self.metric)
        if base_scheduler_factory is None:
            from syne_tune.optimizer.schedulers.fifo import FIFOScheduler

            base_scheduler_factory = FIFOScheduler
        self.base_scheduler_factory = base_scheduler_factory
        self.base_scheduler = base_scheduler_factory(
            config_space=config_space, metric=self.single_objective_metric, mode="min", **base_kwargs
        )
        if not isinstance(self.base_scheduler, TrialScheduler):
            raise InvalidParameterError(
                f"The 'base_scheduler_factory' parameter of {type(self).__name__} must return a TrialScheduler. "
                f"Got a {type(self.base_scheduler).__name__} instead."
            )

    def _check_weights(self, weights, num_metrics: int) -> np.ndarray:
        if weights is None:
            return np.ones(num_metrics)
        try:
            array = np.asarray(weights, dtype=float)
        except (TypeError, ValueError):
            array = None
        problem = None
        if array is None or array.ndim != 1:
            problem = "a list of numbers"
        elif len(array) != num_metrics:
            problem = f"a list of {num_metrics} numbers (one per metric {self.metric})"
        elif not np.all(np.isfinite(array)) or np.any(array < 0):
            problem = "a list of finite, non-negative numbers"
        elif not np.any(array > 0):
            problem = "a list of non-negative numbers, not all zero"
        if problem is not None:
            raise InvalidParameterError(
                f"The 'scalarization_weights' parameter of {type(self).__name__} must be {problem}. "
                f"Got {weights!r} instead."
            )
        return array.copy()

    # -- scalarization ---------------------------------------------------------------
    def _scalarized_metric(self, result: dict, trial_id: int | str = "?") -> float:
        """``sum_i w_i s_i y_i`` of ``result``.

        Raises
        ------
        ValueError
            If ``result`` lacks one of the metrics (named in the message) or
            a value is not a number.
        """
        check_metric_in_result(result, self.metric, trial_id)
        values = np.array([result[name] for name in self.metric], dtype=float)
        return float(np.dot(self._signed_weights, values))

    def _scalarized_result(self, trial: Trial, result: dict) -> dict:
        out = dict(result)
        out[self.single_objective_metric] = self._scalarized_metric(result, trial.trial_id)
        return out

    # -- TrialScheduler API: everything is the base scheduler's ----------------------
    def _suggest(self, trial_id: int) -> TrialSuggestion | None:
        return self.base_scheduler.suggest(trial_id)

    def on_trial_add(self, trial: Trial) -> None:
        self.base_scheduler.on_trial_add(trial)

    def on_trial_error(self, trial: Trial) -> None:
        self.base_scheduler.on_trial_error(trial)

    def on_trial_result(self, trial: Trial, result: dict) -> str:
        return self.base_scheduler.on_trial_result(trial, self._scalarized_result(trial, result))

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        self.base_scheduler.on_trial_complete(trial, self._scalarized_result(trial, result))

    def on_trial_remove(self, trial: Trial) -> None:
        self.base_scheduler.on_trial_remove(trial)

    def trials_checkpoints_can_be_removed(self) -> list[int]:
        return self.base_scheduler.trials_checkpoints_can_be_removed()

    def set_time_keeper(self, time_keeper) -> None:
        super().set_time_keeper(time_keeper)
        self.base_scheduler.set_time_keeper(time_keeper)

    # -- description -----------------------------------------------------------------
    def metric_names(self) -> list[str]:
        return list(self.metric)

    def metric_mode(self) -> str | list[str]:
        return self.mode if isinstance(self.mode, str) else list(self.mode)

    def is_multiobjective_scheduler(self) -> bool:
        return True

    def metadata(self) -> dict[str, Any]:
        """The base class's metadata plus ``scalarized_metric``,
        ``scalarization_weights`` and ``base_scheduler`` (its class name)."""
        meta = super().metadata()
        meta.update(
            scalarized_metric=self.single_objective_metric,
            scalarization_weights=[float(w) for w in self.scalarization_weights],
            base_scheduler=type(self.base_scheduler).__name__,
        )
        return meta
