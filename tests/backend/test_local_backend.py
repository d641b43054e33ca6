"""LocalBackend: real subprocesses, driven through the TrialBackend API and by a Tuner."""

import json
import logging
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from syne_tune.backend import LocalBackend
from syne_tune.trial import Status

REPO_ROOT = Path(__file__).resolve().parents[2]
TRAIN_HEIGHT = REPO_ROOT / "examples" / "training_scripts" / "height" / "train_height.py"


# -- helpers --------------------------------------------------------------------
def write_script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body))
    return path


def make_backend(tmp_path, entry_point, **kwargs) -> LocalBackend:
    backend = LocalBackend(entry_point=str(entry_point), **kwargs)
    backend.set_path(str(tmp_path / "trials"), "test")
    return backend


def run_until_done(backend, trial_ids, timeout=30.0):
    """Fetch until no trial in ``trial_ids`` is busy; returns (statuses, results)."""
    results = []
    deadline = time.monotonic() + timeout
    while True:
        status_dict, new = backend.fetch_status_results(list(trial_ids))
        results.extend(new)
        statuses = {tid: st for tid, (_, st) in status_dict.items()}
        if all(st not in (Status.in_progress, Status.stopping) for st in statuses.values()):
            return statuses, results
        if time.monotonic() > deadline:
            backend.stop_all()
            pytest.fail(f"trials {trial_ids} still running after {timeout}s: {statuses}")
        backend.wait_for_activity(0.2)


def wait_for(predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def process_alive(pid: int) -> bool:
    """Running (zombies awaiting their reaper do not count)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return False
    state = data[data.rindex(b")") + 2 :].split()[0]
    return state not in (b"Z", b"X")


ARGV_SCRIPT = """
import sys
from syne_tune import Reporter
Reporter()(argv=sys.argv[1:])
"""

# Spawns a grandchild; both may ignore SIGTERM. Writes "<pid> <grandchild pid>"
# to <pidfile> (default: <trial folder>/pids) once the grandchild is ready, then sleeps.
GRANDCHILD_SCRIPT = """
import argparse, os, signal, subprocess, sys, time
p = argparse.ArgumentParser()
p.add_argument("--pidfile")
p.add_argument("--ignore_term", default="0")
p.add_argument("--st_checkpoint_dir")
a, _ = p.parse_known_args()
if a.pidfile is None:
    a.pidfile = os.path.join(os.path.dirname(a.st_checkpoint_dir), "pids")
ignore = a.ignore_term == "1"
ready = a.pidfile + ".gc"
code = (
    "import signal, sys, time\\n"
    + ("signal.signal(signal.SIGTERM, signal.SIG_IGN)\\n" if ignore else "")
    + "open(sys.argv[1], 'w').close()\\n"
    + "while True: time.sleep(1)\\n"
)
if ignore:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", code, ready])
while not os.path.exists(ready):
    time.sleep(0.01)
with open(a.pidfile + ".tmp", "w") as f:
    f.write(f"{os.getpid()} {child.pid}")
os.replace(a.pidfile + ".tmp", a.pidfile)
from syne_tune import Reporter
Reporter()(started=1)
while True:
    time.sleep(1)
"""


def read_pids(pidfile: Path) -> list[int]:
    wait_for(pidfile.exists, what=f"{pidfile}")
    return [int(x) for x in pidfile.read_text().split()]


# -- basic runs -------------------------------------------------------------------
def test_trial_folder_and_results(tmp_path):
    backend = make_backend(tmp_path, TRAIN_HEIGHT)
    config = {"width": 3, "height": 2, "epochs": 4, "sleep_time": 0.0}
    trial = backend.start_trial(config)
    assert trial.trial_id == 0 and trial.status == Status.in_progress
    statuses, results = run_until_done(backend, [0])
    assert statuses == {0: Status.completed}
    assert [r["epoch"] for _, r in results] == [1, 2, 3, 4]
    assert all(tid == 0 for tid, _ in results)
    assert results[-1][1]["mean_loss"] == pytest.approx((0.1 + 3 * 4 / 100) ** -1 + 0.2)
    folder = tmp_path / "trials" / "0"
    assert json.loads((folder / "config.json").read_text()) == config
    assert (folder / "std.out").exists() and (folder / "std.err").exists()
    assert (folder / "checkpoints" / "checkpoint.json").exists()
    end = json.loads((folder / "end").read_text())
    assert end["returncode"] == 0
    assert len(backend.stdout(0)) == 4
    # nothing new on later fetches
    assert backend.fetch_status_results([0])[1] == []
    assert backend.busy_trial_ids() == []


def test_parallel_trials_results_sorted_by_timestamp(tmp_path):
    backend = make_backend(tmp_path, TRAIN_HEIGHT)
    for h in range(3):
        backend.start_trial({"width": 5, "height": h, "epochs": 5, "sleep_time": 0.02})
    statuses, results = run_until_done(backend, [0, 1, 2])
    assert set(statuses.values()) == {Status.completed}
    assert len(results) == 15
    for tid in range(3):
        assert [r["epoch"] for t, r in results if t == tid] == [1, 2, 3, 4, 5]


def test_arguments_reach_script_intact(tmp_path):
    script = write_script(tmp_path, "argv.py", ARGV_SCRIPT)
    backend = make_backend(tmp_path, script)
    config = {
        "name": "two  spaces and 'quotes' \"double\" $HOME; echo hi",
        "lr": -1e-3,
        "neg_int": -3,
        "flag": True,
        "epochs": 5,  # a constant of the config space is passed too
    }
    backend.start_trial(config)
    statuses, results = run_until_done(backend, [0])
    assert statuses == {0: Status.completed}
    argv = results[0][1]["argv"]
    ckpt = str(tmp_path / "trials" / "0" / "checkpoints")
    assert argv == [
        "--name", config["name"],
        "--lr=-0.001",
        "--neg_int=-3",
        "--flag", "True",
        "--epochs", "5",
        "--st_checkpoint_dir", ckpt,
    ]


def test_negative_values_parse_with_argparse(tmp_path):
    script = write_script(tmp_path, "neg.py", """
        import argparse
        from syne_tune import Reporter
        p = argparse.ArgumentParser()
        p.add_argument("--lr", type=float)
        p.add_argument("--k", type=int)
        p.add_argument("--st_checkpoint_dir")
        a = p.parse_args()
        Reporter()(lr=a.lr, k=a.k)
    """)
    backend = make_backend(tmp_path, script)
    backend.start_trial({"lr": -1e-3, "k": -7})
    statuses, results = run_until_done(backend, [0])
    assert statuses == {0: Status.completed}, backend.stderr(0)
    assert results[0][1]["lr"] == -1e-3 and results[0][1]["k"] == -7


def test_pass_args_as_json(tmp_path):
    script = write_script(tmp_path, "json_args.py", """
        import argparse, sys
        from syne_tune import Reporter
        from syne_tune.utils import add_checkpointing_to_argparse, add_config_json_to_argparse, load_config_json
        p = argparse.ArgumentParser()
        add_config_json_to_argparse(p)
        add_checkpointing_to_argparse(p)
        config = load_config_json(vars(p.parse_args()))
        Reporter()(argv=sys.argv[1:], config=config)
    """)
    backend = make_backend(tmp_path, script, pass_args_as_json=True)
    config = {"a b": "x y", "n": 3, "f": 0.5, "lst": [1, 2]}
    backend.start_trial(config)
    statuses, results = run_until_done(backend, [0])
    assert statuses == {0: Status.completed}, backend.stderr(0)
    result = results[0][1]
    folder = tmp_path / "trials" / "0"
    assert result["argv"] == [
        "--st_config_json_filename", str(folder / "config.json"),
        "--st_checkpoint_dir", str(folder / "checkpoints"),
    ]
    for key, value in config.items():
        assert result["config"][key] == value


def test_binary_option(tmp_path):
    script = write_script(tmp_path, "flags.py", """
        import sys
        from syne_tune import Reporter
        Reporter()(optimize=sys.flags.optimize)
    """)
    backend = make_backend(tmp_path, script, binary=[sys.executable, "-O"])
    backend.start_trial({})
    _, results = run_until_done(backend, [0])
    assert results[0][1]["optimize"] == 1


def test_missing_entry_point():
    with pytest.raises(FileNotFoundError, match="not a file"):
        LocalBackend(entry_point="/no/such/script.py")


# -- failures -----------------------------------------------------------------------
def test_crash_marks_trial_failed_and_logs_stderr_tail(tmp_path, caplog):
    script = write_script(tmp_path, "crash.py", """
        from syne_tune import Reporter
        Reporter()(epoch=1, loss=0.5)
        raise RuntimeError("boom: the training script crashed")
    """)
    backend = make_backend(tmp_path, script)
    backend.start_trial({"x": 1})
    with caplog.at_level(logging.WARNING, logger="syne_tune.backend.local_backend"):
        statuses, results = run_until_done(backend, [0])
    assert statuses == {0: Status.failed}
    assert [r["epoch"] for _, r in results] == [1]  # results before the crash count
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Trial 0 failed" in m and "boom: the training script crashed" in m for m in messages), messages
    assert json.loads((tmp_path / "trials" / "0" / "end").read_text())["returncode"] == 1
    assert any("RuntimeError" in line for line in backend.stderr(0))


def test_killed_by_signal_is_failed(tmp_path, caplog):
    script = write_script(tmp_path, "selfkill.py", """
        import os, signal
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    backend = make_backend(tmp_path, script)
    backend.start_trial({})
    with caplog.at_level(logging.WARNING):
        statuses, _ = run_until_done(backend, [0])
    assert statuses == {0: Status.failed}
    assert any("SIGKILL" in r.getMessage() for r in caplog.records)


# -- stdout parsing --------------------------------------------------------------------
def test_partial_line_and_incremental_reading(tmp_path):
    script = write_script(tmp_path, "partial.py", """
        import os, sys, time
        go = sys.argv[sys.argv.index("--go") + 1]
        sys.stdout.write('noise line\\n[tune-metric]: {"a": 1, "st_worker_timestamp": 1.0}\\n')
        sys.stdout.write('[tune-metric]: {"b": 2, "st_worker_')
        sys.stdout.flush()
        while not os.path.exists(go):
            time.sleep(0.01)
        sys.stdout.write('timestamp": 2.0}\\nnot a [tune-metric]: {broken\\n')
        sys.stdout.flush()
    """)
    backend = make_backend(tmp_path, script)
    go = tmp_path / "go"
    backend.start_trial({"go": str(go)})
    out = tmp_path / "trials" / "0" / "std.out"
    wait_for(lambda: out.exists() and b"st_worker_" in out.read_bytes().split(b"\n")[-1], what="partial line")
    _, results = backend.fetch_status_results([0])
    assert [r for _, r in results] == [{"a": 1, "st_worker_timestamp": 1.0}]
    offset = backend._out_offset[0]
    assert offset == out.stat().st_size  # everything consumed, the partial line buffered
    go.touch()
    statuses, results = run_until_done(backend, [0])
    assert statuses == {0: Status.completed}
    assert [r for _, r in results] == [{"b": 2, "st_worker_timestamp": 2.0}]


def test_stale_trial_folder_is_not_read(tmp_path):
    folder = tmp_path / "trials" / "0"
    (folder / "checkpoints").mkdir(parents=True)
    (folder / "std.out").write_text('[tune-metric]: {"epoch": 99, "mean_loss": 0.0}\n')
    (folder / "checkpoints" / "checkpoint.json").write_text('{"epoch": 2}')
    backend = make_backend(tmp_path, TRAIN_HEIGHT)
    backend.start_trial({"width": 1, "height": 1, "epochs": 3, "sleep_time": 0})
    _, results = run_until_done(backend, [0])
    assert [r["epoch"] for _, r in results] == [1, 2, 3]


# -- stop, pause, resume ------------------------------------------------------------------
@pytest.mark.parametrize("ignore_term", ["0", "1"])
def test_stop_kills_process_group(tmp_path, ignore_term):
    script = write_script(tmp_path, "spawner.py", GRANDCHILD_SCRIPT)
    backend = make_backend(tmp_path, script)
    backend.kill_grace_period = 0.3
    pidfile = tmp_path / "pids"
    backend.start_trial({"pidfile": str(pidfile), "ignore_term": ignore_term})
    pids = read_pids(pidfile)
    assert all(process_alive(p) for p in pids)
    t0 = time.monotonic()
    backend.stop_trial(0)
    assert time.monotonic() - t0 < 0.2  # stopping does not block the tuner
    assert backend.trial_status(0) == Status.stopped
    # escalation to SIGKILL happens on later fetches
    deadline = time.monotonic() + 5
    while any(process_alive(p) for p in pids) and time.monotonic() < deadline:
        backend.fetch_status_results([0])
        time.sleep(0.02)
    assert not any(process_alive(p) for p in pids)
    wait_for(lambda: backend.fetch_status_results([0]) and backend._dying == [], timeout=5, what="reaping")
    # no result reported after the stop decision reaches the tuner
    assert backend.fetch_status_results([0])[1] == []


def test_stop_all_kills_everything(tmp_path):
    script = write_script(tmp_path, "spawner.py", GRANDCHILD_SCRIPT)
    backend = make_backend(tmp_path, script)
    backend.kill_grace_period = 0.3
    for i in range(3):
        backend.start_trial({"pidfile": str(tmp_path / f"pids{i}"), "ignore_term": str(i % 2)})
    pids = [p for i in range(3) for p in read_pids(tmp_path / f"pids{i}")]
    backend.stop_all()
    assert not any(process_alive(p) for p in pids)
    assert {backend.trial_status(i) for i in range(3)} == {Status.stopped}


DRIVER = """
import sys, time
from pathlib import Path
from syne_tune.backend import LocalBackend
script, root, pidbase, mode = sys.argv[1:5]
backend = LocalBackend(script)
backend.kill_grace_period = 0.5
backend.set_path(root, "driver")
for i in range(2):
    backend.start_trial({"pidfile": f"{pidbase}{i}", "ignore_term": str(i)})
while not all(Path(f"{pidbase}{i}").exists() for i in range(2)):
    time.sleep(0.01)
try:
    print("ready", flush=True)
    if mode == "exit":
        sys.stdin.readline()
        sys.exit(0)  # without stop_all: the exit hook must clean up
    while True:
        backend.fetch_status_results([0, 1])
        time.sleep(0.05)
except KeyboardInterrupt:
    backend.stop_all()
    print("stopped", flush=True)
"""


@pytest.mark.parametrize("mode", ["ctrl-c", "exit"])
def test_no_child_survives_the_tuner_process(tmp_path, mode):
    script = write_script(tmp_path, "spawner.py", GRANDCHILD_SCRIPT)
    driver = write_script(tmp_path, "driver.py", DRIVER)
    pidbase = str(tmp_path / "pids")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(driver), str(script), str(tmp_path / "trials"), pidbase, mode],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        pids = [p for i in range(2) for p in read_pids(Path(f"{pidbase}{i}"))]
        assert all(process_alive(p) for p in pids)
        if mode == "ctrl-c":
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate("go\n", timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    if mode == "ctrl-c":
        assert "stopped" in out, err
    assert not any(process_alive(p) for p in pids), err


def test_pause_resume_continues_from_checkpoint(tmp_path):
    backend = make_backend(tmp_path, TRAIN_HEIGHT)
    backend.start_trial({"width": 2, "height": 1, "epochs": 30, "sleep_time": 0.03})
    seen = []
    wait_for(lambda: seen.extend(backend.fetch_status_results([0])[1]) or len(seen) >= 3, what="3 results")
    backend.pause_trial(0)
    assert backend.trial_status(0) == Status.paused
    ckpt = tmp_path / "trials" / "0" / "checkpoints" / "checkpoint.json"
    time.sleep(0.2)  # results the old process may still print are not reported
    assert backend.fetch_status_results([0])[1] == []
    assert ckpt.exists()
    epoch_at_pause = json.loads(ckpt.read_text())["epoch"]
    assert epoch_at_pause >= seen[-1][1]["epoch"]
    backend.resume_trial(0)
    statuses, results = run_until_done(backend, [0])
    assert statuses == {0: Status.completed}
    epochs = [r["epoch"] for _, r in seen + results]
    assert epochs == sorted(set(epochs)), epochs  # no result twice, none out of order
    assert epochs[-1] == 30
    assert results[0][1]["epoch"] == epoch_at_pause + 1 or results[0][1]["epoch"] > seen[-1][1]["epoch"]
    assert len(backend.stdout(0)) >= len(epochs)  # std.out was appended to


def test_copy_and_delete_checkpoints(tmp_path):
    backend = make_backend(tmp_path, TRAIN_HEIGHT, delete_checkpoints=True)
    backend.start_trial({"width": 2, "height": 1, "epochs": 3, "sleep_time": 0})
    run_until_done(backend, [0])
    # completed: its checkpoint was deleted
    assert not (tmp_path / "trials" / "0" / "checkpoints").exists()

    backend = make_backend(tmp_path / "b", TRAIN_HEIGHT)
    backend.start_trial({"width": 2, "height": 1, "epochs": 3, "sleep_time": 0})
    run_until_done(backend, [0])
    # trial 1 starts from trial 0's checkpoint (e.g. PBT): epochs 4.. only
    backend.start_trial({"width": 2, "height": 1, "epochs": 5, "sleep_time": 0}, checkpoint_trial_id=0)
    _, results = run_until_done(backend, [1])
    assert [r["epoch"] for _, r in results] == [4, 5]
    assert json.loads((tmp_path / "b" / "trials" / "0" / "checkpoints" / "checkpoint.json").read_text())["epoch"] == 3


# -- environment --------------------------------------------------------------------------
ENV_SCRIPT = """
import os
from syne_tune import Reporter
Reporter()(omp=os.environ.get("OMP_NUM_THREADS", "unset"), cuda=os.environ.get("CUDA_VISIBLE_DEVICES", "unset"))
"""


def test_environment_omp_threads(tmp_path, monkeypatch):
    script = write_script(tmp_path, "env.py", ENV_SCRIPT)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    backend = make_backend(tmp_path, script, rotate_gpus=False)
    backend.start_trial({})
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    backend.start_trial({})
    _, results = run_until_done(backend, [0, 1])
    by_trial = {tid: r for tid, r in results}
    assert by_trial[0]["omp"] == "1"  # set only when the tuner's environment lacks it
    assert by_trial[1]["omp"] == "3"
    assert by_trial[0]["cuda"] == "unset"


# -- restoring a pickled backend (tuner restarted after a crash) -----------------------------
def test_pickled_backend_restarts_trial_without_rereading(tmp_path):
    backend = make_backend(tmp_path, TRAIN_HEIGHT)
    backend.start_trial({"width": 2, "height": 1, "epochs": 40, "sleep_time": 0.03})
    seen = []
    wait_for(lambda: seen.extend(backend.fetch_status_results([0])[1]) or len(seen) >= 3, what="3 results")
    saved = pickle.dumps(backend)  # the tuner saves itself
    old_pid = backend._procs[0].pid
    time.sleep(0.15)  # the old process keeps reporting after the save

    restored = pickle.loads(saved)
    assert restored._procs == {}
    # the old process is still running (its tuner was "killed"): recover kills it
    assert process_alive(old_pid)
    restored.recover({0: 0})
    assert not process_alive(old_pid)
    statuses, results = run_until_done(restored, [0])
    assert statuses == {0: Status.completed}
    epochs = [r["epoch"] for _, r in seen + results]
    assert epochs == sorted(set(epochs)), epochs  # nothing read twice
    assert epochs[-1] == 40
    # results the old process printed after the save are not lost
    assert results[0][1]["epoch"] == seen[-1][1]["epoch"] + 1
    backend._procs.clear()  # the original's process is gone already


def test_restored_backend_skips_replayed_results(tmp_path):
    backend = make_backend(tmp_path, TRAIN_HEIGHT)
    backend.start_trial({"width": 2, "height": 1, "epochs": 10, "sleep_time": 0.02})
    saved = pickle.dumps(backend)  # snapshot before any result was fetched
    statuses, results = run_until_done(backend, [0])
    assert len(results) == 10
    restored = pickle.loads(saved)
    restored.recover({0: 4})  # the journal holds the first 4 results
    statuses, more = run_until_done(restored, [0])
    assert statuses == {0: Status.completed}
    assert [r["epoch"] for _, r in more] == [5, 6, 7, 8, 9, 10]


def test_restored_backend_trial_gone_is_restarted(tmp_path):
    backend = make_backend(tmp_path, TRAIN_HEIGHT)
    backend.start_trial({"width": 2, "height": 1, "epochs": 100, "sleep_time": 0.05})
    saved = pickle.dumps(backend)
    backend.stop_all()  # killed without an exit being recorded
    restored = pickle.loads(saved)
    restored.recover({})
    statuses, _ = restored.fetch_status_results([0])
    assert statuses[0][1] == Status.in_progress
    assert 0 in restored._procs  # restarted (from its checkpoint)
    restored.stop_all()


def test_restored_backend_reads_end_marker(tmp_path):
    backend = make_backend(tmp_path, TRAIN_HEIGHT)
    backend.start_trial({"width": 2, "height": 1, "epochs": 3, "sleep_time": 0.1})
    saved = pickle.dumps(backend)  # saved while running
    run_until_done(backend, [0])  # completed afterwards (the "end" marker is written)
    restored = pickle.loads(saved)
    restored.recover({})
    statuses, results = run_until_done(restored, [0])
    assert statuses[0] == Status.completed
    assert [r["epoch"] for _, r in results] == [1, 2, 3]
    assert restored._procs == {}  # nothing was restarted


# -- with the Tuner ---------------------------------------------------------------------------
def test_tuner_end_to_end(tmp_path):
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.config_space import randint
    from syne_tune.optimizer.baselines import RandomSearch

    config_space = {"width": randint(1, 20), "height": randint(-100, 100), "epochs": 5, "sleep_time": 0.0}
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(TRAIN_HEIGHT)),
        scheduler=RandomSearch(config_space, metric="mean_loss", mode="min", random_seed=1),
        stop_criterion=StoppingCriterion(max_num_trials_completed=12),
        n_workers=4,
        sleep_time=0.01,
        tuner_name="local-e2e",
    )
    t0 = time.perf_counter()
    tuner.run()
    wall = time.perf_counter() - t0
    df = tuner.results_dataframe()
    assert tuner.tuning_status.num_trials_completed >= 12
    completed = df.groupby("trial_id")["epoch"].max()
    assert (completed == 5).sum() >= 12
    assert not df.duplicated(subset=["trial_id", "epoch"]).any()
    assert wall < 60
    # every trial has its folder under the tuner path
    for trial_id in df["trial_id"].unique():
        assert (tuner.tuner_path / str(trial_id) / "config.json").exists()
    assert tuner.trial_backend.busy_trial_ids() == []


TUNER_DRIVER = """
import sys
from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import choice
from syne_tune.optimizer.baselines import RandomSearch
script = sys.argv[1]
backend = LocalBackend(script)
backend.kill_grace_period = 0.5
config_space = {"ignore_term": choice(["0", "1"])}
tuner = Tuner(backend, RandomSearch(config_space, metric="started", mode="max", random_seed=0),
              StoppingCriterion(max_wallclock_time=120), n_workers=2, sleep_time=0.05, tuner_name="ctrl-c")
print("running", flush=True)
try:
    tuner.run()
except KeyboardInterrupt:
    print("tuner raised KeyboardInterrupt", flush=True)
    raise
"""


def test_tuner_ctrl_c_kills_trials(tmp_path):
    script = write_script(tmp_path, "spawner.py", GRANDCHILD_SCRIPT)
    driver = write_script(tmp_path, "tuner_driver.py", TUNER_DRIVER)
    root = tmp_path / "st"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), SYNETUNE_FOLDER=str(root))
    proc = subprocess.Popen([sys.executable, str(driver), str(script)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "running"
        wait_for(lambda: len(list(root.glob("ctrl-c*/*/pids"))) == 2, what="two running trials")
        pids = [p for f in root.glob("ctrl-c*/*/pids") for p in read_pids(f)]
        assert len(pids) == 4 and all(process_alive(p) for p in pids)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "tuner raised KeyboardInterrupt" in out, err[-2000:]
    assert proc.returncode in (130, -signal.SIGINT)  # the conventional status after Ctrl-C
    assert not any(process_alive(p) for p in pids)
