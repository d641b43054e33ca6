"""The one abstract base for every scheduler, and what schedulers return.

A scheduler makes two kinds of decisions for the :class:`~syne_tune.Tuner`:

* which configuration to run next (:meth:`TrialScheduler.suggest`), either a
  new trial or the resumption of a paused one;
* what to do with a running trial after each reported result
  (:meth:`TrialScheduler.on_trial_result` returns a :class:`SchedulerDecision`).

Everything else (searchers, rung systems, models) is an implementation detail
of a concrete scheduler, so new methods plug in without touching the Tuner.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass
from typing import Any

from syne_tune.trial import Trial


class SchedulerDecision(str, enum.Enum):
    """Decision returned by :meth:`TrialScheduler.on_trial_result`.

    A string enum: each member equals its name as a plain string
    (``SchedulerDecision.STOP == "STOP"``), which is also what the
    ``st_decision`` column of the results stores.
    """

    CONTINUE = "CONTINUE"
    PAUSE = "PAUSE"
    STOP = "STOP"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value) -> "SchedulerDecision":
        """The member equal to ``value`` (a member or its string); ``ValueError``
        naming the valid decisions otherwise."""
        try:
            return cls(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a scheduler decision; expected one of {[d.value for d in cls]}"
            ) from None


#: All decisions (Syne Tune compatibility: ``decision in SchedulerDecision.ALL``).
SchedulerDecision.ALL = tuple(SchedulerDecision)


@dataclass
class TrialSuggestion:
    """What :meth:`TrialScheduler.suggest` returns.

    Parameters
    ----------
    spawn_new_trial_id
        ``True``: start a new trial with ``config`` (optionally seeded with the
        checkpoint of ``checkpoint_trial_id``). ``False``: resume the paused
        trial ``checkpoint_trial_id``, with ``config`` if given.
    checkpoint_trial_id
        Trial whose checkpoint is used (new trial) or which is resumed.
    config
        Configuration to evaluate.
    """

    spawn_new_trial_id: bool = True
    checkpoint_trial_id: int | None = None
    config: dict | None = None

    def __post_init__(self):
        if not self.spawn_new_trial_id and self.checkpoint_trial_id is None:
            raise ValueError("A resume suggestion needs the checkpoint_trial_id of the trial to resume")

    @staticmethod
    def start_suggestion(config: dict, checkpoint_trial_id: int | None = None) -> "TrialSuggestion":
        """Start a new trial with ``config``."""
        return TrialSuggestion(spawn_new_trial_id=True, checkpoint_trial_id=checkpoint_trial_id, config=config)

    @staticmethod
    def resume_suggestion(trial_id: int, config: dict | None = None) -> "TrialSuggestion":
        """Resume the paused trial ``trial_id`` (with a new ``config`` if given)."""
        return TrialSuggestion(spawn_new_trial_id=False, checkpoint_trial_id=trial_id, config=config)


def _normalize_metric_and_mode(metric, mode) -> tuple[list[str], list[str]]:
    """Validate ``metric`` (str or list) and ``mode`` ("min"/"max" or list)."""
    if metric is None:
        raise ValueError("metric must be given: the name of the metric reported by the training script")
    metrics = [metric] if isinstance(metric, str) else list(metric)
    if not metrics or not all(isinstance(m, str) and m for m in metrics):
        raise ValueError(f"metric must be a non-empty string or list of strings, got {metric!r}")
    if len(set(metrics)) != len(metrics):
        raise ValueError(f"metric has duplicate names: {metrics}")
    modes = [mode] * len(metrics) if isinstance(mode, str) else list(mode)
    if len(modes) != len(metrics):
        raise ValueError(f"mode {mode!r} must be a string or a list with one entry per metric {metrics}")
    for m in modes:
        if m not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {m!r}")
    return metrics, modes


class TrialScheduler(abc.ABC):
    """Abstract base of all schedulers.

    A subclass implements :meth:`_suggest` and :meth:`metric_names`, and
    overrides the event hooks it needs (they do nothing by default, and
    :meth:`on_trial_result` lets every trial continue). Schedulers must be
    picklable: the tuner saves them with its state, and a resumed tuner
    continues with the same decisions (see
    :class:`syne_tune.testing.SchedulerContract`).

    Parameters
    ----------
    config_space
        Configuration space: a dict from names to domains
        (:mod:`syne_tune.config_space`) or constants.
    """

    #: ``True`` for schedulers whose trials report results at several resource
    #: levels (Hyperband family); single-fidelity model searchers refuse them.
    multi_fidelity: bool = False

    def __init__(self, config_space: dict):
        from syne_tune.config_space import validate_config_space

        validate_config_space(config_space)
        self.config_space = config_space

    # -- suggestions -------------------------------------------------------
    def suggest(self, trial_id: int) -> TrialSuggestion | None:
        """Return the next trial to start or resume, or ``None`` when the
        scheduler has nothing more to run (e.g. a finite space is exhausted)."""
        suggestion = self._suggest(trial_id)
        if suggestion is not None and suggestion.config is not None:
            suggestion.config = self._postprocess_config(suggestion.config)
        return suggestion

    @abc.abstractmethod
    def _suggest(self, trial_id: int) -> TrialSuggestion | None:
        """What :meth:`suggest` returns, before its config is post-processed."""

    def _postprocess_config(self, config: dict) -> dict:
        """Cast values to their domain types and add constants of the space."""
        from syne_tune.config_space import Domain

        out = dict(config)
        for name, domain in self.config_space.items():
            if isinstance(domain, Domain):
                if name in out:
                    out[name] = domain.cast(out[name])
            elif name not in out:
                out[name] = domain
        return out

    # -- events ------------------------------------------------------------
    def on_trial_add(self, trial: Trial) -> None:
        """Called when a new trial is started by the tuner."""

    def on_trial_error(self, trial: Trial) -> None:
        """Called when a trial failed."""

    def on_trial_result(self, trial: Trial, result: dict) -> str:
        """Called for each new result; returns a :class:`SchedulerDecision`."""
        return SchedulerDecision.CONTINUE

    def on_trial_complete(self, trial: Trial, result: dict) -> None:
        """Called when a trial finished by itself, with its last result."""

    def on_trial_remove(self, trial: Trial) -> None:
        """Called when a trial is paused or stopped by the tuner."""

    # -- description -------------------------------------------------------
    @abc.abstractmethod
    def metric_names(self) -> list[str]:
        """Names of the metrics the scheduler optimizes."""

    def metric_mode(self) -> str | list[str]:
        """"min" or "max" (or one per metric for multi-objective schedulers):
        the scheduler's ``mode`` attribute, "min" if it has none."""
        return getattr(self, "mode", "min")

    def trials_checkpoints_can_be_removed(self) -> list[int]:
        """Ids of paused trials that will never be resumed, so their
        checkpoints can be deleted (used by
        :class:`~syne_tune.callbacks.RemoveCheckpointsCallback`). Default:
        none."""
        return []

    def is_multiobjective_scheduler(self) -> bool:
        return False

    def metadata(self) -> dict[str, Any]:
        """What the tuner stores in ``metadata.json`` about this scheduler."""
        from syne_tune.config_space import config_space_to_json_dict

        return {
            "scheduler_name": type(self).__name__,
            "metric_names": self.metric_names(),
            "metric_mode": self.metric_mode(),
            "config_space": config_space_to_json_dict(self.config_space),
        }

    def set_time_keeper(self, time_keeper) -> None:
        """Give the scheduler the tuner's clock (simulated time in simulation)."""
        self.time_keeper = time_keeper
