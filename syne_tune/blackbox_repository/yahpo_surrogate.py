"""YAHPO Gym surrogate blackboxes, evaluated with onnxruntime.

`YAHPO Gym <https://github.com/slds-lmu/yahpo_gym>`_ (Pfisterer et al., 2022)
ships, per *scenario* (e.g. ``lcbench``, ``rbv2_xgboost``), a neural-network
surrogate fitted on real HPO runs, exported as ONNX (``model.onnx``), together
with the search space (``config_space.json``, ConfigSpace JSON format) and the
integer codes of the categorical inputs (``encoding.json``). This module
evaluates these surrogates without depending on the ``yahpo_gym`` package;
only ``onnxruntime`` is needed.

Input encoding (replicates ``yahpo_gym`` 1.0.2,
``BenchmarkSet._config_to_xs``; the scenario facts below are those of
``yahpo_gym/benchmarks/*.py``):

* The ONNX graph has two inputs, ``x_cat`` (int32, one column per categorical
  input) and ``x_cont`` (float32, one column per numerical input), and one
  output (float32, one column per objective, in the order of ``y_names``).
* ``x_cont`` holds the *raw* values (no scaling, no log transform: the
  surrogate does its input transforms and the de-scaling of its outputs
  inside the graph) in the fixed order ``cont_names`` of the scenario. The
  fidelity parameters (``epoch``, ``trainsize``, ``repl``) are ordinary
  numerical inputs there.
* ``x_cat`` holds the integer codes from ``encoding.json`` in the order
  ``cat_names``, where the instance parameter (``OpenML_task_id`` or
  ``task_id``) is moved to the front.
* A parameter that is inactive (its condition in ``config_space.json`` does
  not hold, e.g. ``eta`` when ``booster = gblinear``) is encoded as ``0`` if
  numerical and as the code of ``"#na#"`` if categorical.
* The output is used as is (no clipping): e.g. ``val_accuracy`` of
  ``lcbench`` is in percent, and ``time`` is the cumulative training time
  (seconds) up to the given epoch.

Blackboxes (one per instance; tasks of ``yahpo-<scenario>`` = instances):

* The configuration space excludes the instance parameter and the fidelity
  parameters; ``uniform_float``/``uniform_int`` become ``uniform`` /
  ``loguniform`` / ``randint`` / ``lograndint``, ``categorical`` ``choice``.
* Fidelity: ``lcbench`` and ``nb301`` use ``epoch`` (all integer values).
  For ``iaml_*`` and ``rbv2_*`` (as in Syne Tune 0.13) the fidelity
  ``trainsize`` in ``[0.03, 1]`` is exposed as an integer ``trainsize`` in
  ``1..20`` meaning a training fraction of ``trainsize / 20``; for ``rbv2_*``
  the second fidelity ``repl`` (replication index) is fixed to 10.
* The surrogate is deterministic, ``seed`` is ignored.

Speed: one ONNX session per model file, cached per process, single threaded
(``intra_op_num_threads = inter_op_num_threads = 1``); a single-configuration
call costs about 0.15 ms, a whole learning curve (52 epochs) one batched call
of about 1 ms, batches evaluate at about 15 us per row
(:meth:`YahpoSurrogateBlackbox.objective_function_batch`,
:meth:`YahpoScenario.predict`).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from syne_tune import config_space as sp
from syne_tune.blackbox_repository.blackbox import Blackbox
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    MIRROR_ENV_VAR,
    data_mirror_path,
)

CITATION_YAHPO = (
    "YAHPO Gym - An Efficient Multi-Objective Multi-Fidelity Benchmark for "
    "Hyperparameter Optimization. Pfisterer F., Schneider L., Moosbauer J., "
    "Binder M., Bischl B. AutoML Conference 2022."
)

#: Version of the YAHPO Gym code whose input encoding is replicated here,
#: and of the ``yahpo_data`` surrogates it goes with.
YAHPO_VERSION = "1.0.2"

NA_CATEGORY = "#na#"

#: Environment variable naming the YAHPO data folder directly (overrides the
#: data mirror's ``yahpo`` folder)
YAHPO_PATH_ENV_VAR = "SYNE_TUNE_YAHPO_PATH"

# ----------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class YahpoScenarioSpec:
    """Facts of one YAHPO scenario that are not in its data files."""

    name: str
    y_names: Tuple[str, ...]
    y_minimize: Tuple[bool, ...]
    cont_names: Tuple[str, ...]
    cat_names: Tuple[str, ...]
    instance_name: Optional[str]
    fidelity_params: Tuple[str, ...]
    runtime_name: str
    memory_name: Optional[str] = None
    drop_predict: Tuple[str, ...] = ()
    #: instances when the instance is not a parameter (``nb301``)
    instances: Optional[Tuple[str, ...]] = None
    #: default objective and whether it is maximized
    default_metric: str = ""
    #: citations of the underlying data
    citation: Tuple[str, ...] = ()

    @property
    def encoded_cat_names(self) -> List[str]:
        """Categorical inputs in the order of the ``x_cat`` columns."""
        names = list(self.cat_names)
        if self.instance_name:
            names.remove(self.instance_name)
            names = [self.instance_name] + names
        return [n for n in names if n not in self.drop_predict]


_RBV2_Y = ("acc", "bac", "auc", "brier", "f1", "logloss", "timetrain", "timepredict", "memory")
# f1 is maximized (yahpo_gym 1.0.2 lists it as minimized, an evident slip)
_RBV2_MIN = (False, False, False, True, False, True, True, True, True)
_RBV2_CITE = (
    "Binder M., Pfisterer F. & Bischl B. (2020). Collecting Empirical Data About "
    "Hyperparameters for Data Driven AutoML. 7th ICML Workshop on Automated "
    "Machine Learning.",
)
_IAML_Y = (
    "mmce", "f1", "auc", "logloss", "ramtrain", "rammodel", "rampredict",
    "timetrain", "timepredict", "mec", "ias", "nf",
)
_IAML_MIN = (True, False, False, True, True, True, True, True, True, True, True, True)
_XGB_CONT = (
    "nrounds", "eta", "gamma", "lambda", "alpha", "subsample", "max_depth",
    "min_child_weight", "colsample_bytree", "colsample_bylevel", "rate_drop",
    "skip_drop",
)


def _rbv2(name: str, cont: Sequence[str], cat: Sequence[str]) -> YahpoScenarioSpec:
    return YahpoScenarioSpec(
        name=name,
        y_names=_RBV2_Y,
        y_minimize=_RBV2_MIN,
        cont_names=tuple(cont) + ("trainsize", "repl"),
        cat_names=("task_id",) + tuple(cat) + ("num.impute.selected.cpo",),
        instance_name="task_id",
        fidelity_params=("trainsize", "repl"),
        runtime_name="timetrain",
        memory_name="memory",
        default_metric="acc",
        citation=_RBV2_CITE,
    )


def _iaml(name: str, cont: Sequence[str], cat: Sequence[str]) -> YahpoScenarioSpec:
    return YahpoScenarioSpec(
        name=name,
        y_names=_IAML_Y,
        y_minimize=_IAML_MIN,
        cont_names=tuple(cont) + ("trainsize",),
        cat_names=("task_id",) + tuple(cat),
        instance_name="task_id",
        fidelity_params=("trainsize",),
        runtime_name="timetrain",
        memory_name="rammodel",
        default_metric="mmce",
    )


_NB301_OPS = tuple(
    f"NetworkSelectorDatasetInfo_COLON_darts_COLON_edge_{cell}_{i}"
    for cell in ("normal", "reduce")
    for i in range(14)
) + tuple(
    f"NetworkSelectorDatasetInfo_COLON_darts_COLON_inputs_node_{cell}_{i}"
    for cell in ("normal", "reduce")
    for i in (3, 4, 5)
)
_NB301_CATS = _NB301_OPS

SCENARIO_SPECS: Dict[str, YahpoScenarioSpec] = {
    "lcbench": YahpoScenarioSpec(
        name="lcbench",
        y_names=(
            "time", "val_accuracy", "val_cross_entropy", "val_balanced_accuracy",
            "test_cross_entropy", "test_balanced_accuracy",
        ),
        y_minimize=(True, False, True, False, True, False),
        cont_names=(
            "epoch", "batch_size", "learning_rate", "momentum", "weight_decay",
            "num_layers", "max_units", "max_dropout",
        ),
        cat_names=("OpenML_task_id",),
        instance_name="OpenML_task_id",
        fidelity_params=("epoch",),
        runtime_name="time",
        default_metric="val_accuracy",
        citation=(
            "Zimmer, L., Lindauer, M., & Hutter, F. (2021). Auto-Pytorch: "
            "Multi-Fidelity Metalearning for Efficient and Robust AutoDL. IEEE "
            "TPAMI, 43(9), 3079-3090.",
        ),
    ),
    "nb301": YahpoScenarioSpec(
        name="nb301",
        y_names=("val_accuracy", "runtime"),
        y_minimize=(False, True),
        cont_names=("epoch",),
        cat_names=_NB301_CATS,
        instance_name=None,
        fidelity_params=("epoch",),
        runtime_name="runtime",
        drop_predict=("dataset",),
        instances=("CIFAR10",),
        default_metric="val_accuracy",
        citation=(
            "Siems, J., Zimmer, L., Zela, A., Lukasik, J., Keuper, M., & Hutter, "
            "F. (2020). NAS-Bench-301 and the Case for Surrogate Benchmarks for "
            "Neural Architecture Search. arXiv:2008.09777.",
        ),
    ),
    "rbv2_svm": _rbv2("rbv2_svm", ("cost", "gamma", "tolerance", "degree"), ("kernel",)),
    "rbv2_ranger": _rbv2(
        "rbv2_ranger",
        ("num.trees", "sample.fraction", "mtry.power", "min.node.size", "num.random.splits"),
        ("respect.unordered.factors", "splitrule"),
    ),
    "rbv2_rpart": _rbv2("rbv2_rpart", ("cp", "maxdepth", "minbucket", "minsplit"), ()),
    "rbv2_glmnet": _rbv2("rbv2_glmnet", ("alpha", "s"), ()),
    "rbv2_xgboost": _rbv2("rbv2_xgboost", _XGB_CONT, ("booster",)),
    "rbv2_aknn": _rbv2("rbv2_aknn", ("k", "M", "ef", "ef_construction"), ("distance",)),
    "rbv2_super": _rbv2(
        "rbv2_super",
        ("svm.cost", "svm.gamma", "svm.tolerance", "svm.degree", "glmnet.alpha",
         "glmnet.s", "rpart.cp", "rpart.maxdepth", "rpart.minbucket",
         "rpart.minsplit", "ranger.num.trees", "ranger.sample.fraction",
         "ranger.mtry.power", "ranger.min.node.size", "ranger.num.random.splits",
         "aknn.k", "aknn.M", "aknn.ef", "aknn.ef_construction")
        + tuple("xgboost." + n for n in _XGB_CONT),
        ("learner_id", "svm.kernel", "ranger.respect.unordered.factors",
         "ranger.splitrule", "aknn.distance", "xgboost.booster"),
    ),
    "iaml_ranger": _iaml(
        "iaml_ranger",
        ("num.trees", "sample.fraction", "mtry.ratio", "min.node.size", "num.random.splits"),
        ("replace", "respect.unordered.factors", "splitrule"),
    ),
    "iaml_rpart": _iaml("iaml_rpart", ("cp", "maxdepth", "minbucket", "minsplit"), ()),
    "iaml_glmnet": _iaml("iaml_glmnet", ("alpha", "s"), ()),
    "iaml_xgboost": _iaml("iaml_xgboost", _XGB_CONT, ("booster",)),
    "iaml_super": _iaml(
        "iaml_super",
        ("ranger.num.trees", "ranger.sample.fraction", "ranger.mtry.ratio",
         "ranger.min.node.size", "ranger.num.random.splits", "rpart.cp",
         "rpart.maxdepth", "rpart.minbucket", "rpart.minsplit", "glmnet.alpha",
         "glmnet.s") + tuple("xgboost." + n for n in _XGB_CONT),
        ("learner", "ranger.replace", "ranger.respect.unordered.factors",
         "ranger.splitrule", "xgboost.booster"),
    ),
}

#: ``trainsize`` (fraction in [0.03, 1]) is exposed as an integer in 1..20
TRAINSIZE_STEPS = 20
#: value of the ``repl`` fidelity of ``rbv2_*`` (fixed, as in Syne Tune 0.13)
RBV2_REPL = 10

# ------------------------------------------------------------ data location


def default_yahpo_data_path(mirror_path: Union[str, Path, None] = None) -> Optional[Path]:
    """Folder holding the YAHPO data (one sub-folder per scenario), or None.

    Parameters
    ----------
    mirror_path
        Data mirror to look in (default: ``$SYNE_TUNE_YAHPO_PATH`` if set,
        else the mirror of
        :func:`~syne_tune.blackbox_repository.conversion_scripts.utils.data_mirror_path`).

    Returns
    -------
    pathlib.Path or None
        ``<mirror>/yahpo``, or the mirror itself, whichever holds a scenario
        folder (with ``config_space.json``); None if neither does.
    """
    if mirror_path is None and os.environ.get(YAHPO_PATH_ENV_VAR):
        return Path(os.environ[YAHPO_PATH_ENV_VAR])
    mirror = data_mirror_path(mirror_path)
    if mirror is None:
        return None
    for candidate in (Path(mirror) / "yahpo", Path(mirror)):
        if any((candidate / name / "config_space.json").is_file() for name in SCENARIO_SPECS):
            return candidate
    return None


def available_scenarios(data_path: Union[str, Path, None] = None) -> List[str]:
    """Scenarios whose ONNX surrogate (``model.onnx``) is present."""
    path = Path(data_path) if data_path is not None else default_yahpo_data_path()
    if path is None:
        return []
    return [
        name
        for name in SCENARIO_SPECS
        if (path / name / "model.onnx").is_file()
        and (path / name / "config_space.json").is_file()
        and (path / name / "encoding.json").is_file()
    ]


# --------------------------------------------------------- onnx sessions

_SESSIONS: Dict[Tuple[str, int], Any] = {}
_SESSIONS_LOCK = threading.Lock()


def onnx_session(model_path: Union[str, Path], num_threads: int = 1):
    """Cached ``onnxruntime.InferenceSession`` for ``model_path``.

    ``num_threads = 1`` (default) is best for single-configuration calls;
    ``num_threads = 0`` lets onnxruntime use all cores (bulk conversions).
    """
    key = (str(Path(model_path).resolve()), int(num_threads))
    session = _SESSIONS.get(key)
    if session is None:
        with _SESSIONS_LOCK:
            session = _SESSIONS.get(key)
            if session is None:
                try:
                    import onnxruntime as ort
                except ImportError as ex:  # pragma: no cover
                    raise ImportError(
                        "YAHPO surrogate blackboxes need onnxruntime: "
                        "pip install 'onnxruntime>=1.16'"
                    ) from ex
                options = ort.SessionOptions()
                options.intra_op_num_threads = int(num_threads)
                options.inter_op_num_threads = 1 if num_threads else 0
                options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                options.log_severity_level = 3
                session = ort.InferenceSession(
                    key[0], sess_options=options, providers=["CPUExecutionProvider"]
                )
                _SESSIONS[key] = session
    return session


# -------------------------------------------------------------- conditions


def _condition_holds(cond: dict, values: Dict[str, Any], active: Dict[str, bool]) -> bool:
    ctype = cond["type"]
    if ctype == "AND":
        return all(_condition_holds(c, values, active) for c in cond["conditions"])
    if ctype == "OR":
        return any(_condition_holds(c, values, active) for c in cond["conditions"])
    parent = cond["parent"]
    if not active.get(parent, True):
        return False
    value = values.get(parent)
    if value is None:
        return False
    if ctype == "EQ":
        return value == cond["value"]
    if ctype == "NEQ":
        return value != cond["value"]
    if ctype == "IN":
        return value in cond["values"]
    if ctype == "GT":
        return value > cond["value"]
    if ctype == "LT":
        return value < cond["value"]
    raise ValueError(f"unsupported condition type {ctype}")


def _condition_parents(cond: dict) -> List[str]:
    if cond["type"] in ("AND", "OR"):
        return [p for c in cond["conditions"] for p in _condition_parents(c)]
    return [cond["parent"]]


# ----------------------------------------------------------------- scenario


@dataclass
class _Hyperparameter:
    name: str
    type: str  # "float", "int", "cat"
    log: bool = False
    lower: Optional[float] = None
    upper: Optional[float] = None
    choices: Optional[List[Any]] = None


def _parse_hyperparameter(hp: dict) -> _Hyperparameter:
    """One entry of a ConfigSpace JSON ``hyperparameters`` list."""
    name, kind = hp["name"], hp["type"]
    if kind in ("uniform_float", "uniform_int"):
        return _Hyperparameter(
            name, kind[len("uniform_"):], bool(hp.get("log")), hp["lower"], hp["upper"]
        )
    if kind in ("categorical", "ordinal"):
        return _Hyperparameter(name, "cat", choices=list(hp.get("choices", hp.get("sequence"))))
    if kind == "constant":
        return _Hyperparameter(name, "cat", choices=[hp["value"]])
    raise ValueError(f"unsupported hyperparameter type {kind!r} of {name!r}")


class YahpoScenario:
    """One YAHPO scenario: search space, encoding and ONNX surrogate.

    :param name: scenario name, e.g. ``"lcbench"``
    :param data_path: folder with one sub-folder per scenario (default:
        :func:`default_yahpo_data_path`), or the scenario folder itself
    """

    def __init__(self, name: str, data_path: Union[str, Path, None] = None):
        if name not in SCENARIO_SPECS:
            raise ValueError(
                f"unknown YAHPO scenario '{name}', known: {sorted(SCENARIO_SPECS)}"
            )
        self.spec = SCENARIO_SPECS[name]
        self.name = name
        path = Path(data_path) if data_path is not None else default_yahpo_data_path()
        if path is None:
            raise FileNotFoundError(
                f"YAHPO data not found; set {YAHPO_PATH_ENV_VAR} or {MIRROR_ENV_VAR}"
            )
        if not (path / "config_space.json").is_file():
            path = path / name
        self.path = path
        with open(path / "config_space.json") as f:
            cs_json = json.load(f)
        with open(path / "encoding.json") as f:
            self.encoding: Dict[str, Dict[str, int]] = json.load(f)
        self.hyperparameters: Dict[str, _Hyperparameter] = {
            hp["name"]: _parse_hyperparameter(hp) for hp in cs_json["hyperparameters"]
        }
        # conditions: child -> condition; evaluated in topological order
        self.conditions: Dict[str, dict] = {c["child"]: c for c in cs_json["conditions"]}
        self._condition_order = self._topological_children()
        self.cont_names = list(self.spec.cont_names)
        self.cat_names = self.spec.encoded_cat_names
        self._cont_index = {n: i for i, n in enumerate(self.cont_names)}
        self._cat_index = {n: i for i, n in enumerate(self.cat_names)}
        for n in self.cat_names:
            if n not in self.encoding:
                raise ValueError(f"{name}: no encoding for categorical input '{n}'")
        self.model_path = path / "model.onnx"
        self._sessions: Dict[int, Any] = {}
        # NA row: what yahpo_gym feeds for absent / inactive parameters
        self._na_cont = np.zeros(len(self.cont_names), dtype=np.float32)
        self._na_cat = np.array(
            [self.encoding[n][NA_CATEGORY] for n in self.cat_names], dtype=np.int32
        )

    # ------------------------------------------------------------ properties
    @property
    def instances(self) -> List[str]:
        if self.spec.instance_name is None:
            return list(self.spec.instances or ())
        return [str(c) for c in self.hyperparameters[self.spec.instance_name].choices]

    @property
    def y_names(self) -> List[str]:
        return list(self.spec.y_names)

    def session(self, num_threads: int = 1):
        session = self._sessions.get(num_threads)
        if session is None:
            if not self.model_path.is_file():
                raise FileNotFoundError(
                    f"ONNX surrogate {self.model_path} of YAHPO scenario "
                    f"'{self.name}' is missing"
                )
            session = onnx_session(self.model_path, num_threads=num_threads)
            self._sessions[num_threads] = session
        return session

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_sessions"] = {}  # sessions cannot be pickled
        return state

    def _topological_children(self) -> List[str]:
        order: List[str] = []
        done = set()

        def visit(child: str, stack=()):
            if child in done or child not in self.conditions:
                return
            if child in stack:
                raise ValueError(f"cyclic conditions at {child}")
            for parent in _condition_parents(self.conditions[child]):
                visit(parent, stack + (child,))
            done.add(child)
            order.append(child)

        for child in self.conditions:
            visit(child)
        return order

    # -------------------------------------------------------------- encoding
    def active_parameters(self, configuration: Dict[str, Any]) -> Dict[str, bool]:
        """Which parameters are active under ``configuration``."""
        active: Dict[str, bool] = {}
        for child in self._condition_order:
            active[child] = _condition_holds(self.conditions[child], configuration, active)
        return active

    def encode(self, configuration: Dict[str, Any]) -> Tuple[np.ndarray, np.ndarray]:
        """``(x_cont, x_cat)`` rows (shapes ``(n_cont,)``, ``(n_cat,)``) for
        one full configuration (instance and fidelity parameters included)."""
        x_cont = self._na_cont.copy()
        x_cat = self._na_cat.copy()
        inactive = ()
        if self._condition_order:
            active = self.active_parameters(configuration)
            inactive = {k for k, v in active.items() if not v}
        for name, value in configuration.items():
            if value is None or name in inactive:
                continue
            j = self._cont_index.get(name)
            if j is not None:
                try:
                    x_cont[j] = value
                except (TypeError, ValueError):
                    raise ValueError(
                        f"invalid value {value!r} for numerical '{name}' of "
                        f"YAHPO scenario '{self.name}'"
                    ) from None
                continue
            j = self._cat_index.get(name)
            if j is not None:
                code = self.encoding[name].get(str(value))
                if code is None:
                    raise ValueError(
                        f"invalid value {value!r} for categorical '{name}' of "
                        f"YAHPO scenario '{self.name}'"
                    )
                x_cat[j] = code
        return x_cont, x_cat

    def encode_many(
        self, configurations: Sequence[Dict[str, Any]]
    ) -> Tuple[np.ndarray, np.ndarray]:
        n = len(configurations)
        x_cont = np.empty((n, len(self.cont_names)), dtype=np.float32)
        x_cat = np.empty((n, len(self.cat_names)), dtype=np.int32)
        for i, config in enumerate(configurations):
            x_cont[i], x_cat[i] = self.encode(config)
        return x_cont, x_cat

    def encode_columns(
        self, columns: Dict[str, Any], num_rows: int
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Vectorised :meth:`encode`: ``columns`` maps parameter names to
        arrays of length ``num_rows`` (or scalars, broadcast). Only for
        scenarios without conditions (others: use :meth:`encode_many`)."""
        if self.conditions:
            raise ValueError(
                f"scenario {self.name} has conditional parameters, use encode_many"
            )
        x_cont = np.tile(self._na_cont, (num_rows, 1))
        x_cat = np.tile(self._na_cat, (num_rows, 1))
        for name, values in columns.items():
            j = self._cont_index.get(name)
            if j is not None:
                x_cont[:, j] = values
                continue
            j = self._cat_index.get(name)
            if j is not None:
                codes = self.encoding[name]
                if np.ndim(values) == 0:
                    x_cat[:, j] = codes[str(values)]
                else:
                    x_cat[:, j] = [codes[str(v)] for v in values]
        return x_cont, x_cat

    # ------------------------------------------------------------ prediction
    def predict(
        self,
        x_cont: np.ndarray,
        x_cat: np.ndarray,
        num_threads: int = 1,
        chunk_size: int = 2048,
    ) -> np.ndarray:
        """Surrogate outputs, shape ``(n, len(y_names))`` (float32), for
        encoded inputs; evaluated in chunks of ``chunk_size`` rows."""
        x_cont = np.ascontiguousarray(x_cont, dtype=np.float32)
        x_cat = np.ascontiguousarray(x_cat, dtype=np.int32)
        if x_cont.ndim == 1:
            x_cont = x_cont[None, :]
            x_cat = x_cat[None, :]
        session = self.session(num_threads)
        n = x_cont.shape[0]
        if n <= chunk_size:
            return session.run(None, {"x_cat": x_cat, "x_cont": x_cont})[0]
        out = np.empty((n, len(self.spec.y_names)), dtype=np.float32)
        for start in range(0, n, chunk_size):
            stop = min(n, start + chunk_size)
            out[start:stop] = session.run(
                None, {"x_cat": x_cat[start:stop], "x_cont": x_cont[start:stop]}
            )[0]
        return out

    def objective_function(
        self, configurations: Union[Dict[str, Any], Sequence[Dict[str, Any]]]
    ) -> List[Dict[str, float]]:
        """Like ``yahpo_gym``'s ``BenchmarkSet.objective_function``: full
        configurations (instance and fidelities included) to a list of
        ``{y_name: value}``."""
        if isinstance(configurations, dict):
            configurations = [configurations]
        y = self.predict(*self.encode_many(configurations))
        names = self.spec.y_names
        return [dict(zip(names, map(float, row))) for row in y]


# ---------------------------------------------------------------- blackbox


def scenario_metadata(scenario: str) -> Dict[str, Any]:
    """Metadata of the ``yahpo-<scenario>`` blackboxes (``bb.metadata``), with
    the keys of the tabulated blackboxes (``default_metric``,
    ``default_mode``, ``metric_elapsed_time``, ``resource_attr``)."""
    spec = SCENARIO_SPECS[scenario]
    modes = {
        name: "min" if minimize else "max"
        for name, minimize in zip(spec.y_names, spec.y_minimize)
    }
    fidelity = "trainsize" if "trainsize" in spec.fidelity_params else spec.fidelity_params[0]
    meta = {
        "default_metric": spec.default_metric,
        "default_mode": modes[spec.default_metric],
        "objectives_modes": modes,
        "metric_elapsed_time": spec.runtime_name,
        # lcbench / nb301: cumulative time up to the epoch; iaml / rbv2: time
        # of training on the given fraction of the data
        "elapsed_time_is_cumulative": fidelity == "epoch",
        "resource_attr": fidelity,
        "surrogate": f"YAHPO Gym {YAHPO_VERSION} ONNX surrogate of scenario {scenario}",
        "yahpo_scenario": scenario,
        "yahpo_version": YAHPO_VERSION,
        "cite": " ".join((CITATION_YAHPO,) + spec.citation),
    }
    if fidelity == "trainsize":
        meta["fidelity_definition"] = (
            f"trainsize = k means a training fraction of k / {TRAINSIZE_STEPS}"
            + (f"; repl fixed to {RBV2_REPL}" if "repl" in spec.fidelity_params else "")
        )
    return meta



def _syne_tune_domain(hp: _Hyperparameter):
    if hp.type == "cat":
        if len(hp.choices) == 1:
            return hp.choices[0]
        return sp.choice(list(hp.choices))
    if hp.type == "int":
        lower, upper = int(hp.lower), int(hp.upper)
        return sp.lograndint(lower, upper) if hp.log else sp.randint(lower, upper)
    return sp.loguniform(hp.lower, hp.upper) if hp.log else sp.uniform(hp.lower, hp.upper)


class YahpoSurrogateBlackbox(Blackbox):
    """Blackbox for one instance of a YAHPO scenario (surrogate model).

    :param scenario: the :class:`YahpoScenario`
    :param instance: the instance (e.g. an OpenML task id as string)
    :param fidelities: optional strictly increasing subset of the fidelity
        values to expose (e.g. the epochs at which data was really
        recorded); the fidelity space then is ``ordinal(fidelities)``
    """

    def __init__(
        self,
        scenario: YahpoScenario,
        instance: str,
        fidelities: Optional[Sequence[int]] = None,
    ):
        spec = scenario.spec
        instance = str(instance)
        if instance not in scenario.instances:
            raise ValueError(
                f"unknown instance {instance} of YAHPO scenario {scenario.name}"
            )
        excluded = set(spec.fidelity_params)
        if spec.instance_name:
            excluded.add(spec.instance_name)
        configuration_space = {
            name: _syne_tune_domain(hp)
            for name, hp in scenario.hyperparameters.items()
            if name not in excluded
        }
        self._trainsize_fidelity = "trainsize" in spec.fidelity_params
        if self._trainsize_fidelity:
            self._fidelity_name = "trainsize"
            fidelity_space = {"trainsize": sp.randint(1, TRAINSIZE_STEPS)}
            self._fidelity_values = np.arange(1, TRAINSIZE_STEPS + 1)
            # fidelity value k -> trainsize k / 20
            self._fidelity_inputs = self._fidelity_values / TRAINSIZE_STEPS
        else:
            (self._fidelity_name,) = spec.fidelity_params
            hp = scenario.hyperparameters[self._fidelity_name]
            lower, upper = int(hp.lower), int(hp.upper)
            fidelity_space = {self._fidelity_name: sp.randint(lower, upper)}
            self._fidelity_values = np.arange(lower, upper + 1)
            self._fidelity_inputs = self._fidelity_values.astype(np.float64)
        if fidelities is not None:
            values = np.asarray(list(fidelities))
            all_values = set(self._fidelity_values.tolist())
            if (
                values.ndim != 1
                or len(values) == 0
                or not np.all(np.diff(values) > 0)
                or not set(values.tolist()) <= all_values
            ):
                raise ValueError(
                    f"fidelities = {list(fidelities)} must be strictly increasing "
                    f"values among {self._fidelity_values[0]}..{self._fidelity_values[-1]}"
                )
            positions = np.searchsorted(self._fidelity_values, values)
            self._fidelity_values = self._fidelity_values[positions]
            self._fidelity_inputs = self._fidelity_inputs[positions]
            fidelity_space = {
                self._fidelity_name: sp.ordinal([int(v) for v in self._fidelity_values])
            }
        super().__init__(
            configuration_space=configuration_space,
            fidelity_space=fidelity_space,
            objectives_names=list(spec.y_names),
        )
        self.scenario = scenario
        self.instance = instance
        self.num_seeds = 1
        self.metadata: Dict[str, Any] = scenario_metadata(scenario.name)
        self._fidelity_set = frozenset(self._fidelity_values.tolist())
        # base configuration: instance (and fixed fidelities)
        self._fixed: Dict[str, Any] = {}
        if spec.instance_name:
            self._fixed[spec.instance_name] = instance
        if "repl" in spec.fidelity_params:
            self._fixed["repl"] = RBV2_REPL
        self._fidelity_col = scenario._cont_index[self._fidelity_name]
        self._hp_names = [n for n in configuration_space]
        self._cache_key = None
        self._cache_value = None

    # --------------------------------------------------------------- metadata
    @property
    def fidelity_values(self) -> np.ndarray:
        return self._fidelity_values

    @property
    def time_attribute(self) -> str:
        """Name of the (cumulative for ``lcbench``) runtime objective."""
        return self.scenario.spec.runtime_name

    def fidelity_to_input(self, fidelity_value) -> float:
        """Surrogate input for a fidelity value (``k -> k/20`` for trainsize)."""
        if self._trainsize_fidelity:
            return float(fidelity_value) / TRAINSIZE_STEPS
        return float(fidelity_value)

    # -------------------------------------------------------------- encoding
    def _encode_config(self, configuration: Dict[str, Any]) -> Tuple[np.ndarray, np.ndarray]:
        full = {k: configuration[k] for k in self._hp_names if k in configuration}
        if len(full) < len(self._hp_names):
            self._check_missing(configuration, full)
        full.update(self._fixed)
        return self.scenario.encode(full)

    def _check_missing(self, configuration: Dict[str, Any], given: Dict[str, Any]):
        """Raises if a hyperparameter that is active under ``configuration``
        is missing (inactive ones may be left out)."""
        missing = [k for k in self._hp_names if k not in given]
        if self.scenario.conditions:
            active = self.scenario.active_parameters(dict(given, **self._fixed))
            missing = [k for k in missing if active.get(k, True)]
        if missing:
            raise ValueError(
                f"configuration {configuration} lacks the hyperparameters {missing} "
                f"of YAHPO scenario '{self.scenario.name}'"
            )

    # -------------------------------------------------------------- evaluate
    def _objective_function(
        self,
        configuration: Dict[str, Any],
        fidelity: Optional[Dict[str, Any]] = None,
        seed: Optional[int] = None,
    ):
        x_cont, x_cat = self._encode_config(configuration)
        if fidelity is not None:
            value = fidelity.get(self._fidelity_name)
            if value is None:
                raise ValueError(
                    f"fidelity {fidelity} must contain '{self._fidelity_name}'"
                )
            if value not in self._fidelity_set:
                raise ValueError(
                    f"{self._fidelity_name} = {value} is not one of the fidelity "
                    f"values {self._fidelity_values[0]}, ..., {self._fidelity_values[-1]}"
                )
            x_cont[self._fidelity_col] = self.fidelity_to_input(value)
            y = self.scenario.predict(x_cont, x_cat)[0]
            return dict(zip(self.objectives_names, map(float, y)))
        # all fidelities in one batched call; the last result is cached
        # (simulators ask for the whole curve of a trial once per trial)
        key = (x_cont.tobytes(), x_cat.tobytes())
        if key == self._cache_key:
            return self._cache_value.copy()
        num_fid = len(self._fidelity_inputs)
        xc = np.repeat(x_cont[None, :], num_fid, axis=0)
        xc[:, self._fidelity_col] = self._fidelity_inputs
        xk = np.repeat(x_cat[None, :], num_fid, axis=0)
        result = self.scenario.predict(xc, xk).astype(np.float64)
        self._cache_key, self._cache_value = key, result
        return result.copy()

    def objective_function_batch(
        self,
        configurations: Sequence[Dict[str, Any]],
        fidelity_values: Optional[Sequence] = None,
        num_threads: int = 1,
    ) -> np.ndarray:
        """Objectives for many configurations at many fidelities in batched
        ONNX calls: array of shape ``(len(configurations),
        len(fidelity_values), num_objectives)`` (float32).

        :param fidelity_values: fidelity values (default: all
            :attr:`fidelity_values`)
        """
        if fidelity_values is None:
            inputs = self._fidelity_inputs
        else:
            inputs = np.array([self.fidelity_to_input(v) for v in fidelity_values])
        n = len(configurations)
        x_cont = np.empty((n, len(self.scenario.cont_names)), dtype=np.float32)
        x_cat = np.empty((n, len(self.scenario.cat_names)), dtype=np.int32)
        for i, config in enumerate(configurations):
            x_cont[i], x_cat[i] = self._encode_config(config)
        num_fid = len(inputs)
        xc = np.repeat(x_cont, num_fid, axis=0)
        xc[:, self._fidelity_col] = np.tile(inputs, n)
        xk = np.repeat(x_cat, num_fid, axis=0)
        y = self.scenario.predict(xc, xk, num_threads=num_threads)
        return y.reshape(n, num_fid, -1)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_cache_key"] = None
        state["_cache_value"] = None
        return state


def load_yahpo_scenario(
    scenario: str,
    data_path: Union[str, Path, None] = None,
    instances: Optional[Sequence[str]] = None,
    fidelities: Optional[Sequence[int]] = None,
) -> Dict[str, YahpoSurrogateBlackbox]:
    """``{instance: blackbox}`` for a YAHPO scenario (``"lcbench"`` or
    ``"yahpo-lcbench"``); see :class:`YahpoSurrogateBlackbox` for
    ``fidelities``."""
    if scenario.startswith("yahpo-"):
        scenario = scenario[len("yahpo-"):]
    sc = YahpoScenario(scenario, data_path=data_path)
    if instances is None:
        instances = sc.instances
    return {
        str(inst): YahpoSurrogateBlackbox(sc, str(inst), fidelities=fidelities)
        for inst in instances
    }
