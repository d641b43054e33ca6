"""The benchmarks of the campaigns: the package's definitions
(:mod:`syne_tune.experiments.benchmark_definitions`), re-exported so that
campaign code and users of this folder have one place to import them from.

* :func:`benchmark_definitions`: the simulated benchmarks, one per task of
  every converted real benchmark (``lcbench-<task>``, ``fcnet-<task>``,
  ``nas201-<task>``, ``nmt-<pair>``, ``hpobench-mlp-<task>``,
  ``xgboost-<task>``, ``icml-nas201-<task>``, ``deepar-<task>``);
* :func:`real_benchmark_definitions`: training scripts of ``examples/`` run
  for real;
* :func:`select_benchmarks`: expands ``all`` and blackbox names.

To add a benchmark, add its definition to the package module (see
``docs/benchmarking.md``).
"""

from syne_tune.experiments.benchmark_definitions import (
    MAX_RESOURCE_ATTR,
    RealBenchmarkDefinition,
    SimulatedBenchmarkDefinition,
    benchmark_definitions,
    real_benchmark_definitions,
    select_benchmarks,
)

__all__ = [
    "MAX_RESOURCE_ATTR",
    "RealBenchmarkDefinition",
    "SimulatedBenchmarkDefinition",
    "benchmark_definitions",
    "real_benchmark_definitions",
    "select_benchmarks",
]
