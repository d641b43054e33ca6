"""Benchmark definitions and the method registry."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from benchmarking.methods import METHODS, MethodArguments, make_scheduler, not_applicable, select_methods
from syne_tune.experiments.benchmark_definitions import (
    RealBenchmarkDefinition,
    SimulatedBenchmarkDefinition,
    benchmark_definitions,
    real_benchmark_definitions,
    select_benchmarks,
)
from syne_tune.utils.validation import InvalidParameterError

from campaign_helpers import REPO_ROOT

PAPER_NAMES = ["RS", "TPE", "REA", "GP", "MSR", "ASHA", "BOHB", "MOBSTER", "RUSH", "ASHA-BB", "ZS", "ASHA-CTS",
               "DEHB", "HyperTune", "PASHA", "BORE"]


def test_every_converted_blackbox_has_definitions_with_the_papers_settings():
    defs = benchmark_definitions()
    families = {d.blackbox_name for d in defs.values()}
    assert families == {"lcbench", "fcnet", "nasbench201", "nmt", "hpobench-mlp", "icml-xgboost",
                        "icml-nasbench201", "icml-deepar"}
    for name, d in defs.items():
        assert isinstance(d, SimulatedBenchmarkDefinition) and d.name == name and d.n_workers == 4
        for f in ("name", "blackbox_name", "dataset_name", "metric", "mode", "max_wallclock_time", "n_workers",
                  "resource_attr", "elapsed_time_attr", "max_resource_attr", "surrogate"):
            assert hasattr(d, f)
    assert {d.max_wallclock_time for d in defs.values() if d.blackbox_name == "lcbench"} == {7200.0}
    assert {d.max_wallclock_time for d in defs.values() if d.blackbox_name == "nasbench201"} == {21600.0}
    assert {d.max_wallclock_time for d in defs.values() if d.blackbox_name == "fcnet"} == {1200.0}
    assert defs["lcbench-airlines"].multi_fidelity and not defs["fcnet-protein_structure"].multi_fidelity
    with pytest.raises(dataclasses.FrozenInstanceError):
        defs["lcbench-airlines"].n_workers = 2


def test_definitions_are_validated_with_the_projects_message():
    with pytest.raises(InvalidParameterError, match="The 'mode' parameter of SimulatedBenchmarkDefinition must be"):
        SimulatedBenchmarkDefinition(name="x", blackbox_name="fcnet", dataset_name="t", metric="m", mode="minimize",
                                     max_wallclock_time=10.0)
    with pytest.raises(InvalidParameterError, match="'n_workers' parameter .* Got 0 instead"):
        SimulatedBenchmarkDefinition(name="x", blackbox_name="fcnet", dataset_name="t", metric="m", mode="min",
                                     max_wallclock_time=10.0, n_workers=0)


def test_real_definitions_name_existing_scripts():
    for d in real_benchmark_definitions().values():
        assert isinstance(d, RealBenchmarkDefinition)
        assert (REPO_ROOT / d.script).is_file()


def test_importing_the_definitions_loads_no_blackbox():
    code = (
        "import sys, syne_tune.experiments.benchmark_definitions as b; b.benchmark_definitions(); "
        "print(sorted(m for m in sys.modules if m.startswith('syne_tune.blackbox_repository') "
        "or m in ('boto3', 'ray', 'matplotlib', 'tqdm', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_selection_expands_all_and_blackbox_names_and_names_the_closest():
    defs = benchmark_definitions()
    assert select_benchmarks(["fcnet"], defs) == [n for n in defs if n.startswith("fcnet-")]
    assert select_benchmarks(["all", "fcnet-protein_structure"], defs) == list(defs)
    with pytest.raises(ValueError, match="closest: fcnet"):
        select_benchmarks(["fcnett"], defs)
    assert select_methods(["all"]) == list(METHODS)
    with pytest.raises(ValueError, match="closest: ASHA"):
        select_methods(["ASHAA"])


def test_registry_holds_the_papers_methods_and_says_what_does_not_apply():
    assert set(PAPER_NAMES) <= set(METHODS)
    assert not_applicable("RS", multi_fidelity=False, has_other_tasks=False) is None
    assert "fidelities" in not_applicable("ASHA", multi_fidelity=False, has_other_tasks=True)
    assert "other tasks" in not_applicable("ZS", multi_fidelity=True, has_other_tasks=False)


def _transfer():
    import numpy as np
    import pandas as pd

    from syne_tune.config_space import uniform
    from syne_tune.optimizer.schedulers.transfer_learning import TransferLearningTaskEvaluations

    rng = np.random.default_rng(0)
    cs = {"x": uniform(0.0, 1.0)}
    out = {}
    for task in ("a", "b"):
        hp = pd.DataFrame({"x": rng.uniform(size=20)})
        out[task] = TransferLearningTaskEvaluations(
            configuration_space=cs, hyperparameters=hp, objectives_names=["y"],
            objectives_evaluations=rng.uniform(size=(20, 1, 27, 1)),
        )
    return out


@pytest.mark.parametrize("method", PAPER_NAMES)
def test_every_method_builds_and_suggests_the_same_configurations_for_the_same_seed(method):
    from syne_tune.config_space import uniform

    def first_configs():
        args = MethodArguments(
            config_space={"x": uniform(0.0, 1.0), "max_resource": 27}, metric="y", mode="min", random_seed=3,
            resource_attr="epoch", max_resource_attr="max_resource",
            transfer_learning_evaluations=_transfer() if METHODS[method].needs_transfer else None,
        )
        scheduler = make_scheduler(method, args)
        return [scheduler.suggest(i).config for i in range(3)]

    first = first_configs()
    assert all(0.0 <= c["x"] <= 1.0 for c in first)
    assert first_configs() == first
