"""YAHPO surrogate blackboxes (ONNX) and the surrogate-derived ``lcbench``.

Needs the YAHPO data of the data mirror (``<mirror>/yahpo``, the mirror found
by ``conversion_scripts.utils.data_mirror_path``) and onnxruntime; skipped
otherwise.
Reference outputs (``yahpo_reference_outputs.json``) were computed with the
official ``yahpo_gym`` 1.0.2 package, see the ``provenance`` entry there.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime", reason="YAHPO surrogates need onnxruntime")

REFERENCE_FILE = Path(__file__).with_name("yahpo_reference_outputs.json")

from syne_tune.blackbox_repository.conversion_scripts.utils import find_source  # noqa: E402

_LCBENCH_MODEL = find_source(["yahpo/lcbench/model.onnx"])
YAHPO_PATH = _LCBENCH_MODEL.parents[1] if _LCBENCH_MODEL is not None else None
pytestmark = pytest.mark.skipif(
    YAHPO_PATH is None,
    reason="YAHPO data (yahpo/lcbench/model.onnx) not found in the data mirror "
    "(set SYNE_TUNE_DATA_MIRROR)",
)

from syne_tune.blackbox_repository.yahpo_surrogate import (  # noqa: E402
    YahpoScenario,
    available_scenarios,
    load_yahpo_scenario,
)

INSTANCE_NAME = {
    "lcbench": "OpenML_task_id",
    "rbv2_xgboost": "task_id",
    "rbv2_rpart": "task_id",
    "iaml_glmnet": "task_id",
}
LCBENCH_DEFAULT = {
    "batch_size": 91,
    "learning_rate": 0.0031622777,
    "max_dropout": 0.5,
    "max_units": 256,
    "momentum": 0.545,
    "num_layers": 3,
    "weight_decay": 0.050005,
}


@pytest.fixture(scope="module")
def reference():
    with open(REFERENCE_FILE) as f:
        return json.load(f)["cases"]


@pytest.fixture(scope="module")
def lcbench():
    return load_yahpo_scenario("yahpo-lcbench", data_path=YAHPO_PATH)


def test_available_scenarios():
    assert set(available_scenarios(YAHPO_PATH)) >= {
        "lcbench",
        "rbv2_xgboost",
        "rbv2_rpart",
        "iaml_glmnet",
    }


def test_input_encoding_matches_yahpo_gym():
    # expected rows are what yahpo_gym's _config_to_xs produces
    sc = YahpoScenario("lcbench", data_path=YAHPO_PATH)
    x_cont, x_cat = sc.encode(dict(LCBENCH_DEFAULT, OpenML_task_id="3945", epoch=1))
    np.testing.assert_array_equal(
        x_cont,
        np.array([1, 91, 0.0031622777, 0.545, 0.050005, 3, 256, 0.5], dtype=np.float32),
    )
    np.testing.assert_array_equal(x_cat, [34])

    sc = YahpoScenario("rbv2_xgboost", data_path=YAHPO_PATH)
    config = {
        "task_id": "1040", "booster": "gblinear", "alpha": 1.0, "lambda": 1.0,
        "nrounds": 144, "num.impute.selected.cpo": "impute.mean", "repl": 6,
        "subsample": 0.55, "trainsize": 0.525,
    }
    expected_cont = np.array(
        [144, 0, 0, 1, 1, 0.55, 0, 0, 0, 0, 0, 0, 0.525, 6], dtype=np.float32
    )
    x_cont, x_cat = sc.encode(config)
    np.testing.assert_array_equal(x_cont, expected_cont)
    np.testing.assert_array_equal(x_cat, [1, 2, 2])  # task, booster, impute
    # parameters that are inactive for gblinear are encoded as missing
    x_cont2, x_cat2 = sc.encode(dict(config, eta=0.3, max_depth=7, rate_drop=0.1))
    np.testing.assert_array_equal(x_cont2, expected_cont)
    np.testing.assert_array_equal(x_cat2, x_cat)

    sc = YahpoScenario("rbv2_rpart", data_path=YAHPO_PATH)
    x_cont, x_cat = sc.encode(
        {"task_id": "181", "cp": 0.5, "maxdepth": 3, "minbucket": 50, "minsplit": 70,
         "num.impute.selected.cpo": "impute.hist", "repl": 2, "trainsize": 1.0}
    )
    np.testing.assert_array_equal(x_cont, np.array([0.5, 3, 50, 70, 1, 2], np.float32))
    np.testing.assert_array_equal(x_cat, [39, 1])


@pytest.mark.parametrize("scenario", list(INSTANCE_NAME))
def test_outputs_match_yahpo_gym(reference, scenario):
    bb_dict = load_yahpo_scenario(scenario, data_path=YAHPO_PATH)
    for case in reference[scenario]:
        config = dict(case["config"])
        bb = bb_dict[config.pop(INSTANCE_NAME[scenario])]
        if scenario == "lcbench":
            fidelity = config.pop("epoch")
        else:  # trainsize k / 20 is exposed as integer k; repl is fixed to 10
            fidelity = int(round(config.pop("trainsize") * 20))
            assert config.pop("repl", 10) == 10
        result = bb.objective_function(config, fidelity=fidelity)
        assert list(result) == bb.objectives_names
        expected = case["result"]
        for name, value in expected.items():
            assert result[name] == pytest.approx(value, rel=1e-4, abs=1e-5), name
        # the whole curve in one call agrees with the single-fidelity call
        curve = bb.objective_function(config)
        row = list(bb.fidelity_values).index(fidelity)
        np.testing.assert_allclose(
            curve[row], [expected[n] for n in bb.objectives_names], rtol=1e-4, atol=1e-5
        )


def test_blackbox_spaces_and_fidelities(lcbench):
    assert len(lcbench) == 34
    bb = lcbench["3945"]
    assert set(bb.configuration_space) == set(LCBENCH_DEFAULT)
    assert bb.fidelity_name() == "epoch"
    np.testing.assert_array_equal(bb.fidelity_values, np.arange(1, 53))
    assert bb.objectives_names == [
        "time", "val_accuracy", "val_cross_entropy", "val_balanced_accuracy",
        "test_cross_entropy", "test_balanced_accuracy",
    ]
    xgb = load_yahpo_scenario("rbv2_xgboost", data_path=YAHPO_PATH, instances=["16"])
    bb = xgb["16"]
    assert "task_id" not in bb.configuration_space
    assert "repl" not in bb.configuration_space
    assert bb.fidelity_name() == "trainsize"
    np.testing.assert_array_equal(bb.fidelity_values, np.arange(1, 21))
    with pytest.raises(ValueError, match="unknown instance"):
        load_yahpo_scenario("lcbench", data_path=YAHPO_PATH, instances=["42"])
    with pytest.raises(ValueError, match="unknown YAHPO scenario"):
        YahpoScenario("no_such_scenario", data_path=YAHPO_PATH)
    with pytest.raises(ValueError, match="not one of the fidelity values"):
        lcbench["3945"].objective_function(LCBENCH_DEFAULT, fidelity=53)
    with pytest.raises(ValueError, match="categorical"):
        bb.objective_function(
            {"booster": "nope", "alpha": 1.0, "lambda": 1.0, "nrounds": 10,
             "num.impute.selected.cpo": "impute.mean", "subsample": 0.5},
            fidelity=20,
        )


def test_deterministic_and_picklable(lcbench):
    bb = lcbench["189908"]
    rs = np.random.RandomState(3)
    config = {k: v.sample(random_state=rs) for k, v in bb.configuration_space.items()}
    first = bb.objective_function(config, fidelity=10)
    assert bb.objective_function(config, fidelity=10) == first
    assert bb.objective_function(config, fidelity=10, seed=5) == first
    curve = bb.objective_function(config)
    np.testing.assert_array_equal(curve, bb.objective_function(config))
    clone = pickle.loads(pickle.dumps(bb))
    np.testing.assert_array_equal(clone.objective_function(config), curve)


def test_batch_equals_single_calls(lcbench):
    bb = lcbench["7593"]
    rs = np.random.RandomState(0)
    configs = [
        {k: v.sample(random_state=rs) for k, v in bb.configuration_space.items()}
        for _ in range(5)
    ]
    batch = bb.objective_function_batch(configs, fidelity_values=[1, 26, 52])
    assert batch.shape == (5, 3, 6)
    for i, config in enumerate(configs):
        for j, epoch in enumerate([1, 26, 52]):
            single = bb.objective_function(config, fidelity=epoch)
            np.testing.assert_allclose(
                batch[i, j], list(single.values()), rtol=1e-4, atol=1e-5
            )


def test_lcbench_surrogate_is_plausible(lcbench):
    rs = np.random.RandomState(1)
    for instance in ["3945", "189908", "167190"]:
        bb = lcbench[instance]
        configs = [
            {k: v.sample(random_state=rs) for k, v in bb.configuration_space.items()}
            for _ in range(20)
        ]
        y = bb.objective_function_batch(configs)  # (20, 52, 6)
        time_, val_acc = y[..., 0], y[..., 1]
        assert (time_ > 0).all()
        # cumulative training time: grows over the epochs
        assert (time_[:, -1] > 5 * time_[:, 0]).all()
        assert np.mean(np.diff(time_, axis=1) >= 0) > 0.95
        assert ((val_acc >= 0) & (val_acc <= 100)).all()
        assert ((y[..., 3] >= 0) & (y[..., 3] <= 1)).all()
        # learning: accuracy after 52 epochs is at least that after 1 epoch
        assert np.mean(val_acc[:, -1] >= val_acc[:, 0] - 1.0) > 0.8


# ------------------------------------------------------- tabulated lcbench


def test_lcbench_tabulated_small(tmp_path):
    from syne_tune.blackbox_repository.conversion_scripts.scripts import (
        lcbench_surrogate_import as lcb,
    )
    from syne_tune.blackbox_repository.serialization import deserialize

    tasks = ["Fashion-MNIST", "airlines"]
    recipe = lcb.LCBenchSurrogateRecipe(num_configs=50, tasks=tasks)
    assert recipe.name == "lcbench"
    path = recipe.generate(repository_path=tmp_path, mirror_path=YAHPO_PATH.parent)
    assert recipe.is_generated(path)
    bb_dict = deserialize(path)
    assert list(bb_dict) == tasks
    again = lcb.convert(YAHPO_PATH, num_configs=50, tasks=tasks)
    for task in tasks:
        bb = bb_dict[task]
        # the surrogate's epochs 2..51 (its epoch 1 is the untrained network)
        assert bb.objectives_evaluations.shape == (50, 1, 50, len(lcb.OBJECTIVES_NAMES))
        assert bb.objectives_names == lcb.OBJECTIVES_NAMES
        np.testing.assert_array_equal(bb.fidelity_values, np.arange(1, 51))
        assert bb.fidelity_name() == "epoch"
        values = np.asarray(bb.objectives_evaluations)
        assert not np.isnan(values).any()
        elapsed = values[:, 0, :, lcb.OBJECTIVES_NAMES.index("time")]
        assert (elapsed > 0).all() and (np.diff(elapsed, axis=1) >= 0).all()
        acc = values[..., 0]
        np.testing.assert_allclose(values[..., 6], 1 - acc / 100, rtol=1e-5, atol=1e-6)
        assert bb.metadata["surrogate_derived"] is True
        assert bb.metadata["resource_attr"] == "epoch"
        assert bb.metadata["metric_elapsed_time"] == "time"
        # seeded sampling: converting again gives the same table
        np.testing.assert_array_equal(values, again[task].objectives_evaluations)
        assert bb.hyperparameters.equals(again[task].hyperparameters)
    # different tasks get different configurations
    assert not bb_dict[tasks[0]].hyperparameters.equals(bb_dict[tasks[1]].hyperparameters)
    # table values are surrogate values at the sampled configurations, epoch
    # r of the table at epoch r + 1 of the surrogate
    bb = bb_dict["Fashion-MNIST"]
    config = bb.all_configurations()[7]
    surrogate = load_yahpo_scenario("lcbench", YAHPO_PATH, instances=["189908"])["189908"]
    expected = surrogate.objective_function(config, fidelity=31)
    got = bb.objective_function(config, fidelity=30)
    assert got["val_accuracy"] == pytest.approx(expected["val_accuracy"], rel=1e-4)
    assert got["test_cross_entropy"] == pytest.approx(expected["test_cross_entropy"], rel=1e-4)
    for name, domain in lcb.CONFIGURATION_SPACE.items():
        assert domain.is_valid(config[name])


def test_yahpo_recipe_through_load_blackbox(tmp_path):
    from syne_tune.blackbox_repository import blackbox_list, load_blackbox

    names = blackbox_list()
    for scenario in INSTANCE_NAME:
        assert f"yahpo-{scenario}" in names
    bb_dict = load_blackbox(
        "yahpo-iaml_glmnet", repository_path=tmp_path, mirror_path=YAHPO_PATH.parent
    )
    assert sorted(bb_dict) == ["1067", "1489", "40981", "41146"]
    assert (tmp_path / "yahpo-iaml_glmnet" / "model.onnx").is_file()
    bb = bb_dict["40981"]
    assert bb.metadata["metric_elapsed_time"] == "timetrain"
    assert bb.metadata["resource_attr"] == "trainsize"
    assert bb.metadata["default_mode"] == "min"  # mmce
    result = bb.objective_function({"alpha": 0.5, "s": 0.316227766}, fidelity=20)
    assert 0 <= result["mmce"] <= 1
    # second load uses the stored copy; restricted fidelities
    bb_dict = load_blackbox(
        "yahpo-iaml_glmnet",
        repository_path=tmp_path,
        mirror_path=tmp_path / "nowhere",
        yahpo_kwargs={"fidelities": [1, 2, 4, 8, 12, 16, 20]},
    )
    bb = bb_dict["1489"]
    np.testing.assert_array_equal(bb.fidelity_values, [1, 2, 4, 8, 12, 16, 20])
    assert bb.objective_function({"alpha": 0.5, "s": 1.0}).shape == (7, 12)
    with pytest.raises(ValueError, match="strictly increasing"):
        load_blackbox(
            "yahpo-iaml_glmnet",
            repository_path=tmp_path,
            yahpo_kwargs={"fidelities": [4, 2]},
        )
