"""Differential evolution Hyperband (DEHB; Awad, Mallik, Hutter, IJCAI 2021).

DEHB runs the brackets of synchronous Hyperband (:mod:`.hyperband`: the
slots of a rung are filled by jobs at the rung's level, and the next rung is
decided only once every slot holds a result), but the configuration of a
slot comes from differential evolution (DE) instead of random sampling,
except in the lowest rung of the first bracket, and instead of promotion,
once the first iteration (its first ``B`` brackets, see below) is over.

Brackets
--------
``rungs_first_bracket = [(n_0, r_0), ..., (n_K, r_K)]`` (sizes non-increasing,
levels increasing). Bracket offset ``b = 0 .. B - 1`` (``B`` =
``num_brackets_per_iteration``, default and at most ``K + 1``) has the rungs
``rungs_first_bracket[b:]``, so the rung at level ``r_k`` has ``n_k`` slots in
every bracket (Syne Tune's rule: later brackets spend less than Hyperband's,
whose sizes are recomputed per bracket). Brackets are opened in turn, offsets
``0, 1, ..., B - 1, 0, ...``, and jobs are assigned as in synchronous
Hyperband (:mod:`.hyperband_bracket_manager`: a free worker never waits, a
new bracket is opened instead).
:class:`~syne_tune.optimizer.schedulers.synchronous.hyperband_impl.GeometricDifferentialEvolutionHyperbandScheduler`
uses the first bracket of
:meth:`~.hyperband_rung_system.SynchronousHyperbandRungSystem.geometric` and
``B`` = its number of brackets: the levels of every bracket and all of the
first bracket equal synchronous Hyperband's.

Encoding
--------
A configuration is a vector in ``[0, 1]^d``, the encoding of
:class:`~syne_tune.optimizer.schedulers.searchers.utils.HyperparameterRanges`
(one coordinate per numerical, ordinal or binary hyperparameter, a one-hot
block per other categorical). Vectors are decoded by ``from_ndarray``:
integers are rounded, index coordinates go to the nearest value, one-hot
blocks to their arg-max. A trial keeps the vector it was made from (many
vectors decode to the same configuration).

Subpopulations
--------------
Level ``r_k`` has a subpopulation ``P_k`` of ``n_k`` members (trial ids,
empty until filled): slot ``j`` of a rung at level ``r_k``, in any bracket,
belongs to member ``P_k[j]``. ``G_k``, the global parent pool of ``r_k``, is
every trial with a result at ``r_k``, in order of arrival.

* First iteration (bracket ids ``0 .. B - 1``, one bracket per offset):
  promotion as in synchronous Hyperband. The lowest rung of the first bracket
  gets configurations from the searcher (``points_to_evaluate`` first, then
  random); rung ``k > 0`` of any of these brackets gets the top ``n_k``
  trials of its rung ``k - 1`` (ranked by result, NaN last). With
  ``support_pause_resume`` (default) they are paused at their level and
  resumed; otherwise a new trial with the promoted trial's configuration and
  vector starts from scratch. The lowest rung of brackets ``1 .. B - 1`` is
  filled by DE as below (the paper's rule: no promotion into a bracket's
  first rung, so evolution starts there at once).
* Every other slot (all slots of the later iterations): slot ``j`` of rung
  ``k`` (level ``r_k``) gets a new trial whose vector is a DE child of the
  target ``x = P_k[j]``:

  - parent pool: for ``k > 0``, the top ``n_k`` trials of rung ``k - 1`` of
    the same bracket (the ones synchronous Hyperband would promote); for the
    bracket's lowest rung, the filled members of ``P_k``. If it has fewer
    than 3 members, all members of ``G_k`` not in it are added; while still
    below 3, all of ``G_l`` (those not in it) for the other levels ``l``,
    highest first, level by level;
  - mutation ``rand/1``: ``r1, r2, r3`` are three distinct pool positions,
    drawn uniformly without replacement, and
    ``v = x_r1 + F (x_r2 - x_r3)``, ``F`` = ``mutation_factor``. Coordinates
    outside ``[0, 1]`` are resampled uniformly in ``[0, 1]`` (the paper's
    and the DEHB package's default repair; clipping would pile children up
    on the faces of the cube);
  - binomial crossover with ``CR`` = ``crossover_probability``: per
    hyperparameter ``h`` (a one-hot block counts as one, so a child never
    mixes two categorical encodings, as in Syne Tune), the child takes the
    mutant's coordinates if ``u_h < CR`` (``u_h ~ U[0, 1]``) or
    ``h = h_rand`` (uniform among the hyperparameters: at least one block
    comes from the mutant), else the target's;
  - selection (also for the trials of brackets ``1 .. B - 1``, which stay in
    their slots whatever its outcome, as the bracket promotes its own
    trials): once the child has its result ``y_c`` at ``r_k``, it is
    compared with the current ``P_k[j]`` and its result ``y_t`` at ``r_k``
    (the member may have changed since the crossover, if another bracket's
    slot ``j`` at ``r_k`` finished meanwhile). The child replaces it if it is
    at least as good (``y_c <= y_t`` for mode ``"min"``, ``>=`` for
    ``"max"``); a NaN (failed) child loses, a NaN target loses. After the
    first iteration the winner, with its result, fills the slot, so the top
    of the rung (the next rung's parent pool) is taken among winners.

  Special cases: a lowest-rung slot whose ``P_k[j]`` is still empty (the
  first bracket has not reached ``r_k`` yet) gets a configuration from the
  searcher; a higher-rung slot whose ``P_k[j]`` is empty gets the mutant
  itself (no crossover); either then becomes ``P_k[j]`` if that is still
  empty at its result, else it undergoes selection. A pool that stays below 3
  members gives a configuration from the searcher. A child whose
  configuration was suggested before (unless ``allow_duplicates``) is
  replaced by new DE draws, up to ``MAX_RETRIES // 2`` times, then by a
  configuration from the searcher; if there is none, the slot fails (NaN).

Trials of the first iteration are paused at their level (with
``support_pause_resume``) and resumed if promoted. Later trials are never
resumed: at their level they get STOP
(CONTINUE if their ``max_resource_attr`` value makes them end there, or at
the last level if their configuration does not ask for more, as in
synchronous Hyperband).

Searchers
---------
``"random_encoded"`` (default): random vectors uniform on ``[0, 1]^d``,
which has more entropy than ``"random"`` when there are discrete
hyperparameters; ``"random"``: configurations drawn with each domain's
sampler, then encoded. Both are :class:`EncodedRandomSearcher`; other names
are refused. ``search_options`` may hold ``allow_duplicates`` and
``restrict_configurations``: then every vector (random or DE child) is
mapped to the nearest (Euclidean, in the encoded space; a
:class:`scipy.spatial.cKDTree`) restricted configuration not suggested yet,
and the trial's vector becomes the encoding of that configuration.

All random draws come from the searcher's ``random_state``; per child, in
this order: the three parents (``choice``), the repair (``uniform``, only if
a coordinate is out of bounds), the crossover (``uniform`` per
hyperparameter, then ``randint`` for ``h_rand``).

Differences to Syne Tune 0.13 and the paper
-------------------------------------------
* Crossover always forces one mutant block ``h_rand`` (the classic binomial
  crossover of the paper); Syne Tune forces one only when no block was drawn.
* Selection keeps the child on ties (DE's ``f(u) <= f(x)``); Syne Tune keeps
  the target.
* The target is the subpopulation member ``P_k[j]`` (the latest decided slot
  ``j`` at ``r_k``); Syne Tune looks back through earlier brackets for the
  latest one whose slot ``j`` is decided. Both agree unless brackets overlap.
  Where Syne Tune takes a random trial as target (empty ``P_k[j]``) or fails
  (pool below 3 after adding all global pools), the rules above apply.
* As in the paper (and the DEHB package), trials are promoted in all brackets
  of the first iteration; Syne Tune promotes in the first bracket only (its
  other brackets' higher rungs get DE children from the start, which spend
  budget on configurations trained from scratch before the subpopulations
  hold any information).
* ``restrict_configurations`` and the ``"random"`` searcher's encoding are
  additions; Syne Tune accepts any searcher for the initial configurations.
* ``mutation_factor`` must lie in ``(0, 1]`` (Syne Tune's documented range),
  ``crossover_probability`` in ``[0, 1]``.
"""

from __future__ import annotations

import logging
import math
from numbers import Integral, Real
from typing import Any, Sequence

import numpy as np

from syne_tune.optimizer.scheduler import SchedulerDecision, TrialSuggestion
from syne_tune.optimizer.schedulers.fifo import check_metric_in_result
from syne_tune.optimizer.schedulers.hyperband import check_resource_in_result, trial_end_decision
from syne_tune.optimizer.schedulers.searchers.searcher_base import (
    MAX_RETRIES,
    MAX_SEED,
    StochasticAndFilterDuplicatesSearcher,
)
from syne_tune.optimizer.schedulers.synchronous.hyperband import SynchronousHyperbandScheduler
from syne_tune.optimizer.schedulers.synchronous.hyperband_bracket import (
    SlotInRung,
    SynchronousHyperbandBracket,
    check_bracket_rungs,
)
from syne_tune.optimizer.schedulers.synchronous.hyperband_bracket_manager import (
    SynchronousHyperbandBracketManager,
)
from syne_tune.trial import Trial
from syne_tune.utils.validation import (
    Interval,
    InvalidParameterError,
    Options,
    check_keys,
    check_parameter,
    validate_parameters,
)

__all__ = [
    "DifferentialEvolutionHyperbandScheduler",
    "DifferentialEvolutionHyperbandBracket",
    "DifferentialEvolutionHyperbandBracketManager",
    "EncodedRandomSearcher",
    "dehb_bracket_rungs",
    "rand1_mutation",
    "resample_out_of_bounds",
    "binomial_crossover",
    "child_wins",
]

logger = logging.getLogger(__name__)

#: Searcher names DEHB accepts (see the module docstring).
DEHB_SEARCHERS = ("random_encoded", "random")
#: Keys of ``search_options`` DEHB accepts.
DEHB_SEARCH_OPTIONS = ("allow_duplicates", "restrict_configurations")


# -- DE operators ---------------------------------------------------------------
def rand1_mutation(x_r1: np.ndarray, x_r2: np.ndarray, x_r3: np.ndarray, mutation_factor: float) -> np.ndarray:
    """DE ``rand/1`` mutant ``x_r1 + F (x_r2 - x_r3)``.

    Parameters
    ----------
    x_r1, x_r2, x_r3
        Encoded parent vectors.
    mutation_factor
        ``F``.

    Returns
    -------
    np.ndarray
        The mutant (not repaired, may leave ``[0, 1]``).
    """
    return np.asarray(x_r1, dtype=float) + mutation_factor * (
        np.asarray(x_r2, dtype=float) - np.asarray(x_r3, dtype=float)
    )


def resample_out_of_bounds(vector: np.ndarray, random_state: np.random.RandomState) -> np.ndarray:
    """``vector`` with each coordinate outside ``[0, 1]`` replaced by a
    uniform draw in ``[0, 1]`` (one ``uniform`` call, only if there is one).

    Parameters
    ----------
    vector
        Encoded vector.
    random_state
        Source of the draws.

    Returns
    -------
    np.ndarray
        A new array.
    """
    out = np.array(vector, dtype=float)
    bad = np.flatnonzero((out < 0.0) | (out > 1.0))
    if bad.size:
        out[bad] = random_state.uniform(size=bad.size)
    return out


def binomial_crossover(
    mutant: np.ndarray,
    target: np.ndarray,
    crossover_probability: float,
    blocks: Sequence[tuple[int, int]],
    random_state: np.random.RandomState,
) -> np.ndarray:
    """Binomial crossover per hyperparameter block, with one forced block.

    Block ``h`` (columns ``start:end``) comes from ``mutant`` if
    ``u_h < crossover_probability`` or ``h == h_rand``, else from
    ``target``; ``u = random_state.uniform(size=len(blocks))`` is drawn
    first, then ``h_rand = random_state.randint(len(blocks))``.

    Parameters
    ----------
    mutant, target
        Encoded vectors of the same size.
    crossover_probability
        ``CR`` in ``[0, 1]``.
    blocks
        ``(start, end)`` columns per hyperparameter, contiguous and in order
        (``HyperparameterRanges.encoded_ranges``).
    random_state
        Source of the draws.

    Returns
    -------
    np.ndarray
        The child.
    """
    num = len(blocks)
    take = random_state.uniform(size=num) < crossover_probability
    take[random_state.randint(num)] = True
    columns = np.repeat(take, [end - start for start, end in blocks])
    return np.where(columns, np.asarray(mutant, dtype=float), np.asarray(target, dtype=float))


def child_wins(child_value: float, target_value: float, mode: str) -> bool:
    """DE selection: whether the child replaces the target (ties go to the
    child; a NaN target always loses, otherwise a NaN child loses).

    Parameters
    ----------
    child_value, target_value
        Results at the same level.
    mode
        ``"min"`` or ``"max"``.

    Returns
    -------
    bool
    """
    if math.isnan(target_value):
        return True
    if math.isnan(child_value):
        return False
    return child_value <= target_value if mode == "min" else child_value >= target_value


# -- brackets ---------------------------------------------------------------------
def dehb_bracket_rungs(rungs_first_bracket, num_brackets_per_iteration: int | None = None) -> list:
    """The brackets of one DEHB iteration: ``rungs_first_bracket[b:]`` for
    ``b = 0 .. B - 1``.

    Parameters
    ----------
    rungs_first_bracket
        ``[(size, level), ...]`` of the first bracket.
    num_brackets_per_iteration
        ``B``; default and maximum ``len(rungs_first_bracket)`` (larger values
        are reduced, with a warning).

    Returns
    -------
    list[list[tuple[int, int]]]

    Raises
    ------
    ValueError
        For invalid rungs.
    """
    rungs = check_bracket_rungs(rungs_first_bracket)
    if num_brackets_per_iteration is None:
        num_brackets_per_iteration = len(rungs)
    elif num_brackets_per_iteration > len(rungs):
        logger.warning(
            "num_brackets_per_iteration = %d is larger than the number of rungs of the first bracket (%d): using %d",
            num_brackets_per_iteration, len(rungs), len(rungs),
        )
        num_brackets_per_iteration = len(rungs)
    return [rungs[b:] for b in range(num_brackets_per_iteration)]


class DifferentialEvolutionHyperbandBracket(SynchronousHyperbandBracket):
    """A bracket that records the ranked top of each completed rung in
    :attr:`top_of_previous_rung` and, unless ``promote``, leaves the slots of
    the next rung free (their trials are new, chosen by DE).

    Parameters
    ----------
    rungs, mode
        See :class:`SynchronousHyperbandBracket`.
    promote
        Whether the top trials fill the next rung (synchronous Hyperband).
    """

    def __init__(self, rungs, mode: str, promote: bool = True):
        super().__init__(rungs, mode)
        self.promote = promote
        #: Best first, as many as the current rung has slots
        self.top_of_previous_rung: list = []

    def _complete_rung(self) -> list:
        not_promoted = super()._complete_rung()
        if not self.is_bracket_complete():
            self.top_of_previous_rung = list(self._trial_ids)
            if not self.promote:
                self._trial_ids = [None] * len(self._trial_ids)
        return not_promoted


class DifferentialEvolutionHyperbandBracketManager(SynchronousHyperbandBracketManager):
    """Bracket manager of DEHB: brackets :func:`dehb_bracket_rungs`; the
    brackets of the first iteration (one per offset) promote if
    ``promote_first_iteration``, later ones never do.

    Parameters
    ----------
    rungs_first_bracket
        ``[(size, level), ...]`` of the first bracket.
    mode
        ``"min"`` or ``"max"``.
    num_brackets_per_iteration
        See :func:`dehb_bracket_rungs`.
    promote_first_iteration
        Whether promoted trials of the first iteration are the same trials
        (resumed); if not, the scheduler starts new ones.
    """

    def __init__(
        self,
        rungs_first_bracket,
        mode: str,
        num_brackets_per_iteration: int | None = None,
        promote_first_iteration: bool = True,
    ):
        self.promote_first_iteration = promote_first_iteration
        super().__init__(dehb_bracket_rungs(rungs_first_bracket, num_brackets_per_iteration), mode)

    def _new_bracket(self) -> int:
        bracket_id = len(self.brackets)
        offset = bracket_id % self.num_bracket_offsets
        promote = self.in_first_iteration(bracket_id) and self.promote_first_iteration
        self._offsets.append(offset)
        self.brackets.append(DifferentialEvolutionHyperbandBracket(self.bracket_rungs[offset], self.mode, promote))
        return bracket_id

    def in_first_iteration(self, bracket_id: int) -> bool:
        """Whether bracket ``bracket_id`` belongs to the first iteration (one
        bracket per offset), whose higher rungs are filled by promotion."""
        return bracket_id < self.num_bracket_offsets


# -- searcher ---------------------------------------------------------------------
class EncodedRandomSearcher(StochasticAndFilterDuplicatesSearcher):
    """Initial and random configurations of DEHB, with their encoded vectors,
    and the mapping of DE children to configurations (duplicate filtering,
    ``restrict_configurations``).

    Parameters
    ----------
    config_space, metric, points_to_evaluate, mode, random_seed, allow_duplicates
        See :class:`StochasticAndFilterDuplicatesSearcher`.
    restrict_configurations
        If given, every vector is mapped to the nearest restricted
        configuration (Euclidean distance of encodings) not suggested yet;
        ``sample_encoded=False`` draws uniformly among the unused ones.
    sample_encoded
        ``True`` (searcher name ``"random_encoded"``): random vectors uniform
        on ``[0, 1]^d``; ``False`` (``"random"``): configurations drawn with
        the domains' samplers, then encoded.
    """

    _parameter_constraints = {"sample_encoded": ["boolean"]}

    def __init__(
        self,
        config_space: dict,
        metric: str | list[str],
        points_to_evaluate: list[dict] | None = None,
        mode: str | list[str] = "min",
        random_seed: int | None = None,
        allow_duplicates: bool | None = None,
        restrict_configurations: list[dict] | None = None,
        sample_encoded: bool = True,
    ):
        validate_parameters(self, locals())
        super().__init__(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            allow_duplicates=allow_duplicates,
            restrict_configurations=restrict_configurations,
        )
        self.sample_encoded = bool(sample_encoded)
        self._last_encoded: np.ndarray | None = None
        self._restrict_encoded = None if self._restrict is None else self._hp_ranges.to_ndarray_matrix(self._restrict)
        self._tree = None  # built on first use, not pickled

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_tree"] = None
        return state

    def _update(self, trial_id, config: dict, result: dict) -> None:
        """Nothing is learned (DE works on the scheduler's populations)."""

    def is_exhausted(self) -> bool:
        """Whether every configuration (of ``restrict_configurations``, or of a
        finite space) has been suggested (never with ``allow_duplicates``)."""
        return self._exhausted()

    def _nearest_unused(self, vector: np.ndarray) -> tuple[dict, np.ndarray] | None:
        """The restricted configuration nearest to ``vector`` that may be
        suggested (taken off the unused list), with its encoding."""
        if self._tree is None:
            from scipy.spatial import cKDTree  # only with restrict_configurations (importing baselines stays cheap)

            self._tree = cKDTree(self._restrict_encoded)
        n = len(self._restrict)
        usable = np.zeros(n, dtype=bool)
        usable[np.arange(n) if self._allow_duplicates else self._restrict_unused] = True
        k = min(n, 8)
        while True:
            _, idx = self._tree.query(vector, k=k)
            for i in np.atleast_1d(idx).tolist():
                if not usable[i]:
                    continue
                config = self._restrict[i]
                if not self._allow_duplicates:
                    self._restrict_unused.remove(i)
                if self.should_not_suggest(config):
                    usable[i] = False
                    continue
                return dict(config), self._restrict_encoded[i].copy()
            if k == n:
                return None
            k = min(n, 4 * k)

    def _decode(self, vector: np.ndarray) -> tuple[dict, np.ndarray] | None:
        if self._restrict is not None:
            return self._nearest_unused(vector)
        return self._hp_ranges.from_ndarray(vector), vector

    def _get_config(self, **kwargs) -> dict | None:
        config = self._next_new_initial_config()
        if config is not None or not self.sample_encoded:
            if config is None:
                config = self._get_random_config()
                if config is None:
                    return None
            self._last_encoded = self._hp_ranges.to_ndarray(config)
            return config
        for _ in range(MAX_RETRIES):
            if self._exhausted():
                return None
            found = self._decode(self.random_state.uniform(size=self._hp_ranges.ndarray_size))
            if found is None:
                return None
            config, self._last_encoded = found
            if not self.should_not_suggest(config):
                return config
        logger.warning("%s: no new configuration after %d random vectors", type(self).__name__, MAX_RETRIES)
        return None

    def next_encoded(self) -> tuple[dict, np.ndarray] | None:
        """The next initial or random configuration and its vector.

        Returns
        -------
        tuple[dict, np.ndarray] | None
            ``None`` once the space (or the restricted list) is exhausted.
        """
        config = self.get_config()
        if config is None:
            return None
        return config, self._last_encoded

    def config_for_encoded(self, vector: np.ndarray) -> tuple[dict, np.ndarray] | None:
        """The configuration of a DE child (remembered as suggested).

        Parameters
        ----------
        vector
            Encoded child.

        Returns
        -------
        tuple[dict, np.ndarray] | None
            The configuration (constants included) and the trial's vector
            (``vector``, or the restricted configuration's encoding); ``None``
            if it was suggested before or the restricted list is used up.
        """
        found = self._decode(np.asarray(vector, dtype=float))
        if found is None or self.should_not_suggest(found[0]):
            return None
        config, vector = found
        if not self._allow_duplicates:
            self._seen.add(self._match_string(config))
        return self._with_constants(config), vector


# -- scheduler ----------------------------------------------------------------------
class DifferentialEvolutionHyperbandScheduler(SynchronousHyperbandScheduler):
    """Differential evolution Hyperband (DEHB, see the module docstring).

    Parameters
    ----------
    config_space
        Configuration space.
    rungs_first_bracket
        ``[(size, level), ...]`` of the first bracket (sizes non-increasing,
        levels increasing); later brackets drop its lowest rungs.
    num_brackets_per_iteration
        Brackets per iteration (default and maximum: the number of rungs).
    metric
        Metric to optimize (required).
    searcher
        ``"random_encoded"`` (default) or ``"random"``: how initial
        configurations are drawn.
    search_options
        ``allow_duplicates`` and / or ``restrict_configurations`` (passed to
        :class:`EncodedRandomSearcher`).
    mode
        ``"min"`` (default) or ``"max"``.
    points_to_evaluate
        Configurations for the first slots drawn from the searcher (``None``:
        one of midpoint values, ``[]``: none).
    random_seed
        Seed of every random decision (drawn if ``None``).
    max_resource_attr
        Config key receiving the level each trial runs to.
    max_resource_level
        Maximum resource (Syne Tune's name for ``max_t``; only needed by the
        geometric variant).
    resource_attr
        Resource in results (default ``"epoch"``).
    mutation_factor
        ``F`` in ``(0, 1]`` (default 0.5).
    crossover_probability
        ``CR`` in ``[0, 1]`` (default 0.5).
    support_pause_resume
        If ``True`` (default), promoted trials of the first iteration are
        paused and resumed; else new trials with their configurations start
        from scratch.
    kwargs
        ``max_t``, ``time_keeper`` (:class:`FIFOScheduler`).

    Raises
    ------
    InvalidParameterError
        For an argument of the wrong type or out of range.
    """

    #: Attempts at a new configuration for one slot (half of them by DE).
    MAX_RETRIES = 50

    _parameter_constraints = {
        "rungs_first_bracket": [list, tuple, None],
        "num_brackets_per_iteration": [Interval(Integral, 1, None, closed="left"), None],
        "mutation_factor": [Interval(Real, 0, 1, closed="right")],
        "crossover_probability": [Interval(Real, 0, 1, closed="both")],
        "support_pause_resume": ["boolean"],
    }

    def __init__(
        self,
        config_space: dict,
        rungs_first_bracket: list[tuple[int, int]] | None,
        num_brackets_per_iteration: int | None = None,
        metric: str | None = None,
        searcher: str = "random_encoded",
        search_options: dict | None = None,
        mode: str = "min",
        points_to_evaluate: list[dict] | None = None,
        random_seed: int | None = None,
        max_resource_attr: str | None = None,
        max_resource_level: int | None = None,
        resource_attr: str = "epoch",
        mutation_factor: float = 0.5,
        crossover_probability: float = 0.5,
        support_pause_resume: bool = True,
        **kwargs,
    ):
        validate_parameters(self, locals())
        check_parameter(self, "searcher", searcher, [Options(str, DEHB_SEARCHERS)])
        search_options = dict(search_options or {})
        check_keys(self, "search_options", search_options, DEHB_SEARCH_OPTIONS)
        if rungs_first_bracket is not None:
            try:
                rungs_first_bracket = check_bracket_rungs(rungs_first_bracket)
            except ValueError as ex:
                raise InvalidParameterError(
                    f"The 'rungs_first_bracket' parameter of {type(self).__name__} must be a list of "
                    f"(size, level) pairs: {ex}. Got {rungs_first_bracket!r} instead."
                ) from None
        self._rungs_first_bracket = rungs_first_bracket
        self._num_brackets_per_iteration = num_brackets_per_iteration
        self.mutation_factor = float(mutation_factor)
        self.crossover_probability = float(crossover_probability)
        self.support_pause_resume = bool(support_pause_resume)
        self.searcher_name = searcher
        if random_seed is None:
            random_seed = int(np.random.randint(0, MAX_SEED))
        de_searcher = EncodedRandomSearcher(
            config_space,
            metric=metric,
            points_to_evaluate=points_to_evaluate,
            mode=mode,
            random_seed=random_seed,
            sample_encoded=searcher == "random_encoded",
            **search_options,
        )
        super().__init__(
            config_space,
            bracket_rungs=None,
            resource_attr=resource_attr,
            max_resource_level=max_resource_level,
            searcher=de_searcher,
            metric=metric,
            mode=mode,
            random_seed=random_seed,
            max_resource_attr=max_resource_attr,
            **kwargs,
        )
        bracket_rungs = self.bracket_manager.bracket_rungs
        self.bracket_manager = DifferentialEvolutionHyperbandBracketManager(
            bracket_rungs[0],
            self._modes[0],
            num_brackets_per_iteration=len(bracket_rungs),
            promote_first_iteration=self.support_pause_resume,
        )
        hp_ranges = self.searcher._hp_ranges
        self._blocks = [hp_ranges.encoded_ranges[k] for k in hp_ranges.internal_keys]
        # trial_id -> encoded vector (trials that were started)
        self._encoded: dict[Any, np.ndarray] = {}
        # level -> subpopulation P_k (trial ids, None where not filled yet)
        self._population: dict[int, list] = {level: [None] * size for size, level in bracket_rungs[0]}
        # level -> {trial_id: result at that level} (the global parent pools G_k)
        self._level_values: dict[int, dict] = {level: {} for _, level in bracket_rungs[0]}

    # -- construction hooks ---------------------------------------------------------
    def _first_bracket(self) -> tuple[list, int | None]:
        """``(rungs_first_bracket, num_brackets_per_iteration)``; called once
        ``max_t`` is known."""
        if self._rungs_first_bracket is None:
            raise InvalidParameterError(
                f"The 'rungs_first_bracket' parameter of {type(self).__name__} must be a list of (size, level) "
                "pairs. Got None instead."
            )
        return self._rungs_first_bracket, self._num_brackets_per_iteration

    def _make_bracket_rungs(self, bracket_rungs):
        return dehb_bracket_rungs(*self._first_bracket())

    # -- suggestions ----------------------------------------------------------------
    def _start_slot(self, bracket_id: int, slot: SlotInRung, trial_id: int) -> TrialSuggestion | None:
        found = self._new_config(bracket_id, slot)
        if found is None:
            return None
        config, vector = found
        config = dict(config)
        if self.max_resource_attr is not None:
            config[self.max_resource_attr] = slot.level
        slot.trial_id = trial_id
        self._configs[trial_id] = dict(config)
        self._encoded[trial_id] = np.asarray(vector, dtype=float)
        self._pending[trial_id] = (bracket_id, slot)
        self._decisions[trial_id] = SchedulerDecision.CONTINUE
        self.searcher.register_pending(trial_id, config=config, milestone=slot.level)
        return TrialSuggestion.start_suggestion(config)

    def _new_config(self, bracket_id: int, slot: SlotInRung) -> tuple[dict, np.ndarray] | None:
        """Configuration and vector of the new trial for ``slot``."""
        bracket = self.bracket_manager.brackets[bracket_id]
        if slot.rung_index > 0 and self.bracket_manager.in_first_iteration(bracket_id):
            # promotion without pause and resume: same config, new trial
            parent = bracket.top_of_previous_rung[slot.slot_index]
            if parent in self._encoded:
                return self._configs[parent], self._encoded[parent]
            return self.searcher.next_encoded()
        if bracket_id == 0:
            return self.searcher.next_encoded()
        if self.searcher.is_exhausted():
            return None  # every configuration was suggested: no child can be new
        for _ in range(self.MAX_RETRIES // 2):
            child = self.de_child(bracket, slot)
            if child is None:
                break
            found = self.searcher.config_for_encoded(child)
            if found is not None:
                return found
        return self.searcher.next_encoded()

    def _parent_pool(self, bracket: DifferentialEvolutionHyperbandBracket, slot: SlotInRung) -> list:
        if slot.rung_index == 0:
            pool = [t for t in self._population[slot.level] if t is not None]
        else:
            pool = [t for t in bracket.top_of_previous_rung if t in self._encoded]
        if len(pool) < 3:
            others = sorted((lv for lv in self._level_values if lv != slot.level), reverse=True)
            members = set(pool)
            for level in [slot.level] + others:
                for tid in self._level_values[level]:
                    if tid not in members:
                        pool.append(tid)
                        members.add(tid)
                if len(pool) >= 3:
                    break
        return pool

    def de_child(self, bracket: DifferentialEvolutionHyperbandBracket, slot: SlotInRung) -> np.ndarray | None:
        """The DE child vector for ``slot`` of ``bracket`` (not the first
        bracket): mutation, repair, crossover with ``P_k[j]`` (module
        docstring).

        Parameters
        ----------
        bracket
            The slot's bracket.
        slot
            A free slot of its current rung.

        Returns
        -------
        np.ndarray | None
            ``None`` where a configuration from the searcher is used instead
            (lowest rung with an empty ``P_k[j]``, or fewer than 3 parents).
        """
        target = self._population[slot.level][slot.slot_index]
        if slot.rung_index == 0 and target is None:
            return None
        pool = self._parent_pool(bracket, slot)
        if len(pool) < 3:
            return None
        random_state = self.searcher.random_state
        r1, r2, r3 = random_state.choice(len(pool), 3, replace=False).tolist()
        mutant = rand1_mutation(
            self._encoded[pool[r1]], self._encoded[pool[r2]], self._encoded[pool[r3]], self.mutation_factor
        )
        mutant = resample_out_of_bounds(mutant, random_state)
        if target is None:
            return mutant
        return binomial_crossover(
            mutant, self._encoded[target], self.crossover_probability, self._blocks, random_state
        )

    # -- results ------------------------------------------------------------------------
    def _fill_slot(self, trial_id, value: float) -> tuple[int, SlotInRung]:
        """Records the result of ``trial_id`` at its slot's level, does the
        selection (brackets after the first) and fills the slot with the
        winner; in the first iteration, the trial keeps its slot whatever the
        selection's outcome (its bracket promotes its own trials)."""
        bracket_id, slot = self._pending.pop(trial_id)
        level, pos = slot.level, slot.slot_index
        value = float(value)
        winner, winner_value = trial_id, value
        if trial_id in self._encoded:
            self._level_values[level][trial_id] = value
            member = self._population[level][pos]
            if bracket_id > 0 and member is not None and member != trial_id:
                member_value = self._level_values[level][member]
                if not child_wins(value, member_value, self._modes[0]):
                    winner, winner_value = member, member_value
            self._population[level][pos] = winner
        if self.bracket_manager.in_first_iteration(bracket_id):
            winner, winner_value = trial_id, value
        slot.trial_id = winner
        slot.metric_val = winner_value
        self._on_slot_result(bracket_id, slot)
        return bracket_id, slot

    def _on_slot_result(self, bracket_id: int, slot: SlotInRung) -> None:
        not_promoted = self.bracket_manager.on_result(bracket_id, slot)
        # Only paused trials (first iteration) have checkpoints worth removing early
        if not_promoted and self.bracket_manager.brackets[bracket_id].promote:
            self._checkpoints_to_remove.extend(tid for tid in not_promoted if tid in self._configs)

    def on_trial_result(self, trial: Trial, result: dict) -> str:
        trial_id = trial.trial_id
        check_metric_in_result(result, self._metrics, trial_id)
        resource = check_resource_in_result(result, self._resource_attr, trial_id)
        job = self._pending.get(trial_id)
        if job is None:
            return self._decisions.get(trial_id, SchedulerDecision.STOP)
        bracket_id, slot = job
        value = float(result[self._metrics[0]])
        self._last_value[trial_id] = value
        if resource < slot.level:
            return SchedulerDecision.CONTINUE
        self._fill_slot(trial_id, value)
        last_level = self.bracket_manager.is_last_level(bracket_id, slot.level)
        if self.bracket_manager.brackets[bracket_id].promote and not last_level:
            decision = SchedulerDecision.PAUSE
        elif last_level or self.max_resource_attr is not None:
            # CONTINUE if the trial ends by itself at this level
            decision = trial_end_decision(trial.config, resource, self.max_resource_attr)
        else:
            decision = SchedulerDecision.STOP
        self._decisions[trial_id] = decision
        return decision

    def metadata(self) -> dict[str, Any]:
        meta = super().metadata()
        meta.update(
            searcher=self.searcher_name,
            mutation_factor=self.mutation_factor,
            crossover_probability=self.crossover_probability,
            support_pause_resume=self.support_pause_resume,
        )
        return meta
