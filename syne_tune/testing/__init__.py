"""Contract test suites that every implementation of a concept passes.

Each suite is a class of pytest tests; subclass it in a test module (the
class name must start with ``Test``) and implement its factory method, as
with Optuna's shipped sampler and storage test cases::

    from syne_tune.testing import SchedulerContract

    class TestMyScheduler(SchedulerContract):
        def make_scheduler(self, config_space, metric, mode, random_seed):
            return MyScheduler(config_space, metric=metric, mode=mode, random_seed=random_seed)

* :class:`SchedulerContract` (:mod:`syne_tune.testing.scheduler`): every
  :class:`~syne_tune.optimizer.scheduler.TrialScheduler`, including "pickled
  mid-run, it continues with identical decisions", and
  :class:`MultiObjectiveSchedulerContract`, the same for schedulers of
  several metrics;
* :class:`SearcherContract` (:mod:`syne_tune.testing.searcher`): every
  searcher;
* :class:`BackendContract` (:mod:`syne_tune.testing.backend`): every
  :class:`~syne_tune.backend.trial_backend.TrialBackend` (start, pause,
  resume, stop, failure, many short trials, resuming after a crash);
* :class:`BlackboxContract` (:mod:`syne_tune.testing.blackbox`): every
  :class:`~syne_tune.blackbox_repository.blackbox.Blackbox`.

The suites need pytest (the ``dev`` extra); importing this package does not
import them.
"""

from __future__ import annotations

__all__ = [
    "SchedulerContract",
    "MultiObjectiveSchedulerContract",
    "SearcherContract",
    "BackendContract",
    "BlackboxContract",
]

_LAZY = {
    "SchedulerContract": "syne_tune.testing.scheduler",
    "MultiObjectiveSchedulerContract": "syne_tune.testing.scheduler",
    "SearcherContract": "syne_tune.testing.searcher",
    "BackendContract": "syne_tune.testing.backend",
    "BlackboxContract": "syne_tune.testing.blackbox",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'syne_tune.testing' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
