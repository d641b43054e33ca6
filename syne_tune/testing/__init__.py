"""Contract test suites that every implementation of a concept passes.

Each suite is a class of pytest tests; subclass it in a test module and
implement its factory method, as with Optuna's shipped sampler and storage
test cases::

    from syne_tune.testing import SchedulerContract

    class TestMyScheduler(SchedulerContract):
        def make_scheduler(self, config_space, metric, mode, random_seed):
            return MyScheduler(config_space, metric=metric, mode=mode, random_seed=random_seed)

The suites need pytest (the ``dev`` extra); importing this package does not.
"""
