"""Offline evaluations of "A Quantile-based Approach for Hyperparameter
Transfer Learning" (Salinas, Shen, Perrone, ICML 2020): DeepAR, XGBoost and
NAS-Bench-201 (final values), one task per dataset, single fidelity.

Source files (``<mirror>/icml2020/<name>.csv.zip``, else downloaded from the
paper's repository at commit ``31cdb2f`` and checked against their SHA-256):

* ``DeepAR.csv.zip``: 2,510 rows, 11 tasks. Hyperparameters are stored as
  natural logs (``hp_*_log`` and, without suffix but also logged,
  ``hp_num_layers`` and ``hp_num_cells``); we store them on their natural
  scale. ``dataset_time_freq`` and ``dataset_prediction_length`` describe
  the task and are dropped. Objectives: ``metric_CRPS``,
  ``metric_train_loss``, ``metric_throughput``, ``metric_RMSE``,
  ``metric_time``.
* ``XGBoost.csv.zip``: 10 tasks x 5,000 configurations (different
  configurations per task). ``hp_log2_*`` are base-2 logs, stored on their
  natural scale; ``hp_max_depth_index`` is an integer 0..12. Objective
  ``metric_error``.
* ``nas_bench102.csv.zip``: 3 tasks x 15,625 NAS-Bench-201 cells.
  ``hp_x0..hp_x5`` are indices into NAS-Bench-201's operations (``none``,
  ``skip_connect``, ``nor_conv_1x1``, ``nor_conv_3x3``, ``avg_pool_3x3``),
  checked against ``arch_str``; stored as operation names like the
  ``nasbench201`` blackbox. Objectives ``metric_error`` (percent),
  ``metric_train_accuracy``, ``metric_test_accuracy``,
  ``metric_params_size``, ``metric_latency``.

Domains are the ranges the paper sampled from (they bound the data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
    BlackboxRecipe,
)
from syne_tune.blackbox_repository.conversion_scripts.scripts import (
    default_metric,
    default_mode,
    source,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    SourceFile,
    find_or_download,
)

#: the paper's repository at the commit the data mirror copied (PROVENANCE.md)
URL_ROOT = (
    "https://raw.githubusercontent.com/geoalgo/A-Quantile-based-Approach-for-Hyperparameter-"
    "Transfer-Learning/31cdb2ff29576201c365e77cb1d04d94f83bfe1a/src/blackbox/offline_evaluations/"
)

#: SHA-256 of the source files at that commit (computed on the mirrored copies)
SHA256 = {
    "DeepAR": "70869c97d28733d7eef2f7dac11a8a846d3e792038acc72017f61fbfb8de0a83",
    "XGBoost": "07bc5e4087cb408ac154871c1b64caf3f1c163ba9b05c0c703db78a0ec815349",
    "nas_bench102": "140c9f48d8e62e7247c7181a75820537b53bcd8c25e1f2285c91a45985d29964",
}


def source_file(file_stem: str) -> SourceFile:
    """Where ``<file_stem>.csv.zip`` is found or downloaded from."""
    return SourceFile(
        (f"icml2020/{file_stem}.csv.zip", f"{file_stem}.csv.zip"),
        url=URL_ROOT + f"{file_stem}.csv.zip",
        sha256=SHA256.get(file_stem),
    )

CITATION = (
    "A Quantile-based Approach for Hyperparameter Transfer Learning. "
    "Salinas, D., Shen, H. and Perrone, V. ICML 2020."
)

NB201_OPERATIONS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def _read_csv(file_stem: str, blackbox_name: str, mirror_path, download_dir) -> tuple:
    spec = source_file(file_stem)
    path = find_or_download(
        name=blackbox_name,
        relative_paths=list(spec.relative_paths),
        url=spec.url,
        mirror_path=mirror_path,
        download_dir=download_dir,
        sha256=spec.sha256,
    )
    return pd.read_csv(path), path


def deepar_configuration_space():
    from syne_tune.config_space import loguniform, lograndint, randint, uniform

    return {
        "hp_num_layers": randint(2, 4),
        "hp_num_cells": randint(30, 120),
        "hp_dropout_rate": uniform(0.01, 0.51),
        "hp_learning_rate": loguniform(1e-4, 1e-1),
        "hp_num_batches_per_epoch": lograndint(10, 10000),
        "hp_context_length_ratio": loguniform(0.05, 4.0),
    }


def xgboost_configuration_space():
    from syne_tune.config_space import loguniform, randint, uniform

    return {
        "hp_min_child_weight": loguniform(2.0**-8, 2.0**6),
        "hp_subsample": uniform(0.5, 1.0),
        "hp_colsample_bytree": uniform(0.3, 1.0),
        "hp_gamma": loguniform(2.0**-20, 2.0**6),
        "hp_lambda": loguniform(2.0**-10, 2.0**8),
        "hp_eta": uniform(0.0, 1.0),
        "hp_max_depth_index": randint(0, 12),
        "hp_alpha": loguniform(2.0**-20, 2.0**8),
    }


def nasbench201_configuration_space():
    from syne_tune.config_space import choice

    return {f"hp_x{i}": choice(list(NB201_OPERATIONS)) for i in range(6)}


def _clip_to_space(df: pd.DataFrame, space: dict):
    """Float rounding of exp/log can push a value just outside its domain."""
    for name, domain in space.items():
        lower = getattr(domain, "lower", None)
        upper = getattr(domain, "upper", None)
        if lower is not None and upper is not None and df[name].dtype.kind == "f":
            df[name] = df[name].clip(lower, upper)


def convert_deepar(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "hp_num_layers": np.rint(np.exp(df["hp_num_layers"])).astype(np.int64),
            "hp_num_cells": np.rint(np.exp(df["hp_num_cells"])).astype(np.int64),
            "hp_dropout_rate": np.exp(df["hp_dropout_rate_log"]),
            "hp_learning_rate": np.exp(df["hp_learning_rate_log"]),
            "hp_num_batches_per_epoch": np.rint(
                np.exp(df["hp_num_batches_per_epoch_log"])
            ).astype(np.int64),
            "hp_context_length_ratio": np.exp(df["hp_context_length_ratio_log"]),
        }
    )
    _clip_to_space(out, deepar_configuration_space())
    for col in ["metric_CRPS", "metric_train_loss", "metric_throughput", "metric_RMSE", "metric_time"]:
        out[col] = df[col].astype(np.float64)
    out["task"] = df["task"].astype(str)
    return out


def convert_xgboost(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "hp_min_child_weight": np.exp2(df["hp_log2_min_child_weight"]),
            "hp_subsample": df["hp_subsample"].astype(np.float64),
            "hp_colsample_bytree": df["hp_colsample_bytree"].astype(np.float64),
            "hp_gamma": np.exp2(df["hp_log2_gamma"]),
            "hp_lambda": np.exp2(df["hp_log2_lambda"]),
            "hp_eta": df["hp_eta"].astype(np.float64),
            "hp_max_depth_index": df["hp_max_depth_index"].astype(np.int64),
            "hp_alpha": np.exp2(df["hp_log2_alpha"]),
        }
    )
    _clip_to_space(out, xgboost_configuration_space())
    out["metric_error"] = df["metric_error"].astype(np.float64)
    out["task"] = df["task"].astype(str)
    return out


def _ops_of_arch_str(arch_str: str) -> list:
    ops = []
    for node in arch_str.split("+"):
        for edge in node.strip("|").split("|"):
            if edge:
                ops.append(edge.split("~")[0])
    return ops


def convert_nasbench201(df: pd.DataFrame) -> pd.DataFrame:
    codes = df[[f"hp_x{i}" for i in range(6)]].to_numpy()
    ops = np.asarray(NB201_OPERATIONS, dtype=object)[codes]
    # the integer codes must agree with the architecture strings
    for row in range(0, len(df), max(1, len(df) // 200)):
        if list(ops[row]) != _ops_of_arch_str(df["arch_str"].iloc[row]):
            raise ValueError(
                f"row {row}: hp_x codes {codes[row]} disagree with {df['arch_str'].iloc[row]}"
            )
    out = pd.DataFrame({f"hp_x{i}": ops[:, i] for i in range(6)})
    for col in [
        "metric_error",
        "metric_train_accuracy",
        "metric_test_accuracy",
        "metric_params_size",
        "metric_latency",
    ]:
        out[col] = df[col].astype(np.float64)
    out["task"] = df["task"].astype(str)
    return out


class ICML2020Recipe(BlackboxRecipe):
    def __init__(self, name: str, file_stem: str, converter, space_fn, metric: str, mode: str):
        super().__init__(name=name, cite_reference=CITATION)
        self.file_stem = file_stem
        self.converter = converter
        self.space_fn = space_fn
        self.metric = metric
        self.mode = mode

    def data_sources(self):
        return [(source_file(self.file_stem),)]

    def convert(self, mirror_path=None, download_dir=None):
        from syne_tune.blackbox_repository.blackbox_offline import BlackboxOffline

        raw, path = _read_csv(self.file_stem, self.name, mirror_path, download_dir)
        df = self.converter(raw)
        space = self.space_fn()
        objectives = [c for c in df.columns if c.startswith("metric_")]
        bb_dict = {}
        for task in pd.unique(df["task"]):
            task_df = df.loc[df["task"] == task].drop(columns=["task"]).reset_index(drop=True)
            bb_dict[str(task)] = BlackboxOffline(
                df_evaluations=task_df,
                configuration_space=space,
                objectives_names=objectives,
            )
        return bb_dict, path

    def _generate_on_disk(self, target: Path, mirror_path: Optional[Path], download_dir: Path):
        from syne_tune.blackbox_repository.serialization import serialize

        bb_dict, path = self.convert(mirror_path, download_dir)
        serialize(
            bb_dict,
            target,
            metadata={
                default_metric: self.metric,
                default_mode: self.mode,
                source: f"{self.file_stem}.csv.zip",
                "citation": self.cite_reference,
            },
        )


RECIPES = [
    ICML2020Recipe(
        "icml-deepar", "DeepAR", convert_deepar, deepar_configuration_space, "metric_CRPS", "min"
    ),
    ICML2020Recipe(
        "icml-xgboost", "XGBoost", convert_xgboost, xgboost_configuration_space, "metric_error", "min"
    ),
    ICML2020Recipe(
        "icml-nasbench201",
        "nas_bench102",
        convert_nasbench201,
        nasbench201_configuration_space,
        "metric_error",
        "min",
    ),
]
