"""syne_tune.utils helpers for training scripts."""

import argparse
import json

import pytest

from syne_tune.utils import (
    add_checkpointing_to_argparse,
    add_config_json_to_argparse,
    checkpoint_model_at_rung_level,
    load_config_json,
    parse_bool,
    resume_from_checkpointed_model,
)


@pytest.mark.parametrize("text", ["True", "true", "1", "yes", "on", "Y", True])
def test_parse_bool_true(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["False", "false", "0", "no", "off", "N", False])
def test_parse_bool_false(text):
    assert parse_bool(text) is False


def test_parse_bool_rejects_other_values():
    with pytest.raises(ValueError, match="boolean"):
        parse_bool("maybe")
    p = argparse.ArgumentParser()
    p.add_argument("--flag", type=parse_bool)
    assert p.parse_args(["--flag", "False"]).flag is False


def test_checkpoint_roundtrip(tmp_path):
    p = argparse.ArgumentParser()
    add_checkpointing_to_argparse(p)
    config = vars(p.parse_args(["--st_checkpoint_dir", str(tmp_path / "ckpt")]))
    saved = []

    def save(path, epoch):
        saved.append(epoch)
        (tmp_path / "ckpt" / "e.json").write_text(json.dumps({"epoch": epoch}))

    def load(path):
        f = tmp_path / "ckpt" / "e.json"
        return json.loads(f.read_text())["epoch"] if f.exists() else 0

    assert resume_from_checkpointed_model(config, load) == 0  # folder does not exist yet
    checkpoint_model_at_rung_level(config, save, 3)  # creates the folder
    assert saved == [3]
    assert resume_from_checkpointed_model(config, load) == 3
    assert resume_from_checkpointed_model(config, lambda path: None) == 0


def test_without_checkpoint_dir_nothing_happens():
    config = {"st_checkpoint_dir": None}
    checkpoint_model_at_rung_level(config, lambda *a: pytest.fail("saved"), 1)
    assert resume_from_checkpointed_model(config, lambda p: pytest.fail("loaded")) == 0
    assert resume_from_checkpointed_model({}, lambda p: pytest.fail("loaded")) == 0


def test_load_config_json(tmp_path):
    fname = tmp_path / "config.json"
    fname.write_text(json.dumps({"lr": 0.1, "name": "a b", "layers": [1, 2]}))
    p = argparse.ArgumentParser()
    add_config_json_to_argparse(p)
    add_checkpointing_to_argparse(p)
    p.add_argument("--lr", type=float, default=1.0)
    args = vars(p.parse_args(["--st_config_json_filename", str(fname)]))
    config = load_config_json(args)
    assert config["lr"] == 0.1 and config["name"] == "a b" and config["layers"] == [1, 2]
    assert load_config_json({"lr": 2.0}) == {"lr": 2.0}
