import json
import os

import numpy as np
import pandas as pd
import pytest

from bbrepo_testutils import flip_byte, small_tabular, truncate

from syne_tune.blackbox_repository import BlackboxOffline, BlackboxTabular, deserialize
from syne_tune.blackbox_repository.blackbox_tabular import serialize
from syne_tune.blackbox_repository.errors import (
    BlackboxFileMissingError,
    CorruptBlackboxError,
)
from syne_tune.blackbox_repository import storage
from syne_tune.config_space import choice, randint, uniform


def _assert_same_tabular(a: BlackboxTabular, b: BlackboxTabular):
    assert a.objectives_names == b.objectives_names
    np.testing.assert_array_equal(a.objectives_evaluations, b.objectives_evaluations)
    assert b.objectives_evaluations.dtype == np.float32
    np.testing.assert_array_equal(a.fidelity_values, b.fidelity_values)
    assert a.fidelity_values.dtype == b.fidelity_values.dtype
    pd.testing.assert_frame_equal(a.hyperparameters, b.hyperparameters)
    assert a.all_configurations() == b.all_configurations()
    assert list(a.configuration_space) == list(b.configuration_space)
    for k in a.configuration_space:
        assert a.configuration_space[k] == b.configuration_space[k]
    assert list(a.fidelity_space) == list(b.fidelity_space)
    for config in a.all_configurations():
        for seed in range(a.num_seeds):
            np.testing.assert_array_equal(
                a.objective_function(config, seed=seed), b.objective_function(config, seed=seed)
            )


@pytest.mark.parametrize("memory_map", [True, False])
def test_round_trip_tabular_exact(tmp_path, memory_map):
    bb1 = small_tabular(seed=0)
    bb2 = small_tabular(seed=1)  # same configurations: one shared file
    bb3 = small_tabular(seed=2, lrs=(1e-3, 3e-2))  # other configurations
    path = serialize({"t1": bb1, "t2": bb2, "t/3 odd name": bb3}, tmp_path / "bb",
                     metadata={"default_metric": "loss", "note": np.float32(0.5)})
    names = sorted(os.listdir(path))
    assert names.count("metadata.json") == 1
    assert len([n for n in names if n.startswith("hyperparameters-")]) == 2
    loaded = deserialize(path, memory_map=memory_map)
    assert list(loaded) == ["t1", "t2", "t/3 odd name"]
    for name, bb in [("t1", bb1), ("t2", bb2), ("t/3 odd name", bb3)]:
        _assert_same_tabular(bb, loaded[name])
        assert loaded[name].metadata == {"default_metric": "loss", "note": 0.5}


def test_round_trip_preserves_types_and_nan(tmp_path):
    hps = pd.DataFrame({"s": ["x", "y", "z"], "i": [1, 2, 3], "f": [0.1, np.nan, 1e-300],
                        "b": [True, False, True]})
    values = np.array([1.5, np.nan, -np.inf, 3e38, 1e-45, 0.0], dtype=np.float32).reshape(3, 1, 2, 1)
    bb = BlackboxTabular(
        hps, {"s": choice(["x", "y", "z"]), "i": randint(1, 3), "f": uniform(0, 1),
              "b": choice([True, False])},
        {"r": randint(1, 4)}, values, fidelity_values=np.array([2.5, 4.0]),
    )
    loaded = deserialize(serialize({"t": bb}, tmp_path / "bb"))["t"]
    np.testing.assert_array_equal(loaded.objectives_evaluations, values)
    np.testing.assert_array_equal(loaded.fidelity_values, [2.5, 4.0])
    assert loaded.all_configurations() == [
        {"s": "x", "i": 1, "f": 0.1, "b": True},
        {"s": "y", "i": 2, "f": None, "b": False},
        {"s": "z", "i": 3, "f": 1e-300, "b": True},
    ]
    assert loaded.objective_function({"s": "y", "i": 2, "f": float("nan"), "b": False},
                                     fidelity=2.5) == {"y0": -np.inf}
    assert loaded.objective_function({"s": "z", "i": 3, "f": 1e-300, "b": True},
                                     fidelity=2.5)["y0"] == pytest.approx(1e-45)


def test_round_trip_offline(tmp_path):
    df = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.1], "e": [1, 1, 1, 2],
                       "metric_a": [1.0, 2.0, 3.0, 4.0], "metric_b": [5, 6, 7, 8]})
    off = BlackboxOffline(df, {"x": uniform(0, 1)}, {"e": randint(1, 2)})
    from syne_tune.blackbox_repository.blackbox_offline import serialize as serialize_offline

    path = serialize_offline({"a": off, "b": off}, tmp_path / "off", metadata={"k": 1})
    loaded = deserialize(path)
    assert set(loaded) == {"a", "b"}
    got = loaded["a"]
    assert isinstance(got, BlackboxOffline)
    pd.testing.assert_frame_equal(got.df_evaluations, off.df_evaluations)
    np.testing.assert_array_equal(got.objective_function({"x": 0.1}), off.objective_function({"x": 0.1}))
    assert got.metadata == {"k": 1}


def test_serialize_replaces_atomically(tmp_path):
    path = serialize({"t": small_tabular(seed=0)}, tmp_path / "bb")
    serialize({"t": small_tabular(seed=5)}, path)
    loaded = deserialize(path)["t"]
    np.testing.assert_array_equal(loaded.objectives_evaluations,
                                  small_tabular(seed=5).objectives_evaluations)
    assert [p.name for p in tmp_path.iterdir()] == ["bb"]  # no temporary leftovers


def test_serialize_rejects_mixed_objectives(tmp_path):
    bb = small_tabular()
    with pytest.raises(ValueError, match="same objectives"):
        serialize({"a": bb, "b": bb.rename_objectives({"loss": "x", "time": "y"})}, tmp_path / "x")
    assert not (tmp_path / "x").exists()


@pytest.fixture
def stored(tmp_path):
    path = serialize({"t1": small_tabular(seed=0), "t2": small_tabular(seed=1)}, tmp_path / "bb")
    deserialize(path)  # a first successful load (fills the verification cache)
    return path


def _objectives_file(path):
    return path / "objectives-0.parquet"


@pytest.mark.parametrize("verify", [True, False])
def test_truncated_parquet_is_an_error(stored, verify):
    for fname in ["objectives-0.parquet", "hyperparameters-0.parquet"]:
        truncate(stored / fname, 0.6)
        with pytest.raises(CorruptBlackboxError, match=fname):
            deserialize(stored, verify_checksums=verify)


@pytest.mark.parametrize("fname", ["objectives-1.parquet", "hyperparameters-0.parquet"])
def test_flipped_bytes_detected_right_after_a_load(stored, fname):
    size = os.path.getsize(stored / fname)
    flip_byte(stored / fname, size // 2)
    with pytest.raises(CorruptBlackboxError, match=fname):
        deserialize(stored)


def test_flipped_bytes_detected_right_after_serialize(tmp_path):
    path = serialize({"t": small_tabular()}, tmp_path / "bb")
    flip_byte(_objectives_file(path), 100)
    with pytest.raises(CorruptBlackboxError, match="objectives-0.parquet"):
        deserialize(path)


def test_same_size_rewrite_after_old_verification_detected(stored):
    # make the stamp look old, then modify the file (new mtime) keeping its size
    f = _objectives_file(stored)
    storage._verified_in_process.clear()
    deserialize(stored)
    data = bytearray(f.read_bytes())
    data[len(data) // 3] ^= 1
    f.write_bytes(bytes(data))
    with pytest.raises(CorruptBlackboxError, match="sha256"):
        deserialize(stored)


def test_missing_file(stored):
    os.remove(stored / "objectives-1.parquet")
    with pytest.raises(BlackboxFileMissingError, match="objectives-1.parquet"):
        deserialize(stored)
    with pytest.raises(FileNotFoundError):
        deserialize(stored, verify_checksums=False)
    # loading only the intact task still works
    assert list(deserialize(stored, tasks=["t1"])) == ["t1"]


def test_missing_metadata(stored):
    os.remove(stored / "metadata.json")
    with pytest.raises(BlackboxFileMissingError, match="metadata.json"):
        deserialize(stored)


def test_corrupt_json(stored):
    meta = stored / "metadata.json"
    meta.write_text(meta.read_text()[:-20])
    with pytest.raises(CorruptBlackboxError, match="metadata.json"):
        deserialize(stored)


def test_valid_json_with_changed_content(stored):
    meta = stored / "metadata.json"
    doc = json.loads(meta.read_text())
    doc["tasks"]["t1"]["fidelity_values"]["values"][0] = 7
    meta.write_text(json.dumps(doc))
    with pytest.raises(CorruptBlackboxError, match="metadata.json"):
        deserialize(stored)


def test_not_a_blackbox_folder(tmp_path):
    with pytest.raises(BlackboxFileMissingError):
        deserialize(tmp_path)
    (tmp_path / "metadata.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(CorruptBlackboxError, match="format"):
        deserialize(tmp_path)


def test_verification_cache_skips_hashing(stored, monkeypatch):
    calls = []
    real = storage.sha256_of_file
    monkeypatch.setattr(storage, "sha256_of_file", lambda p: calls.append(p) or real(p))
    import time

    time.sleep(0.05)  # files older than the timestamp granularity margin
    deserialize(stored)  # hashes (the stamp written at serialize time was too fresh)
    calls.clear()
    storage._verified_in_process.clear()  # a new process, as it were
    deserialize(stored)  # the stamp on disk is trusted now
    assert calls == []


def test_objectives_layout_is_plain_parquet(stored):
    import pyarrow.parquet as pq

    table = pq.read_table(_objectives_file(stored))
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    shape = json.loads(meta["syne_tune.shape"])
    values = np.frombuffer(table.column(0).chunk(0).buffers()[1], dtype="<f4").reshape(shape)
    np.testing.assert_array_equal(values, small_tabular(seed=0).objectives_evaluations)


def test_loaded_blackbox_pickles(stored):
    import pickle

    bb = deserialize(stored)["t1"]
    clone = pickle.loads(pickle.dumps(bb))
    config = bb.all_configurations()[5]
    np.testing.assert_array_equal(clone.objective_function(config, seed=1),
                                  bb.objective_function(config, seed=1))
    pd.testing.assert_frame_equal(clone.hyperparameters, bb.hyperparameters)
