"""Rung systems of RUSH (Zappella, Salinas and Archambeau, 2021, "A
resource-efficient method for repeated HPO and NAS problems", AutoML workshop
at ICML 2021): ASHA with thresholds set by configurations known to be good.

:class:`~syne_tune.optimizer.schedulers.transfer_learning.RUSHScheduler` puts
the best configurations of earlier tasks (and ``custom_rush_points``) first
into ``points_to_evaluate``; the first ``num_threshold_candidates`` trials
(trial ids ``0, ..., num_threshold_candidates - 1``, the ids the tuner gives
to the first configurations) are the *threshold candidates*. These types of
:class:`~syne_tune.optimizer.schedulers.HyperbandScheduler` can also be used
directly, ``type="rush_stopping"`` or ``type="rush_promotion"`` with
``rung_system_kwargs={"num_threshold_candidates": n}`` (default 0: plain ASHA).

Rule. All values are signed (the metric for ``mode="min"``, minus it for
``mode="max"``; NaN counts as ``+inf``), so smaller is better. The threshold
of rung ``j`` is

    ``theta_j = min { v_c(j) : c a threshold candidate recorded at rung j }``

(undefined while no candidate has a value there), where ``v_c(j)`` is the
signed value of ``c`` recorded at rung ``j``. A trial *meets the threshold*
at rung ``j`` iff it is a threshold candidate, or ``theta_j`` is undefined,
or its value ``v <= theta_j`` (at least as good as the best candidate; ties
pass).

* :class:`RUSHStoppingRungSystem`: a trial reaching rung ``j`` continues iff
  ASHA's stopping rule lets it continue (``v <= cutoff_j`` or fewer than two
  values, see :mod:`.rung_system`) **and** it meets the threshold. So a new
  trial worse than ``theta_j`` is stopped, and threshold candidates are judged
  by ASHA's rule only.
* :class:`RUSHPromotionRungSystem`: trials pause at every rung. A paused
  trial at rung ``j`` is promotable iff ASHA's promotion rule allows it (at
  least two values at ``j`` and ``v <= cutoff_j``) **and** it meets the
  threshold; at each rung (scanned from the top, as in ASHA) the best
  promotable paused trial is promoted. Since thresholds only improve, a new
  trial failing the threshold can never be promoted later; when the best
  paused trial of a rung is such a trial, the best paused threshold candidate
  within the cutoff is promoted instead (or nothing).

Differences to Syne Tune, and why:

* ``theta_j`` is the best value of *all* candidates recorded at rung ``j``,
  as the paper describes the hurdle ("the best threshold configuration at
  that rung"). Syne Tune lets a candidate set the threshold only when ASHA's
  rule continues it (stopping) or when it is promoted from the rung
  (promotion), so there the promotion variant has no threshold at a rung
  until a candidate leaves it.
* In the promotion variant Syne Tune only looks at the best paused trial of a
  rung; a paused candidate behind a new trial that fails the threshold would
  wait until a better trial arrives. Here the candidate is promoted (it
  passes ASHA's rule, which is all that candidates are judged by).

Threshold candidates are identified by their trial ids (``int(trial_id) <
num_threshold_candidates``), as in Syne Tune: this assumes trial ids count
from 0 in the order of suggestion, which the tuner does.

The state (thresholds, candidates per rung) is plain attributes, so a pickled
scheduler continues identically.
"""

from __future__ import annotations

from numbers import Integral

from syne_tune.optimizer.schedulers.multifidelity.rung_system import (
    PromotionRungSystem,
    Rung,
    StoppingRungSystem,
    register_rung_system,
)
from syne_tune.utils.validation import Interval, validate_parameters

__all__ = ["RUSHMixin", "RUSHStoppingRungSystem", "RUSHPromotionRungSystem"]


class RUSHMixin:
    """Thresholds of RUSH on top of a :class:`~.rung_system.RungSystem`
    (see the module docstring).

    Parameters (via ``rung_system_kwargs``)
    ---------------------------------------
    num_threshold_candidates
        Number of threshold candidates, the trials with ids ``0, ...,
        num_threshold_candidates - 1`` (default 0: no thresholds, plain ASHA).
    """

    _parameter_constraints = {"num_threshold_candidates": [Interval(Integral, 0, None, closed="left")]}

    def __init__(self, *args, num_threshold_candidates: int = 0, **kwargs):
        validate_parameters(self, {"num_threshold_candidates": num_threshold_candidates})
        super().__init__(*args, **kwargs)
        self.num_threshold_candidates = int(num_threshold_candidates)
        # rung level -> theta_j (signed); absent while no candidate has a value there
        self._thresholds: dict[int, float] = {}
        # rung level -> threshold candidates recorded there (at most
        # num_threshold_candidates each)
        self._candidates_at: dict[int, list] = {}

    def is_threshold_candidate(self, trial_id) -> bool:
        """Whether ``trial_id`` is one of the threshold candidates
        (``0 <= int(trial_id) < num_threshold_candidates``)."""
        if self.num_threshold_candidates == 0:
            return False
        try:
            return 0 <= int(trial_id) < self.num_threshold_candidates
        except (TypeError, ValueError):
            return False

    def threshold(self, level: int) -> float | None:
        """The threshold at rung ``level`` in metric units (the best value of
        the candidates recorded there), or ``None`` if there is none yet."""
        value = self._thresholds.get(level)
        return None if value is None else self._sign * value

    def thresholds(self) -> dict[int, float]:
        """rung level -> threshold (metric units), for the rungs that have one."""
        return {level: self._sign * value for level, value in sorted(self._thresholds.items())}

    def meets_threshold(self, trial_id, signed_value: float, rung: Rung) -> bool:
        """RUSH's condition at ``rung``: ``trial_id`` is a candidate, or the
        rung has no threshold, or ``signed_value <= theta_j``."""
        if self.is_threshold_candidate(trial_id):
            return True
        theta = self._thresholds.get(rung.level)
        return theta is None or signed_value <= theta

    def _record(self, trial_id, result: dict, rung: Rung, paused: bool) -> float:
        signed = super()._record(trial_id, result, rung, paused)
        if self.is_threshold_candidate(trial_id):
            level = rung.level
            theta = self._thresholds.get(level)
            if theta is None or signed < theta:
                self._thresholds[level] = signed
            self._candidates_at.setdefault(level, []).append(trial_id)
        return signed


class RUSHStoppingRungSystem(RUSHMixin, StoppingRungSystem):
    """RUSH, stopping variant: continue iff ASHA's stopping rule and the
    threshold allow it (see the module docstring)."""

    def _task_continues(self, trial_id, signed_value: float, rung: Rung) -> bool:
        return super()._task_continues(trial_id, signed_value, rung) and self.meets_threshold(
            trial_id, signed_value, rung
        )


class RUSHPromotionRungSystem(RUSHMixin, PromotionRungSystem):
    """RUSH, promotion variant: promote the best paused trial that passes
    ASHA's promotion rule and meets the threshold (see the module docstring)."""

    def _is_promotable_trial(self, trial_id, signed_value: float, rung: Rung) -> bool:
        return self.meets_threshold(trial_id, signed_value, rung) and super()._is_promotable_trial(
            trial_id, signed_value, rung
        )

    def _find_promotable_trial(self, rung: Rung):
        trial_id = super()._find_promotable_trial(rung)
        if trial_id is not None:
            return trial_id
        # The best paused trial is not promotable. If it failed only the
        # threshold, so does every paused new trial behind it (thresholds only
        # improve): the next in ASHA's order is the best paused candidate
        # within the cutoff. (If it is above the cutoff, so are they all.)
        cutoff = rung.cutoff()
        if cutoff is None:
            return None
        paused = sorted(
            (rung.entries[tid], seq, tid)
            for seq, tid in enumerate(self._candidates_at.get(rung.level, ()))
            if rung.is_paused(tid)
        )
        for value, _, tid in paused:
            if value > cutoff:
                return None
            if self._is_promotable_trial(tid, value, rung):
                return tid
        return None


register_rung_system("rush_stopping", RUSHStoppingRungSystem)
register_rung_system("rush_promotion", RUSHPromotionRungSystem)
