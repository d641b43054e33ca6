"""The :class:`Blackbox` interface: a function from a configuration (and
optionally a fidelity and a seed) to the values of one or more objectives.

Blackboxes are what the simulator backends evaluate instead of running a
training script, so the hot path (:meth:`Blackbox.objective_function`) is kept
cheap in every subclass.
"""

from __future__ import annotations

from numbers import Number
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import numpy as np
import pandas as pd

ObjectiveFunctionResult = Union[Dict[str, float], np.ndarray]


class Blackbox:
    """Base class of all blackboxes.

    :param configuration_space: hyperparameter name -> domain (or constant)
    :param fidelity_space: fidelity name -> domain, or ``None`` if the
        blackbox has no fidelity
    :param objectives_names: names of the objectives, in the order used for
        array results
    """

    def __init__(
        self,
        configuration_space: Dict[str, Any],
        fidelity_space: Optional[Dict[str, Any]] = None,
        objectives_names: Optional[List[str]] = None,
    ):
        self.configuration_space = configuration_space
        self.fidelity_space = fidelity_space
        self.objectives_names = (
            list(objectives_names) if objectives_names is not None else None
        )

    # ------------------------------------------------------------------ API
    def objective_function(
        self,
        configuration: Dict[str, Any],
        fidelity: Union[Dict[str, Any], Number, None] = None,
        seed: Optional[int] = None,
    ) -> ObjectiveFunctionResult:
        """Evaluates the blackbox.

        :param configuration: hyperparameter values (keys of
            :attr:`configuration_space`; extra keys are ignored)
        :param fidelity: ``{fidelity_name: value}``, or just the value when
            there is a single fidelity. If ``None`` and the blackbox has a
            (single) fidelity, the values at all fidelities are returned as
            an array of shape ``(num_fidelities, num_objectives)``
        :param seed: which of the recorded seeds to use (random if ``None``)
        :return: ``{objective_name: value}`` for one fidelity, or the array
            described above
        """
        fidelity = self._normalize_fidelity(fidelity)
        return self._objective_function(
            configuration=configuration, fidelity=fidelity, seed=seed
        )

    def _objective_function(
        self,
        configuration: Dict[str, Any],
        fidelity: Optional[Dict[str, Any]] = None,
        seed: Optional[int] = None,
    ) -> ObjectiveFunctionResult:
        """Subclasses implement this (``fidelity`` is a dict or ``None``)."""
        raise NotImplementedError

    def __call__(self, *args, **kwargs) -> ObjectiveFunctionResult:
        return self.objective_function(*args, **kwargs)

    def hyperparameter_objectives_values(
        self, predict_curves: bool = False
    ) -> Tuple[pd.DataFrame, pd.DataFrame]:
        """Returns the data ``(X, y)`` a surrogate model can be fitted on.

        If ``predict_curves`` is False, ``X`` has one row per (fidelity, seed,
        evaluation), with the fidelity value as last column, and ``y`` one
        column per objective. If True, ``X`` has one row per (seed,
        evaluation) and ``y`` has ``num_fidelities * num_objectives`` columns
        (fidelity-major). See :class:`BlackboxTabular` for the row order.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not provide evaluation data"
        )

    @property
    def fidelity_values(self) -> Optional[np.ndarray]:
        """Sorted fidelity values, or ``None`` if the blackbox has none."""
        return None

    def fidelity_name(self) -> str:
        """Name of the fidelity attribute (only for a single fidelity)."""
        if not self.fidelity_space or len(self.fidelity_space) != 1:
            raise ValueError(
                "fidelity_name() needs exactly one fidelity attribute, the "
                f"fidelity space is {self.fidelity_space}"
            )
        return next(iter(self.fidelity_space))

    def configuration_space_with_max_resource_attr(
        self, max_resource_attr: str
    ) -> Dict[str, Any]:
        """Configuration space plus a constant entry ``max_resource_attr``
        set to the largest fidelity value (e.g. the maximum number of
        epochs), as multi-fidelity schedulers expect."""
        fidelity_values = self.fidelity_values
        if fidelity_values is None or len(fidelity_values) == 0:
            raise ValueError("this blackbox has no fidelity values")
        self.fidelity_name()  # checks there is a single fidelity
        if max_resource_attr in self.configuration_space:
            raise ValueError(
                f"max_resource_attr = '{max_resource_attr}' is already a key of "
                f"the configuration space ({list(self.configuration_space)})"
            )
        return dict(
            self.configuration_space,
            **{max_resource_attr: int(np.max(fidelity_values))},
        )

    # -------------------------------------------------------------- helpers
    def _normalize_fidelity(self, fidelity) -> Optional[Dict[str, Any]]:
        if fidelity is None:
            if self.fidelity_space is not None and len(self.fidelity_space) > 1:
                raise ValueError(
                    "a fidelity must be given when the blackbox has several "
                    f"fidelity attributes ({list(self.fidelity_space)})"
                )
            return None
        if self.fidelity_space is None:
            raise ValueError(
                f"this blackbox has no fidelity, but fidelity={fidelity} was given"
            )
        if isinstance(fidelity, dict):
            for key in fidelity:
                if key not in self.fidelity_space:
                    raise ValueError(
                        f"unknown fidelity attribute '{key}', the fidelity space "
                        f"has {list(self.fidelity_space)}"
                    )
            return fidelity
        if isinstance(fidelity, (Number, np.number)):
            return {self.fidelity_name(): fidelity}
        raise TypeError(
            f"fidelity must be a dict or a number, got {type(fidelity).__name__}"
        )

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}(hyperparameters={list(self.configuration_space)}, "
            f"fidelity_space={None if self.fidelity_space is None else list(self.fidelity_space)}, "
            f"objectives={self.objectives_names})"
        )


class _FunctionBlackbox(Blackbox):
    def __init__(
        self,
        eval_fun: Callable,
        configuration_space: Dict[str, Any],
        fidelity_space: Optional[Dict[str, Any]],
        objectives_names: Optional[List[str]],
        fidelity_values: Optional[np.ndarray],
    ):
        super().__init__(
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_names=objectives_names,
        )
        self._eval_fun = eval_fun
        if fidelity_values is None and fidelity_space is not None:
            fidelity_values = _fidelity_values_from_space(fidelity_space)
        self._fidelity_values = fidelity_values

    @property
    def fidelity_values(self) -> Optional[np.ndarray]:
        return self._fidelity_values

    def objective_function(self, configuration, fidelity=None, seed=None):
        # The function gets the fidelity as passed (dict, number or None)
        return self._eval_fun(configuration, fidelity, seed)


def _fidelity_values_from_space(fidelity_space) -> Optional[np.ndarray]:
    """1, 2, ..., upper for a single integer fidelity domain, else None."""
    if len(fidelity_space) != 1:
        return None
    domain = next(iter(fidelity_space.values()))
    lower = getattr(domain, "lower", None)
    upper = getattr(domain, "upper", None)
    if isinstance(lower, (int, np.integer)) and isinstance(upper, (int, np.integer)):
        if upper - lower <= 1_000_000:
            return np.arange(int(lower), int(upper) + 1)
    return None


def from_function(
    configuration_space: Dict[str, Any],
    eval_fun: Callable,
    fidelity_space: Optional[Dict[str, Any]] = None,
    objectives_names: Optional[List[str]] = None,
    fidelity_values: Optional[np.ndarray] = None,
) -> Blackbox:
    """Wraps ``eval_fun(configuration, fidelity, seed) -> dict`` as a
    blackbox (handy for tests and for wrapping a real function).

    :param fidelity_values: optional fidelity values, reported by
        :attr:`Blackbox.fidelity_values` (needed e.g. for
        :meth:`Blackbox.configuration_space_with_max_resource_attr`)
    """
    if fidelity_values is not None:
        fidelity_values = np.asarray(fidelity_values)
    return _FunctionBlackbox(
        eval_fun=eval_fun,
        configuration_space=configuration_space,
        fidelity_space=fidelity_space,
        objectives_names=objectives_names,
        fidelity_values=fidelity_values,
    )
