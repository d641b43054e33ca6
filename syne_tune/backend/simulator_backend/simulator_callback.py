"""Tuner callback for simulations: stores results the way simulations need."""

from __future__ import annotations

from syne_tune.results_callback import ExtraResultsComposer, StoreResultsCallback


class SimulatorCallback(StoreResultsCallback):
    """Results store for a simulation:
    ``Tuner(trial_backend=SimulatorBackend(...), ..., callbacks=[SimulatorCallback()])``.

    The simulator backend owns the simulated clock and moves it to its next
    event whenever the tuner waits, so the tuner, the stop criteria
    (``max_wallclock_time``), the schedulers and the ``st_tuner_time`` column
    use simulated time without any help from this callback. What it adds to
    :class:`StoreResultsCallback`:

    * it checks that the backend is a simulator;
    * the single-file copy ``results.csv.zip`` is written only on request: a
      simulation produces thousands of results per second, and writing that
      file would take longer than the simulation itself (the parquet parts
      are read by ``tuner.results_dataframe()`` and ``load_experiment``).

    Parameters
    ----------
    extra_results_composer
        Optional :class:`ExtraResultsComposer` adding columns to each row.
    write_csv_zip
        Also write ``results.csv.zip`` at the end of tuning.
    """

    def __init__(self, extra_results_composer: ExtraResultsComposer | None = None, write_csv_zip: bool = False):
        from syne_tune.utils.validation import check_parameter

        super().__init__(add_wallclock_time=True, extra_results_composer=extra_results_composer)
        check_parameter(self, "write_csv_zip", write_csv_zip, ["boolean"])
        self.write_csv_zip = write_csv_zip

    def _write_csv_zip(self) -> None:
        if self.write_csv_zip:
            super()._write_csv_zip()

    def open(self, tuner, resumed: bool):
        from syne_tune.backend.simulator_backend.simulator_backend import SimulatorBackend

        backend = tuner.trial_backend
        if not isinstance(backend, SimulatorBackend):
            raise TypeError(
                "SimulatorCallback needs a simulator backend (SimulatorBackend, BlackboxRepositoryBackend, "
                f"UserBlackboxBackend), but the tuner's backend is a {type(backend).__name__}"
            )
        return super().open(tuner, resumed)
