"""``lcdb``: learning curves over training set size from LCDB ("LCDB 1.0: An
Extensive Learning Curves Database for Classification Tasks", Mohr et al.,
ECML PKDD 2022), as shipped by the PyPI package ``lcdb`` (0.1.0, MIT).

Source: ``database-accuracy.csv`` in the installed package's folder, read
without importing the package (its import needs ``openml``), plus
``datasets.csv`` for the dataset names. Columns used: ``openmlid``,
``learner``, ``size_train``, ``outer_seed``, ``inner_seed``, ``traintime``,
``score_train``, ``score_valid``, ``score_test`` (``size_test`` is not
used). Each row is one learner trained from scratch on ``size_train``
examples of one OpenML dataset, for one outer split (test set) and one inner
split (validation set).

The blackbox:

* tasks: the OpenML datasets, named by their id (``"3"``, ``"6"``, ...;
  ``metadata["openml_names"]`` maps ids to dataset names);
* configuration: ``learner``, categorical, the scikit-learn learners
  recorded on that dataset (8 to 20);
* fidelity ``anchor`` = 1, 2, ...: the position of the training set size in
  the dataset's sorted sizes (LCDB's anchors 16, 23, 32, 45, ..., i.e.
  ``16 * sqrt(2) ** (anchor - 1)`` rounded, then the full training set); the
  size itself is the objective ``size_train``;
* seeds: the 25 pairs ``(outer_seed, inner_seed)`` with both in 0..4, seed
  index ``5 * outer_seed + inner_seed`` (the few runs with inner seeds 5..24
  are not used); a seed missing for a learner and anchor gets the mean of the
  recorded seeds;
* objectives: ``val_accuracy`` (``score_valid``), ``val_error`` (1 -
  ``val_accuracy``), ``test_accuracy`` (``score_test``),
  ``train_accuracy`` (``score_train``), ``traintime`` (seconds to train at
  this anchor), ``elapsed_time`` (cumulative ``traintime`` over the anchors
  up to this one: a trial that goes through the anchors trains once at each)
  and ``size_train``;
* an anchor recorded for no seed of a learner (LCDB stops a learner that
  times out) is NaN, and so is everything after it (the simulator ends such a
  trial at its last valid anchor).

Conversion of all 248 datasets: a few seconds (pyarrow reads the selected
columns of the 150 MB CSV once).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Dict, Optional, Sequence

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
    PackageSource,
    SourceNotFoundError,
)

logger = logging.getLogger(__name__)

BLACKBOX_NAME = "lcdb"
PACKAGE = "lcdb"
DATABASE_FILE = "database-accuracy.csv"
DATASETS_FILE = "datasets.csv"
RESOURCE_ATTR = "anchor"
METRIC_ACCURACY = "val_accuracy"
METRIC_ELAPSED_TIME = "elapsed_time"
NUM_OUTER_SEEDS = 5
NUM_INNER_SEEDS = 5
OBJECTIVES = [
    "val_accuracy",
    "val_error",
    "test_accuracy",
    "train_accuracy",
    "traintime",
    "elapsed_time",
    "size_train",
]
COLUMNS = [
    "openmlid",
    "learner",
    "size_train",
    "outer_seed",
    "inner_seed",
    "traintime",
    "score_train",
    "score_valid",
    "score_test",
]
CITATION = (
    "LCDB 1.0: An Extensive Learning Curves Database for Classification Tasks. "
    "Mohr, F., Viering, T. J., Loog, M. and van Rijn, J. N. ECML PKDD 2022."
)

PACKAGE_SOURCE = PackageSource(
    PACKAGE, PACKAGE, (DATABASE_FILE, DATASETS_FILE), note="learning curves over training set size"
)


def package_files() -> Path:
    """Folder of the installed ``lcdb`` package holding its CSV files."""
    folder = PACKAGE_SOURCE.locate()
    if folder is None:
        raise SourceNotFoundError(PACKAGE_SOURCE.missing_message(BLACKBOX_NAME))
    return folder


def read_table(path: Path, tasks: Optional[Sequence[int]] = None) -> pd.DataFrame:
    """The columns :data:`COLUMNS` of ``database-accuracy.csv`` (rows of
    the OpenML ids ``tasks`` only, if given; inner seeds 0..4 only)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    table = pcsv.read_csv(
        path,
        convert_options=pcsv.ConvertOptions(
            include_columns=COLUMNS,
            column_types={"learner": pa.dictionary(pa.int32(), pa.string())},
        ),
    )
    mask = pc.and_(
        pc.less(table["inner_seed"], NUM_INNER_SEEDS),
        pc.less(table["outer_seed"], NUM_OUTER_SEEDS),
    )
    if tasks is not None:
        mask = pc.and_(mask, pc.is_in(table["openmlid"], value_set=pa.array(list(tasks), pa.int64())))
    return table.filter(mask).to_pandas()


def read_names(path: Path) -> Dict[str, str]:
    """OpenML id (as a string) -> dataset name, from ``datasets.csv``."""
    frame = pd.read_csv(path, usecols=["openmlid", "Name"])
    return {str(int(i)): str(n) for i, n in zip(frame["openmlid"], frame["Name"])}


def convert_task(frame: pd.DataFrame):
    """BlackboxTabular of the rows of one dataset."""
    from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular
    from syne_tune.config_space import choice, randint

    learners = sorted(str(x) for x in frame["learner"].unique())
    anchors = np.sort(frame["size_train"].unique())
    num_seeds = NUM_OUTER_SEEDS * NUM_INNER_SEEDS
    row = pd.Categorical(frame["learner"].astype(str), categories=learners).codes
    seed = frame["outer_seed"].to_numpy() * NUM_INNER_SEEDS + frame["inner_seed"].to_numpy()
    pos = np.searchsorted(anchors, frame["size_train"].to_numpy())
    raw = np.full((len(learners), num_seeds, len(anchors), 4), np.nan)
    for j, col in enumerate(["score_valid", "score_test", "score_train", "traintime"]):
        raw[row, seed, pos, j] = frame[col].to_numpy(dtype=np.float64)
    with warnings.catch_warnings():  # anchors no seed recorded stay NaN
        warnings.simplefilter("ignore", category=RuntimeWarning)
        mean = np.nanmean(raw, axis=1, keepdims=True)
    raw = np.where(np.isnan(raw), mean, raw)
    values = np.empty(raw.shape[:3] + (len(OBJECTIVES),), dtype=np.float32)
    values[..., 0] = raw[..., 0]
    values[..., 1] = 1.0 - raw[..., 0]
    values[..., 2] = raw[..., 1]
    values[..., 3] = raw[..., 2]
    values[..., 4] = raw[..., 3]
    values[..., 5] = np.cumsum(raw[..., 3], axis=-1)  # NaN from the first missing anchor on
    values[..., 6] = np.where(np.isnan(raw[..., 3]), np.nan, anchors[None, None, :])
    num_anchors = len(anchors)
    return BlackboxTabular(
        hyperparameters=pd.DataFrame({"learner": learners}),
        configuration_space={"learner": choice(learners)},
        fidelity_space={RESOURCE_ATTR: randint(1, num_anchors)},
        objectives_evaluations=values,
        fidelity_values=np.arange(1, num_anchors + 1),
        objectives_names=list(OBJECTIVES),
    )


def convert(folder: Path, tasks: Optional[Sequence[int]] = None) -> Dict[str, object]:
    """Task name (OpenML id) -> BlackboxTabular, from the package folder."""
    frame = read_table(Path(folder) / DATABASE_FILE, tasks)
    if frame.empty:
        raise ValueError(f"no rows of the OpenML ids {list(tasks or [])} in {DATABASE_FILE}")
    return {
        str(int(openmlid)): convert_task(group)
        for openmlid, group in frame.groupby("openmlid", sort=True)
    }


class LCDBRecipe(BlackboxRecipe):
    """Recipe of ``lcdb`` (see module doc).

    Parameters
    ----------
    tasks
        OpenML ids to convert (default: all 248); for tests.
    name
        Blackbox name.
    """

    def __init__(self, tasks: Optional[Sequence[int]] = None, name: str = BLACKBOX_NAME):
        super().__init__(name=name, cite_reference=CITATION)
        self.tasks = [int(t) for t in tasks] if tasks is not None else None

    def data_sources(self):
        return [PACKAGE_SOURCE]

    def _generate_on_disk(self, target: Path, mirror_path, download_dir: Path):
        from syne_tune.blackbox_repository.serialization import serialize

        folder = package_files()
        bb_dict = convert(folder, self.tasks)
        names = read_names(folder / DATASETS_FILE)
        serialize(
            bb_dict,
            target,
            metadata={
                default_metric: METRIC_ACCURACY,
                default_mode: "max",
                metric_elapsed_time: METRIC_ELAPSED_TIME,
                resource_attr: RESOURCE_ATTR,
                source: f"pip package {PACKAGE}: {DATABASE_FILE}",
                "openml_names": {t: names.get(t, "") for t in bb_dict},
                "citation": self.cite_reference,
            },
        )


RECIPES = [LCDBRecipe()]
