"""``BackendContract``: the pytest test suite every
:class:`~syne_tune.backend.trial_backend.TrialBackend` passes.

Subclass it in a test module (the class name must start with ``Test``),
implement :meth:`BackendContract.make_backend` and
:meth:`BackendContract.make_config`, and set the class attributes that
describe the backend::

    from syne_tune.testing.backend import BackendContract

    class TestMyBackend(BackendContract):
        def make_backend(self, tmp_path):
            return MyBackend(...)

        def make_config(self, epochs, fail_at=None):
            return {"epochs": epochs, "fail_at": fail_at or 0}

A trial started with ``make_config(epochs, fail_at)`` must report
``epoch = 1, 2, ..., epochs`` (and :attr:`BackendContract.metric`), and fail
right after reporting epoch ``fail_at - 1`` if ``fail_at`` is given. The
suite drives the backend as the tuner does (start, fetch, wait, pause,
resume, stop) and checks:

* trials report every result exactly once, in order, then complete; ids are
  0, 1, 2, ...; ``busy_trial_ids`` and ``trial_status`` follow;
* a paused trial reports nothing more; resumed, it continues after the last
  result the tuner was given (:attr:`~BackendContract.checkpoints`; or from
  a later checkpoint, :attr:`~BackendContract.pause_is_asynchronous`); a
  stopped trial reports nothing more and cannot be resumed; ``stop_all``
  ends every trial;
* a failing trial ends ``Failed`` after its results
  (:attr:`~BackendContract.can_fail`);
* many short trials, several at a time, each complete with their one result;
* bad calls (unknown trial ids, resuming a running trial) raise ``ValueError``;
* the backend's clock runs, and ``wait_for_activity`` returns;
* a copy pickled mid-run resumes: a backend that reproduces from snapshots
  continues exactly like the original, another one, told by ``recover`` how
  many results were replayed, delivers every later result (a trial restarted
  from its checkpoint may repeat the epoch it was killed in).

The suite needs pytest (the ``dev`` extra).
"""

from __future__ import annotations

import pickle
import time

import pytest

from syne_tune.backend.trial_backend import BUSY_STATUS, TrialBackend
from syne_tune.trial import Status

__all__ = ["BackendContract", "fetch_until"]


def fetch_until(
    backend: TrialBackend, trial_ids, done, timeout: float = 60.0, collected: list | None = None, wait: float = 0.05
) -> list[tuple[int, dict]]:
    """Fetch the results of ``trial_ids`` (waiting for activity in between)
    until ``done(collected results)``; the results, in the order fetched.

    After ``timeout`` seconds the backend's trials are stopped and the test
    fails, listing the results so far. For tests of a backend beyond the
    contract (``from syne_tune.testing.backend import fetch_until``).
    """
    collected = [] if collected is None else collected
    deadline = time.monotonic() + timeout
    while True:
        _, new = backend.fetch_status_results(list(trial_ids))
        collected.extend(new)
        if done(collected):
            return collected
        if time.monotonic() > deadline:
            backend.stop_all()
            pytest.fail(f"backend did not finish in {timeout}s; results so far: {collected}")
        if not new:
            backend.wait_for_activity(wait)


class BackendContract:
    """The contract tests (see the module docstring)."""

    #: Metric the trials report.
    metric = "loss"
    #: Resource the trials report.
    resource_attr = "epoch"
    #: Can a trial be made to fail (``make_config(..., fail_at=k)``)?
    can_fail = True
    #: Does a resumed trial continue from its checkpoint (else from scratch)?
    checkpoints = True
    #: Does a paused trial's process stop some time after ``pause_trial``
    #: returns (a cloud job the platform stops), so that its checkpoint can be
    #: several epochs ahead of the last result the tuner was given? Then a
    #: resumed trial continues from that checkpoint: its results are the
    #: epochs from some epoch at or after the paused one up to the end, without
    #: gaps (none, if the job reached the end before it was stopped).
    pause_is_asynchronous = False
    #: Seconds the tests wait for a backend before failing.
    timeout = 60.0
    #: Trials of the many-short-trials test.
    num_short_trials = 24

    def make_backend(self, tmp_path) -> TrialBackend:
        """A fresh backend (``tmp_path``: a folder of the test's own)."""
        raise NotImplementedError

    def make_config(self, epochs: int, fail_at: int | None = None) -> dict:
        """A config whose trial reports ``epochs`` results (see the module docstring)."""
        raise NotImplementedError

    # -- driving ---------------------------------------------------------------------
    def _backend(self, tmp_path) -> TrialBackend:
        backend = self.make_backend(tmp_path)
        assert isinstance(backend, TrialBackend)
        backend.time_keeper.start_of_time()
        return backend

    def _fetch_until(self, backend, trial_ids, done, collected=None) -> list[tuple[int, dict]]:
        return fetch_until(backend, trial_ids, done, self.timeout, collected)

    def _run_to_end(self, backend, trial_ids) -> list[tuple[int, dict]]:
        ids = list(trial_ids)
        return self._fetch_until(backend, ids, lambda _: all(backend.trial_status(t) not in BUSY_STATUS for t in ids))

    def _epochs(self, results, trial_id) -> list:
        return [r[self.resource_attr] for t, r in results if t == trial_id]

    # -- the contract ----------------------------------------------------------------
    def test_trials_report_every_result_once_then_complete(self, tmp_path):
        backend = self._backend(tmp_path)
        assert backend.new_trial_id() == 0
        trials = [backend.start_trial(self.make_config(epochs)) for epochs in (3, 5)]
        assert [t.trial_id for t in trials] == [0, 1] and backend.new_trial_id() == 2
        assert {t for t, _ in backend.busy_trial_ids()} == {0, 1}
        assert backend.get_trial(1).config == self.make_config(5)
        results = self._run_to_end(backend, [0, 1])
        assert self._epochs(results, 0) == [1, 2, 3]
        assert self._epochs(results, 1) == [1, 2, 3, 4, 5]
        assert all(self.metric in r for _, r in results)
        statuses, more = backend.fetch_status_results([0, 1])
        assert more == []
        assert {t: s for t, (_, s) in statuses.items()} == {0: Status.completed, 1: Status.completed}
        assert backend.busy_trial_ids() == []

    def test_pause_and_resume(self, tmp_path):
        backend = self._backend(tmp_path)
        backend.start_trial(self.make_config(12))
        results = self._fetch_until(backend, [0], lambda r: len(r) >= 2)
        last = results[-1][1]
        backend.pause_trial(0, last)
        assert backend.trial_status(0) == Status.paused and backend.busy_trial_ids() == []
        assert backend.fetch_status_results([0])[1] == []  # nothing after the decision
        with pytest.raises(ValueError):
            backend.pause_trial(0)
        backend.resume_trial(0)
        assert backend.trial_status(0) in BUSY_STATUS
        more = self._run_to_end(backend, [0])
        assert backend.trial_status(0) == Status.completed
        epochs = self._epochs(more, 0)
        if self.checkpoints and self.pause_is_asynchronous:
            # (none if the job ran to the end before the platform stopped it)
            assert not epochs or (epochs[0] >= last[self.resource_attr] and epochs == list(range(epochs[0], 13))), epochs
        elif self.checkpoints:
            # (the epoch paused at repeats if the trial was ended before checkpointing it)
            assert epochs in (list(range(last[self.resource_attr] + 1, 13)), list(range(last[self.resource_attr], 13)))
        else:
            assert epochs == list(range(1, 13))

    def test_stop(self, tmp_path):
        backend = self._backend(tmp_path)
        backend.start_trial(self.make_config(50))
        results = self._fetch_until(backend, [0], lambda r: len(r) >= 1)
        backend.stop_trial(0, results[-1][1])
        assert backend.trial_status(0) == Status.stopped
        time.sleep(0.05)
        assert backend.fetch_status_results([0])[1] == []
        with pytest.raises(ValueError):
            backend.resume_trial(0)

    def test_stop_all(self, tmp_path):
        backend = self._backend(tmp_path)
        for _ in range(3):
            backend.start_trial(self.make_config(50))
        backend.stop_all()
        assert backend.busy_trial_ids() == []
        assert all(backend.trial_status(t) == Status.stopped for t in range(3))

    def test_failure(self, tmp_path):
        if not self.can_fail:
            pytest.skip("trials of this backend cannot be made to fail")
        backend = self._backend(tmp_path)
        backend.start_trial(self.make_config(10, fail_at=3))
        backend.start_trial(self.make_config(2))
        results = self._run_to_end(backend, [0, 1])
        assert backend.trial_status(0) == Status.failed
        assert backend.trial_status(1) == Status.completed
        assert self._epochs(results, 0) == [1, 2]

    def test_many_short_trials(self, tmp_path):
        backend = self._backend(tmp_path)
        results = []
        started = 0
        n_workers = 4
        deadline = time.monotonic() + self.timeout
        while started < self.num_short_trials or backend.busy_trial_ids():
            while started < self.num_short_trials and len(backend.busy_trial_ids()) < n_workers:
                backend.start_trial(self.make_config(1))
                started += 1
            _, new = backend.fetch_status_results(list(range(started)))
            results.extend(new)
            if not new:
                backend.wait_for_activity(0.05)
            assert time.monotonic() < deadline, "many short trials did not finish"
        assert sorted(t for t, _ in results) == list(range(self.num_short_trials))
        assert all(backend.trial_status(t) == Status.completed for t in range(self.num_short_trials))

    def test_bad_calls_raise(self, tmp_path):
        backend = self._backend(tmp_path)
        with pytest.raises(ValueError):
            backend.pause_trial(0)
        backend.start_trial(self.make_config(50))
        with pytest.raises(ValueError):
            backend.resume_trial(0)  # it is running
        with pytest.raises(ValueError):
            backend.stop_trial(7)
        with pytest.raises(ValueError):
            backend.start_trial(self.make_config(1), checkpoint_trial_id=5)
        backend.stop_all()

    def test_clock_runs_and_wait_returns(self, tmp_path):
        backend = self._backend(tmp_path)
        keeper = backend.time_keeper
        start = keeper.time()
        backend.start_trial(self.make_config(3))
        self._run_to_end(backend, [0])
        assert keeper.time() > start
        t0 = time.monotonic()
        backend.wait_for_activity(0.05)  # nothing runs: returns
        assert time.monotonic() - t0 < 5.0

    def test_pickled_mid_run_resumes(self, tmp_path):
        backend = self._backend(tmp_path)
        backend.start_trial(self.make_config(10))
        seen = self._fetch_until(backend, [0], lambda r: len(r) >= 3)
        snapshot = pickle.dumps(backend)
        if backend.reproduces_from_snapshot:
            # the copy continues exactly like the original
            rest = self._run_to_end(backend, [0])
            copy = pickle.loads(snapshot)
            assert self._run_to_end(copy, [0]) == rest
            return
        # a crash: the tuner had journaled the first result after the snapshot
        backend.fetch_status_results([0])
        replayed = 1
        if not backend.interrupt_all():
            backend.stop_all()
        copy = pickle.loads(snapshot)
        copy.recover({0: replayed})
        rest = self._run_to_end(copy, [0])
        assert copy.trial_status(0) == Status.completed
        epochs = self._epochs(seen, 0) + list(range(len(seen) + 1, len(seen) + 1 + replayed)) + self._epochs(rest, 0)
        assert epochs[: len(seen) + replayed] == list(range(1, len(seen) + replayed + 1)), epochs
        assert set(epochs) == set(range(1, 11)) and epochs[-1] == 10, epochs  # nothing lost
        if self.checkpoints:
            # restarted from its checkpoint: at most the epoch it was killed in repeats
            assert len(epochs) - len(set(epochs)) <= 1, epochs
