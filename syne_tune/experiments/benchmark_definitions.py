"""Named benchmark definitions: simulated ones on the converted real
benchmarks of the blackbox repository, and real ones running a training
script of ``examples/``.

A :class:`SimulatedBenchmarkDefinition` says which task of which blackbox is
tuned, on which metric and in which direction, for how long (simulated
wall-clock seconds), with how many workers, which objective holds the
training time, which attribute is the fidelity (``None``: the table has one
fidelity only, so multi-fidelity methods do not apply), and which surrogate
(if any) lets every configuration of the space be evaluated.
:func:`benchmark_definitions` returns all of them by name, e.g.
``"lcbench-airlines"``, ``"fcnet-protein_structure"``, ``"xgboost-heart"``.
The budgets and the number of workers follow the seed paper where it
tuned the same benchmark (4 workers; LCBench 7200 s, NAS-Bench-201 21600 s,
FCNet 1200 s).

A :class:`RealBenchmarkDefinition` names a training script (a path relative
to the repository root), its configuration space, metric, mode, resource
attribute and budget (real seconds); :func:`real_benchmark_definitions`
returns them by name.

Importing this module loads no blackbox (nothing but the configuration space
domains); the campaign scripts in ``benchmarking/`` load what a definition
names when it is run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from numbers import Integral, Real
from typing import Any, ClassVar

from syne_tune.config_space import randint, uniform
from syne_tune.utils.validation import Interval, Options, validate_parameters

__all__ = [
    "SimulatedBenchmarkDefinition",
    "RealBenchmarkDefinition",
    "benchmark_definitions",
    "real_benchmark_definitions",
    "select_benchmarks",
    "MAX_RESOURCE_ATTR",
]

#: configuration entry through which multi-fidelity schedulers cap a trial's fidelity
MAX_RESOURCE_ATTR = "max_resource"

_COMMON_CONSTRAINTS = {
    "name": [str],
    "metric": [str],
    "mode": [Options(str, {"min", "max"})],
    "max_wallclock_time": [Interval(Real, 0, None, closed="neither")],
    "n_workers": [Interval(Integral, 1, None, closed="left")],
    "resource_attr": [str, None],
    "max_resource_attr": [str, None],
}


def _validate(definition) -> None:
    """Check every field of a definition against its class's constraints."""
    validate_parameters(definition, {f.name: getattr(definition, f.name) for f in fields(definition)})
    if definition.name == "":
        raise ValueError(f"The 'name' parameter of {type(definition).__name__} must be a non-empty str. Got '' instead.")


@dataclass(frozen=True)
class SimulatedBenchmarkDefinition:
    """One task of a repository blackbox, tuned on the simulator.

    Parameters
    ----------
    name
        Name of the benchmark (e.g. ``"lcbench-airlines"``).
    blackbox_name
        Name in the blackbox repository (``blackbox_list()``).
    dataset_name
        Task of the blackbox.
    metric
        Objective to optimize.
    mode
        ``"min"`` or ``"max"``.
    max_wallclock_time
        Budget of one run, in simulated seconds.
    n_workers
        Trials evaluated in parallel.
    resource_attr
        Fidelity attribute reported with each result (e.g. ``"epoch"``);
        ``None`` when the table holds one fidelity only (multi-fidelity
        methods do not apply).
    elapsed_time_attr
        Objective holding the cumulative training time; ``None``: the table
        records none, and every evaluation takes ``time_per_evaluation``
        simulated seconds.
    max_resource_attr
        Configuration entry through which schedulers cap a trial's fidelity
        (``None`` for single-fidelity benchmarks).
    surrogate
        Name of a surrogate model fitted to the table
        (``"KNeighborsRegressor"``, ...) so that any configuration of the
        space can be evaluated; ``None``: the table covers the whole space.
    surrogate_kwargs
        Arguments of the surrogate model.
    time_per_evaluation
        Simulated seconds per evaluation when ``elapsed_time_attr`` is ``None``.

    Raises
    ------
    InvalidParameterError
        If a field has a value of the wrong kind (e.g. ``mode="minimize"``,
        ``n_workers=0``).
    """

    name: str
    blackbox_name: str
    dataset_name: str
    metric: str
    mode: str
    max_wallclock_time: float
    n_workers: int = 4
    resource_attr: str | None = None
    elapsed_time_attr: str | None = None
    max_resource_attr: str | None = None
    surrogate: str | None = None
    surrogate_kwargs: dict | None = field(default=None, hash=False)
    time_per_evaluation: float = 1.0

    _parameter_constraints: ClassVar[dict] = {
        **_COMMON_CONSTRAINTS,
        "blackbox_name": [str],
        "dataset_name": [str],
        "elapsed_time_attr": [str, None],
        "surrogate": [str, None],
        "surrogate_kwargs": [dict, None],
        "time_per_evaluation": [Interval(Real, 0, None, closed="neither")],
    }

    def __post_init__(self):
        _validate(self)

    @property
    def multi_fidelity(self) -> bool:
        """Whether the benchmark has several fidelities to schedule on."""
        return self.resource_attr is not None


@dataclass(frozen=True)
class RealBenchmarkDefinition:
    """A training script run for real (local backend).

    Parameters
    ----------
    name
        Name of the benchmark.
    script
        Training script, relative to the repository root.
    config_space
        Its configuration space (constants are passed to every trial).
    metric
        Metric reported by the script.
    mode
        ``"min"`` or ``"max"``.
    max_wallclock_time
        Budget of one run, in seconds.
    n_workers
        Trials run in parallel.
    resource_attr
        Resource reported with each result (e.g. ``"epoch"``); ``None``: one
        result per trial.
    max_resource_attr
        Configuration entry holding the maximum resource of a trial.

    Raises
    ------
    InvalidParameterError
        If a field has a value of the wrong kind.
    """

    name: str
    script: str
    config_space: dict = field(hash=False)
    metric: str
    mode: str
    max_wallclock_time: float
    n_workers: int = 4
    resource_attr: str | None = None
    max_resource_attr: str | None = None

    _parameter_constraints: ClassVar[dict] = {**_COMMON_CONSTRAINTS, "script": [str], "config_space": [dict]}

    def __post_init__(self):
        _validate(self)

    @property
    def multi_fidelity(self) -> bool:
        """Whether the script reports a resource that schedulers can stop at."""
        return self.resource_attr is not None


# ------------------------------------------------------------ simulated ones
#: blackbox -> (prefix of the names, tasks, metric, mode, elapsed-time objective
#: or None, fidelity attribute or None, budget in simulated seconds, surrogate)
_KNN1 = ("KNeighborsRegressor", {"n_neighbors": 1})
_FAMILIES: dict[str, tuple] = {
    # 34 OpenML tasks, 2000 sampled configurations, 50 epochs; a 1-NN
    # surrogate evaluates any configuration of the space (as in Syne Tune)
    "lcbench": (
        "lcbench",
        (
            "KDDCup09_appetency", "covertype", "Amazon_employee_access", "adult", "nomao", "bank-marketing",
            "shuttle", "Australian", "kr-vs-kp", "mfeat-factors", "credit-g", "vehicle", "kc1",
            "blood-transfusion-service-center", "cnae-9", "phoneme", "higgs", "connect-4", "helena", "jannis",
            "volkert", "MiniBooNE", "APSFailure", "christine", "fabert", "airlines", "jasmine", "sylvine",
            "albert", "dionis", "car", "segment", "Fashion-MNIST", "jungle_chess_2pcs_raw_endgame_complete",
        ),
        "val_accuracy", "max", "time", "epoch", 7200.0, _KNN1,
    ),
    # full grids of the final epoch only here (no fidelity)
    "fcnet": (
        "fcnet",
        ("protein_structure", "naval_propulsion", "parkinsons_telemonitoring", "slice_localization"),
        "metric_valid_loss", "min", "metric_elapsed_time", None, 1200.0, None,
    ),
    "nasbench201": (
        "nas201",
        ("cifar10", "cifar100", "ImageNet16-120"),
        "metric_valid_error", "min", "metric_elapsed_time", None, 21600.0, None,
    ),
    # 113 Transformer configurations per language pair, 157 checkpoints
    # (curves of unequal length); 10 x the median time of a full training run
    "nmt": (
        "nmt",
        ("zh-en", "ru-en", "ja-en", "en-ja", "sw-en", "so-en"),
        "dev_ppl", "min", "elapsed_time", "checkpoint", 50400.0, _KNN1,
    ),
    # full grid of 30000 configurations, final iteration only
    "hpobench-mlp": (
        "hpobench-mlp",
        ("australian", "blood_transfusion", "car", "credit_g", "kc1", "phoneme", "segment", "vehicle"),
        "metric_valid_error", "min", "metric_elapsed_time", None, 300.0, None,
    ),
    # offline evaluations without training times: one simulated second per
    # evaluation, 100 evaluations with 4 workers
    "icml-xgboost": (
        "xgboost",
        ("heart", "w6a", "skin_nonskin", "svmguide1", "spambase", "australian", "madelon", "german.numer",
         "ijcnn1", "a6a"),
        "metric_error", "min", None, None, 25.0, _KNN1,
    ),
    "icml-nasbench201": (
        "icml-nas201",
        ("cifar100", "cifar10", "ImageNet16-120"),
        "metric_error", "min", None, None, 25.0, _KNN1,
    ),
    "icml-deepar": (
        "deepar",
        ("m4-Daily", "exchange-rate", "m4-Yearly", "solar", "m4-Monthly", "electricity", "traffic",
         "m4-Quarterly", "m4-Weekly", "m4-Hourly", "wiki-rolling"),
        "metric_CRPS", "min", "metric_time", None, 21600.0, _KNN1,
    ),
}


def benchmark_definitions() -> dict[str, SimulatedBenchmarkDefinition]:
    """Every simulated benchmark, by name (``<prefix>-<task>``).

    Returns
    -------
    dict
        Name -> :class:`SimulatedBenchmarkDefinition`, grouped by blackbox.
    """
    out: dict[str, SimulatedBenchmarkDefinition] = {}
    for blackbox_name, (prefix, tasks, metric, mode, elapsed, fidelity, budget, surrogate) in _FAMILIES.items():
        for task in tasks:
            name = f"{prefix}-{task}"
            out[name] = SimulatedBenchmarkDefinition(
                name=name,
                blackbox_name=blackbox_name,
                dataset_name=task,
                metric=metric,
                mode=mode,
                max_wallclock_time=budget,
                n_workers=4,
                resource_attr=fidelity,
                elapsed_time_attr=elapsed,
                max_resource_attr=MAX_RESOURCE_ATTR if fidelity is not None else None,
                surrogate=surrogate[0] if surrogate else None,
                surrogate_kwargs=dict(surrogate[1]) if surrogate else None,
            )
    return out


# ----------------------------------------------------------------- real ones
def real_benchmark_definitions() -> dict[str, RealBenchmarkDefinition]:
    """The real benchmarks: training scripts of ``examples/training_scripts``.

    Returns
    -------
    dict
        Name -> :class:`RealBenchmarkDefinition`.
    """
    return {
        "height": RealBenchmarkDefinition(
            name="height",
            script="examples/training_scripts/height/train_height.py",
            config_space={"width": randint(1, 20), "height": randint(-100, 100), "epochs": 27, "sleep_time": 0.05},
            metric="mean_loss",
            mode="min",
            max_wallclock_time=60.0,
            n_workers=4,
            resource_attr="epoch",
            max_resource_attr="epochs",
        ),
        "branin-constrained": RealBenchmarkDefinition(
            name="branin-constrained",
            script="examples/training_scripts/constrained/train_constrained.py",
            config_space={"x1": uniform(-5.0, 10.0), "x2": uniform(0.0, 15.0), "sleep_time": 0.05},
            metric="objective",
            mode="min",
            max_wallclock_time=60.0,
            n_workers=4,
        ),
    }


def select_benchmarks(selection: list[str], definitions: dict[str, Any]) -> list[str]:
    """Names of the benchmarks chosen by ``selection``: benchmark names,
    blackbox names (all its tasks, e.g. ``"fcnet"``) or ``"all"``.

    Parameters
    ----------
    selection
        Entries to expand, in order; duplicates are dropped.
    definitions
        Name -> definition (e.g. :func:`benchmark_definitions`).

    Returns
    -------
    list
        Benchmark names.

    Raises
    ------
    ValueError
        For an entry that is neither a benchmark nor a blackbox name (the
        message lists the closest names).
    """
    from syne_tune.utils.validation import closest_names

    families: dict[str, list[str]] = {}
    for name, d in definitions.items():
        families.setdefault(getattr(d, "blackbox_name", name), []).append(name)
    out: list[str] = []
    for entry in selection:
        if entry == "all":
            names = list(definitions)
        elif entry in definitions:
            names = [entry]
        elif entry in families:
            names = families[entry]
        else:
            close = closest_names(entry, list(definitions) + list(families))
            raise ValueError(
                f"Unknown benchmark {entry!r}: expected 'all', a benchmark name or a blackbox name"
                + (f" (closest: {', '.join(close)})" if close else "")
            )
        out.extend(n for n in names if n not in out)
    return out
