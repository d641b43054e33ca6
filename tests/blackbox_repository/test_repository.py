from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bbrepo_testutils import small_tabular

import syne_tune.blackbox_repository as bbr
from syne_tune.blackbox_repository import blackbox_list, load_blackbox
from syne_tune.blackbox_repository.blackbox_tabular import serialize
from syne_tune.blackbox_repository.conversion_scripts import utils
from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import BlackboxRecipe
from syne_tune.blackbox_repository.conversion_scripts.recipes import register_recipe
from syne_tune.blackbox_repository.errors import BlackboxNotFoundError, CorruptBlackboxError

ICML_DATA = utils.find_source(["icml2020"])
MIRROR = ICML_DATA.parent if ICML_DATA is not None else None
needs_mirror = pytest.mark.skipif(
    MIRROR is None,
    reason="data mirror with icml2020/ not found (set SYNE_TUNE_DATA_MIRROR or put "
    "shared/data beside the checkout)",
)


def test_exports():
    for name in ["load_blackbox", "blackbox_list", "add_surrogate", "BlackboxOffline",
                 "BlackboxTabular", "Blackbox", "from_function", "deserialize"]:
        assert getattr(bbr, name) is not None
    assert "UserBlackboxBackend" in dir(bbr)


def test_blackbox_list_has_recipes():
    names = blackbox_list()
    for name in ["icml-deepar", "icml-xgboost", "icml-nasbench201", "fcnet", "nasbench201",
                 "hpobench-mlp", "lcbench", "pd1", "hpob_4796"]:
        assert name in names


def test_repository_path_resolution(tmp_path, monkeypatch):
    monkeypatch.delenv("SYNE_TUNE_BLACKBOX_REPOSITORY", raising=False)
    monkeypatch.delenv("BLACKBOX_REPOSITORY_PATH", raising=False)
    assert utils.repository_path() == Path("~/.blackbox-repository").expanduser()
    monkeypatch.setenv("BLACKBOX_REPOSITORY_PATH", str(tmp_path / "b"))
    assert utils.repository_path() == tmp_path / "b"
    monkeypatch.setenv("SYNE_TUNE_BLACKBOX_REPOSITORY", str(tmp_path / "a"))
    assert utils.repository_path() == tmp_path / "a"
    assert utils.repository_path(tmp_path / "c") == tmp_path / "c"


def test_mirror_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNE_TUNE_DATA_MIRROR", str(tmp_path))
    assert utils.data_mirror_path() == tmp_path
    assert utils.data_mirror_path(tmp_path / "x") == tmp_path / "x"


def test_load_stored_blackbox_without_recipe(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNE_TUNE_BLACKBOX_REPOSITORY", str(tmp_path))
    serialize({"t": small_tabular()}, tmp_path / "my-bb")
    loaded = load_blackbox("my-bb")
    np.testing.assert_array_equal(loaded["t"].objectives_evaluations,
                                  small_tabular().objectives_evaluations)
    with pytest.raises(BlackboxNotFoundError, match="not-there"):
        load_blackbox("not-there")


class _CountingRecipe(BlackboxRecipe):
    def __init__(self, name):
        super().__init__(name=name, cite_reference="test")
        self.calls = 0

    def _generate_on_disk(self, target, mirror_path, download_dir):
        self.calls += 1
        serialize({"t": small_tabular(seed=self.calls)}, target, metadata={"calls": self.calls})


def test_generate_once_then_reuse_and_regenerate(tmp_path):
    recipe = _CountingRecipe("counting-test-recipe")
    register_recipe(recipe, overwrite=True)
    bb = load_blackbox(recipe.name, repository_path=tmp_path)
    assert recipe.calls == 1 and bb["t"].metadata["calls"] == 1
    load_blackbox(recipe.name, repository_path=tmp_path)
    assert recipe.calls == 1
    bb = load_blackbox(recipe.name, repository_path=tmp_path, skip_if_present=False)
    assert recipe.calls == 2 and bb["t"].metadata["calls"] == 2
    with pytest.raises(BlackboxNotFoundError, match="generate_if_not_found"):
        load_blackbox(recipe.name, repository_path=tmp_path / "empty", generate_if_not_found=False)


def test_corrupt_stored_blackbox_error_suggests_regeneration(tmp_path):
    recipe = _CountingRecipe("counting-test-recipe-2")
    register_recipe(recipe, overwrite=True)
    load_blackbox(recipe.name, repository_path=tmp_path)
    f = tmp_path / recipe.name / "objectives-0.parquet"
    f.write_bytes(f.read_bytes()[:-10])
    with pytest.raises(CorruptBlackboxError, match="skip_if_present=False"):
        load_blackbox(recipe.name, repository_path=tmp_path)
    load_blackbox(recipe.name, repository_path=tmp_path, skip_if_present=False)


def test_missing_source_data_gives_clear_error(tmp_path, monkeypatch):
    def no_network(url, target, timeout=60.0):
        raise OSError("network unreachable")

    monkeypatch.setattr(utils, "download_file", no_network)
    with pytest.raises(utils.SourceNotFoundError) as info:
        load_blackbox("pd1", repository_path=tmp_path, mirror_path=tmp_path / "mirror")
    msg = str(info.value)
    assert "pd1" in msg and "network unreachable" in msg and "storage.googleapis.com" in msg
    assert not (tmp_path / "pd1").exists()


@needs_mirror
@pytest.mark.parametrize(
    "name, file_stem, num_tasks",
    [("icml-deepar", "DeepAR", 11), ("icml-xgboost", "XGBoost", 10),
     ("icml-nasbench201", "nas_bench102", 3)],
)
def test_icml_recipes_read_back_every_value(tmp_path, name, file_stem, num_tasks):
    bbs = load_blackbox(name, repository_path=tmp_path)
    raw = pd.read_csv(MIRROR / "icml2020" / f"{file_stem}.csv.zip")
    assert len(bbs) == num_tasks
    assert set(bbs) == set(raw["task"].unique())
    total = 0
    for task, bb in bbs.items():
        rows = raw[raw["task"] == task].reset_index(drop=True)
        df = bb.df_evaluations
        assert len(df) == len(rows)
        total += len(rows)
        for col in bb.objectives_names:
            np.testing.assert_array_equal(df[col].to_numpy(), rows[col].to_numpy(dtype=float))
        # every configuration answers its own values
        for i in range(0, len(rows), max(1, len(rows) // 50)):
            config = {k: df[k].iloc[i] for k in bb.configuration_space}
            res = bb.objective_function(config)
            assert res == {c: float(rows[c].iloc[i]) for c in bb.objectives_names}
            for k, domain in bb.configuration_space.items():
                assert domain.is_valid(config[k]) or domain.is_valid(domain.cast(config[k])), (k, config[k])
    assert total == len(raw)
    assert bbs[next(iter(bbs))].metadata["default_metric"].startswith("metric_")


@needs_mirror
def test_icml_hyperparameters_converted_from_logs(tmp_path):
    bbs = load_blackbox("icml-deepar", repository_path=tmp_path)
    raw = pd.read_csv(MIRROR / "icml2020" / "DeepAR.csv.zip")
    rows = raw[raw["task"] == "electricity"].reset_index(drop=True)
    df = bbs["electricity"].df_evaluations
    np.testing.assert_allclose(df["hp_learning_rate"], np.exp(rows["hp_learning_rate_log"]))
    np.testing.assert_array_equal(df["hp_num_layers"], np.rint(np.exp(rows["hp_num_layers"])))
    bbs = load_blackbox("icml-nasbench201", repository_path=tmp_path)
    raw = pd.read_csv(MIRROR / "icml2020" / "nas_bench102.csv.zip")
    row = raw[raw["task"] == "cifar10"].iloc[0]
    ops = [edge.split("~")[0] for edge in row["arch_str"].replace("+", "|").split("|") if edge]
    res = bbs["cifar10"].objective_function({f"hp_x{i}": ops[i] for i in range(6)})
    assert res["metric_error"] == row["metric_error"]


# ------------------------------------------- signature and ignore_hash


def test_load_blackbox_signature_is_syne_tune_0_13():
    import inspect

    params = list(inspect.signature(load_blackbox).parameters.values())
    expected = [
        ("name", inspect.Parameter.empty),
        ("skip_if_present", True),
        ("s3_root", None),
        ("generate_if_not_found", True),
        ("yahpo_kwargs", None),
        ("ignore_hash", True),
    ]
    assert [(p.name, p.default) for p in params[:6]] == expected
    assert all(p.kind == p.POSITIONAL_OR_KEYWORD for p in params[:6])
    # our own arguments come after, keyword-only
    assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params[6:])
    assert {"repository_path", "mirror_path", "verify_checksums", "memory_map"} <= {
        p.name for p in params[6:]
    }


def test_load_blackbox_positional_arguments(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNE_TUNE_BLACKBOX_REPOSITORY", str(tmp_path))
    recipe = _CountingRecipe("positional-test-recipe")
    register_recipe(recipe, overwrite=True)
    # name, skip_if_present, s3_root, generate_if_not_found, yahpo_kwargs, ignore_hash
    bb = load_blackbox(recipe.name, True, None, True, None, True)
    assert recipe.calls == 1 and bb["t"].metadata["calls"] == 1
    bb = load_blackbox(recipe.name, False, None, True, None, False)  # regenerates
    assert recipe.calls == 2 and bb["t"].metadata["calls"] == 2
    with pytest.raises(BlackboxNotFoundError, match="generate_if_not_found"):
        load_blackbox("pd1", True, None, False)  # not in the repository
    with pytest.raises(TypeError):
        load_blackbox(recipe.name, True, None, True, None, True, tmp_path)  # keyword-only


def test_load_blackbox_checks_its_arguments(tmp_path):
    with pytest.raises(ValueError, match="The 'skip_if_present' parameter of load_blackbox"):
        load_blackbox("x", skip_if_present="yes", repository_path=tmp_path)
    with pytest.raises(ValueError, match="The 'ignore_hash' parameter of load_blackbox must be True"):
        load_blackbox("x", ignore_hash=False, verify_checksums=False, repository_path=tmp_path)


def _stored_and_verified(tmp_path, name):
    """A generated blackbox whose files were verified once (stamp trusted)."""
    import time

    recipe = _CountingRecipe(name)
    register_recipe(recipe, overwrite=True)
    load_blackbox(recipe.name, repository_path=tmp_path)
    time.sleep(0.05)  # older than the timestamp-granularity margin
    from syne_tune.blackbox_repository import storage

    storage._verified_in_process.clear()
    load_blackbox(recipe.name, repository_path=tmp_path)  # hashes, records a trusted stamp
    return recipe.name, tmp_path / recipe.name / "objectives-0.parquet"


def _flip_keeping_stat(path):
    """Damages a byte in place (same size and inode), then restores the
    mtime: what media errors do, and what no stat-based check can see."""
    import os

    st = os.stat(path)
    with open(path, "r+b") as f:
        f.seek(st.st_size // 2)
        b = f.read(1)
        f.seek(st.st_size // 2)
        f.write(bytes([b[0] ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_mtime_ns == st.st_mtime_ns


def test_ignore_hash_false_rehashes_every_file(tmp_path):
    name, f = _stored_and_verified(tmp_path, "ignore-hash-test-recipe")
    _flip_keeping_stat(f)
    # ignore_hash=True (default) trusts the recorded verification of an
    # unchanged file (size, mtime and inode): the damage goes unseen ...
    load_blackbox(name, repository_path=tmp_path)
    # ... ignore_hash=False hashes every data file again and names the file
    with pytest.raises(CorruptBlackboxError, match="objectives-0.parquet.*sha256"):
        load_blackbox(name, repository_path=tmp_path, ignore_hash=False)
    with pytest.raises(CorruptBlackboxError, match="objectives-0.parquet"):
        load_blackbox(name, True, None, True, None, False, repository_path=tmp_path)


def test_ignore_hash_true_still_detects_modified_files(tmp_path):
    name, f = _stored_and_verified(tmp_path, "ignore-hash-test-recipe-2")
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))  # same size, new mtime
    with pytest.raises(CorruptBlackboxError, match="objectives-0.parquet.*sha256"):
        load_blackbox(name, repository_path=tmp_path)  # ignore_hash=True
    # truncation is caught by the size check, even without any hashing
    f.write_bytes(bytes(data[:-10]))
    with pytest.raises(CorruptBlackboxError, match="objectives-0.parquet.*bytes"):
        load_blackbox(name, repository_path=tmp_path, verify_checksums=False)
