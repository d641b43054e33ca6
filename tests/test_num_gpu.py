"""syne_tune.num_gpu.get_num_gpus: number of GPUs listed by nvidia-smi (0 without it)."""

import os
import stat

import pytest

import syne_tune.backend.gpu as gpu
from syne_tune.num_gpu import get_num_gpus


@pytest.fixture
def fresh_detection(monkeypatch):
    monkeypatch.setattr(gpu, "_detected", None)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    yield
    gpu._detected = None


def _fake_nvidia_smi(folder, lines, returncode=0):
    script = folder / "nvidia-smi"
    body = "".join(f"echo '{line}'\n" for line in lines)
    script.write_text(f"#!/bin/sh\n{body}exit {returncode}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_is_the_backend_detection():
    assert get_num_gpus is gpu.get_num_gpus


def test_counts_gpus_listed_by_nvidia_smi(tmp_path, monkeypatch, fresh_detection):
    _fake_nvidia_smi(tmp_path, [f"GPU {i}: NVIDIA A10G (UUID: GPU-{i})" for i in range(3)])
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert get_num_gpus() == 3


def test_zero_without_nvidia_smi(tmp_path, monkeypatch, fresh_detection):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no nvidia-smi
    assert get_num_gpus() == 0


def test_zero_when_nvidia_smi_fails(tmp_path, monkeypatch, fresh_detection):
    _fake_nvidia_smi(tmp_path, ["NVIDIA-SMI has failed because it couldn't communicate with the driver"], returncode=9)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert get_num_gpus() == 0


def test_counts_only_visible_devices(tmp_path, monkeypatch, fresh_detection):
    _fake_nvidia_smi(tmp_path, [f"GPU {i}: X" for i in range(8)])
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,5")
    assert get_num_gpus() == 2
