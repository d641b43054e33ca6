"""Old import path of :mod:`syne_tune.trial` (Syne Tune's
``syne_tune.backend.trial_status``); the types live there now."""

from syne_tune.trial import Status, Trial, TrialResult

__all__ = ["Status", "Trial", "TrialResult"]
