"""The tuner callback that stores every reported result.

:class:`StoreResultsCallback` turns each result the tuner processes into a
row (the reported metrics, ``trial_id``, ``st_decision``, ``st_status``,
``st_tuner_time`` and one ``config_<name>`` column per hyperparameter, the
configuration the trial ran with when it reported) and hands it to a
:class:`~syne_tune.results_store.ResultsStore`, which journals it before the
tuner acts on the scheduler's decision (see :mod:`syne_tune.results_store`
for the files and the crash-safety rules). A ``results.csv.zip`` is also
written at the end for tools that expect Syne Tune's single-file layout
(runs up to :data:`MAX_ROWS_CSV` rows).
"""

from __future__ import annotations

import logging
from pathlib import Path

from syne_tune.constants import ST_DECISION, ST_STATUS, ST_TRIAL_ID, ST_TUNER_TIME
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.results_store import RESULTS_FOLDER, ResultsIntegrityError, ResultsStore, read_results, repair_results
from syne_tune.trial import Trial
from syne_tune.tuner_callback import TunerCallback

logger = logging.getLogger(__name__)

__all__ = [
    "ExtraResultsComposer",
    "StoreResultsCallback",
    "read_results",
    "repair_results",
    "ResultsIntegrityError",
    "RESULTS_FOLDER",
    "MAX_ROWS_CSV",
]

#: Above this many rows the compatibility file results.csv.zip is not written.
MAX_ROWS_CSV = 200_000

#: decision -> its plain string (a dict lookup is cheaper than ``.value``)
_PLAIN_DECISION = {decision: decision.value for decision in SchedulerDecision}


class ExtraResultsComposer:
    """Adds extra columns (e.g. scheduler internals) to each stored row."""

    def __call__(self, tuner) -> dict | None:
        raise NotImplementedError

    def keys(self) -> list[str]:
        raise NotImplementedError


class StoreResultsCallback(TunerCallback):
    """Stores one row per reported result (the tuner adds one unless given).

    Parameters
    ----------
    add_wallclock_time
        Add the ``st_tuner_time`` column (tuner time; simulated time in a
        simulation).
    extra_results_composer
        Optional :class:`ExtraResultsComposer` adding columns to each row.
    flush_every_rows
        Rows held in memory before they are written as a parquet part.
    """

    def __init__(
        self,
        add_wallclock_time: bool = True,
        extra_results_composer: ExtraResultsComposer | None = None,
        flush_every_rows: int = 10_000,
    ):
        from syne_tune.utils.validation import Interval, check_parameter
        from numbers import Integral

        check_parameter(self, "add_wallclock_time", add_wallclock_time, ["boolean"])
        check_parameter(self, "extra_results_composer", extra_results_composer, [ExtraResultsComposer, "callable", None])
        check_parameter(self, "flush_every_rows", flush_every_rows, [Interval(Integral, 1, None, closed="left")])
        self.add_wallclock_time = add_wallclock_time
        self.extra_results_composer = extra_results_composer
        self.flush_every_rows = int(flush_every_rows)
        self.store: ResultsStore | None = None
        self._tuner = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_tuner"] = None
        state.pop("_clock", None)
        return state

    # -- opening (called by the tuner before on_tuning_start) --------------------
    def open(self, tuner, resumed: bool) -> list[tuple[dict, dict | None]]:
        """Open the store of ``tuner``'s run. A resumed tuner gets the rows
        stored after its snapshot, to replay (real backends; a simulation's
        later rows are dropped and simulated again)."""
        self._tuner = tuner
        journaled = not tuner.trial_backend.reproduces_from_snapshot
        if self.store is None or not resumed:
            self.store = ResultsStore(tuner.tuner_path, journaled=journaled, flush_every_rows=self.flush_every_rows)
            self.store.open_new()
            return []
        self.store.tuner_path = Path(tuner.tuner_path)
        return self.store.open_resumed(self.store.num_rows)

    # -- hooks -------------------------------------------------------------------
    def on_tuning_start(self, tuner) -> None:
        self._tuner = tuner
        self._clock = tuner.time_keeper.time
        if self.store is None or not self.store.is_open:
            # used outside the Tuner's run(): start a store of its own
            self.open(tuner, resumed=False)

    def on_trial_result(self, trial: Trial, status: str, result: dict, decision: str) -> None:
        row = dict(result)
        row[ST_DECISION] = _PLAIN_DECISION.get(decision, decision)
        row[ST_STATUS] = status
        row[ST_TRIAL_ID] = trial.trial_id
        if self.add_wallclock_time:
            row[ST_TUNER_TIME] = self._clock()
        if self.extra_results_composer is not None:
            extra = self.extra_results_composer(self._tuner)
            if extra:
                row.update(extra)
        self.store.append(row, trial.config)

    def on_tuning_end(self) -> None:
        if self.store is None:
            return
        self.store.close()
        self._write_csv_zip()

    # -- writing / reading -------------------------------------------------------
    def flush(self) -> None:
        """Write the rows held in memory as a parquet part."""
        if self.store is not None:
            self.store.compact()

    def _write_csv_zip(self) -> None:
        try:
            self.store.write_csv_zip(MAX_ROWS_CSV)
        except Exception as ex:  # the parquet parts are authoritative
            logger.warning("Could not write results.csv.zip: %s", ex)

    def dataframe(self):
        """Results stored so far."""
        import pandas as pd

        if self.store is None:
            return pd.DataFrame()
        return self.store.dataframe()
