"""Number of GPUs of this machine (Syne Tune's ``syne_tune.num_gpu``).

Detection runs ``nvidia-smi --list-gpus`` once per process (in
:mod:`syne_tune.backend.gpu`, which the local backend's GPU rotation uses as
well); without ``nvidia-smi`` or when it fails, there is no GPU. If this
process runs with ``CUDA_VISIBLE_DEVICES`` set, only the devices listed there
are counted, since only those can be given to trials.
"""

from __future__ import annotations

from syne_tune.backend.gpu import get_num_gpus

__all__ = ["get_num_gpus"]
