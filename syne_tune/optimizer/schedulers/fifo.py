"""First-in-first-out scheduling: every trial runs to completion.

:class:`FIFOScheduler` never pauses or stops a trial; all it decides is which
configuration comes next, and it delegates that to a searcher (random, grid,
Gaussian-process BO, ...; see :mod:`syne_tune.optimizer.schedulers.searchers`).
Multi-fidelity schedulers derive from it.
"""

from __future__ import annotations

import inspect
import logging
from numbers import Integral, Real
from typing import Any

import numpy as np

from syne_tune.trial import Trial
from syne_tune.optimizer.scheduler import (
    SchedulerDecision,
    TrialScheduler,
    TrialSuggestion,
    _normalize_metric_and_mode,
)
from syne_tune.optimizer.schedulers.searchers.searcher import BaseSearcher, impute_points_to_evaluate
from syne_tune.optimizer.schedulers.searchers.searcher_base import MAX_SEED
from syne_tune.optimizer.schedulers.searchers.searcher_factory import searcher_argument_names, searcher_factory
from syne_tune.utils.validation import (
    Interval,
    InvalidParameterError,
    Options,
    check_keys,
    check_parameter,
    validate_parameters,
)

logger = logging.getLogger(__name__)

#: Config-space keys taken as the maximum resource if ``max_t`` is not given.
MAX_RESOURCE_KEYS = ("epochs", "max_t", "max_epochs")

#: Searcher arguments the scheduler sets itself (not allowed in ``search_options``).
SCHEDULER_SET_SEARCHER_ARGUMENTS = ("config_space", "metric", "mode", "points_to_evaluate")


def check_metric_in_result(result: dict, metric_names: list[str], trial_id: int) -> None:
    """Raise a clear error if a reported result lacks a metric the scheduler needs."""
    for name in metric_names:
        if name not in result:
            reported = sorted(k for k in result if not k.startswith("st_"))
            raise ValueError(
                f"Trial {trial_id} reported a result without the metric '{name}' that the scheduler "
                f"optimizes (reported keys: {reported}). Check the scheduler's metric argument."
            )
        value = result[name]
        if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
            raise ValueError(f"Trial {trial_id} reported a non-numeric value {value!r} for metric '{name}'")


def reject_searcher_argument(kwargs: dict, baseline_name: str) -> None:
    """Baselines fix their searcher: a ``searcher`` argument is a mistake."""
    if "searcher" in kwargs:
        raise InvalidParameterError(
            f"{baseline_name} fixes its searcher, so it has no 'searcher' parameter. Got "
            f"searcher={kwargs['searcher']!r}; use FIFOScheduler (or HyperbandScheduler) to choose another one."
        )


def _constructor_parameters(cls: type, stop: type) -> set[str]:
    """Named parameters of the ``__init__`` methods of ``cls`` and its bases up to ``stop``."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" in klass.__dict__:
            for p in inspect.signature(klass.__dict__["__init__"]).parameters.values():
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self":
                    names.add(p.name)
        if klass is stop:
            break
    return names


class FIFOScheduler(TrialScheduler):
    """Runs each trial to completion; configurations come from a searcher.

    Parameters
    ----------
    config_space
        Configuration space.
    searcher
        Name of a searcher (``"random"``, ``"grid"``, ``"bayesopt"``, or one
        registered with
        :func:`~syne_tune.optimizer.schedulers.searchers.register_searcher`) or
        a :class:`~syne_tune.optimizer.schedulers.searchers.BaseSearcher`.
    search_options
        Arguments of the searcher's constructor when ``searcher`` is a name
        (e.g. ``{"num_init_random": 5}``); unknown keys raise, naming the
        closest valid ones. ``config_space``, ``metric``, ``mode`` and
        ``points_to_evaluate`` are set by the scheduler.
    metric
        Name of the metric to optimize (a list for multi-objective searchers).
    mode
        "min" or "max" (a list, one per metric, for several metrics).
    points_to_evaluate
        Configurations to try first; ``None`` means one "midpoint" config,
        ``[]`` none.
    random_seed
        Master seed; the same seed gives the same sequence of configurations.
    max_resource_attr
        Name of the config key holding the maximum resource (e.g. epochs).
    max_t
        Maximum resource level; inferred from the config space if not given.
    time_keeper
        Clock (the simulator passes its simulated one).

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value, or an unknown keyword
        argument is given.
    """

    _parameter_constraints = {
        "searcher": [str, BaseSearcher],
        "search_options": [dict, None],
        "metric": [str, list],
        "mode": [Options(str, {"min", "max"}), list],
        "points_to_evaluate": [list, None],
        "random_seed": [Interval(Integral, 0, 2**32 - 1, closed="both"), None],
        "max_resource_attr": [str, None],
        "max_t": [Interval(Real, 0, float("inf"), closed="neither"), None],
    }

    def __init__(
        self,
        config_space: dict,
        searcher: str | BaseSearcher = "random",
        search_options: dict | None = None,
        metric: str | list[str] | None = None,
        mode: str | list[str] = "min",
        points_to_evaluate: list[dict] | None = None,
        random_seed: int | None = None,
        max_resource_attr: str | None = None,
        max_t: int | None = None,
        time_keeper=None,
        **kwargs,
    ):
        super().__init__(config_space)
        if kwargs:
            check_keys(self, "**kwargs", kwargs, _constructor_parameters(type(self), FIFOScheduler))
        validate_parameters(self, locals())
        self._metrics, self._modes = _normalize_metric_and_mode(metric, mode)
        self.metric = metric if isinstance(metric, str) else list(metric)
        self.mode = mode if isinstance(mode, str) else list(mode)
        if random_seed is None:
            random_seed = int(np.random.randint(0, MAX_SEED))
        self.random_seed = int(random_seed)
        if max_resource_attr is not None:
            check_parameter(self, "max_resource_attr", max_resource_attr, [Options(str, config_space)])
        self.max_resource_attr = max_resource_attr
        self.max_t = self._infer_max_t(max_t)
        self.time_keeper = time_keeper
        self.searcher = self._make_searcher(searcher, search_options, points_to_evaluate)
        self.searcher.configure_scheduler(self)

    # -- construction helpers ------------------------------------------------
    def _infer_max_t(self, max_t) -> int | float | None:
        if max_t is not None:
            return int(max_t) if float(max_t).is_integer() else max_t
        keys = [self.max_resource_attr] if self.max_resource_attr else list(MAX_RESOURCE_KEYS)
        for key in keys:
            value = self.config_space.get(key)
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                return int(value)
            upper = getattr(value, "upper", None)
            if upper is not None:
                return int(upper)
        return None

    def _searcher_kwargs(self) -> dict[str, Any]:
        """Arguments every named searcher receives (subclasses add more)."""
        return dict(
            config_space=self.config_space,
            metric=self.metric,
            mode=self.mode,
            random_seed=self.random_seed,
        )

    def _check_search_options(self, searcher: str, search_options: dict) -> None:
        for key in SCHEDULER_SET_SEARCHER_ARGUMENTS:
            if key in search_options:
                raise InvalidParameterError(
                    f"The 'search_options' parameter of {type(self).__name__} must not contain {key!r}: "
                    f"the scheduler sets it (pass {key}=... to {type(self).__name__} instead). "
                    f"Got {sorted(search_options)} instead."
                )
        scheduler = self._searcher_kwargs().get("scheduler")
        multi_fidelity = isinstance(scheduler, str) and scheduler.startswith("hyperband")
        names = searcher_argument_names(searcher, owner=self, multi_fidelity=multi_fidelity)
        if names is not None:
            check_keys(self, "search_options", search_options, names - set(SCHEDULER_SET_SEARCHER_ARGUMENTS))

    def _make_searcher(self, searcher, search_options, points_to_evaluate) -> BaseSearcher:
        if isinstance(searcher, BaseSearcher):
            if search_options:
                raise InvalidParameterError(
                    f"The 'search_options' parameter of {type(self).__name__} can only be used when "
                    f"searcher is given by name. Got {search_options!r} with a {type(searcher).__name__} object."
                )
            if points_to_evaluate is not None:
                searcher._points_to_evaluate = impute_points_to_evaluate(points_to_evaluate, self.config_space)
            return searcher
        search_options = dict(search_options or {})
        self._check_search_options(searcher, search_options)
        kwargs = self._searcher_kwargs()
        kwargs.update(search_options)
        kwargs["points_to_evaluate"] = points_to_evaluate
        return searcher_factory(searcher, **kwargs)

    # -- TrialScheduler API --------------------------------------------------
    def _suggest(self, trial_id: int) -> TrialSuggestion | None:
        config = self.searcher.get_config(trial_id=trial_id)
        if config is None:
            return None
        self.searcher.register_pending(trial_id, config=config)
        return TrialSuggestion.start_suggestion(config)

    def on_trial_result(self, trial: Trial, result: dict) -> str:
        check_metric_in_result(result, self._metrics, trial.trial_id)
        self.searcher.on_trial_result(trial.trial_id, trial.config, result, update=False)
        return SchedulerDecision.CONTINUE

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        check_metric_in_result(result, self._metrics, trial.trial_id)
        self.searcher.on_trial_result(trial.trial_id, trial.config, result, update=True)

    def on_trial_error(self, trial: Trial) -> None:
        self.searcher.evaluation_failed(trial.trial_id)

    def metric_names(self) -> list[str]:
        return list(self._metrics)

    def metric_mode(self) -> str | list[str]:
        return self.mode

    def is_multiobjective_scheduler(self) -> bool:
        return len(self._metrics) > 1
