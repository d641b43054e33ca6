"""Tuner callback that runs the tuner on the simulator's clock."""

from __future__ import annotations

import logging

from syne_tune.results_callback import ExtraResultsComposer, StoreResultsCallback

logger = logging.getLogger(__name__)


class SimulatorCallback(StoreResultsCallback):
    """Use with a :class:`SimulatorBackend`:
    ``Tuner(..., sleep_time=0, callbacks=[SimulatorCallback()])``.

    * At the start of tuning, the tuner's clock is replaced by the backend's
      simulated clock, so that stop criteria (``max_wallclock_time``), the
      schedulers and the ``st_tuner_time`` column use simulated time.
    * Whenever the tuner has handled all results and status changes the
      backend had for it (at the end of each loop iteration, and when an
      iteration made no progress), the clock jumps to the next simulated
      event instead of sleeping. With ``sleep_time > 0`` the clock instead advances by
      ``sleep_time`` per idle iteration, as for a real tuner polling its
      workers (slower to simulate, and results are seen up to ``sleep_time``
      late).
    * Results are stored as by :class:`StoreResultsCallback`.

    * Results are stored as by :class:`StoreResultsCallback` (parquet parts,
      read by ``tuner.results_dataframe()`` and ``load_experiment``), except
      that the single-file copy ``results.csv.zip`` is written only on
      request: a simulation produces thousands of results per second, and
      writing that file would take longer than the simulation itself.

    Parameters
    ----------
    extra_results_composer
        Optional :class:`ExtraResultsComposer` adding columns to each row.
    write_csv_zip
        Also write ``results.csv.zip`` at the end of tuning.
    """

    def __init__(self, extra_results_composer: ExtraResultsComposer | None = None, write_csv_zip: bool = False):
        super().__init__(add_wallclock_time=True, extra_results_composer=extra_results_composer)
        if not isinstance(write_csv_zip, bool):
            raise TypeError(f"write_csv_zip must be a bool, got {write_csv_zip!r}")
        self.write_csv_zip = write_csv_zip
        self._backend = None
        self._jump = True

    def _write_csv_zip(self, tuner_path) -> None:
        if self.write_csv_zip:
            super()._write_csv_zip(tuner_path)

    def __getstate__(self):
        state = super().__getstate__()
        state["_backend"] = None
        return state

    def on_tuning_start(self, tuner) -> None:
        from syne_tune.backend.simulator_backend.simulator_backend import SimulatorBackend

        backend = tuner.trial_backend
        if not isinstance(backend, SimulatorBackend):
            raise TypeError(
                "SimulatorCallback needs a simulator backend (SimulatorBackend, BlackboxRepositoryBackend, "
                f"UserBlackboxBackend), but the tuner's backend is a {type(backend).__name__}"
            )
        self._backend = backend
        self._jump = tuner.sleep_time == 0
        if not self._jump:
            logger.info(
                "SimulatorCallback: sleep_time = %s; the simulated tuner polls every %s simulated seconds "
                "(use sleep_time=0 to jump to the next event)",
                tuner.sleep_time,
                tuner.sleep_time,
            )
        tuner.time_keeper = backend.time_keeper
        super().on_tuning_start(tuner)

    def on_tuning_sleep(self, sleep_time: float) -> None:
        if self._jump and self._backend is not None:
            self._backend.advance_to_next_event()

    def on_loop_end(self) -> None:
        # Once the tuner has handled everything the backend had for it, the
        # next iteration can only wait for the next event: jump there now,
        # which saves the idle iteration.
        if self._jump and self._backend is not None:
            self._backend.advance_to_next_event(only_if_idle=True)
