"""Surrogate blackboxes: a regression model fitted to the evaluations of a
blackbox answers any configuration, including ones outside the table.

The default model is a 1-nearest-neighbour regressor (``scipy`` k-d tree)
on a normalised encoding of the configuration: numerical hyperparameters
scaled to [0, 1] between their domain bounds (in log space for log domains),
categorical ones one-hot encoded (each mismatch counting like a full-range
numerical difference). Any scikit-learn style regressor (``fit(X, y)``,
``predict(X)``) can be passed instead; scikit-learn is only imported when a
model is named by string.

A configuration that lacks a hyperparameter, has a categorical value outside
its domain's categories or a non-numerical value for a numerical domain
raises ``ValueError`` naming the hyperparameter; numbers outside a domain's
bounds are extrapolated. Surrogate blackboxes pickle (encoders are plain
objects, not closures).
"""

from __future__ import annotations

import copy
import math
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.blackbox import (
    Blackbox,
    ObjectiveFunctionResult,
    is_domain,
)
from syne_tune.blackbox_repository.blackbox_offline import BlackboxOffline

_ONE_HOT_SCALE = 1.0 / math.sqrt(2.0)


# ----------------------------------------------------------------- encoding
class _NumericEncoder:
    """Scales a number to [0, 1] between ``lower`` and ``upper`` (in log
    space if ``log`` and both bounds are positive); missing or non-numeric
    values map to 0.5. A class rather than a closure, so that encoders (and
    surrogate blackboxes) pickle."""

    def __init__(self, lower: float, upper: float, log: bool):
        self.log = bool(log and lower > 0 and upper > 0)
        if self.log:
            self.lo, self.hi = math.log(lower), math.log(upper)
        else:
            self.lo, self.hi = float(lower), float(upper)
        self.span = self.hi - self.lo if self.hi != self.lo else 1.0

    def _transform(self, v) -> float:
        v = float(v)
        if not self.log:
            return v
        return math.log(v) if v > 0 else self.lo - (self.hi - self.lo)

    def encode(self, v) -> Optional[float]:
        """The scaled value; 0.5 for a missing value (None, NaN), None for a
        value that is not a number."""
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return 0.5
        try:
            return (self._transform(v) - self.lo) / self.span
        except (TypeError, ValueError):
            return None

    def __call__(self, v) -> float:
        x = self.encode(v)
        return 0.5 if x is None else x


class _OrdinalEncoder:
    """Position of a category in [0, 1] (unknown values: the middle)."""

    def __init__(self, categories: List[Any]):
        self.positions = {v: i for i, v in enumerate(categories)}
        self.scale = max(len(self.positions) - 1, 1)

    def position(self, v) -> Optional[int]:
        return _category_position(self.positions, v)

    def __call__(self, v) -> float:
        k = self.position(v)
        return (self.scale / 2 if k is None else k) / self.scale


class ConfigurationEncoder:
    """Maps configurations (plus optionally a fidelity value) to vectors.

    :param configuration_space: the space; its domains decide the encoding
    :param hp_names: hyperparameters to encode (default: the domain keys)
    :param fidelity_attr: name of a fidelity input appended last (or None)
    :param fidelity_range: (lowest, highest) fidelity value for scaling
    """

    def __init__(
        self,
        configuration_space: Dict[str, Any],
        hp_names: Optional[List[str]] = None,
        fidelity_attr: Optional[str] = None,
        fidelity_range: Optional[Tuple[float, float]] = None,
        fidelity_log: bool = False,
    ):
        from syne_tune import config_space as cs

        if hp_names is None:
            hp_names = [k for k, v in configuration_space.items() if isinstance(v, cs.Domain)]
        self.hp_names = list(hp_names)
        self.fidelity_attr = fidelity_attr
        # one entry per hp: (kind, encoder, width)
        self._parts = []
        for name in self.hp_names:
            domain = configuration_space.get(name)
            if isinstance(domain, cs.OrdinalNearestNeighbor):
                cats = list(domain.categories)
                enc = _NumericEncoder(cats[0], cats[-1], domain.log_scale)
                self._parts.append(("num", enc, 1))
            elif isinstance(domain, cs.Ordinal):
                self._parts.append(("ord", _OrdinalEncoder(list(domain.categories)), 1))
            elif isinstance(domain, cs.Categorical):
                pos = {v: i for i, v in enumerate(domain.categories)}
                self._parts.append(("cat", pos, len(pos)))
            elif isinstance(domain, cs.FiniteRange):
                enc = _NumericEncoder(domain.lower, domain.upper, domain.log_scale)
                self._parts.append(("num", enc, 1))
            elif isinstance(domain, (cs.Float, cs.Integer)):
                enc = _NumericEncoder(domain.lower, domain.upper, cs.is_log_space(domain))
                self._parts.append(("num", enc, 1))
            else:
                raise ValueError(
                    f"cannot encode hyperparameter {name} with domain {domain!r}"
                )
        if fidelity_attr is not None:
            lo, hi = fidelity_range if fidelity_range is not None else (0.0, 1.0)
            self._fidelity_enc = _NumericEncoder(lo, hi, fidelity_log)
        self.dim = sum(p[2] for p in self._parts) + (fidelity_attr is not None)

    def _encode_row(self, values, fidelity=None, out=None, strict=False) -> np.ndarray:
        out = np.zeros(self.dim) if out is None else out
        j = 0
        for pos, ((kind, enc, width), v) in enumerate(zip(self._parts, values)):
            if kind == "num":
                x = enc.encode(v)
                if x is None:
                    if strict:
                        raise ValueError(
                            f"hyperparameter '{self.hp_names[pos]}' = {v!r} is not a "
                            "number, as its domain in the configuration space requires"
                        )
                    x = 0.5
                out[j] = x
            elif kind == "ord":
                if strict and enc.position(v) is None:
                    self._unknown_category(pos, v, list(enc.positions))
                out[j] = enc(v)
            else:
                k = _category_position(enc, v)
                if k is not None:
                    out[j + k] = _ONE_HOT_SCALE
                elif strict:
                    self._unknown_category(pos, v, list(enc))
            j += width
        if self.fidelity_attr is not None:
            out[j] = self._fidelity_enc(fidelity)
        return out

    def _unknown_category(self, pos: int, value, categories: list):
        name = self.hp_names[pos]
        raise ValueError(
            f"hyperparameter '{name}' = {value!r} is not one of the categories "
            f"{categories} of the configuration space"
        )

    def encode_config(self, configuration: Dict[str, Any], fidelity=None) -> np.ndarray:
        """Encodes one configuration (plus the fidelity value, if the encoder
        has a fidelity input) as a ``(1, dim)`` array.

        Raises
        ------
        ValueError
            If a hyperparameter is missing, a categorical value is not among
            the categories of its domain, or a numerical value is not a
            number (numbers outside the bounds are fine: the model
            extrapolates).
        """
        missing = [k for k in self.hp_names if k not in configuration]
        if missing:
            raise ValueError(
                f"configuration {configuration} lacks the hyperparameters {missing}"
            )
        values = [configuration[k] for k in self.hp_names]
        return self._encode_row(values, fidelity, strict=True)[None, :]

    def encode_frame(self, X: pd.DataFrame) -> np.ndarray:
        """Encodes the rows of ``X`` (training data); unknown categories
        encode as all zeros instead of raising."""
        out = np.zeros((len(X), self.dim))
        columns = [X[k].tolist() for k in self.hp_names]
        fid = X[self.fidelity_attr].tolist() if self.fidelity_attr is not None else None
        for i, values in enumerate(zip(*columns)) if columns else enumerate([()] * len(X)):
            self._encode_row(values, None if fid is None else fid[i], out=out[i])
        return out


def _category_position(positions: Dict[Any, int], value) -> Optional[int]:
    try:
        return positions.get(value)
    except TypeError:  # unhashable
        return None


# -------------------------------------------------------------- regressors
class NearestNeighborRegressor:
    """k-nearest-neighbour regression (uniform average) on a k-d tree.
    Identical training inputs are merged, keeping the first one, so that
    ties resolve deterministically."""

    def __init__(self, n_neighbors: int = 1):
        self.n_neighbors = n_neighbors

    def get_params(self, deep: bool = True):
        return {"n_neighbors": self.n_neighbors}

    def fit(self, X, y):
        from scipy.spatial import cKDTree

        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        _, first = np.unique(X, axis=0, return_index=True)
        first = np.sort(first)
        self._X = X[first]
        self._y = y[first]
        self._tree = cKDTree(self._X)
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=np.float64)
        k = min(self.n_neighbors, len(self._X))
        _, idx = self._tree.query(X, k=k)
        if k == 1:
            return self._y[idx]
        return self._y[idx].mean(axis=1)


def make_surrogate(name: str, surrogate_kwargs: Optional[dict] = None):
    """Regressor by name: ``"NearestNeighbor"`` (ours), or scikit-learn's
    ``"KNeighborsRegressor"``, ``"MLPRegressor"``, ``"RandomForestRegressor"``
    or xgboost's ``"XGBRegressor"`` (imported on demand)."""
    kwargs = dict(surrogate_kwargs or {})
    if name in ("NearestNeighbor", "NearestNeighborRegressor", "1nn"):
        return NearestNeighborRegressor(**kwargs)
    if name == "KNeighborsRegressor":
        from sklearn.neighbors import KNeighborsRegressor

        kwargs.setdefault("n_neighbors", 1)
        return KNeighborsRegressor(**kwargs)
    if name == "MLPRegressor":
        from sklearn.neural_network import MLPRegressor

        return MLPRegressor(**kwargs)
    if name == "RandomForestRegressor":
        from sklearn.ensemble import RandomForestRegressor

        return RandomForestRegressor(**kwargs)
    if name == "XGBRegressor":
        try:
            from xgboost import XGBRegressor
        except ImportError as ex:
            raise ImportError("XGBRegressor needs xgboost: pip install xgboost") from ex
        return XGBRegressor(**kwargs)
    raise ValueError(
        f"unknown surrogate {name!r}; use NearestNeighbor, KNeighborsRegressor, "
        "MLPRegressor, RandomForestRegressor, XGBRegressor or pass a model"
    )


def _fresh_copy(model):
    if hasattr(model, "get_params") and type(model).__module__.startswith("sklearn"):
        from sklearn.base import clone

        return clone(model)
    return copy.deepcopy(model)


# ---------------------------------------------------------------- blackbox
class BlackboxSurrogate(Blackbox):
    """Blackbox answering from a regression model fitted to data ``(X, y)``
    (see :meth:`Blackbox.hyperparameter_objectives_values` for their layout).

    :param X: hyperparameters (plus the fidelity as last column if
        ``predict_curves`` is False and there are fidelities)
    :param y: objectives (``num_fidelities * num_objectives`` columns if
        ``predict_curves``)
    :param configuration_space: space used to encode configurations
    :param objectives_names: objective names
    :param fidelity_space: fidelity space (optional)
    :param fidelity_values: fidelity values (optional)
    :param surrogate: regressor with ``fit``/``predict`` (default: 1-nearest
        neighbour), or a name for :func:`make_surrogate`
    :param predict_curves: if True, the model maps a configuration to its
        whole curve over fidelities (consistent curves, compact); else the
        fidelity is an input of a univariate regression
    :param num_seeds: separate models per seed if > 1 (rows of ``X`` ordered
        as produced by ``hyperparameter_objectives_values``)
    :param fit_differences: objectives that are cumulative sums over
        fidelities (e.g. elapsed time); the model is fitted to their
        increments and predictions are summed up again
    :param max_fit_samples: fit on at most this many rows (random subset,
        per seed)
    :param random_state: seed of that subsampling and of random seed choice
    """

    def __init__(
        self,
        X: pd.DataFrame,
        y: pd.DataFrame,
        configuration_space: Dict[str, Any],
        objectives_names: List[str],
        fidelity_space: Optional[Dict[str, Any]] = None,
        fidelity_values: Optional[np.ndarray] = None,
        surrogate=None,
        predict_curves: bool = False,
        num_seeds: int = 1,
        fit_differences: Optional[List[str]] = None,
        max_fit_samples: Optional[int] = None,
        name: Optional[str] = None,
        random_state: Optional[int] = 0,
    ):
        super().__init__(
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_names=objectives_names,
        )
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} rows, y has {len(y)}")
        if fidelity_space is None or fidelity_values is None:
            predict_curves = False
            fit_differences = None
        self._fidelity_values = (
            None if fidelity_values is None else np.asarray(fidelity_values)
        )
        self.predict_curves = bool(predict_curves)
        self.num_seeds = int(num_seeds)
        self.max_fit_samples = max_fit_samples
        self.name = name
        self._rng = np.random.RandomState(random_state)
        self.fit_differences = [
            list(objectives_names).index(n) for n in (fit_differences or [])
        ]
        if isinstance(surrogate, str):
            surrogate = make_surrogate(surrogate)
        self.surrogate = surrogate if surrogate is not None else NearestNeighborRegressor(1)
        fidelity_attr = None
        fidelity_range = None
        if (
            fidelity_space is not None
            and self._fidelity_values is not None
            and not self.predict_curves
        ):
            fidelity_attr = self.fidelity_name()
            fidelity_range = (
                float(np.min(self._fidelity_values)),
                float(np.max(self._fidelity_values)),
            )
        hp_names = [
            k
            for k, v in configuration_space.items()
            if is_domain(v) and k in X.columns
        ]
        self._encoder = ConfigurationEncoder(
            configuration_space,
            hp_names=hp_names,
            fidelity_attr=fidelity_attr,
            fidelity_range=fidelity_range,
        )
        self._check_shapes(X, y)
        self.fit_surrogate(X, y)

    @property
    def fidelity_values(self) -> Optional[np.ndarray]:
        return self._fidelity_values

    @property
    def num_fidelities(self) -> int:
        return 1 if self._fidelity_values is None else len(self._fidelity_values)

    def _check_shapes(self, X, y):
        num_objectives = len(self.objectives_names)
        rows = len(X)
        if rows % self.num_seeds:
            raise ValueError(f"{rows} rows are not a multiple of num_seeds={self.num_seeds}")
        if self.predict_curves:
            if y.shape[1] != num_objectives * self.num_fidelities:
                raise ValueError(
                    f"y has {y.shape[1]} columns, expected num_fidelities * "
                    f"num_objectives = {self.num_fidelities} * {num_objectives}"
                )
        else:
            if y.shape[1] != num_objectives:
                raise ValueError(f"y has {y.shape[1]} columns, expected {num_objectives}")
            if self._encoder.fidelity_attr is not None and self.num_seeds > 1:
                if rows % (self.num_seeds * self.num_fidelities):
                    raise ValueError(
                        f"{rows} rows are not num_fidelities * num_seeds * num_evals"
                    )

    # ---------------------------------------------------------------- fit
    def _fidelity_spacing(self) -> Tuple[np.ndarray, bool]:
        values = self._fidelity_values.astype(np.float64)
        spacing = np.diff(np.concatenate(([0.0], values)))
        return spacing, bool(np.all(spacing == 1))

    def _to_differences(self, y: np.ndarray) -> np.ndarray:
        if not self.fit_differences or self.num_fidelities <= 1:
            return y
        num_f, num_o = self.num_fidelities, len(self.objectives_names)
        spacing, contiguous = self._fidelity_spacing()
        y = y.copy()
        if self.predict_curves:
            data = y.reshape(-1, num_f, num_o)
            for o in self.fit_differences:
                data[:, 1:, o] = np.diff(data[:, :, o], axis=1)
                if not contiguous:
                    data[:, :, o] /= spacing[None, :]
        else:
            data = y.reshape(num_f, -1, num_o)
            for o in self.fit_differences:
                data[1:, :, o] = np.diff(data[:, :, o], axis=0)
                if not contiguous:
                    data[:, :, o] /= spacing[:, None]
        return y

    def _from_differences(self, prediction: np.ndarray) -> np.ndarray:
        """``prediction``: (num_fidelities, num_objectives)."""
        if not self.fit_differences or self.num_fidelities <= 1:
            return prediction
        spacing, contiguous = self._fidelity_spacing()
        prediction = prediction.copy()
        for o in self.fit_differences:
            col = prediction[:, o] if contiguous else prediction[:, o] * spacing
            prediction[:, o] = np.cumsum(col)
        return prediction

    def _seed_rows(self, num_rows: int) -> List[np.ndarray]:
        if self.num_seeds == 1:
            return [np.arange(num_rows)]
        outer = 1 if (self.predict_curves or self._encoder.fidelity_attr is None) else self.num_fidelities
        inner = num_rows // (outer * self.num_seeds)
        rows = []
        for seed in range(self.num_seeds):
            base = (np.arange(outer)[:, None] * self.num_seeds + seed) * inner
            rows.append((base + np.arange(inner)[None, :]).ravel())
        return rows

    def fit_surrogate(self, X: pd.DataFrame, y: pd.DataFrame) -> "BlackboxSurrogate":
        features = self._encoder.encode_frame(X.reset_index(drop=True))
        targets = self._to_differences(np.asarray(y, dtype=np.float64))
        self.models = []
        for rows in self._seed_rows(len(features)):
            if self.max_fit_samples is not None and len(rows) > self.max_fit_samples:
                rows = np.sort(self._rng.permutation(rows)[: self.max_fit_samples])
            model = _fresh_copy(self.surrogate)
            model.fit(features[rows], targets[rows])
            self.models.append(model)
        return self

    # ------------------------------------------------------------- predict
    def _predict(self, seed: int, features: np.ndarray) -> np.ndarray:
        return np.asarray(self.models[seed].predict(features), dtype=np.float64)

    def _fidelity_position(self, fidelity: Dict[str, Any]) -> int:
        value = fidelity[self.fidelity_name()]
        matches = np.nonzero(np.isclose(self._fidelity_values.astype(float), float(value)))[0]
        if len(matches) == 0:
            raise ValueError(
                f"fidelity {value} is not among the fidelity values of this surrogate"
            )
        return int(matches[0])

    def _objective_function(
        self,
        configuration: Dict[str, Any],
        fidelity: Optional[Dict[str, Any]] = None,
        seed: Optional[int] = None,
    ) -> ObjectiveFunctionResult:
        if seed is None:
            seed = self._rng.randint(self.num_seeds) if self.num_seeds > 1 else 0
        elif not 0 <= seed < self.num_seeds:
            raise ValueError(f"seed = {seed} must be in [0, {self.num_seeds - 1}]")
        names = self.objectives_names
        num_o = len(names)
        if self._fidelity_values is None or self.fidelity_space is None:
            if fidelity is not None and self._encoder.fidelity_attr is None:
                pass  # fidelity given but no fidelity values known: ignore
            pred = self._predict(seed, self._encoder.encode_config(configuration))
            return dict(zip(names, pred.reshape(-1)[:num_o].tolist()))
        if self.predict_curves:
            pred = self._predict(seed, self._encoder.encode_config(configuration))
            curves = self._from_differences(pred.reshape(self.num_fidelities, num_o))
        else:
            if fidelity is not None and not self.fit_differences:
                value = fidelity[self.fidelity_name()]
                pred = self._predict(seed, self._encoder.encode_config(configuration, value))
                return dict(zip(names, pred.reshape(-1).tolist()))
            row = self._encoder.encode_config(configuration, self._fidelity_values[0])
            features = np.repeat(row, self.num_fidelities, axis=0)
            features[:, -1] = [
                self._encoder._fidelity_enc(v) for v in self._fidelity_values.tolist()
            ]
            curves = self._from_differences(
                self._predict(seed, features).reshape(self.num_fidelities, num_o)
            )
        if fidelity is None:
            return curves
        return dict(zip(names, curves[self._fidelity_position(fidelity)].tolist()))

    def hyperparameter_objectives_values(self, predict_curves: bool = False):
        raise NotImplementedError("this blackbox is a surrogate already")


def add_surrogate(
    blackbox: Blackbox,
    surrogate=None,
    configuration_space: Optional[Dict[str, Any]] = None,
    predict_curves: Optional[bool] = None,
    separate_seeds: bool = False,
    fit_differences: Optional[List[str]] = None,
    max_fit_samples: Optional[int] = None,
) -> BlackboxSurrogate:
    """Fits a surrogate to the evaluations of ``blackbox`` so that any
    configuration can be evaluated; configurations of the table are answered
    with their recorded values by the default 1-nearest-neighbour model.

    :param blackbox: blackbox providing
        :meth:`~Blackbox.hyperparameter_objectives_values`
    :param surrogate: regressor (``fit``/``predict``) or name for
        :func:`make_surrogate`; default 1-nearest neighbour
    :param configuration_space: space of the surrogate (default: the
        blackbox's); e.g. a continuous space for a table whose domains are
        categorical
    :param predict_curves: predict whole curves over fidelities; default
        True unless the blackbox is a :class:`BlackboxOffline`
    :param separate_seeds: one model per seed of the blackbox (else the
        seeds' data are pooled and the surrogate has one seed)
    :param fit_differences: cumulative objectives to fit as increments
        (recommended for elapsed time)
    :param max_fit_samples: fit on a random subset of at most this size
    """
    if configuration_space is None:
        configuration_space = blackbox.configuration_space
    num_seeds = int(getattr(blackbox, "num_seeds", 1)) if separate_seeds else 1
    if predict_curves is None:
        predict_curves = not isinstance(blackbox, BlackboxOffline)
    if blackbox.fidelity_values is None:
        predict_curves = False
    X, y = blackbox.hyperparameter_objectives_values(predict_curves)
    bb = BlackboxSurrogate(
        X=X,
        y=y,
        configuration_space=configuration_space,
        objectives_names=blackbox.objectives_names,
        fidelity_space=blackbox.fidelity_space,
        fidelity_values=blackbox.fidelity_values,
        surrogate=surrogate,
        predict_curves=predict_curves,
        num_seeds=num_seeds,
        fit_differences=fit_differences,
        max_fit_samples=max_fit_samples,
    )
    bb.metadata = dict(getattr(blackbox, "metadata", {}) or {})
    return bb
