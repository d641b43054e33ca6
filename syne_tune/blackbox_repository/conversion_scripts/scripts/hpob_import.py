"""HPO-B ("HPO-B: A Large-Scale Reproducible Benchmark for Black-Box HPO based
on OpenML", Pineda Arango et al., 2021): evaluations of 16 search spaces
(one blackbox ``hpob_<search space id>`` each) on many OpenML datasets.

Source: ``hpob-data.zip`` or its folder ``hpob-data/`` with
``meta-train-dataset.json``, ``meta-validation-dataset.json`` and
``meta-test-dataset.json`` (and optionally ``meta-dataset-descriptors.json``),
from the data mirror (``hpob/``) or the original URL. Each JSON maps
``search space id -> dataset id -> {"X": [[...], ...], "y": [[v], ...]}``,
where ``X`` rows are the configurations as HPO-B preprocessed them (numbers
scaled to [0, 1], categorical values one-hot encoded) and ``y`` the
response (accuracy, maximized).

We keep HPO-B's representation: one hyperparameter per column of ``X``,
named after ``variables_order`` of the descriptors file when it matches,
else ``x0``, ``x1``, ...; domain ``choice([0.0, 1.0])`` for columns holding
only 0 and 1 (one-hot indicators), else ``uniform(min, max)`` over all
datasets (usually [0, 1]). One task per dataset id (each with its own
configurations). Objectives: ``metric_accuracy`` and
``metric_elapsed_time``, a placeholder of 1 per evaluation (HPO-B records no
times; ``metadata["elapsed_time_is_placeholder"] = True``). No fidelity.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
    BlackboxRecipe,
)
from syne_tune.blackbox_repository.conversion_scripts.scripts import (
    default_metric,
    default_mode,
    metric_elapsed_time,
    source,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    SourceNotFoundError,
    SourceFile,
    find_or_download,
    find_source,
)

PREFIX = "hpob_"
URL = "https://rewind.tf.uni-freiburg.de/index.php/s/xdrJQPCTNi2zbfL/download/hpob-data.zip"
SPLITS = ["meta-train-dataset.json", "meta-validation-dataset.json", "meta-test-dataset.json"]
DESCRIPTORS = "meta-dataset-descriptors.json"
SEARCH_SPACES = [
    "4796", "5527", "5636", "5859", "5860", "5889", "5891", "5906",
    "5965", "5970", "5971", "6766", "6767", "6794", "7607", "7609",
]
CITATION = (
    "HPO-B: A Large-Scale Reproducible Benchmark for Black-Box HPO based on "
    "OpenML. Pineda Arango, S., Jomaa, H. S., Wistuba, M. and Grabocka, J. 2021."
)


def _load_json_files(folder_or_zip: Path) -> Dict[str, dict]:
    """File name -> parsed JSON for the split files (and descriptors)."""
    out = {}
    wanted = SPLITS + [DESCRIPTORS]
    if folder_or_zip.suffix == ".zip":
        with zipfile.ZipFile(folder_or_zip) as zf:
            for member in zf.namelist():
                base = member.rsplit("/", 1)[-1]
                if base in wanted:
                    with zf.open(member) as f:
                        out[base] = json.load(f)
    else:
        for base in wanted:
            path = folder_or_zip / base
            if path.exists():
                with open(path) as f:
                    out[base] = json.load(f)
    missing = [s for s in SPLITS if s not in out]
    if missing:
        raise SourceNotFoundError(f"{folder_or_zip} lacks {missing}")
    return out


def _column_names(num: int, descriptor: Optional[dict]) -> List[str]:
    names = None
    if isinstance(descriptor, dict):
        order = descriptor.get("variables_order")
        if isinstance(order, list) and len(order) == num:
            names = [re.sub(r"[^0-9A-Za-z_.]+", "_", str(v)) for v in order]
            if len(set(names)) != num:
                names = None
    return names or [f"x{i}" for i in range(num)]


def convert_search_space(files: Dict[str, dict], space_id: str) -> Dict[str, object]:
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
    from syne_tune.config_space import choice, uniform

    datasets = {}
    for split in SPLITS:
        for ds, entry in files[split].get(space_id, {}).items():
            datasets.setdefault(str(ds), entry)
    if not datasets:
        raise SourceNotFoundError(f"HPO-B data have no search space {space_id}")
    X_all = np.concatenate([np.asarray(e["X"], dtype=np.float64) for e in datasets.values()])
    num = X_all.shape[1]
    descriptor = files.get(DESCRIPTORS, {}).get(space_id)
    names = _column_names(num, descriptor)
    space = {}
    for j, name in enumerate(names):
        column = X_all[:, j]
        if np.isin(column, [0.0, 1.0]).all():
            space[name] = choice([0.0, 1.0])
        else:
            lo, hi = float(column.min()), float(column.max())
            space[name] = uniform(min(lo, 0.0), max(hi, 1.0))
    bb_dict = {}
    for ds, entry in datasets.items():
        X = np.asarray(entry["X"], dtype=np.float64)
        y = np.asarray(entry["y"], dtype=np.float64).reshape(len(X), -1)[:, 0]
        frame = pd.DataFrame(X, columns=names)
        # HPO-B has a few repeated configurations: keep the first
        keep = ~frame.duplicated().to_numpy()
        values = np.stack([y[keep], np.ones(keep.sum())], axis=-1)
        bb_dict[ds] = BlackboxTabular(
            hyperparameters=frame[keep].reset_index(drop=True),
            configuration_space=space,
            fidelity_space=None,
            objectives_evaluations=values[:, None, None, :].astype(np.float32),
            objectives_names=["metric_accuracy", "metric_elapsed_time"],
        )
    return bb_dict


def find_data(mirror_path, download_dir, allow_download: bool = True) -> Path:
    extra = [download_dir] if download_dir is not None else []
    folder = find_source(["hpob/hpob-data", "hpob-data", "hpob"], mirror_path, extra)
    if folder is not None and folder.is_dir() and (folder / SPLITS[0]).exists():
        return folder
    return find_or_download(
        "hpob", ["hpob/hpob-data.zip", "hpob-data.zip"], URL if allow_download else None,
        mirror_path, download_dir,
    )


class HPOBRecipe(BlackboxRecipe):
    def __init__(self, space_id: str):
        super().__init__(name=PREFIX + space_id, cite_reference=CITATION)
        self.space_id = space_id

    def download_dir(self, repository_path=None) -> Path:
        return super().download_dir(repository_path).parent / "hpob"  # one for all spaces

    def data_sources(self):
        # the checksum of hpob-data.zip is not known here (never downloaded)
        return [
            (SourceFile(("hpob/hpob-data/" + SPLITS[0],)),),
            (SourceFile(("hpob/hpob-data.zip", "hpob-data.zip"), url=URL),),
        ]

    def _generate_on_disk(self, target: Path, mirror_path, download_dir: Path):
        from syne_tune.blackbox_repository.serialization import serialize

        # all search spaces share one download
        path = find_data(mirror_path, download_dir.parent / "hpob")
        files = _load_json_files(path)
        serialize(
            convert_search_space(files, self.space_id),
            target,
            metadata={
                default_metric: "metric_accuracy",
                default_mode: "max",
                metric_elapsed_time: "metric_elapsed_time",
                "elapsed_time_is_placeholder": True,
                source: "hpob-data.zip",
                "search_space_id": self.space_id,
                "citation": self.cite_reference,
            },
        )


RECIPES = [HPOBRecipe(space_id) for space_id in SEARCH_SPACES]
