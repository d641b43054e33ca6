from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bbrepo_testutils import data_mirror, small_tabular

import syne_tune.blackbox_repository as bbr
from syne_tune.blackbox_repository import blackbox_list, load_blackbox
from syne_tune.blackbox_repository.blackbox_tabular import serialize
from syne_tune.blackbox_repository.conversion_scripts import utils
from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import BlackboxRecipe
from syne_tune.blackbox_repository.conversion_scripts.recipes import register_recipe
from syne_tune.blackbox_repository.errors import BlackboxNotFoundError, CorruptBlackboxError

MIRROR = data_mirror()
needs_mirror = pytest.mark.skipif(
    MIRROR is None or not (MIRROR / "icml2020").is_dir(),
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
