"""Benchmark campaigns of Syne Tune's methods (run from the repository root).

* ``python -m benchmarking.simulated``: simulated campaigns on the converted
  real benchmarks of the blackbox repository;
* ``python -m benchmarking.local``: real runs of the training scripts of
  ``examples/`` on the local backend;
* ``python -m benchmarking.analysis``: normalized ranks, tables and figures
  of a campaign.

``benchmarking/benchmarks.py`` names the benchmarks, ``benchmarking/methods.py``
the methods; ``docs/benchmarking.md`` describes the workflow. The older
scripts of this folder (``model_based.py``, ``transfer.py``, ...) are run as
files (``python benchmarking/transfer.py``).
"""
