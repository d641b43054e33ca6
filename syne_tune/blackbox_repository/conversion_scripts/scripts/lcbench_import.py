"""LCBench ("Auto-PyTorch: Multi-Fidelity MetaLearning for Efficient and
Robust AutoDL", Zimmer, Lindauer and Hutter, 2021): learning curves of 2,000
MLP configurations on 35 OpenML datasets, 50 epochs, one seed.

Source: ``data_2k.json`` or its lightweight version ``data_2k_lw.json``
(possibly zipped: ``data_2k_lw.zip``, ``data_2k.zip``) from the data mirror
(``lcbench/``) or figshare. The JSON maps ``dataset -> config id (string) ->
{"config": {...}, "log": {"epoch": [...], "time": [...], "Train/val_accuracy":
[...], ...}, "results": {...}}``. Hyperparameters: the non-constant entries
of ``config`` (``batch_size``, ``learning_rate``, ``momentum``,
``weight_decay``, ``num_layers``, ``max_units``, ``max_dropout``).
Objectives (LCBench's tag names without ``Train/``): ``val_accuracy``
(percent), ``val_cross_entropy``, ``val_balanced_accuracy``,
``test_cross_entropy``, ``test_balanced_accuracy``, ``time`` (cumulative
seconds), plus ``val_error = 1 - val_accuracy / 100``; tags absent from the
file are left out.

Fidelity ``epoch`` = 1, ..., 50: of the 52 values a curve logs, the first
(the untrained network) and the last (beyond LCBench's 50 epochs) are
dropped and ``time`` is counted from the first
(:func:`~.lcbench_format.training_epochs`, where the reason is given).
Shorter curves are padded with NaN.

Order of sources: the original file in the mirror or the download folder;
else the table sampled from the YAHPO surrogate in the mirror
(:mod:`...scripts.lcbench_surrogate_import`, same names); else the original
file downloaded from figshare (progress bar; no known checksum). Offline
without either, one :class:`~...utils.SourceNotFoundError` names both ways of
providing the data.
"""

from __future__ import annotations

import json
import logging
import zipfile
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
from syne_tune.blackbox_repository.conversion_scripts.scripts.lcbench_format import (
    CONFIGURATION_SPACE,
    RECIPE_VERSION,
    training_epochs,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    SourceFile,
    SourceNotFoundError,
    find_or_download,
)

logger = logging.getLogger(__name__)

BLACKBOX_NAME = "lcbench"
METRIC_ACCURACY = "val_accuracy"
METRIC_ELAPSED_TIME = "time"
RESOURCE_ATTR = "epoch"
URL = "https://figshare.com/ndownloader/files/21188598"
HYPERPARAMETERS = [
    "num_layers",
    "max_units",
    "batch_size",
    "learning_rate",
    "weight_decay",
    "momentum",
    "max_dropout",
]
TAGS = {
    "val_accuracy": "Train/val_accuracy",
    "val_cross_entropy": "Train/val_cross_entropy",
    "val_balanced_accuracy": "Train/val_balanced_accuracy",
    "test_cross_entropy": "Train/test_cross_entropy",
    "test_balanced_accuracy": "Train/test_balanced_accuracy",
    "time": "time",
}
CITATION = (
    "Auto-PyTorch: Multi-Fidelity MetaLearning for Efficient and Robust AutoDL. "
    "Zimmer, L., Lindauer, M. and Hutter, F. 2021."
)


def configuration_space():
    """LCBench's search space (one definition, shared with the surrogate-sampled table)."""
    return dict(CONFIGURATION_SPACE)


def read_json(path: Path) -> dict:
    path = Path(path)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.endswith(".json")]
            if not names:
                raise SourceNotFoundError(f"{path} holds no .json file")
            with zf.open(names[0]) as f:
                return json.load(f)
    with open(path) as f:
        return json.load(f)


def convert_task(task_data: Dict[str, dict]):
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular

    ids = sorted(task_data, key=lambda k: int(k) if str(k).isdigit() else k)
    configs = pd.DataFrame([task_data[i]["config"] for i in ids])
    hyperparameters = configs[HYPERPARAMETERS].copy()
    for col in ["num_layers", "max_units", "batch_size"]:
        hyperparameters[col] = hyperparameters[col].astype(np.int64)
    for col in ["learning_rate", "weight_decay", "momentum", "max_dropout"]:
        hyperparameters[col] = hyperparameters[col].astype(np.float64)
    first_log = task_data[ids[0]]["log"]
    names = [name for name, tag in TAGS.items() if tag in first_log]
    if "val_accuracy" in names:
        names.append("val_error")
    num_epochs = max(len(task_data[i]["log"][TAGS[names[0]]]) for i in ids) - 2
    values = np.full((len(ids), 1, num_epochs, len(names)), np.nan, dtype=np.float32)
    for row, cid in enumerate(ids):
        log = task_data[cid]["log"]
        for j, name in enumerate(names):
            if name == "val_error":
                curve = 1.0 - training_epochs(log[TAGS["val_accuracy"]]) / 100.0
            else:
                curve = training_epochs(log[TAGS[name]], is_time=name == "time")
            values[row, 0, : len(curve), j] = curve
    from syne_tune.config_space import randint

    return BlackboxTabular(
        hyperparameters=hyperparameters,
        configuration_space=configuration_space(),
        fidelity_space={RESOURCE_ATTR: randint(1, num_epochs)},
        objectives_evaluations=values,
        fidelity_values=np.arange(1, num_epochs + 1),
        objectives_names=names,
    )


def convert(path: Path) -> Dict[str, object]:
    data = read_json(path)
    return {str(task): convert_task(task_data) for task, task_data in data.items()}


#: where the original file is looked for in the mirror, preferred first
RELATIVE_PATHS = tuple(
    f"{prefix}{stem}{ext}"
    for stem in ("data_2k_lw", "data_2k")
    for ext in (".zip", ".json")
    for prefix in ("lcbench/", "")
)

#: the original file (figshare; its checksum is not known here: never downloaded)
ORIGINAL = SourceFile(RELATIVE_PATHS, url=URL, filename="data_2k_lw.zip")

#: the YAHPO lcbench surrogate the table is sampled from otherwise
SURROGATE = tuple(
    SourceFile((f"yahpo/lcbench/{f}",)) for f in ("model.onnx", "config_space.json", "encoding.json")
)


def find_data(mirror_path, download_dir, allow_download: bool = True) -> Path:
    return find_or_download(
        BLACKBOX_NAME,
        list(ORIGINAL.relative_paths),
        ORIGINAL.url if allow_download else None,
        mirror_path,
        download_dir,
        filename=ORIGINAL.filename,
    )


class LCBenchRecipe(BlackboxRecipe):
    """Original LCBench if its file is at hand (mirror or earlier download),
    else the table sampled from the YAHPO surrogate if that is in the mirror,
    else the original file downloaded from figshare."""

    recipe_version = RECIPE_VERSION

    def __init__(self, fallback_to_surrogate: bool = True):
        super().__init__(name=BLACKBOX_NAME, cite_reference=CITATION)
        self.fallback_to_surrogate = fallback_to_surrogate

    def data_sources(self):
        return [(ORIGINAL,), SURROGATE] if self.fallback_to_surrogate else [(ORIGINAL,)]

    def _surrogate_recipe(self, mirror_path):
        """The surrogate recipe if its model is in the mirror and it imports."""
        if not self.fallback_to_surrogate:
            return None
        try:
            from syne_tune.blackbox_repository.conversion_scripts.scripts import (
                lcbench_surrogate_import,
            )
            from syne_tune.blackbox_repository.yahpo_surrogate import default_yahpo_data_path
        except ImportError as ex:
            logger.info(f"LCBench: the YAHPO surrogate cannot be used ({ex})")
            return None
        yahpo_path = default_yahpo_data_path(mirror_path)
        if yahpo_path is None or not (yahpo_path / "lcbench" / "model.onnx").is_file():
            return None
        return lcbench_surrogate_import.LCBenchSurrogateRecipe()

    def _generate_on_disk(self, target: Path, mirror_path, download_dir: Path):
        from syne_tune.blackbox_repository.serialization import serialize

        try:
            path = find_data(mirror_path, download_dir, allow_download=False)
        except SourceNotFoundError:
            surrogate = self._surrogate_recipe(mirror_path)
            if surrogate is not None:
                logger.warning(
                    "LCBench: original data_2k_lw.zip not at hand; building the table "
                    "from the YAHPO lcbench surrogate in the data mirror instead"
                )
                surrogate._generate_on_disk(target, mirror_path, download_dir)
                return
            try:
                path = find_data(mirror_path, download_dir, allow_download=True)
            except SourceNotFoundError as ex:
                if not self.fallback_to_surrogate:
                    raise
                raise SourceNotFoundError(
                    f"{ex}; or put the YAHPO lcbench surrogate (model.onnx, "
                    "config_space.json, encoding.json) in <data mirror>/yahpo/lcbench/"
                ) from None
        serialize(
            convert(path),
            target,
            metadata={
                default_metric: METRIC_ACCURACY,
                default_mode: "max",
                metric_elapsed_time: METRIC_ELAPSED_TIME,
                resource_attr: RESOURCE_ATTR,
                source: Path(path).name,
                "citation": self.cite_reference,
                "recipe_version": self.recipe_version,
            },
        )


RECIPES = [LCBenchRecipe()]
