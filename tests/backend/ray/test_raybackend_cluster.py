"""RayBackend on a real two-node Ray cluster started with ``ray start`` (a
head node with 1 CPU and a second node with 2 CPUs and the custom resource
``lossy``, both on 127.0.0.1), and a real moto S3 server on loopback:

* checkpoints under an ``s3://`` storage path: pause and resume from the
  checkpoint in S3, a PBT-style copy, delete;
* node loss: the second node's raylet is SIGKILLed (with every process of
  that node) while trials run there; those trials end Failed with the reason,
  the trials on the head node complete, and new trials still run.

This module starts its own cluster (the folder's local cluster of
``conftest.py`` is shut down first, and started again by the tests after it)
and kills every process it started, also when a test fails.
"""

from __future__ import annotations

import builtins
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the RayBackend tests need ray (the 'ray' extra)")
psutil = pytest.importorskip("psutil")  # a dependency of ray

from syne_tune.backend import RayBackend  # noqa: E402
from syne_tune.testing.backend import fetch_until  # noqa: E402
from syne_tune.trial import Status  # noqa: E402

REGION = "us-east-1"
BUCKET = "st-ray-checkpoints"


def _ray_cli() -> str:
    return str(Path(sys.executable).with_name("ray"))


def _our_processes(temp_dir: str) -> set[int]:
    """Processes of the cluster whose command line names its temp folder."""
    pids = set()
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if proc.info["pid"] != os.getpid() and any(temp_dir in part for part in proc.info["cmdline"] or []):
                pids.add(proc.info["pid"])
        except (psutil.Error, TypeError):
            continue
    return pids


def _with_descendants(pids: set[int]) -> list[psutil.Process]:
    procs = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            procs.append(proc)
            procs.extend(proc.children(recursive=True))
        except psutil.Error:
            continue
    return procs


def _kill(procs: list[psutil.Process]) -> None:
    for proc in procs:
        try:
            proc.send_signal(signal.SIGKILL)
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=10)


class _Cluster:
    """The processes of a ``ray start`` cluster (head + one node)."""

    def __init__(self, env: dict):
        self.env = env
        self.temp_dir = tempfile.mkdtemp(prefix="st-ray-", dir="/tmp")  # short: Ray's socket paths
        self.head: set[int] = set()
        self.lossy: set[int] = set()
        self.lossy_descendants: list[psutil.Process] = []
        self.address: str | None = None

    def _ray_start(self, *args: str) -> str:
        out = subprocess.run(
            [_ray_cli(), "start", "--disable-usage-stats", "--node-ip-address=127.0.0.1", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout + out.stderr

    def start(self) -> None:
        text = self._ray_start(
            "--head", "--port=0", "--num-cpus=1", "--include-dashboard=false", f"--temp-dir={self.temp_dir}"
        )
        self.head = _our_processes(self.temp_dir)
        match = re.search(r"--address='[^':]+:(\d+)'", text)
        assert match, text
        self.address = f"127.0.0.1:{match.group(1)}"
        self._ray_start(f"--address={self.address}", "--num-cpus=2", '--resources={"lossy": 2}')
        self.lossy = _our_processes(self.temp_dir) - self.head

    def lose_node(self) -> None:
        """SIGKILL the second node's raylet first, then every other process
        of that node (its Ray workers, agents, the trials' scripts)."""
        procs = _with_descendants(self.lossy)
        raylets = [p for p in procs if p.name() == "raylet"]
        assert len(raylets) == 1, [p.name() for p in procs]
        _kill(raylets)
        _kill(procs)

    def stop(self) -> None:
        _kill(_with_descendants(self.head | self.lossy | _our_processes(self.temp_dir)))
        shutil.rmtree(self.temp_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto server on a free port of 127.0.0.1 and the environment pointing boto3 at it."""
    moto_server = pytest.importorskip("moto.moto_server.threaded_moto_server")
    boto3 = pytest.importorskip("boto3")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        }
        saved = {k: os.environ.get(k) for k in list(env) + ["AWS_PROFILE"]}
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(env)  # the driver's S3 clients (copy, delete, the checks)
        try:
            boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
            yield env
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    finally:
        server.stop()


@pytest.fixture(scope="module")
def cluster(s3_endpoint):
    """The two-node cluster, with this process as its driver. Every node
    gets the S3 environment (its processes inherit ``ray start``'s), and
    Ray's health checks run every 0.5 s, so a lost node is declared dead
    within about a second or two."""
    if ray.is_initialized():  # the folder's local cluster (conftest.py)
        ray.shutdown()
    saved_print = builtins.print
    # the token authentication mode this process uses: a local cluster that
    # ``ray.init`` started (conftest.py) turns it on (with ~/.ray/auth_token),
    # and Ray reads the mode once per process
    env = dict(os.environ, **s3_endpoint)
    env["RAY_AUTH_MODE"] = os.environ.get("RAY_AUTH_MODE", "disabled")
    env.update(
        RAY_USAGE_STATS_ENABLED="0",
        OMP_NUM_THREADS="1",
        RAY_health_check_initial_delay_ms="0",
        RAY_health_check_period_ms="500",
        RAY_health_check_timeout_ms="500",
        RAY_health_check_failure_threshold="2",
    )
    started = _Cluster(env)
    try:
        started.start()
        ray.init(address=started.address, log_to_driver=False, namespace="syne-tune-cluster-tests")
        yield started
    finally:
        ray.shutdown()
        builtins.print = saved_print
        started.stop()


@pytest.fixture
def ray_cluster(cluster):
    """Replaces the folder's fixture: this module's cluster."""
    return ray


# fetch, waiting up to 0.5 s for activity in between
_fetch_until = functools.partial(fetch_until, wait=0.5)


def _s3_objects(prefix: str) -> dict[str, bytes]:
    import boto3

    client = boto3.client("s3", region_name=REGION)
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def _wait_for_epoch_in_s3(key: str, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        objects = _s3_objects(key)
        if key in objects:
            return json.loads(objects[key])["epoch"]
        time.sleep(0.2)
    raise AssertionError(f"{key} never appeared in S3")


def test_checkpoints_under_an_s3_storage_path(script, tmp_path):
    backend = RayBackend(entry_point=script, resources_per_trial={"cpu": 0.5}, storage_path=f"s3://{BUCKET}/runs/")
    backend.set_path(str(tmp_path / "tuner"), "s3-test")
    backend.time_keeper.start_of_time()
    assert backend.checkpoint_uri(0) == f"s3://{BUCKET}/runs/s3-test/0/checkpoints"
    try:
        backend.start_trial({"epochs": 30, "sleep": 0.05})
        first = _fetch_until(backend, [0], lambda r: len(r) >= 3)
        backend.pause_trial(0, first[-1][1])
        # uploaded once the paused script is gone
        paused_at = _wait_for_epoch_in_s3("runs/s3-test/0/checkpoints/state.json")
        assert paused_at >= first[-1][1]["epoch"]
        # std.out / std.err / config.json stay in the local trial folder, never in S3
        assert backend.trial_path(0) == tmp_path / "tuner" / "0"
        assert (backend.trial_path(0) / "std.out").exists()
        assert set(_s3_objects("runs/s3-test/")) == {"runs/s3-test/0/checkpoints/state.json"}
        # as on another node: no local checkpoint; the resumed run downloads it from S3
        shutil.rmtree(backend.checkpoint_path(0))
        backend.resume_trial(0)
        more = _fetch_until(backend, [0], lambda r: backend.trial_status(0) == Status.completed)
        assert [r["epoch"] for _, r in more] == list(range(paused_at + 1, 31))
        assert json.loads(_s3_objects("runs/s3-test/0/checkpoints/state.json")["runs/s3-test/0/checkpoints/state.json"])["epoch"] == 30

        # PBT: a new trial starts from a copy of trial 0's checkpoint, made in S3
        backend.copy_checkpoint(0, 1)
        assert "runs/s3-test/1/checkpoints/state.json" in _s3_objects("runs/s3-test/1/")
        shutil.rmtree(backend.checkpoint_path(1), ignore_errors=True)
        backend.start_trial({"epochs": 32, "sleep": 0.05})
        copied = _fetch_until(backend, [1], lambda r: backend.trial_status(1) == Status.completed)
        assert [r["epoch"] for _, r in copied] == [31, 32]

        # a fresh trial does not find what an earlier tuner of this name left
        import boto3

        boto3.client("s3", region_name=REGION).put_object(
            Bucket=BUCKET, Key="runs/s3-test/3/checkpoints/state.json", Body=b'{"epoch": 1}'
        )
        backend.start_trial({"epochs": 2, "sleep": 0.05})  # trial 2
        backend.start_trial({"epochs": 2, "sleep": 0.05})  # trial 3
        fresh = _fetch_until(backend, [2, 3], lambda r: {backend.trial_status(t) for t in (2, 3)} == {Status.completed})
        assert sorted(r["epoch"] for t, r in fresh if t == 3) == [1, 2]

        backend.delete_checkpoint(0)
        assert _s3_objects("runs/s3-test/0/") == {}
        assert not backend.checkpoint_path(0).exists()
        assert "runs/s3-test/1/checkpoints/state.json" in _s3_objects("runs/s3-test/1/")
    finally:
        backend.stop_all()


def test_a_lost_node_fails_its_trials_and_the_others_go_on(script, tmp_path, cluster):
    lossy = RayBackend(entry_point=script, resources_per_trial={"cpu": 1, "custom": {"lossy": 1}})
    lossy.set_path(str(tmp_path / "lossy"), "lossy")
    head = RayBackend(entry_point=script, resources_per_trial={"cpu": 0.5})
    head.set_path(str(tmp_path / "head"), "head")
    try:
        for _ in range(2):  # they fill the second node's 2 CPUs
            lossy.start_trial({"epochs": 1000, "sleep": 0.05})
        _fetch_until(lossy, [0, 1], lambda r: {t for t, _ in r} == {0, 1})
        for _ in range(2):  # so these run on the head node
            head.start_trial({"epochs": 40, "sleep": 0.05})
        _fetch_until(head, [0, 1], lambda r: {t for t, _ in r} == {0, 1})
        cluster.lose_node()
        _fetch_until(lossy, [0, 1], lambda r: {lossy.trial_status(t) for t in (0, 1)} == {Status.failed})
        for trial_id in (0, 1):
            reason = lossy.failure_reason(trial_id)
            assert "its Ray worker died" in reason, reason
            assert re.search(r"node|actor", reason, re.IGNORECASE), reason
            assert "failed: its Ray worker died" in "".join(lossy.stderr(trial_id))
        # the head node's trials were not disturbed ...
        _fetch_until(head, [0, 1], lambda r: {head.trial_status(t) for t in (0, 1)} == {Status.completed})
        # ... and new trials still run (on a runner the finished ones left)
        head.start_trial({"epochs": 3, "sleep": 0.05})
        results = _fetch_until(head, [2], lambda r: head.trial_status(2) == Status.completed)
        assert [r["epoch"] for _, r in results] == [1, 2, 3]
    finally:
        head.stop_all()
        lossy.stop_all()
