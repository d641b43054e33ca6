"""``nmt`` and ``nmt-hpo``: Transformer NMT systems (Zhang & Duh).

Source (data mirror folder ``nmt_hpo``, from GitHub ``Este1le/hpo_nmt``, MIT;
if the mirror lacks it, the 13 files read are downloaded from that repository
at commit ``7bd0a40`` into the recipe's download folder, each checked against
its SHA-256):

* NMTHPO (Zhang & Duh, TACL 2020), ``datasets/<pair>.hyps`` / ``.evals``: per
  language pair one row per trained Transformer, 6 hyperparameters
  (``bpe_symbols, num_layers, num_embed, transformer_feed_forward_num_hidden,
  transformer_attention_heads, initial_learning_rate``) and 6 measurements
  (``dev_bleu, dev_gpu_time, dev_ppl, num_updates, gpu_memory, num_param``).
* NMTLC (Zhang & Duh, AMTA 2024), ``lc_datasets/nmtlc.pkl``: learning curves,
  the dev-set perplexity at every checkpoint, of the same kind of systems
  (plus LLM fine-tuning runs, not used here: they have another search space
  and no cost measurement). NMTLC entries carry the hyperparameters except
  the number of attention heads.

``nmt-hpo`` (multi-objective, single fidelity)
    Tasks: the 6 language pairs ``zh-en, ru-en, ja-en, en-ja, sw-en, so-en``;
    configurations: all NMTHPO rows; objectives: the 6 NMTHPO measurements,
    with ``gpu_memory`` NaN where NMTHPO reports 0 (its README: "filter out
    the models with 0 gpu_memory"), plus ``elapsed_time`` (defined below).

``nmt`` (learning curves, fidelity ``checkpoint``)
    Tasks: the same 6 language pairs; configurations: the NMTHPO rows whose
    learning curve is found in NMTLC; objectives per checkpoint ``k = 1, 2,
    ...``: ``dev_ppl`` (real, from NMTLC) and ``elapsed_time`` (derived).

Matching NMTHPO rows to NMTLC curves: an NMTLC entry of the same corpus
matches row ``r`` if (a) ``num_layers``, ``num_embed`` (NMTLC
``model_size``), ``transformer_feed_forward_num_hidden`` (``ff_num_hidden``),
``initial_learning_rate`` (``initial_lr``) and ``bpe_symbols`` (NMTLC
``bpe`` in thousands) are equal -- ``bpe`` is not compared for ``zh-en``,
where every NMTLC entry reports 30k while NMTHPO has 10k/30k/50k, (b) its
``perplexity_optimal`` equals the row's ``dev_ppl`` (within 1e-4) and (c)
``2000 * len(perplexity_curve)`` equals the row's ``num_updates``. Row ``r``
gets the curve if all its matching entries carry the same curve (NMTLC lists
some zh-en curves several times). (b) and (c) identify the run itself, so
the attention heads are recovered too; every row of so-en (604), sw-en
(767), ru-en (176) and ja-en (150) matches exactly one entry, en-ja 163 of
168, zh-en 113 of 118. NMTLC entries matching no row (no head count, no
cost measurement) are not used. (zh-en quirk: NMTHPO has pairs of zh-en rows
that differ only in ``bpe_symbols`` yet report identical ``dev_bleu``,
``dev_ppl``, ``num_updates`` and ``num_param``; both rows get that curve.) The matched runs show that a checkpoint is
taken every 2,000 updates (``num_updates == 2000 * curve length`` holds for
every matched run).

Elapsed time (both blackboxes): NMTHPO has no training time. Its
``dev_gpu_time`` is the GPU time of translating the dev set with the trained
model (the AutoML 2022 challenge built on NMTHPO calls it decoding time; it
depends on model depth and size, hardly on the number of updates). We use it
as the cost of one checkpoint interval (2,000 updates, whose compute scales
with the same model size and depth, plus the dev-set evaluation Sockeye runs
at every checkpoint): ``elapsed_time(k) = k * dev_gpu_time`` for checkpoint
``k``, and ``elapsed_time = (num_updates / 2000) * dev_gpu_time`` in
``nmt-hpo``. This keeps the cost of a run linear in its number of
checkpoints with a per-configuration rate taken from a real measurement of
that model; the absolute scale is that of ``dev_gpu_time`` (not a training
wall-clock time). Spreading ``dev_gpu_time`` over the checkpoints instead
would make longer runs cheaper per checkpoint, which is why it is not done.

Unequal curve lengths, NaN padding (``nmt``): runs were early-stopped by
Sockeye, so curves have different lengths (2..569 checkpoints). The table
has ``max_len(task)`` fidelities; a curve of length ``n`` holds NaN in all
objectives at checkpoints ``n+1 ..`` and the run is to be read as having
*ended (early-stopped) at its last real checkpoint* ``n``. The metadata says
so (``metadata["curve_padding"]``) and :func:`num_valid_fidelities` /
:func:`valid_lengths` give ``n``. What a simulator must do: when it starts a
trial, read ``n`` (or the curve and the position of its last non-NaN row),
report checkpoints ``1..min(n, max_t)`` and then end the trial as completed
(like a training script that stops by itself); it must never report a NaN
row to a scheduler, and a trial resumed beyond ``n`` completes at once.
``objective_function(config, fidelity=k)`` for ``k > n`` returns the NaN
row as stored (tabular blackboxes do not interpret it).

Configuration spaces: one per task, over the values present in that task:
``logordinal`` for the geometric ones (bpe, embedding size, feed-forward
size, heads, learning rate), ``ordinal`` for ``num_layers``; a
hyperparameter with one value is a constant. The tables do not hold the full
grid of these values (``metadata["num_configs"]`` vs ``["grid_size"]``): use
``all_configurations()`` of the blackbox to restrict a searcher.
"""

from __future__ import annotations

import logging
import pickle
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from syne_tune.blackbox_repository.blackbox_tabular import BlackboxTabular, serialize
from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
    BlackboxRecipe,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    SourceFile,
    find_or_download,
)
from syne_tune.config_space import logordinal, ordinal, randint

logger = logging.getLogger(__name__)

BLACKBOX_NAME_LC = "nmt"
BLACKBOX_NAME_HPO = "nmt-hpo"

#: task (language pair) -> NMTLC ``dataset_name``; NMTHPO files are ``<task>.*``
LANGUAGE_PAIRS: Dict[str, str] = {
    "zh-en": "ted-zh-en",
    "ru-en": "ted-ru-en",
    "ja-en": "robust19-ja-en",
    "en-ja": "robust19-en-ja",
    "sw-en": "material-sw-en",
    "so-en": "material-so-en",
}

HYPERPARAMETERS = [
    "bpe_symbols",
    "num_layers",
    "num_embed",
    "transformer_feed_forward_num_hidden",
    "transformer_attention_heads",
    "initial_learning_rate",
]
_INT_HPS = HYPERPARAMETERS[:5]
NMTHPO_OBJECTIVES = [
    "dev_bleu",
    "dev_gpu_time",
    "dev_ppl",
    "num_updates",
    "gpu_memory",
    "num_param",
]
METRIC_ELAPSED_TIME = "elapsed_time"
OBJECTIVES_HPO = NMTHPO_OBJECTIVES + [METRIC_ELAPSED_TIME]
OBJECTIVES_LC = ["dev_ppl", METRIC_ELAPSED_TIME]
RESOURCE_ATTR = "checkpoint"
UPDATES_PER_CHECKPOINT = 2000
PPL_TOLERANCE = 1e-4
#: NMTLC's bpe field is not informative for these tasks (see module doc)
_IGNORE_LC_BPE = ("zh-en",)

#: metadata key describing the NaN padding of ``nmt`` curves
CURVE_PADDING_KEY = "curve_padding"
CURVE_PADDING = {
    "value": "nan",
    "objectives": OBJECTIVES_LC,
    "meaning": (
        "a curve of length n has NaN in every objective at fidelities after "
        "its n-th value: the run was early-stopped at checkpoint n"
    ),
    "simulator": (
        "report fidelities 1..n only, then end the trial as completed; never "
        "report a NaN row; a trial resumed beyond n completes at once"
    ),
    "num_valid_fidelities": (
        "number of leading rows of objective_function(config) without NaN; "
        "see nmt_import.num_valid_fidelities / valid_lengths"
    ),
}

CITATION_HPO = (
    "Zhang, X. and Duh, K. Reproducible and Efficient Benchmarks for "
    "Hyperparameter Optimization of Neural Machine Translation Systems. "
    "TACL 8, 2020."
)
CITATION_LC = (
    "Zhang, X. and Duh, K. Best Practices of Successive Halving on Neural "
    "Machine Translation and Large Language Models. AMTA 2024. " + CITATION_HPO
)


# ------------------------------------------------------------------ reading


def nmt_data_path(mirror_path: Union[str, Path]) -> Path:
    """``<mirror>/nmt_hpo`` (or ``mirror_path`` itself if it is that folder)."""
    path = Path(mirror_path)
    if (path / "datasets").is_dir() and (path / "lc_datasets").is_dir():
        return path
    return path / "nmt_hpo"


def read_nmthpo(data_path: Path, task: str) -> Tuple[pd.DataFrame, np.ndarray]:
    """NMTHPO rows of one language pair: (hyperparameters, evals array
    ``(n, 6)`` in the order of :data:`NMTHPO_OBJECTIVES`)."""
    hyps = np.loadtxt(data_path / "datasets" / f"{task}.hyps", ndmin=2)
    evals = np.loadtxt(data_path / "datasets" / f"{task}.evals", ndmin=2)
    if hyps.shape[0] != evals.shape[0] or hyps.shape[1] != 6 or evals.shape[1] != 6:
        raise ValueError(
            f"{task}: unexpected NMTHPO shapes {hyps.shape}, {evals.shape}"
        )
    frame = pd.DataFrame(hyps, columns=HYPERPARAMETERS)
    for name in _INT_HPS:
        frame[name] = np.rint(frame[name]).astype(np.int64)
    frame["initial_learning_rate"] = frame["initial_learning_rate"].astype(float)
    return frame, evals


def read_nmtlc(data_path: Path) -> List[dict]:
    with open(data_path / "lc_datasets" / "nmtlc.pkl", "rb") as f:
        return pickle.load(f)


def match_curves(
    hps: pd.DataFrame, evals: np.ndarray, entries: Sequence[dict], task: str
) -> List[Optional[np.ndarray]]:
    """For every NMTHPO row, its NMTLC dev-perplexity curve or None (see the
    module doc for the matching rule)."""
    compare_bpe = task not in _IGNORE_LC_BPE
    keys = np.array(
        [
            [
                e["hyperparams"]["bpe"] * 1000,
                e["hyperparams"]["num_layers"],
                e["hyperparams"]["model_size"],
                e["hyperparams"]["ff_num_hidden"],
                e["hyperparams"]["initial_lr"],
            ]
            for e in entries
        ],
        dtype=float,
    ).reshape(-1, 5)
    ppl_opt = np.array([e["perplexity_optimal"] for e in entries], dtype=float)
    lengths = np.array([len(e["perplexity_curve"]) for e in entries])
    row_keys = hps[
        ["bpe_symbols", "num_layers", "num_embed",
         "transformer_feed_forward_num_hidden", "initial_learning_rate"]
    ].to_numpy(dtype=float)
    cols = slice(0, 5) if compare_bpe else slice(1, 5)
    curves: List[Optional[np.ndarray]] = []
    for i in range(len(hps)):
        same_hp = np.all(np.isclose(keys[:, cols], row_keys[i, cols]), axis=1)
        same_run = (np.abs(ppl_opt - evals[i, 2]) <= PPL_TOLERANCE) & (
            UPDATES_PER_CHECKPOINT * lengths == evals[i, 3]
        )
        candidates = np.nonzero(same_hp & same_run)[0]
        curve = None
        if len(candidates) > 0:
            first = np.asarray(entries[candidates[0]]["perplexity_curve"], dtype=float)
            if all(
                np.array_equal(
                    np.asarray(entries[j]["perplexity_curve"], dtype=float), first
                )
                for j in candidates[1:]
            ):
                curve = first
        curves.append(curve)
    return curves


# ----------------------------------------------------------- config spaces


def task_configuration_space(hps: pd.DataFrame) -> Dict[str, Any]:
    space: Dict[str, Any] = {}
    for name in HYPERPARAMETERS:
        values = sorted(set(hps[name].tolist()))
        if name in _INT_HPS:
            values = [int(v) for v in values]
        else:
            values = [float(v) for v in values]
        if len(values) == 1:
            space[name] = values[0]
        elif name == "num_layers":
            space[name] = ordinal(values)
        else:
            space[name] = logordinal(values)
    return space


def _grid_size(space: Dict[str, Any]) -> int:
    size = 1
    for domain in space.values():
        if hasattr(domain, "categories"):
            size *= len(domain.categories)
    return size


# --------------------------------------------------------------- convert


def convert_nmt_hpo(
    mirror_path: Union[str, Path], tasks: Optional[Sequence[str]] = None
) -> Tuple[Dict[str, BlackboxTabular], Dict[str, Any]]:
    """``({task: blackbox}, metadata)`` of ``nmt-hpo``."""
    data_path = nmt_data_path(mirror_path)
    tasks = list(LANGUAGE_PAIRS) if tasks is None else list(tasks)
    bb_dict, num_configs, grid, zero_mem = {}, {}, {}, {}
    for task in tasks:
        hps, evals = read_nmthpo(data_path, task)
        objectives = np.empty((len(hps), len(OBJECTIVES_HPO)))
        objectives[:, :6] = evals
        missing_mem = evals[:, 4] == 0
        objectives[missing_mem, 4] = np.nan
        objectives[:, 6] = evals[:, 3] / UPDATES_PER_CHECKPOINT * evals[:, 1]
        space = task_configuration_space(hps)
        frame = hps[[k for k, v in space.items() if hasattr(v, "sample")]]
        bb_dict[task] = BlackboxTabular(
            hyperparameters=frame.reset_index(drop=True),
            configuration_space=space,
            fidelity_space=None,
            objectives_evaluations=objectives[:, None, None, :],
            objectives_names=list(OBJECTIVES_HPO),
        )
        num_configs[task] = len(hps)
        grid[task] = _grid_size(space)
        zero_mem[task] = int(missing_mem.sum())
    metadata = {
        "default_metric": "dev_bleu",
        "default_mode": "max",
        "metric_elapsed_time": METRIC_ELAPSED_TIME,
        "objectives_modes": {
            "dev_bleu": "max", "dev_gpu_time": "min", "dev_ppl": "min",
            "num_updates": "min", "gpu_memory": "min", "num_param": "min",
            METRIC_ELAPSED_TIME: "min",
        },
        "elapsed_time_definition": (
            "num_updates / 2000 * dev_gpu_time (checkpoints x per-checkpoint "
            "cost proxy; dev_gpu_time is the GPU time of decoding the dev set)"
        ),
        "missing_values": {
            "gpu_memory": {
                "value": "nan",
                "meaning": "NMTHPO reports 0 (not measured)",
                "count": zero_mem,
            }
        },
        "num_configs": num_configs,
        "grid_size": grid,
        "source": "NMTHPO (Este1le/hpo_nmt datasets/*.hyps, *.evals)",
        "cite": CITATION_HPO,
    }
    return bb_dict, metadata


def convert_nmt(
    mirror_path: Union[str, Path], tasks: Optional[Sequence[str]] = None
) -> Tuple[Dict[str, BlackboxTabular], Dict[str, Any]]:
    """``({task: blackbox}, metadata)`` of ``nmt`` (learning curves)."""
    data_path = nmt_data_path(mirror_path)
    tasks = list(LANGUAGE_PAIRS) if tasks is None else list(tasks)
    entries = read_nmtlc(data_path)
    bb_dict: Dict[str, BlackboxTabular] = {}
    matched, unmatched_rows, unused_curves, grid, max_len = {}, {}, {}, {}, {}
    for task in tasks:
        hps, evals = read_nmthpo(data_path, task)
        task_entries = [
            e for e in entries
            if e.get("task") == "scratch" and e["dataset_name"] == LANGUAGE_PAIRS[task]
        ]
        curves = match_curves(hps, evals, task_entries, task)
        rows = [i for i, c in enumerate(curves) if c is not None]
        if not rows:
            raise ValueError(f"nmt: no learning curve matched for task {task}")
        lengths = np.array([len(curves[i]) for i in rows])
        num_fid = int(lengths.max())
        objectives = np.full((len(rows), 1, num_fid, len(OBJECTIVES_LC)), np.nan)
        for j, i in enumerate(rows):
            n = len(curves[i])
            objectives[j, 0, :n, 0] = curves[i]
            objectives[j, 0, :n, 1] = np.arange(1, n + 1) * evals[i, 1]
        task_hps = hps.iloc[rows].reset_index(drop=True)
        space = task_configuration_space(task_hps)
        frame = task_hps[[k for k, v in space.items() if hasattr(v, "sample")]]
        bb_dict[task] = BlackboxTabular(
            hyperparameters=frame,
            configuration_space=space,
            fidelity_space={RESOURCE_ATTR: randint(1, num_fid)},
            objectives_evaluations=objectives,
            fidelity_values=np.arange(1, num_fid + 1),
            objectives_names=list(OBJECTIVES_LC),
        )
        # NMTLC entries whose curve was given to no row
        used_curves = {curves[i].tobytes() for i in rows}
        num_unused = sum(
            np.asarray(e["perplexity_curve"], dtype=float).tobytes() not in used_curves
            for e in task_entries
        )
        matched[task] = len(rows)
        unmatched_rows[task] = len(hps) - len(rows)
        unused_curves[task] = int(num_unused)
        grid[task] = _grid_size(space)
        max_len[task] = num_fid
    metadata = {
        "default_metric": "dev_ppl",
        "default_mode": "min",
        "metric_elapsed_time": METRIC_ELAPSED_TIME,
        "elapsed_time_is_cumulative": True,
        "resource_attr": RESOURCE_ATTR,
        "updates_per_checkpoint": UPDATES_PER_CHECKPOINT,
        "elapsed_time_definition": (
            "checkpoint * dev_gpu_time of the matched NMTHPO run (per-checkpoint "
            "cost proxy; dev_gpu_time is the GPU time of decoding the dev set)"
        ),
        CURVE_PADDING_KEY: CURVE_PADDING,
        "num_configs": matched,
        "nmthpo_rows_without_curve": unmatched_rows,
        "nmtlc_curves_not_used": unused_curves,
        "grid_size": grid,
        "max_curve_length": max_len,
        "source": (
            "NMTLC dev perplexity curves (lc_datasets/nmtlc.pkl, trained from "
            "scratch) matched to NMTHPO rows (datasets/*.hyps, *.evals)"
        ),
        "cite": CITATION_LC,
    }
    return bb_dict, metadata


def generate_nmt_hpo(
    repository_path: Union[str, Path],
    mirror_path: Union[str, Path],
    tasks: Optional[Sequence[str]] = None,
    name: str = BLACKBOX_NAME_HPO,
) -> Path:
    """Stores ``nmt-hpo`` in ``repository_path / name`` (see :class:`NMTHPORecipe`)."""
    recipe = NMTHPORecipe(tasks=tasks, name=name)
    return recipe.generate(repository_path=repository_path, mirror_path=mirror_path)


def generate_nmt(
    repository_path: Union[str, Path],
    mirror_path: Union[str, Path],
    tasks: Optional[Sequence[str]] = None,
    name: str = BLACKBOX_NAME_LC,
) -> Path:
    """Stores ``nmt`` in ``repository_path / name`` (see :class:`NMTRecipe`)."""
    recipe = NMTRecipe(tasks=tasks, name=name)
    return recipe.generate(repository_path=repository_path, mirror_path=mirror_path)


# ------------------------------------------------- padding helpers (readers)


def valid_lengths(blackbox: BlackboxTabular, seed: int = 0) -> np.ndarray:
    """Per table row (order of ``blackbox.all_configurations()``), the number
    of leading fidelities whose objectives are all non-NaN."""
    values = np.asarray(blackbox.objectives_evaluations[:, seed])  # (n, f, o)
    finite = ~np.isnan(values).any(axis=2)
    # leading run of valid values: first invalid position, or num_fidelities
    invalid = ~finite
    first_invalid = np.where(invalid.any(axis=1), invalid.argmax(axis=1), finite.shape[1])
    return first_invalid.astype(np.int64)


def num_valid_fidelities(
    blackbox, configuration: Dict[str, Any], seed: int = 0
) -> int:
    """Number of leading fidelities of ``configuration`` with a real value
    (the run was early-stopped at fidelity ``fidelity_values[n - 1]``)."""
    curve = np.asarray(blackbox.objective_function(configuration, seed=seed))
    invalid = np.isnan(curve).any(axis=1)
    return int(invalid.argmax()) if invalid.any() else int(curve.shape[0])


#: Este1le/hpo_nmt at the commit the data mirror copied (its PROVENANCE.md)
URL_ROOT = "https://raw.githubusercontent.com/Este1le/hpo_nmt/7bd0a402b332a6fdea8bdfeabb0271afa5c5be1f/"

#: SHA-256 of the files read, at that commit (computed on the mirrored copies)
SHA256 = {
    "datasets/en-ja.hyps": "cdfd7c8c1bf3e3eac16bca04ad9b1f5c5755e2a5170a06edc3d074ae2a481798",
    "datasets/ja-en.hyps": "df4a452ceabb9134f4c469778d14de2f6333e92b175cce21d9f9ade194beead6",
    "datasets/ru-en.hyps": "0a96d2b1f10e4a22721cc81befa7b2cf875b761da23ced4c0ac0085be29fbd76",
    "datasets/so-en.hyps": "0564b44e795d22b6a8f660bd6672e210fa544b0cacf03b913cbec50d95e93d7e",
    "datasets/sw-en.hyps": "e2642bc6f6ed6afe060e13fe699fa2dcd569f5311ee72eea55db87e37f25b725",
    "datasets/zh-en.hyps": "4ce4f95cf0ccf0beb6ff36b19be2ba98070bb05c7dfc49cb44f882314a2dfd73",
    "datasets/en-ja.evals": "1385c842ae3f6a7f3ee8b5cb554f81f707a4f7502f7806e048bc46c36a3157d5",
    "datasets/ja-en.evals": "6e3cb9be3d2cc097fe1fcbe8e5b15c933a5195684ec5a86e0a57ae921de24866",
    "datasets/ru-en.evals": "1ddeb9a42d8dad6340d83ba427d375e66f1b2c030360877b6963180ee559f3ab",
    "datasets/so-en.evals": "4e95d872c15a0af35a1b7672ae979c794c9022ee1b53c821d7a8b646dd023bb7",
    "datasets/sw-en.evals": "a2be8d462a621948afe782e2ad398a8832c98c26d8ca5992357af9278e0f1d4f",
    "datasets/zh-en.evals": "4b09d2f5f593f8ff70de7ccf2e7990584282a2fb204142c31dec2d2e506983f2",
    "lc_datasets/nmtlc.pkl": "42ecab6a7f3c93c7697714cf1082318274e232e04d79bf4400bfc55d6a766eca",
}


def source_files() -> Tuple[SourceFile, ...]:
    """The files the recipes read; the download folder keeps their layout."""
    return tuple(
        SourceFile((f"nmt_hpo/{rel}",), url=URL_ROOT + rel, sha256=sha, filename=rel)
        for rel, sha in SHA256.items()
    )


def find_or_download_data(name: str, mirror_path, download_dir) -> Path:
    """``<mirror>/nmt_hpo`` if complete, else the download folder, filled
    with what is missing there (each file checked against its SHA-256)."""
    if mirror_path is not None:
        path = nmt_data_path(mirror_path)
        if all((path / rel).is_file() for rel in SHA256):
            return path
    for spec in source_files():
        found = find_or_download(
            name, list(spec.relative_paths), spec.url, mirror_path, download_dir,
            filename=spec.filename, sha256=spec.sha256,
        )
        local = Path(download_dir) / spec.filename
        if found != local:  # in a partial mirror: complete the download folder
            local.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(found, local)
    return Path(download_dir)


class _NMTRecipeBase(BlackboxRecipe):
    _convert = None

    def data_sources(self):
        return [source_files()]

    def __init__(self, name: str, cite_reference: str, tasks: Optional[Sequence[str]] = None):
        if tasks is not None:
            unknown = [t for t in tasks if t not in LANGUAGE_PAIRS]
            if unknown:
                raise ValueError(
                    f"unknown NMT tasks {unknown}, known: {list(LANGUAGE_PAIRS)}"
                )
        super().__init__(name=name, cite_reference=cite_reference)
        self.tasks = list(tasks) if tasks is not None else None

    def _generate_on_disk(self, target: Path, mirror_path: Optional[Path], download_dir: Path):
        data_path = find_or_download_data(self.name, mirror_path, download_dir)
        bb_dict, meta = type(self)._convert(data_path, self.tasks)
        serialize(bb_dict, target, metadata=meta)


class NMTRecipe(_NMTRecipeBase):
    """Recipe of ``nmt`` (learning curves, see module doc)."""

    _convert = staticmethod(convert_nmt)

    def __init__(self, tasks: Optional[Sequence[str]] = None, name: str = BLACKBOX_NAME_LC):
        super().__init__(name=name, cite_reference=CITATION_LC, tasks=tasks)


class NMTHPORecipe(_NMTRecipeBase):
    """Recipe of ``nmt-hpo`` (single fidelity, multi-objective)."""

    _convert = staticmethod(convert_nmt_hpo)

    def __init__(self, tasks: Optional[Sequence[str]] = None, name: str = BLACKBOX_NAME_HPO):
        super().__init__(name=name, cite_reference=CITATION_HPO, tasks=tasks)


RECIPES = [NMTRecipe(), NMTHPORecipe()]
