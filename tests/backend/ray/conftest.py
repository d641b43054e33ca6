"""One local Ray cluster (2 CPUs, loopback, no dashboard) for the RayBackend
tests: started by the first test of this folder that needs it, shut down
after the last test of this folder (so that it does not load the machine
while the rest of the suite runs). A cluster the process already runs (e.g.
started by other tests) is used as it is and left running."""

from __future__ import annotations

import builtins
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# the contract script and function of the other backends' contract tests
sys.path.insert(0, str(HERE.parent))

_STARTED_HERE = False
#: ``ray.init`` replaces ``builtins.print`` (with a function of its own that
#: keeps its log lines apart); the original is put back at shutdown so that the
#: tests after this folder see the real built-in
_BUILTIN_PRINT = builtins.print


# reports epoch 1..epochs, checkpointing the epoch reached (a resumed trial continues)
SCRIPT = """
import argparse, json, os, time
from syne_tune import Reporter

p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int)
p.add_argument("--sleep", type=float, default=0.05)
p.add_argument("--st_checkpoint_dir")
args, _ = p.parse_known_args()
path = os.path.join(args.st_checkpoint_dir, "state.json")
start = json.load(open(path))["epoch"] if os.path.exists(path) else 0
report = Reporter()
for epoch in range(start + 1, args.epochs + 1):
    time.sleep(args.sleep)
    report(epoch=epoch, loss=1.0 / epoch, pid=os.getpid())
    os.makedirs(args.st_checkpoint_dir, exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump({"epoch": epoch}, f)
    os.replace(path + ".tmp", path)
"""


@pytest.fixture
def script(tmp_path) -> str:
    """Path of :data:`SCRIPT`, written to the test's folder."""
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return str(path)


def _start_cluster():
    global _STARTED_HERE
    ray = pytest.importorskip("ray", reason="the RayBackend tests need ray (the 'ray' extra)")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if not ray.is_initialized():
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            _node_ip_address="127.0.0.1",  # loopback only
            namespace="syne-tune-tests",
        )
        _STARTED_HERE = True
    return ray


@pytest.fixture(autouse=True)
def ray_cluster():
    """The ``ray`` module, connected to the tests' local cluster."""
    return _start_cluster()


def pytest_runtest_teardown(item, nextitem):
    global _STARTED_HERE
    if _STARTED_HERE and (nextitem is None or HERE not in Path(str(nextitem.path)).resolve().parents):
        import ray

        ray.shutdown()
        builtins.print = _BUILTIN_PRINT
        _STARTED_HERE = False
