"""Every blackbox class of the library passes the blackbox contract
(:class:`syne_tune.testing.blackbox.BlackboxContract`): one test class per
kind of blackbox, on small fixtures; the real data of the data mirror only
for the kinds whose tests already use it (nmt, icml2020, YAHPO), skipped
when absent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bbrepo_testutils import OPS, small_tabular

from syne_tune.blackbox_repository import (
    BlackboxOffline,
    BlackboxTabular,
    add_surrogate,
    from_function,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import find_source
from syne_tune.config_space import check_config_in_space, choice, randint, uniform
from syne_tune.testing.blackbox import BlackboxContract

# ------------------------------------------------------------- fixtures


def offline_table(with_seeds: bool = True) -> pd.DataFrame:
    """Long table: 3 x 2 configurations, epochs 1..4, seeds 10 and 20."""
    rows = []
    for x in (0.1, 0.4, 0.7):
        for op in ("a", "b"):
            for seed in (10, 20) if with_seeds else (None,):
                for epoch in (1, 2, 3, 4):
                    row = {
                        "x": x,
                        "op": op,
                        "epoch": epoch,
                        "metric_loss": x / epoch + (0.1 if op == "b" else 0.0) + (seed or 0) / 1000,
                        "metric_time": 10.0 * epoch * (1 + x),
                    }
                    if with_seeds:
                        row["seed"] = seed
                    rows.append(row)
    return pd.DataFrame(rows)


OFFLINE_SPACE = {"x": uniform(0, 1), "op": choice(["a", "b"])}
FUNCTION_SPACE = {"x": uniform(0, 1), "op": choice(OPS), "const": 7}
FUNCTION_FIDELITIES = np.arange(1, 6)


def function_objectives(config, fidelity, seed):
    """Module-level (picklable) function for ``from_function``: two
    objectives, 5 epochs, 2 seeds; all fidelities as array if ``fidelity``
    is None."""
    check_config_in_space(FUNCTION_SPACE, config)
    if seed is None:
        seed = np.random.randint(2)
    if seed not in (0, 1):
        raise ValueError(f"seed = {seed} must be 0 or 1")
    base = config["x"] + OPS.index(config["op"]) / 10 + seed / 100

    def at(epoch):
        return {"loss": base / epoch, "time": 5.0 * epoch}

    if fidelity is None:
        return np.array([[at(e)["loss"], at(e)["time"]] for e in FUNCTION_FIDELITIES])
    epoch = fidelity["epoch"] if isinstance(fidelity, dict) else fidelity
    if epoch not in FUNCTION_FIDELITIES:
        raise ValueError(f"epoch = {epoch} is not one of {FUNCTION_FIDELITIES.tolist()}")
    return at(epoch)


def single_objective(config, fidelity, seed):
    check_config_in_space(FUNCTION_SPACE, config)
    if fidelity is not None:
        raise ValueError(f"this blackbox has no fidelity, got fidelity={fidelity}")
    return {"y": config["x"] ** 2 + OPS.index(config["op"])}


# ------------------------------------------------------------- tabular


class TestTabular(BlackboxContract):
    expected_num_seeds = 2
    answers_only_recorded_configurations = True
    provides_evaluation_data = True
    supports_predict_curves = True
    serializable = True

    def make_blackbox(self):
        return small_tabular(num_seeds=2, num_fidelities=5)


class TestTabularRenamedObjectives(TestTabular):
    def make_blackbox(self):
        return small_tabular(num_seeds=2).rename_objectives({"time": "elapsed", "loss": "error"})


class TestTabularWithoutFidelity(BlackboxContract):
    has_fidelities = False
    answers_only_recorded_configurations = True
    provides_evaluation_data = True
    serializable = True

    def make_blackbox(self):
        hps = pd.DataFrame({"x": [1, 2, 3, 4], "op": ["a", "b", "a", "c"]})
        values = np.arange(8.0).reshape(4, 1, 1, 2)
        return BlackboxTabular(
            hps, {"x": randint(1, 5), "op": choice(OPS)}, None, values,
            objectives_names=["metric_a", "metric_b"],
        )


class TestTabularWithMissingValues(TestTabular):
    """Curves padded with NaN (as the nmt blackbox's early-stopped runs)."""

    def make_blackbox(self):
        bb = small_tabular(num_seeds=2, num_fidelities=5)
        values = np.array(bb.objectives_evaluations)
        values[3, :, 2:, :] = np.nan
        return BlackboxTabular(
            bb.hyperparameters, bb.configuration_space, bb.fidelity_space, values,
            fidelity_values=bb.fidelity_values, objectives_names=bb.objectives_names,
        )


class TestTabularFromDataframe(BlackboxContract):
    expected_num_seeds = 2
    answers_only_recorded_configurations = True
    provides_evaluation_data = True
    supports_predict_curves = True
    serializable = True

    def make_blackbox(self):
        return BlackboxTabular.from_dataframe(
            offline_table(), OFFLINE_SPACE, {"epoch": randint(1, 4)}, seed_col="seed"
        )


# ------------------------------------------------------------- offline


class TestOffline(BlackboxContract):
    expected_num_seeds = 2
    answers_only_recorded_configurations = True
    provides_evaluation_data = True
    serializable = True

    def make_blackbox(self):
        return BlackboxOffline(
            offline_table(), OFFLINE_SPACE, {"epoch": randint(1, 4)}, seed_col="seed"
        )

    def seeds(self, blackbox):
        return [10, 20]

    def invalid_seed(self, blackbox):
        return 30


class TestOfflineWithoutFidelityAndSeed(BlackboxContract):
    has_fidelities = False
    checks_seed = False  # no seed column: the seed is ignored
    answers_only_recorded_configurations = True
    provides_evaluation_data = True
    serializable = True

    def make_blackbox(self):
        df = offline_table(with_seeds=False)
        return BlackboxOffline(df[df["epoch"] == 4].drop(columns="epoch"), OFFLINE_SPACE)


def test_offline_curves_are_aligned_with_fidelity_values():
    df = offline_table()
    df = df[~((df["x"] == 0.4) & (df["epoch"] == 2))]  # one epoch not recorded
    bb = BlackboxOffline(df, OFFLINE_SPACE, {"epoch": randint(1, 4)}, seed_col="seed")
    curve = bb.objective_function({"x": 0.4, "op": "a"}, seed=10)
    assert curve.shape == (4, 2) and np.isnan(curve[1]).all()
    np.testing.assert_allclose(curve[[0, 2, 3], 0], [0.4 / 1 + 0.01, 0.4 / 3 + 0.01, 0.4 / 4 + 0.01])
    assert np.isnan(bb.objective_function({"x": 0.4, "op": "a"}, fidelity=2, seed=10)["metric_loss"])


# ----------------------------------------------------------- surrogates


class TestSurrogateOfTabular(BlackboxContract):
    """Curves predicted at once, one model per seed."""

    expected_num_seeds = 2

    def make_blackbox(self):
        return add_surrogate(small_tabular(num_seeds=2), separate_seeds=True)


class TestSurrogateFittingDifferences(BlackboxContract):
    """Fidelity as model input, cumulative time fitted as increments."""

    def make_blackbox(self):
        return add_surrogate(
            small_tabular(num_seeds=1), predict_curves=False, fit_differences=["time"],
            surrogate="KNeighborsRegressor",
        )


class TestSurrogateOfOffline(BlackboxContract):
    rejects_unknown_fidelity = False  # the fidelity is a model input: any value works

    def make_blackbox(self):
        return add_surrogate(BlackboxOffline(offline_table(), OFFLINE_SPACE, {"epoch": randint(1, 4)}, seed_col="seed"))


class TestSurrogateWithoutFidelity(BlackboxContract):
    has_fidelities = False

    def make_blackbox(self):
        df = offline_table(with_seeds=False)
        return add_surrogate(BlackboxOffline(df[df["epoch"] == 4].drop(columns="epoch"), OFFLINE_SPACE))


# -------------------------------------------------------- from_function


class TestFromFunction(BlackboxContract):
    expected_num_seeds = 2

    def make_blackbox(self):
        bb = from_function(
            FUNCTION_SPACE, function_objectives, fidelity_space={"epoch": randint(1, 5)},
            objectives_names=["loss", "time"],
        )
        bb.num_seeds = 2
        return bb


class TestFromFunctionWithoutFidelity(BlackboxContract):
    def make_blackbox(self):
        return from_function(FUNCTION_SPACE, single_objective, objectives_names=["y"])

    has_fidelities = False
    checks_seed = False


# ------------------------------------------------- real data (mirror)


def _mirror_file(relative: str):
    found = find_source([relative])
    if found is None:
        pytest.skip(f"{relative} not found in the data mirror (set SYNE_TUNE_DATA_MIRROR)")
    return found


class TestNMT(BlackboxContract):
    """The nmt table (NaN-padded learning curves, log-ordinal spaces)."""

    answers_only_recorded_configurations = True
    provides_evaluation_data = True
    supports_predict_curves = True
    serializable = True

    def make_blackbox(self):
        _mirror_file("nmt_hpo/lc_datasets/nmtlc.pkl")
        from syne_tune.blackbox_repository.conversion_scripts.scripts import nmt_import

        mirror = find_source(["nmt_hpo"]).parent
        bb_dict, _ = nmt_import.convert_nmt(mirror, tasks=["so-en"])
        return bb_dict["so-en"]


class TestICMLDeepAR(BlackboxContract):
    """An icml2020 offline table (no fidelity, no seed column)."""

    has_fidelities = False
    checks_seed = False
    answers_only_recorded_configurations = True
    provides_evaluation_data = True
    serializable = True

    def make_blackbox(self):
        csv = _mirror_file("icml2020/DeepAR.csv.zip")
        from syne_tune.blackbox_repository.conversion_scripts.recipes import get_recipe

        bb_dict, _ = get_recipe("icml-deepar").convert(mirror_path=csv.parent.parent)
        return bb_dict["electricity"]


class _YahpoContract(BlackboxContract):
    checks_seed = False  # deterministic surrogate: the seed is ignored
    rtol = 1e-4  # float32 outputs, batched and single ONNX calls
    scenario = "lcbench"
    instance = "3945"
    fidelities = None

    def make_blackbox(self):
        pytest.importorskip("onnxruntime", reason="YAHPO surrogates need onnxruntime")
        _mirror_file(f"yahpo/{self.scenario}/model.onnx")
        from syne_tune.blackbox_repository.yahpo_surrogate import (
            default_yahpo_data_path,
            load_yahpo_scenario,
        )

        bbs = load_yahpo_scenario(
            self.scenario, default_yahpo_data_path(), instances=[self.instance],
            fidelities=self.fidelities,
        )
        return bbs[self.instance]


class TestYahpoLCBench(_YahpoContract):
    pass


class TestYahpoLCBenchSomeEpochs(_YahpoContract):
    fidelities = [1, 2, 4, 8, 16, 32, 52]


class TestYahpoIamlGlmnet(_YahpoContract):
    """Fidelity ``trainsize`` 1..20 (fractions k / 20)."""

    scenario = "iaml_glmnet"
    instance = "40981"


def test_yahpo_accepts_missing_inactive_hyperparameters():
    pytest.importorskip("onnxruntime")
    _mirror_file("yahpo/rbv2_xgboost/model.onnx")
    from syne_tune.blackbox_repository.yahpo_surrogate import (
        default_yahpo_data_path,
        load_yahpo_scenario,
    )

    bb = next(iter(load_yahpo_scenario("rbv2_xgboost", default_yahpo_data_path()).values()))
    config = {"booster": "gblinear", "nrounds": 100, "lambda": 0.5, "alpha": 0.1,
              "subsample": 0.8, "num.impute.selected.cpo": "impute.median"}
    assert bb.objective_function(config, fidelity=20)["acc"] > 0  # eta etc. inactive
    with pytest.raises(ValueError, match="lacks the hyperparameters.*nrounds"):
        bb.objective_function({k: v for k, v in config.items() if k != "nrounds"}, fidelity=20)


def test_contract_catches_a_broken_blackbox():
    """The suite is not vacuous: a blackbox whose curve disagrees with its
    single-fidelity values, or that accepts any configuration, fails."""

    def sloppy(config, fidelity, seed):
        if fidelity is None:
            return np.zeros((5, 2))
        return {"loss": 1.0, "time": 2.0}

    class Broken(BlackboxContract):
        def make_blackbox(self):
            return from_function(FUNCTION_SPACE, sloppy, {"epoch": randint(1, 5)}, ["loss", "time"])

    suite = Broken()
    with pytest.raises(AssertionError, match="row 0 of the curve"):
        suite.test_objective_function_returns_every_objective()
    with pytest.raises(AssertionError, match="was accepted"):
        suite.test_configuration_outside_the_space_or_table_raises()
    with pytest.raises(AssertionError, match="was accepted"):
        suite.test_unknown_fidelity_raises()
