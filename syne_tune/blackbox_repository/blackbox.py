"""The :class:`Blackbox` contract: a function from a configuration (and
optionally a fidelity and a seed) to the values of one or more objectives.

Blackboxes are what the simulator backends evaluate instead of running a
training script, so the hot path (:meth:`Blackbox.objective_function`) is kept
cheap in every subclass. :func:`from_function` wraps a plain Python function
as a blackbox. :class:`syne_tune.testing.blackbox.BlackboxContract` is the
test suite every blackbox passes.
"""

from __future__ import annotations

import abc
from numbers import Number
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import numpy as np
import pandas as pd

from syne_tune.utils.validation import validate_parameters

ObjectiveFunctionResult = Union[Dict[str, float], np.ndarray]

#: Largest integer fidelity range for which :attr:`Blackbox.fidelity_values`
#: lists every value by default.
_MAX_DEFAULT_FIDELITY_VALUES = 1_000_000


def is_domain(value: Any) -> bool:
    """Whether ``value`` is a hyperparameter domain (as opposed to a constant)
    of a configuration space.

    Parameters
    ----------
    value
        An entry of a configuration space.

    Returns
    -------
    bool
        True for domains such as ``choice([...])`` or ``uniform(0, 1)``.
    """
    return hasattr(value, "sample") and hasattr(value, "value_type")


class Blackbox(abc.ABC):
    """Base class of all blackboxes.

    A subclass implements :meth:`_objective_function`, the only abstract
    method: evaluating is what distinguishes one blackbox from another, and
    no default could be right. Everything else has a default that a
    subclass overrides when it knows better:

    * :attr:`fidelity_values`: derived from a single integer fidelity domain
      (``randint(1, 100)`` gives ``1, ..., 100``), else ``None``;
    * :meth:`hyperparameter_objectives_values`: optional (only blackboxes
      backed by recorded evaluations provide it; it raises
      ``NotImplementedError`` otherwise);
    * :attr:`num_seeds`: 1.

    Parameters
    ----------
    configuration_space
        Hyperparameter name -> domain (or constant).
    fidelity_space
        Fidelity name -> domain, or ``None`` if the blackbox has no fidelity.
    objectives_names
        Names of the objectives, in the order used for array results.
    """

    _parameter_constraints = {
        "configuration_space": [dict],
        "fidelity_space": [dict, None],
        "objectives_names": [list, tuple, None],
    }

    #: Number of recorded seeds: ``objective_function(..., seed=s)`` accepts
    #: ``s`` in ``range(num_seeds)`` (subclasses may set or compute it).
    num_seeds: int = 1

    def __init__(
        self,
        configuration_space: Dict[str, Any],
        fidelity_space: Optional[Dict[str, Any]] = None,
        objectives_names: Optional[List[str]] = None,
    ):
        validate_parameters(
            self,
            {
                "configuration_space": configuration_space,
                "fidelity_space": fidelity_space,
                "objectives_names": objectives_names,
            },
            Blackbox._parameter_constraints,
        )
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

        Parameters
        ----------
        configuration
            Hyperparameter values (keys of :attr:`configuration_space`;
            extra keys are ignored).
        fidelity
            ``{fidelity_name: value}``, or just the value when there is a
            single fidelity. If ``None`` and the blackbox has a (single)
            fidelity, the values at all :attr:`fidelity_values` are returned.
        seed
            Which of the recorded seeds to use (random if ``None``).

        Returns
        -------
        dict or numpy.ndarray
            ``{objective_name: value}`` for one fidelity (or a blackbox
            without fidelity), else an array of shape ``(num_fidelities,
            num_objectives)``, rows in the order of :attr:`fidelity_values`.

        Raises
        ------
        ValueError
            If the fidelity does not fit the fidelity space, or (in the
            subclasses) the configuration or the seed is not valid.
        """
        fidelity = self._normalize_fidelity(fidelity)
        return self._objective_function(
            configuration=configuration, fidelity=fidelity, seed=seed
        )

    @abc.abstractmethod
    def _objective_function(
        self,
        configuration: Dict[str, Any],
        fidelity: Optional[Dict[str, Any]] = None,
        seed: Optional[int] = None,
    ) -> ObjectiveFunctionResult:
        """Evaluates the blackbox; ``fidelity`` is ``None`` or a dict (see
        :meth:`objective_function` for everything else)."""

    def __call__(self, *args, **kwargs) -> ObjectiveFunctionResult:
        """Same as :meth:`objective_function`."""
        return self.objective_function(*args, **kwargs)

    def hyperparameter_objectives_values(
        self, predict_curves: bool = False
    ) -> Tuple[pd.DataFrame, pd.DataFrame]:
        """Returns the data ``(X, y)`` a surrogate model can be fitted on.

        Parameters
        ----------
        predict_curves
            If False, ``X`` has one row per (fidelity, seed, evaluation),
            with the fidelity value as last column, and ``y`` one column per
            objective. If True, ``X`` has one row per (seed, evaluation) and
            ``y`` has ``num_fidelities * num_objectives`` columns
            (fidelity-major). See :class:`BlackboxTabular` for the row order.

        Returns
        -------
        tuple of pandas.DataFrame
            ``(X, y)``.

        Raises
        ------
        NotImplementedError
            If the blackbox is not backed by recorded evaluations.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not provide evaluation data"
        )

    @property
    def fidelity_values(self) -> Optional[np.ndarray]:
        """Sorted fidelity values, or ``None`` if the blackbox has no
        fidelity (or no finite list of them). The default lists every value
        of a single integer fidelity domain."""
        if not self.fidelity_space or len(self.fidelity_space) != 1:
            return None
        domain = next(iter(self.fidelity_space.values()))
        lower = getattr(domain, "lower", None)
        upper = getattr(domain, "upper", None)
        if (
            isinstance(lower, (int, np.integer))
            and isinstance(upper, (int, np.integer))
            and upper - lower <= _MAX_DEFAULT_FIDELITY_VALUES
        ):
            return np.arange(int(lower), int(upper) + 1)
        return None

    def fidelity_name(self) -> str:
        """Name of the fidelity attribute.

        Raises
        ------
        ValueError
            Unless the blackbox has exactly one fidelity attribute.
        """
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
        epochs), as multi-fidelity schedulers expect.

        Parameters
        ----------
        max_resource_attr
            Name of the new entry; must not be a key of the space.

        Returns
        -------
        dict
            A new configuration space.

        Raises
        ------
        ValueError
            If the blackbox has no (single) fidelity, or the name is taken.
        """
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
        fidelities = None if self.fidelity_space is None else list(self.fidelity_space)
        return (
            f"{type(self).__name__}(hyperparameters={list(self.configuration_space)}, "
            f"fidelity_space={fidelities}, objectives={self.objectives_names})"
        )


class _FunctionBlackbox(Blackbox):
    """Blackbox of :func:`from_function`: the function gets the fidelity as
    passed to :meth:`objective_function` (a dict, a number or ``None``)."""

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
        self._fidelity_values = fidelity_values

    @property
    def fidelity_values(self) -> Optional[np.ndarray]:
        if self._fidelity_values is not None:
            return self._fidelity_values
        return super().fidelity_values

    def objective_function(self, configuration, fidelity=None, seed=None):
        # no normalisation: the function sees the fidelity as given
        return self._objective_function(configuration, fidelity, seed)

    def _objective_function(self, configuration, fidelity=None, seed=None):
        return self._eval_fun(configuration, fidelity, seed)


def from_function(
    configuration_space: Dict[str, Any],
    eval_fun: Callable,
    fidelity_space: Optional[Dict[str, Any]] = None,
    objectives_names: Optional[List[str]] = None,
    fidelity_values: Optional[np.ndarray] = None,
) -> Blackbox:
    """Wraps ``eval_fun(configuration, fidelity, seed) -> dict`` as a
    blackbox (handy for tests and for wrapping a real function).

    Parameters
    ----------
    configuration_space
        Configuration space of the blackbox.
    eval_fun
        The function; it gets the fidelity as passed to
        :meth:`Blackbox.objective_function` (dict, number or ``None``).
    fidelity_space
        Fidelity space, if any.
    objectives_names
        Names of the objectives ``eval_fun`` returns.
    fidelity_values
        Fidelity values reported by :attr:`Blackbox.fidelity_values`
        (default: derived from an integer fidelity domain).

    Returns
    -------
    Blackbox
        The wrapped function. It pickles if ``eval_fun`` does.
    """
    validate_parameters(
        "from_function", {"eval_fun": eval_fun}, {"eval_fun": ["callable"]}
    )
    if fidelity_values is not None:
        fidelity_values = np.asarray(fidelity_values)
    return _FunctionBlackbox(
        eval_fun=eval_fun,
        configuration_space=configuration_space,
        fidelity_space=fidelity_space,
        objectives_names=objectives_names,
        fidelity_values=fidelity_values,
    )
