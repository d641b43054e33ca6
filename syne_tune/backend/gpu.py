"""GPU detection and the rotation policy of :class:`~syne_tune.backend.LocalBackend`.

When several trials run at once on a machine with more than one GPU, each new
trial is given ``num_gpus_per_trial`` GPUs through its ``CUDA_VISIBLE_DEVICES``
environment variable, so that trials spread over the GPUs instead of all
landing on GPU 0.

Policy (:class:`GPURotation`): GPUs that no running trial uses come first,
ties broken by the fewest assignments so far (then by position); when there
are not enough free GPUs, the least loaded busy ones are shared, again ties
broken by the fewest assignments so far. A trial's GPUs are released when it
completes, fails, is stopped or paused.

Detection runs ``nvidia-smi --list-gpus`` once per process, and only when a
backend first needs it. If the tuner itself runs with ``CUDA_VISIBLE_DEVICES``
set, only those devices are handed out. Tests inject a device list instead
(``GPURotation(devices=["0", "1", "2"])`` or ``LocalBackend.set_gpu_devices``).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

logger = logging.getLogger(__name__)

_detected: list[str] | None = None


def _nvidia_smi_gpus() -> list[str]:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, "--list-gpus"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as ex:
        logger.info(f"nvidia-smi failed ({ex}); assuming no GPU")
        return []
    if out.returncode != 0:
        return []
    lines = [line for line in out.stdout.splitlines() if line.strip().startswith("GPU ")]
    return [str(i) for i in range(len(lines))]


def detect_gpus() -> list[str]:
    """Device ids (strings, as written into ``CUDA_VISIBLE_DEVICES``) that
    trials may use. Cached for the lifetime of the process."""
    global _detected
    if _detected is None:
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        if visible is not None and visible.strip() not in ("", "-1"):
            # the tuner was restricted to some devices: hand out only those
            _detected = [d.strip() for d in visible.split(",") if d.strip()]
        elif visible is not None:
            _detected = []
        else:
            _detected = _nvidia_smi_gpus()
    return list(_detected)


def get_num_gpus() -> int:
    """Number of GPUs trials may use (0 on a machine without ``nvidia-smi``)."""
    return len(detect_gpus())


class GPURotation:
    """Hands out GPUs to trials.

    Parameters
    ----------
    num_gpus_per_trial
        GPUs each trial gets; reduced (with a warning) if larger than the
        number of devices.
    gpus_to_use
        Only these devices (ids as in ``nvidia-smi``, or entries of the
        tuner's ``CUDA_VISIBLE_DEVICES``) are handed out.
    devices
        Device list to use instead of detecting it (for tests); ``None``:
        detect lazily at the first :meth:`assign`.
    """

    def __init__(self, num_gpus_per_trial: int = 1, gpus_to_use=None, devices: list | None = None):
        if int(num_gpus_per_trial) < 1:
            raise ValueError(f"num_gpus_per_trial must be >= 1, got {num_gpus_per_trial}")
        self.num_gpus_per_trial = int(num_gpus_per_trial)
        self.gpus_to_use = None if gpus_to_use is None else [str(g) for g in gpus_to_use]
        self._devices: list[str] | None = None
        self._times_assigned: dict[str, int] = {}
        self._in_use: dict[str, int] = {}
        self._trial_gpus: dict[int, list[str]] = {}
        self._per_trial = self.num_gpus_per_trial
        if devices is not None:
            self.set_devices(devices)

    def set_devices(self, devices: list) -> None:
        """Use ``devices`` (e.g. ``["0", "1"]``) instead of detecting them."""
        devices = [str(d) for d in devices]
        if self.gpus_to_use is not None:
            unknown = [g for g in self.gpus_to_use if g not in devices]
            if unknown:
                logger.warning(f"gpus_to_use: {unknown} not among the GPUs found ({devices}); ignored")
            devices = [d for d in devices if d in self.gpus_to_use]
        self._devices = devices
        self._times_assigned = {d: self._times_assigned.get(d, 0) for d in devices}
        self._in_use = {d: 0 for d in devices}
        for gpus in self._trial_gpus.values():
            for g in gpus:
                if g in self._in_use:
                    self._in_use[g] += 1
        self._per_trial = self.num_gpus_per_trial
        if len(devices) > 1 and self._per_trial > len(devices):
            logger.warning(
                f"num_gpus_per_trial = {self.num_gpus_per_trial} is larger than the number of GPUs "
                f"({len(devices)}); each trial gets all {len(devices)}"
            )
            self._per_trial = len(devices)

    @property
    def devices(self) -> list[str]:
        if self._devices is None:
            self.set_devices(detect_gpus())
        return list(self._devices)

    @property
    def enabled(self) -> bool:
        """Rotation happens only with more than one GPU."""
        return len(self.devices) > 1

    def assign(self, trial_id: int) -> list[str] | None:
        """GPUs for a trial that starts now (``None``: rotation disabled, leave
        ``CUDA_VISIBLE_DEVICES`` alone)."""
        if not self.enabled:
            return None
        self.release(trial_id)
        order = sorted(
            range(len(self._devices)),
            key=lambda i: (
                self._in_use[self._devices[i]],
                self._times_assigned[self._devices[i]],
                i,
            ),
        )
        chosen = sorted((self._devices[i] for i in order[: self._per_trial]), key=self._devices.index)
        for g in chosen:
            self._in_use[g] += 1
            self._times_assigned[g] += 1
        self._trial_gpus[trial_id] = chosen
        return list(chosen)

    def release(self, trial_id: int) -> None:
        """Give back the GPUs of ``trial_id`` (no-op if it holds none)."""
        for g in self._trial_gpus.pop(trial_id, ()):
            if self._in_use.get(g, 0) > 0:
                self._in_use[g] -= 1

    def gpus_of(self, trial_id: int) -> list[str] | None:
        gpus = self._trial_gpus.get(trial_id)
        return None if gpus is None else list(gpus)

    def __getstate__(self):
        # restored in another process: no trial runs there yet; the detected
        # devices may differ on the new machine, so detect again
        state = dict(self.__dict__)
        state["_trial_gpus"] = {}
        state["_in_use"] = {}
        state["_devices"] = None
        return state
