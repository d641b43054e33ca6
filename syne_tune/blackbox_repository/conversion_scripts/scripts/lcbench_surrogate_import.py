"""``lcbench``: a tabulated, LCBench-style blackbox sampled from the YAHPO
``lcbench`` surrogate.

The original LCBench (Zimmer et al., 2021) holds learning curves of 2,000
random configurations of a funnel-shaped MLP (7 hyperparameters) trained for
50 epochs on each of 35 OpenML datasets (52 logged values per curve: the
untrained network first, one beyond the 50 epochs last). Its raw data are not in the data
mirror; the YAHPO Gym surrogate fitted on them is (34 of the datasets). This
recipe rebuilds the table from the surrogate:

* tasks: the 34 datasets, named as in LCBench (``"Fashion-MNIST"``,
  ``"airlines"``, ...; ``metadata["openml_task_ids"]`` maps them to the
  OpenML task ids YAHPO uses as instances);
* per task ``num_configs`` (default 2,000, as LCBench) configurations drawn
  from :data:`CONFIGURATION_SPACE` with ``numpy.random.RandomState(seed +
  task_index)`` (``seed`` = 0 by default; ``task_index`` = position in
  :data:`LCBENCH_TASKS`), one column after the other in the order of
  :data:`CONFIGURATION_SPACE` via ``Domain.sample_array``;
* fidelity ``epoch`` = 1..50, resource attribute ``epoch``: the surrogate
  (YAHPO 1.0, fitted on all 52 logged values) is evaluated at its epochs
  1..52, and its first and last are dropped as in the original table
  (:func:`~.lcbench_format.training_epochs`: epoch 1 of the surrogate is the
  untrained network, chance-level accuracy), ``time`` counted from the
  surrogate's epoch 1;
* objectives (surrogate outputs, YAHPO names): ``val_accuracy`` (percent),
  ``val_cross_entropy``, ``val_balanced_accuracy``, ``test_cross_entropy``,
  ``test_balanced_accuracy``, ``time`` (cumulative training time in seconds
  at the end of the epoch, = elapsed time), plus ``val_error`` =
  ``1 - val_accuracy / 100``;
* post-processing (surrogate outputs are not exactly consistent): ``time`` is
  made positive and non-decreasing along epochs (running maximum, before and
  after dropping the first epoch; raw outputs decrease in about 0.4% of the
  epoch steps), accuracies are clipped
  to their ranges and cross-entropies to >= 0 (no clipping was needed on the
  configurations checked);
* one seed (the surrogate is deterministic).

The metadata flags the table as surrogate-derived (``"surrogate_derived":
True``, ``"source"``). Conversion: one batched ONNX evaluation per task
(``num_configs * 52`` rows, the 52 epochs the surrogate knows), all cores; about 1 minute for all 34 tasks on 2
cores.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Union

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular, serialize
from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
    BlackboxRecipe,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    MIRROR_ENV_VAR,
    SourceNotFoundError,
)
from syne_tune.blackbox_repository.yahpo_surrogate import (
    CITATION_YAHPO,
    YAHPO_VERSION,
    YahpoScenario,
    default_yahpo_data_path,
)
from syne_tune.blackbox_repository.conversion_scripts.scripts.lcbench_format import (
    CONFIGURATION_SPACE,
    MAX_RESOURCE_LEVEL,
    RECIPE_VERSION,
    training_epochs,
)
from syne_tune.config_space import randint

logger = logging.getLogger(__name__)

BLACKBOX_NAME = "lcbench"

METRIC_ACCURACY = "val_accuracy"
METRIC_ERROR = "val_error"
METRIC_ELAPSED_TIME = "time"
RESOURCE_ATTR = "epoch"
#: the surrogate is evaluated at one more epoch on each side of the table's
SURROGATE_EPOCHS = MAX_RESOURCE_LEVEL + 2
NUM_CONFIGS = 2000
DEFAULT_SEED = 0

#: objectives in the order stored
OBJECTIVES_NAMES = [
    "val_accuracy",
    "val_cross_entropy",
    "val_balanced_accuracy",
    "test_cross_entropy",
    "test_balanced_accuracy",
    "time",
    "val_error",
]

#: LCBench dataset name -> OpenML task id (YAHPO ``lcbench`` instance)
LCBENCH_TASKS: Dict[str, str] = {
    "KDDCup09_appetency": "3945",
    "covertype": "7593",
    "Amazon_employee_access": "34539",
    "adult": "126025",
    "nomao": "126026",
    "bank-marketing": "126029",
    "shuttle": "146212",
    "Australian": "167104",
    "kr-vs-kp": "167149",
    "mfeat-factors": "167152",
    "credit-g": "167161",
    "vehicle": "167168",
    "kc1": "167181",
    "blood-transfusion-service-center": "167184",
    "cnae-9": "167185",
    "phoneme": "167190",
    "higgs": "167200",
    "connect-4": "167201",
    "helena": "168329",
    "jannis": "168330",
    "volkert": "168331",
    "MiniBooNE": "168335",
    "APSFailure": "168868",
    "christine": "168908",
    "fabert": "168910",
    "airlines": "189354",
    "jasmine": "189862",
    "sylvine": "189865",
    "albert": "189866",
    "dionis": "189873",
    "car": "189905",
    "segment": "189906",
    "Fashion-MNIST": "189908",
    "jungle_chess_2pcs_raw_endgame_complete": "189909",
}

CITATION = (
    "Zimmer, L., Lindauer, M., & Hutter, F. (2021). Auto-PyTorch Tabular: "
    "Multi-Fidelity MetaLearning for Efficient and Robust AutoDL. IEEE TPAMI. "
    "Table sampled from the surrogate of: " + CITATION_YAHPO
)


def sample_configurations(
    num_configs: int, random_state: np.random.RandomState
) -> pd.DataFrame:
    """``num_configs`` configurations of :data:`CONFIGURATION_SPACE`."""
    return pd.DataFrame(
        {
            name: domain.sample_array(num_configs, random_state=random_state)
            for name, domain in CONFIGURATION_SPACE.items()
        }
    )


def _postprocess(y: np.ndarray) -> np.ndarray:
    """``y``: (num_configs, num_epochs, 6) surrogate outputs in YAHPO order
    ``time, val_accuracy, val_cross_entropy, val_balanced_accuracy,
    test_cross_entropy, test_balanced_accuracy``; returns
    (num_configs, num_epochs, 7) in the order of :data:`OBJECTIVES_NAMES`."""
    out = np.empty(y.shape[:2] + (len(OBJECTIVES_NAMES),), dtype=np.float32)
    val_acc = np.clip(y[..., 1], 0.0, 100.0)
    out[..., 0] = val_acc
    out[..., 1] = np.maximum(y[..., 2], 0.0)
    out[..., 2] = np.clip(y[..., 3], 0.0, 1.0)
    out[..., 3] = np.maximum(y[..., 4], 0.0)
    out[..., 4] = np.clip(y[..., 5], 0.0, 1.0)
    elapsed = np.maximum(y[..., 0], 1e-3)
    out[..., 5] = np.maximum.accumulate(elapsed, axis=1)
    out[..., 6] = 1.0 - val_acc / 100.0
    return out


def _training_epochs(objectives: np.ndarray) -> np.ndarray:
    """(num_configs, 52, 7) postprocessed surrogate outputs at epochs 1..52 ->
    (num_configs, 50, 7): :func:`~.lcbench_format.training_epochs` of every
    curve, ``time`` then made positive and non-decreasing again."""
    time_index = OBJECTIVES_NAMES.index(METRIC_ELAPSED_TIME)
    kept = training_epochs(objectives, axis=1)
    elapsed = training_epochs(objectives[..., time_index], is_time=True, axis=1)
    kept[..., time_index] = np.maximum.accumulate(np.maximum(elapsed, 1e-3), axis=1)
    return kept


def convert_task(
    scenario: YahpoScenario,
    task_name: str,
    num_configs: int = NUM_CONFIGS,
    seed: int = DEFAULT_SEED,
    num_threads: int = 0,
) -> BlackboxTabular:
    """Tabulated blackbox of one LCBench task (see module doc)."""
    task_index = list(LCBENCH_TASKS).index(task_name)
    random_state = np.random.RandomState(seed + task_index)
    hyperparameters = sample_configurations(num_configs, random_state)
    epochs = np.arange(1, SURROGATE_EPOCHS + 1)
    num_epochs = len(epochs)
    n = num_configs * num_epochs
    columns: Dict[str, Any] = {
        name: np.repeat(hyperparameters[name].to_numpy(), num_epochs)
        for name in CONFIGURATION_SPACE
    }
    columns[RESOURCE_ATTR] = np.tile(epochs, num_configs)
    columns["OpenML_task_id"] = LCBENCH_TASKS[task_name]
    x_cont, x_cat = scenario.encode_columns(columns, n)
    y = scenario.predict(x_cont, x_cat, num_threads=num_threads, chunk_size=1024)
    y = y.reshape(num_configs, num_epochs, -1)
    objectives = _training_epochs(_postprocess(y))[:, None, :, :]  # one seed
    return BlackboxTabular(
        hyperparameters=hyperparameters,
        configuration_space=dict(CONFIGURATION_SPACE),
        fidelity_space={RESOURCE_ATTR: randint(1, MAX_RESOURCE_LEVEL)},
        objectives_evaluations=objectives,
        fidelity_values=np.arange(1, MAX_RESOURCE_LEVEL + 1),
        objectives_names=list(OBJECTIVES_NAMES),
    )


def metadata(num_configs: int, seed: int, tasks: Sequence[str]) -> Dict[str, Any]:
    return {
        "default_metric": METRIC_ACCURACY,
        "default_mode": "max",
        "metric_elapsed_time": METRIC_ELAPSED_TIME,
        "elapsed_time_is_cumulative": True,
        "resource_attr": RESOURCE_ATTR,
        "surrogate_derived": True,
        "source": (
            f"sampled from the YAHPO Gym {YAHPO_VERSION} 'lcbench' ONNX surrogate "
            "(not the raw LCBench learning curves)"
        ),
        "num_configs_per_task": int(num_configs),
        "sampling_seed": int(seed),
        "sampling": "numpy RandomState(sampling_seed + task index in LCBENCH_TASKS)",
        "recipe_version": RECIPE_VERSION,
        "postprocessing": (
            "surrogate epochs 2..51 kept as epochs 1..50 (epoch 1 is the untrained "
            "network, 52 is beyond LCBench's 50), time minus the time at surrogate epoch 1; "
            "time: max(.,1e-3) then running maximum over epochs; val_accuracy "
            "clipped to [0, 100], balanced accuracies to [0, 1], cross-entropies "
            "to >= 0; val_error = 1 - val_accuracy / 100"
        ),
        "openml_task_ids": {t: LCBENCH_TASKS[t] for t in tasks},
        "cite": CITATION,
    }


def convert(
    yahpo_path: Union[str, Path, None] = None,
    num_configs: int = NUM_CONFIGS,
    tasks: Optional[Sequence[str]] = None,
    seed: int = DEFAULT_SEED,
    num_threads: int = 0,
) -> Dict[str, BlackboxTabular]:
    """``{task: BlackboxTabular}`` (not stored).

    :param yahpo_path: YAHPO data folder (default: see
        :func:`~syne_tune.blackbox_repository.yahpo_surrogate.default_yahpo_data_path`)
    :param num_configs: configurations per task (2000 as LCBench; fewer for
        tests)
    :param tasks: subset of :data:`LCBENCH_TASKS` (default: all 34)
    :param num_threads: onnxruntime threads (0: all cores)
    """
    scenario = YahpoScenario("lcbench", data_path=yahpo_path)
    if tasks is None:
        tasks = list(LCBENCH_TASKS)
    unknown = [t for t in tasks if t not in LCBENCH_TASKS]
    if unknown:
        raise ValueError(f"unknown LCBench tasks {unknown}")
    bb_dict = {}
    for task in tasks:
        start = time.perf_counter()
        bb_dict[task] = convert_task(
            scenario, task, num_configs=num_configs, seed=seed, num_threads=num_threads
        )
        logger.debug(f"lcbench task {task}: {time.perf_counter() - start:.2f}s")
    return bb_dict


def generate_lcbench(
    repository_path: Union[str, Path],
    yahpo_path: Union[str, Path, None] = None,
    num_configs: int = NUM_CONFIGS,
    tasks: Optional[Sequence[str]] = None,
    seed: int = DEFAULT_SEED,
    name: str = BLACKBOX_NAME,
) -> Path:
    """Converts and stores the blackbox in ``repository_path / name``."""
    if tasks is None:
        tasks = list(LCBENCH_TASKS)
    bb_dict = convert(yahpo_path, num_configs=num_configs, tasks=tasks, seed=seed)
    return serialize(
        bb_dict,
        Path(repository_path) / name,
        metadata=metadata(num_configs, seed, tasks),
    )


class LCBenchSurrogateRecipe(BlackboxRecipe):
    """Recipe of ``lcbench`` (see module doc); needs the YAHPO ``lcbench``
    surrogate in the data mirror (``<mirror>/yahpo/lcbench``).

    :param num_configs: configurations per task (2000; fewer for tests)
    :param tasks: subset of :data:`LCBENCH_TASKS` (default: all 34)
    :param seed: sampling seed
    :param name: blackbox name
    """

    recipe_version = RECIPE_VERSION

    def __init__(
        self,
        num_configs: int = NUM_CONFIGS,
        tasks: Optional[Sequence[str]] = None,
        seed: int = DEFAULT_SEED,
        name: str = BLACKBOX_NAME,
    ):
        if int(num_configs) < 1:
            raise ValueError(f"num_configs = {num_configs} must be >= 1")
        if tasks is not None:
            unknown = [t for t in tasks if t not in LCBENCH_TASKS]
            if unknown:
                raise ValueError(f"unknown LCBench tasks {unknown}")
        super().__init__(name=name, cite_reference=CITATION)
        self.num_configs = int(num_configs)
        self.tasks = list(tasks) if tasks is not None else None
        self.seed = int(seed)

    def _generate_on_disk(self, target: Path, mirror_path: Optional[Path], download_dir: Path):
        yahpo_path = default_yahpo_data_path(mirror_path)
        if yahpo_path is None or not (yahpo_path / "lcbench" / "model.onnx").is_file():
            raise SourceNotFoundError(
                f"source data of blackbox '{self.name}' not found: need the YAHPO "
                f"lcbench surrogate in {mirror_path or '<mirror>'}/yahpo/lcbench "
                f"(set {MIRROR_ENV_VAR})"
            )
        tasks = self.tasks if self.tasks is not None else list(LCBENCH_TASKS)
        bb_dict = convert(
            yahpo_path, num_configs=self.num_configs, tasks=tasks, seed=self.seed
        )
        serialize(bb_dict, target, metadata=metadata(self.num_configs, self.seed, tasks))


RECIPES = [LCBenchSurrogateRecipe()]
