"""GPU rotation: policy unit tests with injected device lists, and the
CUDA_VISIBLE_DEVICES a LocalBackend trial actually sees (no GPU needed)."""

import logging
import pickle
import subprocess
import textwrap
import time

import pytest

import syne_tune.backend.gpu as gpu
from syne_tune.backend import LocalBackend
from syne_tune.backend.gpu import GPURotation
from syne_tune.trial import Status


@pytest.fixture(autouse=True)
def _fresh_detection(monkeypatch):
    monkeypatch.setattr(gpu, "_detected", None)


def test_free_gpus_first_ties_by_fewest_assignments():
    rot = GPURotation(devices=["0", "1", "2", "3"])
    assert [rot.assign(t) for t in range(4)] == [["0"], ["1"], ["2"], ["3"]]
    rot.release(2)
    assert rot.assign(4) == ["2"]  # the only free GPU
    rot.release(0)
    rot.release(1)
    # 0 and 1 are free; both were assigned once: the first wins
    assert rot.assign(5) == ["0"]
    # 1 is free: preferred over busy GPUs even though others were assigned as often
    assert rot.assign(6) == ["1"]


def test_ties_between_free_gpus_broken_by_prior_assignments():
    rot = GPURotation(devices=["0", "1", "2"])
    for t in range(3):
        rot.assign(t)
    rot.release(0)
    assert rot.assign(3) == ["0"]  # GPU 0: 2 assignments now
    rot.release(3)
    rot.release(1)
    # free: 0 (assigned twice) and 1 (once): 1 wins
    assert rot.assign(4) == ["1"]


def test_none_free_least_loaded_then_least_assigned():
    rot = GPURotation(devices=["0", "1"])
    assert rot.assign(0) == ["0"]
    assert rot.assign(1) == ["1"]
    assert rot.assign(2) == ["0"]  # no free GPU: equal load and count, first one
    assert rot.assign(3) == ["1"]  # GPU 1 now has the lower load
    rot.release(0)
    rot.release(2)
    # GPU 0 is free again
    assert rot.assign(4) == ["0"]


def test_several_gpus_per_trial():
    rot = GPURotation(num_gpus_per_trial=2, devices=["0", "1", "2", "3"])
    assert rot.assign(0) == ["0", "1"]
    assert rot.assign(1) == ["2", "3"]
    rot.release(0)
    assert rot.assign(2) == ["0", "1"]
    assert rot.gpus_of(2) == ["0", "1"]
    rot.release(2)
    assert rot.gpus_of(2) is None


def test_too_many_gpus_per_trial_is_reduced(caplog):
    with caplog.at_level(logging.WARNING):
        rot = GPURotation(num_gpus_per_trial=5, devices=["0", "1", "2"])
    assert "num_gpus_per_trial = 5" in caplog.text
    assert rot.assign(0) == ["0", "1", "2"]


def test_gpus_to_use_subset(caplog):
    rot = GPURotation(gpus_to_use=[1, 3, 7], devices=["0", "1", "2", "3"])
    assert "['7']" in caplog.text
    assert [rot.assign(t) for t in range(3)] == [["1"], ["3"], ["1"]]


def test_single_or_no_gpu_disables_rotation():
    assert GPURotation(devices=["0"]).assign(0) is None
    assert GPURotation(devices=[]).assign(0) is None


def test_invalid_num_gpus_per_trial():
    with pytest.raises(ValueError, match="num_gpus_per_trial"):
        GPURotation(num_gpus_per_trial=0)


def test_detection_without_nvidia_smi(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(gpu.shutil, "which", lambda name: None)
    assert gpu.detect_gpus() == []
    assert gpu.get_num_gpus() == 0


def test_detection_parses_nvidia_smi(monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(gpu.shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    out = "GPU 0: NVIDIA H100 (UUID: GPU-a)\nGPU 1: NVIDIA H100 (UUID: GPU-b)\n"
    calls = []

    def fake_run(cmd, **kwargs):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, stdout=out, stderr="")

    monkeypatch.setattr(gpu.subprocess, "run", fake_run)
    assert gpu.detect_gpus() == ["0", "1"]
    assert gpu.detect_gpus() == ["0", "1"]
    assert len(calls) == 1  # cached


def test_detection_respects_tuner_cuda_visible_devices(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,5")
    assert gpu.detect_gpus() == ["2", "5"]


def test_detection_is_lazy(monkeypatch, tmp_path):
    def boom():
        raise AssertionError("GPUs detected at construction")

    monkeypatch.setattr(gpu, "detect_gpus", boom)
    LocalBackend(entry_point=__file__)  # no detection yet


def test_pickled_rotation_forgets_running_trials():
    rot = GPURotation(devices=["0", "1"])
    rot.assign(0)
    restored = pickle.loads(pickle.dumps(rot))
    assert restored.gpus_of(0) is None
    assert restored._times_assigned == {"0": 1, "1": 0}


ENV_SCRIPT = """
import os, sys, time
from syne_tune import Reporter
Reporter()(cuda=os.environ.get("CUDA_VISIBLE_DEVICES", "unset"))
time.sleep(float(sys.argv[sys.argv.index("--sleep") + 1]))
"""


def _fetch_all(backend, ids, timeout=20):
    results = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses, new = backend.fetch_status_results(ids)
        for tid, r in new:
            results[tid] = r
        if all(st != Status.in_progress for _, st in statuses.values()):
            return results
        time.sleep(0.02)
    backend.stop_all()
    pytest.fail("trials did not finish")


def test_local_backend_sets_cuda_visible_devices(tmp_path, monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    script = tmp_path / "env.py"
    script.write_text(textwrap.dedent(ENV_SCRIPT))
    backend = LocalBackend(entry_point=str(script))
    backend.set_path(str(tmp_path / "trials"))
    backend.set_gpu_devices(["0", "1", "2"])
    for _ in range(3):
        backend.start_trial({"sleep": 5})
    assert [backend.gpus_of_trial(t) for t in range(3)] == [["0"], ["1"], ["2"]]
    # pausing / stopping releases the GPU: the next trial gets it
    backend.pause_trial(1)
    assert backend.gpus_of_trial(1) is None
    backend.start_trial({"sleep": 0})
    assert backend.gpus_of_trial(3) == ["1"]
    results = _fetch_all(backend, [3])
    assert results[3]["cuda"] == "1"
    # completed: released
    assert backend.gpus_of_trial(3) is None
    backend.stop_trial(0)
    backend.start_trial({"sleep": 0})
    assert backend.gpus_of_trial(4) == ["0"]
    backend.stop_all()
    assert all(backend.gpus_of_trial(t) is None for t in range(5))


def test_local_backend_no_rotation(tmp_path, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "7")
    script = tmp_path / "env.py"
    script.write_text(textwrap.dedent(ENV_SCRIPT))
    backend = LocalBackend(entry_point=str(script), rotate_gpus=False)
    backend.set_path(str(tmp_path / "trials"))
    backend.start_trial({"sleep": 0})
    assert _fetch_all(backend, [0])[0]["cuda"] == "7"  # inherited, untouched
    with pytest.raises(ValueError, match="rotate_gpus"):
        backend.set_gpu_devices(["0", "1"])


def test_local_backend_two_gpus_per_trial(tmp_path, monkeypatch):
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    script = tmp_path / "env.py"
    script.write_text(textwrap.dedent(ENV_SCRIPT))
    backend = LocalBackend(entry_point=str(script), num_gpus_per_trial=2, gpus_to_use=[0, 2, 3])
    backend.set_path(str(tmp_path / "trials"))
    backend.set_gpu_devices(["0", "1", "2", "3"])
    backend.start_trial({"sleep": 0})
    assert _fetch_all(backend, [0])[0]["cuda"] == "0,2"
