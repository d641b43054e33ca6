"""``nmt`` (NMTLC learning curves) and ``nmt-hpo`` (NMTHPO) conversions.

Needs the ``nmt_hpo`` folder of the data mirror (found by
``conversion_scripts.utils.data_mirror_path``); skipped otherwise.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from syne_tune.blackbox_repository.conversion_scripts.utils import find_source

_NMTLC = find_source(["nmt_hpo/lc_datasets/nmtlc.pkl"])
MIRROR = _NMTLC.parents[2] if _NMTLC is not None else None
pytestmark = pytest.mark.skipif(
    MIRROR is None,
    reason="NMT data (nmt_hpo/lc_datasets/nmtlc.pkl) not found in the data mirror "
    "(set SYNE_TUNE_DATA_MIRROR)",
)

from syne_tune.blackbox_repository.conversion_scripts.scripts import (  # noqa: E402
    nmt_import as nmt,
)
from syne_tune.blackbox_repository.serialization import deserialize  # noqa: E402

TASKS = list(nmt.LANGUAGE_PAIRS)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    root = tmp_path_factory.mktemp("repo")
    path_lc = nmt.generate_nmt(root, MIRROR)
    path_hpo = nmt.generate_nmt_hpo(root, MIRROR)
    return deserialize(path_lc), deserialize(path_hpo)


@pytest.fixture(scope="module")
def raw():
    data = MIRROR / "nmt_hpo"
    with open(data / "lc_datasets" / "nmtlc.pkl", "rb") as f:
        entries = pickle.load(f)
    evals = {t: np.loadtxt(data / "datasets" / f"{t}.evals") for t in TASKS}
    hyps = {t: np.loadtxt(data / "datasets" / f"{t}.hyps") for t in TASKS}
    return entries, hyps, evals


def test_nmt_reads_back_exactly(stored):
    lc, _ = stored
    in_memory, metadata = nmt.convert_nmt(MIRROR)
    assert list(lc) == TASKS
    for task in TASKS:
        bb, ref = lc[task], in_memory[task]
        stored_values = np.asarray(bb.objectives_evaluations)
        expected = np.asarray(ref.objectives_evaluations, dtype=np.float32)
        np.testing.assert_array_equal(stored_values, expected)  # NaNs included
        assert bb.hyperparameters.equals(ref.hyperparameters)
        np.testing.assert_array_equal(bb.fidelity_values, ref.fidelity_values)
        assert bb.objectives_names == ["dev_ppl", "elapsed_time"]
        assert bb.fidelity_name() == "checkpoint"
        assert bb.metadata == lc[TASKS[0]].metadata
    assert lc["so-en"].metadata["num_configs"] == metadata["num_configs"]


def test_nmt_matching_counts(stored):
    lc, _ = stored
    counts = lc["zh-en"].metadata["num_configs"]
    # every NMTHPO run of these pairs has its curve in NMTLC
    assert counts["so-en"] == 604 and counts["sw-en"] == 767
    assert counts["ru-en"] == 176 and counts["ja-en"] == 150
    assert counts["en-ja"] >= 160 and counts["zh-en"] >= 100
    for task in TASKS:
        assert lc[task].num_evaluations == counts[task]


def test_nmt_curves_are_the_raw_curves(stored, raw):
    entries, hyps, evals = raw
    bb = stored[0]["ru-en"]
    configs = bb.all_configurations()
    lengths = nmt.valid_lengths(bb)
    rows_checked = 0
    for row in range(0, len(configs), 17):
        config = configs[row]
        i = int(
            np.nonzero(
                np.all(
                    np.isclose(hyps["ru-en"], [config[k] for k in nmt.HYPERPARAMETERS]),
                    axis=1,
                )
            )[0][0]
        )
        dev_ppl, dev_gpu_time, num_updates = evals["ru-en"][i, [2, 1, 3]]
        curve = bb.objective_function(config)  # (num_fidelities, 2)
        n = int(num_updates // 2000)
        assert lengths[row] == n == nmt.num_valid_fidelities(bb, config)
        # the curve is an NMTLC curve of that run
        matches = [
            e for e in entries
            if e["dataset_name"] == "ted-ru-en"
            and len(e["perplexity_curve"]) == n
            and np.allclose(e["perplexity_curve"], curve[:n, 0], rtol=1e-6)
        ]
        assert matches and abs(matches[0]["perplexity_optimal"] - dev_ppl) < 1e-4
        assert np.nanmin(curve[:, 0]) == pytest.approx(dev_ppl, rel=1e-6)
        # elapsed time: k * dev_gpu_time
        np.testing.assert_allclose(
            curve[:n, 1], np.arange(1, n + 1) * dev_gpu_time, rtol=1e-6
        )
        rows_checked += 1
    assert rows_checked >= 10


def test_nmt_padding_convention(stored):
    lc, _ = stored
    for task in ["so-en", "ja-en"]:
        bb = lc[task]
        meta = bb.metadata[nmt.CURVE_PADDING_KEY]
        assert meta["value"] == "nan"
        values = np.asarray(bb.objectives_evaluations)[:, 0]
        lengths = nmt.valid_lengths(bb)
        assert lengths.max() == len(bb.fidelity_values)
        assert lengths.min() >= 2
        assert (lengths < len(bb.fidelity_values)).any()  # unequal lengths
        for row, n in enumerate(lengths):
            assert not np.isnan(values[row, :n]).any()
            assert np.isnan(values[row, n:]).all()
        # a short curve: last real checkpoint and the NaN row after it
        row = int(np.argmin(lengths))
        config = bb.all_configurations()[row]
        n = nmt.num_valid_fidelities(bb, config)
        assert n == lengths[row]
        last = bb.objective_function(config, fidelity=int(bb.fidelity_values[n - 1]))
        assert np.isfinite(list(last.values())).all()
        beyond = bb.objective_function(config, fidelity=int(bb.fidelity_values[n]))
        assert all(np.isnan(v) for v in beyond.values())
        # elapsed time increases up to the end of the curve
        assert (np.diff(values[row, :n, 1]) > 0).all()


def test_nmt_hpo_values(stored, raw):
    _, hpo = stored
    _, hyps, evals = raw
    for task in TASKS:
        bb = hpo[task]
        assert bb.objectives_names == nmt.OBJECTIVES_HPO
        assert bb.fidelity_space is None
        assert bb.num_evaluations == len(evals[task])
        values = np.asarray(bb.objectives_evaluations)[:, 0, 0, :]
        raw_values = evals[task].astype(np.float32)
        zero_mem = raw_values[:, 4] == 0
        assert np.isnan(values[zero_mem, 4]).all()
        keep = ~zero_mem
        np.testing.assert_array_equal(values[:, [0, 1, 2, 3, 5]], raw_values[:, [0, 1, 2, 3, 5]])
        np.testing.assert_array_equal(values[keep, 4], raw_values[keep, 4])
        np.testing.assert_allclose(
            values[:, 6], evals[task][:, 3] / 2000 * evals[task][:, 1], rtol=1e-6
        )
        # configurations are the NMTHPO rows, in order
        configs = bb.all_configurations()
        for i in [0, len(configs) // 2, len(configs) - 1]:
            np.testing.assert_allclose(
                [configs[i][k] for k in nmt.HYPERPARAMETERS], hyps[task][i]
            )
    meta = hpo["so-en"].metadata
    assert meta["default_metric"] == "dev_bleu" and meta["default_mode"] == "max"
    assert meta["metric_elapsed_time"] == "elapsed_time"


def test_nmt_configuration_spaces(stored):
    lc, hpo = stored
    bb = hpo["sw-en"]
    space = bb.configuration_space
    assert space["num_layers"].categories == [1, 2, 4, 6]
    assert space["bpe_symbols"].categories == [1000, 2000, 4000, 8000, 16000, 32000]
    for config in bb.all_configurations()[:50]:
        for name, domain in space.items():
            assert domain.is_valid(config[name])
    # a stored configuration is found again by lookup
    config = lc["en-ja"].all_configurations()[3]
    assert lc["en-ja"].configuration_row(config) == 3


def test_nmt_recipes_through_load_blackbox(tmp_path):
    from syne_tune.blackbox_repository import blackbox_list, load_blackbox

    assert {"nmt", "nmt-hpo"} <= set(blackbox_list())
    bb_dict = load_blackbox("nmt-hpo", repository_path=tmp_path, mirror_path=MIRROR)
    assert list(bb_dict) == TASKS
    recipe = nmt.NMTRecipe(tasks=["so-en"])
    path = recipe.generate(repository_path=tmp_path, mirror_path=MIRROR)
    assert list(recipe.load(path)) == ["so-en"]
    with pytest.raises(ValueError, match="unknown NMT tasks"):
        nmt.NMTRecipe(tasks=["xx-en"])
