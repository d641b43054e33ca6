"""PD1 ("Pre-trained Gaussian Processes for Bayesian Optimization", Wang et
al., 2021/2024, the HyperBO data): learning curves of deep learning tasks
(dataset x model x batch size [x activation]) over 4 optimizer
hyperparameters.

Source: ``pd1.tar.gz`` (or its members ``pd1_matched_phase1_results.jsonl.gz``
and ``pd1_unmatched_phase1_results.jsonl.gz``) from the data mirror
(``pd1/``) or ``storage.googleapis.com``. Each JSON line is one run with
flat keys, among them ``dataset``, ``model``, ``hps.batch_size``,
``hps.activation_fn`` (may be null), ``hps.lr_hparams.initial_value``,
``hps.lr_hparams.power``, ``hps.lr_hparams.decay_steps_factor``,
``hps.opt_hparams.momentum``, and per-evaluation lists ``valid/error_rate``,
``valid/ce_loss``, ``eval_time`` (null when missing).

As in Syne Tune: one task per (dataset, model, [activation,] batch size),
named ``<dataset>_<model>[_<activation>]_batch_size_<bs>``; hyperparameters
``lr_initial_value``, ``lr_power``, ``lr_decay_steps_factor``,
``one_minus_momentum`` (the value of ``hps.opt_hparams.momentum``, which
the HyperBO search space samples as one minus momentum on a log scale);
objectives ``metric_valid_error_rate``, ``metric_valid_ce_loss``,
``metric_elapsed_time`` (cumulative ``eval_time``); fidelity
``global_step`` = index 1, 2, ... of the evaluation (curves padded with
NaN). Each task has its own configurations and curve length.
"""

from __future__ import annotations

import logging
import tarfile
from pathlib import Path
from typing import Dict, List

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
    BlackboxRecipe,
)
from syne_tune.blackbox_repository.conversion_scripts.scripts import (
    default_metric,
    default_mode,
    metric_elapsed_time,
    resource_attr,
    source,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    SourceNotFoundError,
    SourceFile,
    find_or_download,
    find_source,
)

logger = logging.getLogger(__name__)

BLACKBOX_NAME = "pd1"
METRIC_VALID_ERROR = "metric_valid_error_rate"
METRIC_ELAPSED_TIME = "metric_elapsed_time"
RESOURCE_ATTR = "global_step"
URL = "http://storage.googleapis.com/gresearch/pint/pd1.tar.gz"
FILES = ["pd1_matched_phase1_results.jsonl.gz", "pd1_unmatched_phase1_results.jsonl.gz"]
HP_COLUMNS = {
    "hps.lr_hparams.initial_value": "lr_initial_value",
    "hps.lr_hparams.power": "lr_power",
    "hps.lr_hparams.decay_steps_factor": "lr_decay_steps_factor",
    "hps.opt_hparams.momentum": "one_minus_momentum",
}
OBJECTIVE_COLUMNS = {
    "valid/error_rate": METRIC_VALID_ERROR,
    "valid/ce_loss": "metric_valid_ce_loss",
    "eval_time": METRIC_ELAPSED_TIME,
}
CITATION = (
    "Pre-trained Gaussian processes for Bayesian optimization. Wang, Z., Dahl, "
    "G., Swersky, K., Lee, C., Mariet, Z., Nado, Z., Gilmer, J., Snoek, J. and "
    "Ghahramani, Z. 2021."
)


def configuration_space():
    from syne_tune.config_space import loguniform, uniform

    return {
        "lr_initial_value": loguniform(1e-5, 10.0),
        "lr_power": uniform(0.1, 2.0),
        "lr_decay_steps_factor": uniform(0.01, 0.99),
        "one_minus_momentum": loguniform(1e-3, 1.0),
    }


def read_runs(paths: List[Path]) -> pd.DataFrame:
    frames = [pd.read_json(p, orient="records", lines=True, compression="gzip") for p in paths]
    return pd.concat(frames, ignore_index=True)


def task_name(row) -> str:
    activation = row.get("hps.activation_fn")
    suffix = "" if activation is None or (isinstance(activation, float) and np.isnan(activation)) else f"_{activation}"
    return f"{row['dataset']}_{row['model']}{suffix}_batch_size_{row['hps.batch_size']}"


def _curve(value) -> list:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return list(value)


def convert(df: pd.DataFrame) -> Dict[str, object]:
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
    from syne_tune.config_space import randint

    if "hps.activation_fn" not in df.columns:
        df["hps.activation_fn"] = None
    names = df.apply(task_name, axis=1)
    bb_dict = {}
    objectives = list(OBJECTIVE_COLUMNS.values())
    for task in pd.unique(names):
        runs = df.loc[names == task].reset_index(drop=True)
        hyperparameters = runs[list(HP_COLUMNS)].rename(columns=HP_COLUMNS).astype(np.float64)
        curves = {
            col: [_curve(v) for v in runs.get(col, pd.Series([None] * len(runs)))]
            for col in OBJECTIVE_COLUMNS
        }
        length = max([len(c) for cs in curves.values() for c in cs] + [1])
        values = np.full((len(runs), 1, length, len(objectives)), np.nan, dtype=np.float32)
        for j, col in enumerate(OBJECTIVE_COLUMNS):
            for row, curve in enumerate(curves[col]):
                if not curve:
                    continue
                curve = np.asarray(curve, dtype=np.float64)
                if col == "eval_time":
                    curve = np.cumsum(curve)
                values[row, 0, : len(curve), j] = curve
        bb_dict[task] = BlackboxTabular(
            hyperparameters=hyperparameters,
            configuration_space=configuration_space(),
            fidelity_space={RESOURCE_ATTR: randint(1, length)},
            objectives_evaluations=values,
            fidelity_values=np.arange(1, length + 1),
            objectives_names=objectives,
        )
    return bb_dict


def find_files(mirror_path, download_dir, allow_download: bool = True) -> List[Path]:
    extra = [download_dir] if download_dir is not None else []
    found = [find_source([f"pd1/{f}", f"pd1/pd1/{f}", f], mirror_path, extra) for f in FILES]
    if all(p is not None for p in found):
        return found
    tarball = find_or_download(
        BLACKBOX_NAME, ["pd1/pd1.tar.gz", "pd1.tar.gz"], URL if allow_download else None,
        mirror_path, download_dir,
    )
    out = Path(download_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(out, filter="data")
    found = []
    for f in FILES:
        matches = list(out.rglob(f))
        if not matches:
            raise SourceNotFoundError(f"{tarball} holds no {f}")
        found.append(matches[0])
    return found


class PD1Recipe(BlackboxRecipe):
    def __init__(self):
        super().__init__(name=BLACKBOX_NAME, cite_reference=CITATION)

    def data_sources(self):
        # the checksum of pd1.tar.gz is not known here (never downloaded)
        return [
            tuple(SourceFile((f"pd1/{f}", f"pd1/pd1/{f}", f)) for f in FILES),
            (SourceFile(("pd1/pd1.tar.gz", "pd1.tar.gz"), url=URL),),
        ]

    def _generate_on_disk(self, target: Path, mirror_path, download_dir: Path):
        from syne_tune.blackbox_repository.serialization import serialize

        paths = find_files(mirror_path, download_dir)
        serialize(
            convert(read_runs(paths)),
            target,
            metadata={
                default_metric: METRIC_VALID_ERROR,
                default_mode: "min",
                metric_elapsed_time: METRIC_ELAPSED_TIME,
                resource_attr: RESOURCE_ATTR,
                source: "pd1.tar.gz",
                "citation": self.cite_reference,
            },
        )


RECIPES = [PD1Recipe()]
