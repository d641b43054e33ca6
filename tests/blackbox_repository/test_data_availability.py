"""What a new user can load: the download helper (against a real HTTP server
on loopback), blackbox availability, the LCDB blackbox from the pip package,
and the example script's one-line message when data are missing."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from syne_tune.blackbox_repository import (
    BlackboxAvailability,
    blackbox_availability,
    blackbox_list,
    load_blackbox,
)
from syne_tune.blackbox_repository.conversion_scripts import utils
from syne_tune.blackbox_repository.conversion_scripts.scripts import lcdb_import

REPO_ROOT = Path(__file__).resolve().parents[2]
LCDB_FOLDER = lcdb_import.PACKAGE_SOURCE.locate()
needs_lcdb = pytest.mark.skipif(LCDB_FOLDER is None, reason="pip package lcdb not installed")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_folder(tmp_path):
    """(folder served, base URL) of an HTTP server on 127.0.0.1."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _closed_port_url(name: str) -> str:
    """A loopback URL nobody listens on (connection refused, as offline)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


def _payload(size: int = 3 * (1 << 20) + 123) -> bytes:
    return np.random.default_rng(0).integers(0, 256, size, dtype=np.uint8).tobytes()


def test_download_shows_progress_and_checks_sha256(http_folder, tmp_path, capsys):
    folder, url = http_folder
    data = _payload()
    (folder / "data.bin").write_bytes(data)
    target = tmp_path / "dl" / "data.bin"
    out = utils.download_file(f"{url}/data.bin", target, sha256=hashlib.sha256(data).hexdigest())
    assert out == target and target.read_bytes() == data
    err = capsys.readouterr().err
    assert "downloading data.bin" in err and "100%" in err  # the tqdm bar
    assert [p.name for p in target.parent.iterdir()] == ["data.bin"]  # no temporary file left


def test_download_checksum_mismatch_discards_the_file(http_folder, tmp_path):
    folder, url = http_folder
    (folder / "data.bin").write_bytes(b"changed content")
    target = tmp_path / "dl" / "data.bin"
    with pytest.raises(utils.ChecksumMismatchError, match="expected " + "0" * 64):
        utils.download_file(f"{url}/data.bin", target, sha256="0" * 64, progress=False)
    assert list(target.parent.iterdir()) == []


def test_find_or_download_fetches_once_then_uses_the_download(http_folder, tmp_path):
    folder, url = http_folder
    data = b"a,b\n1,2\n"
    (folder / "t.csv").write_bytes(data)
    kwargs = dict(mirror_path=tmp_path / "mirror", download_dir=tmp_path / "downloads")
    sha = hashlib.sha256(data).hexdigest()
    first = utils.find_or_download("demo", ["demo/t.csv"], f"{url}/t.csv", sha256=sha, **kwargs)
    assert first.read_bytes() == data
    (folder / "t.csv").unlink()  # the server no longer has it: the download is reused
    again = utils.find_or_download("demo", ["demo/t.csv"], f"{url}/t.csv", sha256=sha, **kwargs)
    assert again == first


def test_offline_error_is_one_line_naming_file_places_and_url(tmp_path):
    url = _closed_port_url("DeepAR.csv.zip")
    mirror, downloads = tmp_path / "mirror", tmp_path / "downloads"
    with pytest.raises(utils.SourceNotFoundError) as info:
        utils.find_or_download(
            "icml-deepar", ["icml2020/DeepAR.csv.zip"], url, mirror, downloads
        )
    msg = str(info.value)
    assert "\n" not in msg
    assert "'icml-deepar'" in msg and "DeepAR.csv.zip" in msg and url in msg
    assert str(mirror / "icml2020" / "DeepAR.csv.zip") in msg
    assert str(downloads / "DeepAR.csv.zip") in msg
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_availability_of_a_downloadable_blackbox(tmp_path):
    kwargs = dict(repository_path=tmp_path / "repo", mirror_path=tmp_path / "mirror")
    (entry,) = blackbox_availability(["icml-deepar"], **kwargs)
    assert isinstance(entry, BlackboxAvailability)
    assert (entry.available, entry.stored) == (False, False)
    assert "icml2020/DeepAR.csv.zip" in entry.source and "raw.githubusercontent.com" in entry.source
    assert "\n" not in entry.missing and "DeepAR.csv.zip" in entry.missing
    assert "raw.githubusercontent.com" in entry.missing
    # an earlier download counts
    download = tmp_path / "repo" / ".downloads" / "icml-deepar" / "DeepAR.csv.zip"
    download.parent.mkdir(parents=True)
    download.write_bytes(b"x")
    (entry,) = blackbox_availability(["icml-deepar"], **kwargs)
    assert entry.available and not entry.stored and entry.missing is None
    with pytest.raises(AttributeError):
        entry.available = False  # frozen


def test_blackbox_list_keeps_names_and_filters_available(monkeypatch, tmp_path):
    monkeypatch.setenv("SYNE_TUNE_BLACKBOX_REPOSITORY", str(tmp_path / "repo"))
    monkeypatch.setenv("SYNE_TUNE_DATA_MIRROR", str(tmp_path / "mirror"))
    names = blackbox_list()
    assert names == sorted(names) and "lcdb" in names and "lcbench" in names
    available = blackbox_list(available_only=True)
    assert set(available) <= set(names)
    assert "lcbench" not in available and "icml-xgboost" not in available
    assert [a.name for a in blackbox_availability()] == names
    with pytest.raises(ValueError, match="available_only"):
        blackbox_list(available_only="yes")


@needs_lcdb
def test_lcdb_blackbox_from_pip_package_matches_the_csv_and_simulates(tmp_path):
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.backend.simulator_backend import SimulatorCallback
    from syne_tune.blackbox_repository import UserBlackboxBackend
    from syne_tune.blackbox_repository.conversion_scripts.recipes import register_recipe
    from syne_tune.optimizer.baselines import ASHA

    (entry,) = blackbox_availability(["lcdb"], repository_path=tmp_path)
    assert entry.available and not entry.stored and "pip package lcdb" in entry.source
    recipe = lcdb_import.LCDBRecipe(tasks=[3, 1485], name="lcdb-test-subset")
    register_recipe(recipe, overwrite=True)
    bbs = load_blackbox("lcdb-test-subset", repository_path=tmp_path)
    assert sorted(bbs) == ["1485", "3"]
    bb = bbs["3"]
    assert bb.metadata["openml_names"]["3"] == "kr-vs-kp"
    assert bb.fidelity_name() == "anchor" and bb.objectives_names == lcdb_import.OBJECTIVES
    # one value against the CSV: seed (outer 1, inner 2) = index 7, second anchor
    raw = lcdb_import.read_table(LCDB_FOLDER / lcdb_import.DATABASE_FILE, [3])
    rows = raw[(raw.learner == "SVC_linear") & (raw.outer_seed == 1) & (raw.inner_seed == 2)]
    rows = rows.sort_values("size_train")
    curve = np.asarray(bb.objective_function({"learner": "SVC_linear"}, seed=7))
    names = bb.objectives_names
    np.testing.assert_allclose(curve[:, names.index("val_accuracy")], rows.score_valid, rtol=1e-6)
    np.testing.assert_allclose(curve[:, names.index("size_train")], rows.size_train)
    np.testing.assert_allclose(
        curve[:, names.index("elapsed_time")], np.cumsum(rows.traintime), rtol=1e-5
    )
    assert load_blackbox("lcdb-test-subset", repository_path=tmp_path)["3"].metadata  # stored

    backend = UserBlackboxBackend(
        blackbox=bb, elapsed_time_attr="elapsed_time", max_resource_attr="epochs", seed=0
    )
    scheduler = ASHA(
        bb.configuration_space_with_max_resource_attr("epochs"),
        metric="val_accuracy", mode="max", resource_attr="anchor",
        max_resource_attr="epochs", random_seed=0,
        search_options={"restrict_configurations": bb.all_configurations()},
        points_to_evaluate=[],
    )
    tuner = Tuner(
        trial_backend=backend, scheduler=scheduler, n_workers=2, sleep_time=0,
        stop_criterion=StoppingCriterion(max_wallclock_time=20.0),
        callbacks=[SimulatorCallback()], print_update_interval=1e9,
    )
    tuner.run()
    status = tuner.tuning_status
    assert status.num_trials_started >= 4
    assert 0.5 < status.best_metric("val_accuracy", "max") <= 1.0


def _run_example(tmp_path, *args):
    env = dict(os.environ)
    env["SYNE_TUNE_BLACKBOX_REPOSITORY"] = str(tmp_path / "repository")
    env["SYNE_TUNE_DATA_MIRROR"] = str(tmp_path / "no-mirror")  # hides the team's mirror
    env["SYNETUNE_FOLDER"] = str(tmp_path / "syne-tune")
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "examples" / "launch_simulated_benchmark.py"), *args],
        capture_output=True, text=True, env=env, timeout=300,
    )


def test_example_without_lcbench_data_prints_one_line_and_exits_1(tmp_path):
    proc = _run_example(tmp_path, "--benchmark", "lcbench")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("lcbench: blackbox 'lcbench' needs data_2k_lw.zip")
    assert "figshare.com" in last and "yahpo/lcbench" in last
    assert str(tmp_path / "no-mirror" / "lcbench" / "data_2k_lw.zip") in last


@needs_lcdb
def test_example_default_runs_from_pip_alone(tmp_path):
    proc = _run_example(tmp_path, "--max_wallclock_time", "600")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ASHA on lcdb/41168, 4 workers" in proc.stdout
    assert "Best val_accuracy (max)" in proc.stdout
