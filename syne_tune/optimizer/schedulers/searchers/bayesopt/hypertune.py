"""Hyper-Tune (Li et al. 2022, "Hyper-Tune: towards efficient hyper-parameter
tuning at scale"): ``HyperbandScheduler(searcher="hypertune")``, the
:class:`~syne_tune.optimizer.baselines.HyperTune` baseline.

Hyper-Tune is MOBSTER (:mod:`.gp_multifidelity_searcher`) with several
brackets, where both the distribution over brackets of new trials and the
predictive distribution fed into the acquisition function are learned from
how well the lower rung levels predict the ranking at the highest
sufficiently observed level.

Levels. ``L_0 < L_1 < ... < L_K`` are the scheduler's rung levels followed
by ``max_t``; bracket ``b`` starts trials at ``L_b``. Level ``L_k`` is
*supported* if ``k < K*``, where ``K*`` is the largest ``k`` such that at
least :data:`MIN_SUPPORT` (6) observations are at ``L_{k-1}`` (so all
levels up to the highest one with 6 observations are supported). Nothing is
learned while ``K* < 2`` (fewer than 6 observations at ``L_1``).

Ranking losses. Let ``T = L_{K*-1}`` (the top supported level) with
observations ``(x_i, y_i)``, ``i = 1..n`` (``n >= 6``, signed metric,
pending evaluations not included). For a function ``g`` on these points the
ranking loss is the fraction of discordant pairs::

    loss(g) = 2 / (n (n - 1)) * sum_{i < j} [ (g(x_i) < g(x_j)) xor (y_i < y_j) ].

For every lower level ``L_k`` (``k < K* - 1``), ``N`` joint posterior samples
``g_s ~ f(., L_k) | data`` at ``x_1..x_n`` (``N`` =
``hypertune_distribution_num_samples``, default 50) give ``loss_k^s``. For
the top level itself, the loss is estimated by ``F``-fold cross-validation,
``F = min(n // 2, 5)`` consecutive folds (sizes differing by at most one):
the model at ``T``, with its hyperparameters fixed, is conditioned on the
other folds' observations at ``T`` only, ``N`` joint samples are drawn at
the fold's points, and ``loss_{K*-1}^s`` is the average over folds of the
fold losses.

Weights. ``theta_k`` is the fraction of samples in which level ``k`` has the
smallest loss (ties counting for every level attaining the minimum),
normalized::

    theta_k = #{s : loss_k^s = min_j loss_j^s} / sum_j #{s : loss_j^s = min_j' loss_j'^s}.

They are recomputed whenever ``(K*, n)`` changes, after the models were
fitted for a suggestion.

Ensemble predictive distribution (the target of the acquisition function).
With ``theta`` restricted to the levels where it exceeds 0.01 and
renormalized to sum to 1 (``theta'``; before anything is learned,
``theta' = {L_0: 1}``)::

    mu(x) = sum_k theta'_k mu(x, L_k),   sigma^2(x) = sum_k theta'_k^2 sigma^2(x, L_k)

(:class:`EnsemblePredictor`; with pending evaluations the fantasy samples
of the levels are combined column by column). New configurations maximize
expected improvement (log EI) under this distribution; the incumbent is the
smallest ensemble mean over the configurations observed so far.

Bracket distribution (:class:`HyperTuneBracketDistribution`, installed into
the scheduler by :meth:`HyperTuneSearcher.configure_scheduler` unless the
scheduler was given another one). With ``B`` brackets, ``H = min(K*, B)``
and ``p`` the default Hyperband distribution over the ``B`` brackets::

    w_b = (theta_b / L_b) / sum_{b' < H} (theta_b' / L_b'),   b < H,
    P(bracket b) = w_b * sum_{b' < H} p_b'   for b < H,    p_b for b >= H

(the learned head replaces the default one with the same total mass; if
``sum theta_b / L_b`` vanishes, all of the head's mass goes to bracket 0).
Until something is learned, ``P = p``.

Models: ``"gp_independent"`` (default, as in the paper: one GP per level) or
``"gp_multitask"`` (one GP over ``(x, r)``; the top-level cross-validation
then conditions the joint model's restriction to ``r = T`` on the fold data).

Differences to Syne Tune: the ensemble weights are renormalized after
dropping those below 0.01, and the incumbent of EI is the best ensemble
mean at observed configurations.
"""

from __future__ import annotations

import copy
import logging
from numbers import Integral
from typing import Any

import numpy as np

from syne_tune.optimizer.schedulers.multifidelity.bracket_manager import (
    BracketDistribution,
    DefaultHyperbandBracketDistribution,
)
from syne_tune.optimizer.schedulers.searchers.bayesopt.acquisition import AcquisitionFunction, ExpectedImprovement
from syne_tune.optimizer.schedulers.searchers.bayesopt.gp_multifidelity_searcher import GPMultiFidelitySearcher
from syne_tune.optimizer.schedulers.searchers.bayesopt.observations import ModelData
from syne_tune.optimizer.schedulers.searchers.bayesopt.surrogate import IndependentGPModel, SurrogateModel
from syne_tune.utils.validation import Interval, validate_parameters

__all__ = [
    "HyperTuneSearcher",
    "HyperTuneBracketDistribution",
    "EnsemblePredictor",
    "ranking_loss",
    "hypertune_weights",
    "hypertune_bracket_probabilities",
    "MIN_SUPPORT",
]

logger = logging.getLogger(__name__)

#: Observations a level needs to take part in the weights (Syne Tune: 6).
MIN_SUPPORT = 6
#: Ensemble weights below this are dropped.
MIN_ENSEMBLE_WEIGHT = 0.01
#: Most cross-validation folds at the top level.
MAX_FOLDS = 5


def ranking_loss(samples: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Fraction of discordant pairs between each row of ``samples`` and
    ``targets`` (module docstring).

    Parameters
    ----------
    samples
        Shape ``(N, n)``: ``N`` functions evaluated at ``n`` points.
    targets
        Shape ``(n,)``: observed values at the points.

    Returns
    -------
    np.ndarray
        Shape ``(N,)``, values in ``[0, 1]`` (0 if ``n < 2``).
    """
    samples = np.atleast_2d(np.asarray(samples, dtype=float))
    targets = np.asarray(targets, dtype=float).reshape(-1)
    n = targets.shape[0]
    if samples.shape[1] != n:
        raise ValueError(f"samples must have {n} columns, got shape {samples.shape}")
    if n < 2:
        return np.zeros(samples.shape[0])
    i, j = np.triu_indices(n, k=1)
    y_less = targets[i] < targets[j]
    g_less = samples[:, i] < samples[:, j]
    return np.mean(np.logical_xor(g_less, y_less[None, :]), axis=1)


def hypertune_weights(losses: np.ndarray) -> np.ndarray:
    """``theta`` from ranking losses of shape ``(levels, samples)``: the
    normalized counts of samples in which a level attains the minimum loss."""
    losses = np.atleast_2d(np.asarray(losses, dtype=float))
    wins = np.sum(losses == np.min(losses, axis=0, keepdims=True), axis=1).astype(float)
    return wins / np.sum(wins)


def hypertune_bracket_probabilities(theta: np.ndarray, levels: list[int], default: np.ndarray) -> np.ndarray:
    """The bracket distribution of the module docstring.

    Parameters
    ----------
    theta
        Weights of the supported levels ``L_0 .. L_{K*-1}``.
    levels
        ``L_0, L_1, ...`` (rung levels, then ``max_t``).
    default
        Default distribution over the brackets.
    """
    default = np.asarray(default, dtype=float)
    head = min(len(theta), len(default))
    weights = np.asarray(theta[:head], dtype=float) / np.asarray(levels[:head], dtype=float)
    total = float(np.sum(weights))
    if total > 1e-14:
        weights = weights / total
    else:
        weights = np.zeros(head)
        weights[0] = 1.0
    out = default.copy()
    out[:head] = weights * float(np.sum(default[:head]))
    return out / np.sum(out)


def _as_columns(mean: np.ndarray) -> np.ndarray:
    mean = np.asarray(mean, dtype=float)
    return mean[:, None] if mean.ndim == 1 else mean


class EnsemblePredictor:
    """The ensemble predictive distribution over levels (module docstring):
    ``predict(X)`` gives ``sum_k theta_k mu(x, L_k)`` and
    ``sqrt(sum_k theta_k^2 sigma^2(x, L_k))``.

    Parameters
    ----------
    model
        A fitted multi-fidelity model (``predict(X, resources=r)``).
    weights
        Level -> weight (positive, summing to 1).
    """

    def __init__(self, model: SurrogateModel, weights: dict[int, float]):
        if not weights:
            raise ValueError("EnsemblePredictor needs at least one level weight")
        self.model = model
        self.weights = {int(r): float(w) for r, w in weights.items()}

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        means, variance = [], 0.0
        for level, weight in self.weights.items():
            mean, std = self.model.predict(X, resources=level)
            means.append((weight, _as_columns(mean)))
            variance = variance + (weight * weight) * np.square(std)
        num_columns = max(m.shape[1] for _, m in means)
        total = 0.0
        for weight, mean in means:
            if mean.shape[1] not in (1, num_columns):
                mean = np.mean(mean, axis=1, keepdims=True)
            total = total + weight * mean
        total = np.asarray(total)
        if total.shape[1] == 1:
            total = total[:, 0]
        return total, np.sqrt(variance)


class HyperTuneBracketDistribution(BracketDistribution):
    """Bracket distribution learned by :class:`HyperTuneSearcher` (module
    docstring); falls back to the default Hyperband distribution."""

    def configure(self, scheduler) -> None:
        super().configure(scheduler)
        self._default = DefaultHyperbandBracketDistribution()
        self._default.configure(scheduler)
        self._searcher = scheduler.searcher
        if not isinstance(self._searcher, HyperTuneSearcher):
            raise TypeError(
                "HyperTuneBracketDistribution needs the scheduler's searcher to be a HyperTuneSearcher "
                f"(searcher='hypertune'), got {type(self._searcher).__name__}"
            )

    def __call__(self) -> np.ndarray:
        default = self._default()
        theta = self._searcher.hypertune_theta
        if theta is None:
            return default
        theta = np.asarray(theta)[: self._searcher.num_brackets]
        return hypertune_bracket_probabilities(theta, self._searcher.hypertune_levels(), default)


class HyperTuneSearcher(GPMultiFidelitySearcher):
    """Hyper-Tune's searcher (see the module docstring).

    Parameters
    ----------
    config_space, metric
        See :class:`~.gp_multifidelity_searcher.GPMultiFidelitySearcher`.
    model
        ``"gp_independent"`` (default) or ``"gp_multitask"``.
    hypertune_distribution_num_samples
        Posterior samples ``N`` per level for the ranking losses (default 50).
    hypertune_distribution_num_brackets
        Number of brackets whose probabilities are learned (default, and at
        most: the scheduler's ``brackets``); the others keep the default
        probabilities.
    kwargs
        Options of :class:`~.gp_multifidelity_searcher.GPMultiFidelitySearcher`
        (``resource_acq`` has no effect: the ensemble replaces it).
    """

    supported_models = ("gp_independent", "gp_multitask")
    default_model = "gp_independent"
    _parameter_constraints = {
        "hypertune_distribution_num_samples": [Interval(Integral, 1, None, closed="left")],
        "hypertune_distribution_num_brackets": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        config_space: dict,
        metric: str,
        hypertune_distribution_num_samples: int = 50,
        hypertune_distribution_num_brackets: int | None = None,
        **kwargs: Any,
    ):
        validate_parameters(
            self,
            dict(
                hypertune_distribution_num_samples=hypertune_distribution_num_samples,
                hypertune_distribution_num_brackets=hypertune_distribution_num_brackets,
            ),
        )
        super().__init__(config_space, metric=metric, **kwargs)
        self.num_samples = int(hypertune_distribution_num_samples)
        self.num_brackets = hypertune_distribution_num_brackets
        #: Weights ``theta`` of the supported levels (``None`` until learned).
        self.hypertune_theta: list[float] | None = None
        #: Ensemble weights (level -> weight) of the last acquisition.
        self.ensemble_weights: dict[int, float] | None = None
        self._signature = None

    # -- scheduler -----------------------------------------------------------------
    def configure_scheduler(self, scheduler) -> None:
        super().configure_scheduler(scheduler)
        if self.num_brackets is None:
            self.num_brackets = int(getattr(scheduler, "brackets", 1) or 1)
        manager = getattr(scheduler, "bracket_manager", None)
        if manager is not None and type(manager.bracket_distribution) is DefaultHyperbandBracketDistribution:
            # the scheduler configures it right after this call
            manager.bracket_distribution = HyperTuneBracketDistribution()

    def hypertune_levels(self) -> list[int]:
        """``L_0, L_1, ...``: the rung levels, then ``max_t``."""
        levels = list(self.rung_levels or [])
        if self.max_t is not None and (not levels or levels[-1] < self.max_t):
            levels.append(int(self.max_t))
        if not levels:
            levels = sorted({int(o.resource) for o in self._observations_kept()})
        return levels

    # -- weights -------------------------------------------------------------------
    def _level_data(self, level: int) -> tuple[np.ndarray, np.ndarray]:
        observations = [o for o in self._observations_kept() if o.resource == level]
        if not observations:
            return np.zeros((0, self._hp_ranges.ndarray_size)), np.zeros(0)
        X = self._hp_ranges.to_ndarray_matrix([o.config for o in observations])
        y = np.array([o.outputs[self._metric] for o in observations], dtype=float)
        return X, y

    def _num_supported(self, levels: list[int]) -> tuple[int, np.ndarray | None, np.ndarray | None]:
        for k in range(len(levels), 1, -1):
            X, y = self._level_data(levels[k - 1])
            if len(y) >= MIN_SUPPORT:
                return k, X, y
        return 1, None, None

    @staticmethod
    def _joint_samples(model, X: np.ndarray, level: int, num_samples: int, random_state) -> np.ndarray:
        samples = np.asarray(model.sample(X, num_samples, random_state, resources=level), dtype=float)
        return samples.reshape(-1, X.shape[0])

    def _model_for_folds(self, model: SurrogateModel, level: int):
        """A model with the hyperparameters of ``model`` at ``level``, to be
        conditioned on fold data (no re-optimization); ``(model, multi_fidelity)``."""
        base = model.model_at(level) if isinstance(model, IndependentGPModel) else model
        fold_model = copy.copy(base)
        fold_model.refit_fraction = 1e12  # keep the hyperparameters
        fold_model.fantasize = False
        return fold_model, not isinstance(model, IndependentGPModel)

    def _cross_validation_losses(self, model: SurrogateModel, level: int, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        n = len(y)
        num_folds = min(n // 2, MAX_FOLDS)
        sizes = np.full(num_folds, n // num_folds)
        sizes[: n - int(sizes.sum())] += 1
        fold_model, multi_fidelity = self._model_for_folds(model, level)
        losses = np.zeros(self.num_samples)
        start = 0
        for size in sizes:
            end = start + int(size)
            train = np.r_[0:start, end:n]
            resources = np.full(len(train), float(level)) if multi_fidelity else None
            fold_model.fit(ModelData(X=X[train], y=y[train], resources=resources), self.random_state)
            samples = self._joint_samples(fold_model, X[start:end], level, self.num_samples, self.random_state)
            losses += ranking_loss(samples[: self.num_samples], y[start:end])
            start = end
        return losses / num_folds

    def _update_weights(self, model: SurrogateModel) -> None:
        levels = self.hypertune_levels()
        num_supported, X_top, y_top = self._num_supported(levels)
        if num_supported < 2:
            return
        signature = (num_supported, len(y_top))
        if signature == self._signature:
            return
        self._signature = signature
        losses = np.zeros((num_supported, self.num_samples))
        for k, level in enumerate(levels[: num_supported - 1]):
            samples = self._joint_samples(model, X_top, level, self.num_samples, self.random_state)
            losses[k] = ranking_loss(samples[: self.num_samples], y_top)
        losses[-1] = self._cross_validation_losses(model, levels[num_supported - 1], X_top, y_top)
        self.hypertune_theta = [float(t) for t in hypertune_weights(losses)]

    def current_ensemble_weights(self) -> dict[int, float]:
        """``theta'`` (module docstring): level -> weight."""
        levels = self.hypertune_levels()
        if self.hypertune_theta is None:
            return {levels[0]: 1.0}
        kept = {levels[k]: t for k, t in enumerate(self.hypertune_theta) if t > MIN_ENSEMBLE_WEIGHT}
        total = sum(kept.values())
        return {level: t / total for level, t in kept.items()}

    # -- acquisition -----------------------------------------------------------------
    def _acquisition(self, models: dict[str, SurrogateModel]) -> AcquisitionFunction:
        model = models[self._metric]
        self._update_weights(model)
        weights = self.current_ensemble_weights()
        self.ensemble_weights = weights
        predictor = EnsemblePredictor(model, weights)
        observed = {self._hp_ranges.config_to_match_string(o.config): o.config for o in self._observations_kept()}
        mean, _ = predictor.predict(self._hp_ranges.to_ndarray_matrix(list(observed.values())))
        mean = np.mean(mean, axis=1) if np.ndim(mean) == 2 else mean
        return ExpectedImprovement(predictor, float(np.min(mean)))

    # -- state -------------------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state.update(
            hypertune_theta=None if self.hypertune_theta is None else list(self.hypertune_theta),
            hypertune_signature=self._signature,
        )
        return state

    def _restore_from_state(self, state: dict[str, Any]) -> None:
        super()._restore_from_state(state)
        theta = state["hypertune_theta"]
        self.hypertune_theta = None if theta is None else list(theta)
        self._signature = state["hypertune_signature"]

