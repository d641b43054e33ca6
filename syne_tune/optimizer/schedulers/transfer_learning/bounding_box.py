"""Bounding-box transfer: search only the box spanned by the best
configurations of earlier tasks (Perrone et al., 2019, "Learning search
spaces for Bayesian optimization: Another view of hyperparameter transfer
learning").

Algorithm
---------
1. For every earlier task ``t``, take its ``k = num_hyperparameters_per_task``
   best configurations ``B_t`` by the objective ``metric`` (averaged over
   seeds at the last fidelity with a value; ``mode`` says whether smaller or
   larger is better; see
   :meth:`TransferLearningTaskEvaluations.top_k_hyperparameter_configurations`).
   A task with fewer than ``k`` evaluated configurations gives all it has.
2. Restrict every hyperparameter of ``config_space`` to the smallest "box"
   holding all values of ``B = union_t B_t`` (:func:`bounding_box_of`):

   * :class:`~syne_tune.config_space.Float` / :class:`~syne_tune.config_space.Integer`
     (log scale or not, quantized or not): ``[max(l, min_B), min(u, max_B)]``
     with ``[l, u]`` the original range, the same domain type and sampler
     (so log scale and integer-ness are kept; quantized bounds move inwards
     onto the grid), built with :func:`~syne_tune.config_space.restrict_domain`;
   * :class:`~syne_tune.config_space.FiniteRange` and
     :class:`~syne_tune.config_space.OrdinalNearestNeighbor`: the values of the
     domain within ``[min_B, max_B]``;
   * :class:`~syne_tune.config_space.Ordinal` (kind ``"equal"``): the
     contiguous run of categories from the lowest to the highest position
     seen in ``B`` (the box in the order of the categories, which is also the
     box of their encoding), kept as an ordinal;
   * :class:`~syne_tune.config_space.Categorical`: the categories seen in
     ``B``, in the order of the original domain;
   * degenerate boxes (a single value: ``min_B == max_B``, or one category)
     become a **constant** of that value (cast to the domain's type), so the
     wrapped scheduler searches one dimension fewer and every trial gets the
     value;
   * constants, and hyperparameters that no configuration of ``B`` gives a
     value for, stay as they are. Values of ``B`` outside the original
     domain are ignored (the box never leaves the original space); if none
     is inside, :class:`~syne_tune.utils.validation.InvalidParameterError`
     is raised.
3. ``scheduler_fun(box_config_space, mode, metric)`` builds the scheduler
   that tunes the new task inside the box; :class:`BoundingBox` passes every
   call on to it (suggestions, results, decisions, metric names and modes,
   checkpoint removal, the time keeper) and pickles with it. Attributes it
   does not have itself (``searcher``, ``max_t``, ...) are those of the
   wrapped scheduler.

Differences to Syne Tune 0.13 (and why)
---------------------------------------
* Degenerate boxes are constants (Syne Tune leaves a one-value range or a
  one-category choice to the wrapped scheduler): the same trials, without a
  dimension that cannot vary in the searcher's model.
* Ordinals keep their order and type (Syne Tune turns every categorical,
  ordinals included, into a ``choice`` of the values seen), and values outside
  the original domain are ignored, so the box is always a sub-space.
* ``mode=None`` means ``"min"``, as in Syne Tune.
* :meth:`BoundingBox.metadata` stores the *original* configuration space
  (under ``"config_space"``, so a finished run can later be transferred
  from with
  :meth:`~syne_tune.optimizer.schedulers.transfer_learning.TransferLearningTaskEvaluations.from_experiment`)
  and the box under ``"bounding_box_config_space"``.

Tables of configurations
------------------------
When suggestions must come from a fixed table (the simulator's
``restrict_configurations`` in the wrapped scheduler's ``search_options``),
filtering the table to the box is the caller's business, done inside
``scheduler_fun`` with :func:`in_bounding_box`, which also takes a whole
:class:`pandas.DataFrame` (a vectorised mask)::

    def scheduler_fun(box, mode, metric):
        rows = [c for c in table_configs if in_bounding_box(c, box)]
        return RandomSearch(box, metric=metric, mode=mode,
                            search_options={"restrict_configurations": rows})
"""

from __future__ import annotations

import math
from numbers import Integral
from typing import Any, Callable

import numpy as np
import pandas as pd

from syne_tune.config_space import (
    Categorical,
    Domain,
    FiniteRange,
    Float,
    Integer,
    Ordinal,
    OrdinalNearestNeighbor,
    config_space_to_json_dict,
    restrict_domain,
)
from syne_tune.optimizer.scheduler import TrialScheduler
from syne_tune.optimizer.schedulers.transfer_learning.transfer_learning_task_evaluation import (
    TransferLearningTaskEvaluations,
    check_transfer_learning_evaluations,
    top_k_hyperparameter_configurations_per_task,
)
from syne_tune.optimizer.schedulers.wrapping_scheduler import WrappingSchedulerMixin
from syne_tune.utils.validation import (
    Interval,
    InvalidParameterError,
    Options,
    check_parameter,
    validate_parameters,
)

__all__ = ["BoundingBox", "bounding_box_of", "in_bounding_box"]

_MODES = Options(str, {"min", "max"})


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _restricted_domain(name: str, domain: Domain, values: list) -> Any:
    """The box of ``values`` in ``domain`` (a domain, or a constant if degenerate)."""

    def outside() -> InvalidParameterError:
        return InvalidParameterError(
            f"The 'top_configs' parameter of bounding_box_of must hold values inside the domain of "
            f"{name!r} ({domain!r}). Got {sorted(set(values), key=str)[:5]} instead."
        )

    if isinstance(domain, (Float, Integer, FiniteRange, OrdinalNearestNeighbor)):
        numbers = np.asarray([float(v) for v in values], dtype=float)
        if isinstance(domain, (Float, Integer)):
            lower, upper = max(numbers.min(), float(domain.lower)), min(numbers.max(), float(domain.upper))
        else:
            grid = domain.values if isinstance(domain, FiniteRange) else domain.categories
            lower, upper = max(numbers.min(), float(grid[0])), min(numbers.max(), float(grid[-1]))
        if lower > upper:
            raise outside()
        if lower == upper:
            return domain.cast(lower)
        try:
            box = restrict_domain(domain, lower, upper)
        except ValueError:  # no grid point (of q, of the finite values) inside
            raise outside() from None
        return domain.cast(box.lower) if len(box) == 1 else box
    if isinstance(domain, Categorical):
        positions = set()
        for value in values:
            try:
                positions.add(domain.index_of(value))
            except ValueError:
                pass
        if not positions:
            raise outside()
        if isinstance(domain, Ordinal):
            categories = domain.categories[min(positions): max(positions) + 1]
        else:
            categories = [c for i, c in enumerate(domain.categories) if i in positions]
        if len(categories) == 1:
            return categories[0]
        return type(domain)(categories)
    return domain


def bounding_box_of(
    top_configs: list[dict] | dict[str, list[dict]], config_space: dict
) -> dict:
    """The configuration space restricted to the bounding box of ``top_configs``
    (the rules of the module docstring).

    Parameters
    ----------
    top_configs
        Configurations (dicts), or a dict task -> list of configurations (as
        returned by
        :func:`~syne_tune.optimizer.schedulers.transfer_learning.top_k_hyperparameter_configurations_per_task`).
    config_space
        The original configuration space.

    Returns
    -------
    dict
        A configuration space with the keys of ``config_space``, in its order.

    Raises
    ------
    InvalidParameterError
        If ``top_configs`` is empty or not made of dicts, or all its values of
        a hyperparameter lie outside the original domain.
    """
    check_parameter("bounding_box_of", "top_configs", top_configs, [list, dict])
    check_parameter("bounding_box_of", "config_space", config_space, [dict])
    configs = (
        [c for task_configs in top_configs.values() for c in task_configs]
        if isinstance(top_configs, dict)
        else list(top_configs)
    )
    if not configs or not all(isinstance(c, dict) for c in configs):
        raise InvalidParameterError(
            "The 'top_configs' parameter of bounding_box_of must be a non-empty list of configurations "
            f"(dicts). Got {top_configs!r} instead."
        )
    box = {}
    for name, domain in config_space.items():
        values = [_plain(c[name]) for c in configs if name in c and not _is_missing(_plain(c[name]))]
        box[name] = _restricted_domain(name, domain, values) if isinstance(domain, Domain) and values else domain
    return box


def _same_constant(value: Any, constant: Any) -> bool:
    value, constant = _plain(value), _plain(constant)
    numbers = (int, float)
    if isinstance(value, numbers) and isinstance(constant, numbers) and not isinstance(value, bool):
        return math.isclose(value, constant, rel_tol=1e-9, abs_tol=1e-12)
    return value == constant


def _column_mask(column: pd.Series, domain: Any) -> np.ndarray:
    """Which entries of ``column`` lie in ``domain`` (a domain or a constant)."""
    if isinstance(domain, (Float, Integer)) and domain.q is None and pd.api.types.is_numeric_dtype(column.dtype):
        values = column.to_numpy(dtype=float)
        mask = (values >= domain.lower) & (values <= domain.upper)
        if isinstance(domain, Integer):
            mask &= values == np.round(values)
        return mask
    check = domain.is_valid if isinstance(domain, Domain) else (lambda v: _same_constant(v, domain))
    unique = pd.unique(column)
    valid = {u: check(u) for u in unique}
    return column.map(valid).to_numpy(dtype=bool)


def in_bounding_box(config: dict | pd.DataFrame, box_config_space: dict) -> bool | np.ndarray:
    """Whether ``config`` lies in the box (a configuration space from
    :func:`bounding_box_of`).

    Every hyperparameter (domain) of the box must be given, with a value of
    its domain; a constant of the box, if given, must have its value (floats
    up to a relative ``1e-9``). Other keys are ignored.

    Parameters
    ----------
    config
        One configuration, or a DataFrame with one row per configuration.
    box_config_space
        The box.

    Returns
    -------
    bool or numpy.ndarray
        For a DataFrame, a boolean mask with one entry per row (vectorised).
    """
    if isinstance(config, pd.DataFrame):
        mask = np.ones(len(config), dtype=bool)
        for name, domain in box_config_space.items():
            if name in config.columns:
                mask &= _column_mask(config[name], domain)
            elif isinstance(domain, Domain):
                mask[:] = False
        return mask
    for name, domain in box_config_space.items():
        if isinstance(domain, Domain):
            if name not in config or not domain.is_valid(config[name]):
                return False
        elif name in config and not _same_constant(config[name], domain):
            return False
    return True


class BoundingBox(WrappingSchedulerMixin, TrialScheduler):
    """Tunes inside the bounding box of the best configurations of earlier
    tasks (see the module docstring).

    Parameters
    ----------
    scheduler_fun
        ``scheduler_fun(config_space, mode, metric)`` returns the scheduler
        that searches the box (e.g. ``lambda cs, mode, metric:
        RandomSearch(cs, metric=metric, mode=mode)``). It is called once, in
        the constructor, and not kept (so a lambda does not stop pickling).
    config_space
        The original configuration space.
    metric
        Objective to optimize; must be an objective of every task.
    transfer_learning_evaluations
        Task name -> its evaluations.
    mode
        ``"min"`` or ``"max"``; ``None`` means ``"min"``.
    num_hyperparameters_per_task
        Number of best configurations of every task spanning the box.

    Attributes
    ----------
    scheduler
        The wrapped scheduler.
    box_config_space
        The restricted configuration space given to ``scheduler_fun``.

    Raises
    ------
    InvalidParameterError
        If an argument has the wrong type or value, ``metric`` is not an
        objective of every task, no task has an evaluated configuration, or
        ``scheduler_fun`` does not return a scheduler.
    """

    _parameter_constraints = {
        "scheduler_fun": ["callable"],
        "config_space": [dict],
        "metric": [str],
        "transfer_learning_evaluations": [dict],
        "mode": [_MODES, None],
        "num_hyperparameters_per_task": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        scheduler_fun: Callable[[dict, str, str], TrialScheduler],
        config_space: dict,
        metric: str,
        transfer_learning_evaluations: dict[str, TransferLearningTaskEvaluations],
        mode: str | None = None,
        num_hyperparameters_per_task: int = 1,
    ):
        validate_parameters(self, locals())
        if not metric:
            raise InvalidParameterError(
                "The 'metric' parameter of BoundingBox must be a non-empty str. Got '' instead."
            )
        check_transfer_learning_evaluations(self, transfer_learning_evaluations, metric)
        super().__init__(config_space)
        mode = "min" if mode is None else mode
        top = top_k_hyperparameter_configurations_per_task(
            transfer_learning_evaluations, int(num_hyperparameters_per_task), mode, metric
        )
        if not any(top.values()):
            raise InvalidParameterError(
                "The 'transfer_learning_evaluations' parameter of BoundingBox must hold at least one configuration "
                f"with a value of {metric!r}. Got none in tasks {sorted(transfer_learning_evaluations)}."
            )
        self.box_config_space = bounding_box_of(top, config_space)
        scheduler = scheduler_fun(self.box_config_space, mode, metric)
        if not isinstance(scheduler, TrialScheduler):
            raise InvalidParameterError(
                "The 'scheduler_fun' parameter of BoundingBox must return a TrialScheduler. "
                f"Got {type(scheduler).__name__} instead."
            )
        self.scheduler = scheduler
        self.metric = metric
        self.mode = mode

    # -- delegation ---------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: attributes of the wrapped scheduler
        scheduler = self.__dict__.get("scheduler")
        if scheduler is None or name.startswith("__"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(scheduler, name)

    @property
    def multi_fidelity(self) -> bool:  # type: ignore[override]
        """Whether the wrapped scheduler is a multi-fidelity one."""
        return bool(getattr(self.scheduler, "multi_fidelity", False))


    def metadata(self) -> dict[str, Any]:
        """The wrapped scheduler's metadata, with this scheduler's name, the
        original space (``"config_space"``) and the box
        (``"bounding_box_config_space"``)."""
        meta = self.scheduler.metadata()
        meta["scheduler_name"] = type(self).__name__
        meta["wrapped_scheduler_name"] = type(self.scheduler).__name__
        meta["config_space"] = config_space_to_json_dict(self.config_space)
        meta["bounding_box_config_space"] = config_space_to_json_dict(self.box_config_space)
        return meta
