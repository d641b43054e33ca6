"""syne_tune.util (Syne Tune's import path) and the helper modules under syne_tune.utils."""

import calendar
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import syne_tune.util as util
from syne_tune.utils import collection_utils, json_io, metrics, paths, timing
from syne_tune.utils.validation import InvalidParameterError

SYNE_TUNE_013_NAMES = [
    "RegularCallback", "experiment_path", "s3_experiment_path", "check_valid_sagemaker_name",
    "sanitize_sagemaker_name", "name_from_base", "random_string", "catchtime", "is_increasing",
    "is_positive_integer", "is_integer", "dump_json_with_numpy", "dict_get", "recursive_merge",
    "find_first_of_type", "metric_name_mode",
]


@pytest.mark.parametrize("name", SYNE_TUNE_013_NAMES)
def test_util_reexports_syne_tune_helpers(name):
    obj = getattr(util, name)
    assert name in util.__all__
    homes = (paths, json_io, timing, collection_utils, metrics)
    assert any(getattr(module, name, None) is obj for module in homes), "util must only re-export"


def test_util_and_utils_import_standard_library_only():
    code = (
        "import sys, syne_tune.util, syne_tune.utils, syne_tune.report;"
        "heavy = [m for m in ('numpy', 'pandas', 'scipy', 'dill') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_streamline_is_lazy_attribute_of_utils():
    import syne_tune.utils as utils
    from syne_tune.utils.convert_domain import streamline_config_space

    assert utils.streamline_config_space is streamline_config_space
    assert "streamline_config_space" in utils.__all__
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        utils.nope


# -- names and paths -------------------------------------------------------------

NAME_RE = re.compile(r"^(?P<base>.+)-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{3})$")


def test_name_from_base_appends_utc_timestamp_with_millis():
    before = time.time()
    name = util.name_from_base("my-tuner", default="st-tuner")
    match = NAME_RE.match(name)
    assert match and match.group("base") == "my-tuner"
    stamp = time.strptime("-".join(match.groups()[1:7]), "%Y-%m-%d-%H-%M-%S")
    assert abs(calendar.timegm(stamp) - before) < 5  # the timestamp is UTC


def test_name_from_base_default_and_length_limit():
    assert NAME_RE.match(util.name_from_base(None, "st-tuner")).group("base") == "st-tuner"
    long_name = util.name_from_base("x" * 100, "st-tuner")
    assert len(long_name) == 63 and long_name.startswith("x" * 39 + "-")
    assert len(util.name_from_base("x" * 100, "d", max_length=None)) == 100 + 24
    assert util.name_from_base("fixed", suffix=False) == "fixed"


def test_random_string():
    values = {util.random_string(12) for _ in range(20)}
    assert len(values) == 20
    assert all(len(v) == 12 and v.isalnum() and v.isascii() for v in values)
    assert util.random_string(0) == ""


def test_experiment_path(monkeypatch, tmp_path):
    monkeypatch.delenv("SM_MODEL_DIR", raising=False)
    monkeypatch.setenv("SYNETUNE_FOLDER", str(tmp_path / "root"))
    assert util.experiment_path() == tmp_path / "root"
    assert util.experiment_path("t1") == tmp_path / "root" / "t1"
    assert util.experiment_path("t1", local_path=str(tmp_path / "other")) == tmp_path / "other" / "t1"
    monkeypatch.setenv("SYNETUNE_FOLDER", "~/st-here")
    assert util.experiment_path("a") == Path.home() / "st-here" / "a"
    monkeypatch.delenv("SYNETUNE_FOLDER")
    assert util.experiment_path("a") == Path.home() / "syne-tune" / "a"
    monkeypatch.setenv("SM_MODEL_DIR", "/opt/ml/model")
    assert util.experiment_path("a", local_path="/ignored") == Path("/opt/ml/checkpoints/a")


def test_s3_experiment_path():
    assert util.s3_experiment_path("bucket") == "s3://bucket/syne-tune/"
    assert util.s3_experiment_path("bucket", "exp", "tuner") == "s3://bucket/syne-tune/exp/tuner/"
    assert util.s3_experiment_path("bucket", tuner_name="tuner") == "s3://bucket/syne-tune/tuner/"


def test_sagemaker_names():
    util.check_valid_sagemaker_name("abc-12-x")
    for bad in ["a_b", "-a", "a" * 64, "a/b"]:
        with pytest.raises(ValueError, match="Invalid SageMaker name"):
            util.check_valid_sagemaker_name(bad)
    assert util.sanitize_sagemaker_name("my_tuner_1") == "my-tuner-1"


def test_check_valid_tuner_name():
    util.check_valid_tuner_name("results/ASHA_0-x")
    for bad in ["", "bad name!", "../x", "-x"]:
        with pytest.raises(ValueError, match="Invalid tuner_name"):
            util.check_valid_tuner_name(bad)


# -- JSON ------------------------------------------------------------------------


def test_json_helpers_accept_numpy(tmp_path):
    data = {"a": np.int64(3), "b": np.float32(0.5), "c": np.arange(3), "d": [np.bool_(True)]}
    text = util.dump_json_with_numpy(data)
    assert json.loads(text) == {"a": 3, "b": 0.5, "c": [0, 1, 2], "d": [True]}
    assert util.dump_json_with_numpy(data, tmp_path / "x.json") is None
    assert json.loads((tmp_path / "x.json").read_text()) == json.loads(text)
    util.dump_json(data, tmp_path / "y.json")
    assert util.load_json(tmp_path / "y.json") == json.loads(text)
    assert not list(tmp_path.glob("*.tmp"))
    with pytest.raises(TypeError, match="not JSON serializable"):
        util.dump_json_with_numpy({"x": object()})


# -- timing ----------------------------------------------------------------------


def test_regular_callback_calls_at_most_once_per_period(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(timing.time, "monotonic", lambda: now[0])
    calls = []
    callback = util.RegularCallback(lambda x: calls.append(x) or x, call_seconds_frequency=10)
    assert callback(1) is None  # no time has passed since creation
    now[0] = 110.0
    assert callback(2) == 2
    now[0] = 115.0
    callback(3)
    now[0] = 120.0
    callback(4)
    assert calls == [2, 4]


def test_regular_callback_validates_arguments():
    with pytest.raises(InvalidParameterError, match="The 'call_seconds_frequency' parameter of RegularCallback"):
        util.RegularCallback(print, call_seconds_frequency=-1)
    with pytest.raises(InvalidParameterError, match="The 'callback' parameter of RegularCallback must be a callable"):
        util.RegularCallback(3, call_seconds_frequency=1)


def test_catchtime_prints_and_yields_elapsed(capsys):
    with util.catchtime("work") as elapsed:
        assert elapsed() >= 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "start: work"
    assert re.fullmatch(r"Time for work: \d+\.\d{4} secs", out[1])


# -- collections -----------------------------------------------------------------


def test_dict_get():
    assert util.dict_get({"a": None}, "a", 5) == 5
    assert util.dict_get({"a": 0}, "a", 5) == 0
    assert util.dict_get({}, "a", 5) == 5


def test_recursive_merge():
    a = {"x": 1, "n": {"p": 1, "q": 2}, "s": {"u": 1}}
    b = {"n": {"q": 3, "r": 4}, "s": {"v": 2}, "y": 2}
    assert util.recursive_merge(a, b, stop_keys=["s"]) == {"x": 1, "n": {"p": 1, "q": 3, "r": 4}, "s": {"v": 2}, "y": 2}
    assert a == {"x": 1, "n": {"p": 1, "q": 2}, "s": {"u": 1}}
    assert util.recursive_merge(a, {}) is a
    with pytest.raises(ValueError, match="'x' holds a dictionary in only one"):
        util.recursive_merge(a, {"x": {"z": 1}})


def test_list_predicates_and_find_first_of_type():
    assert util.is_increasing([1, 2, 3.5]) and not util.is_increasing([1, 1, 2])
    assert util.is_integer([1, 2.0, -3]) and not util.is_integer([1, 2.5])
    assert util.is_positive_integer([1, 2]) and not util.is_positive_integer([0, 1])
    assert util.find_first_of_type([1, "a", 2.0, "b"], str) == "a"
    assert util.find_first_of_type([1, 2], str) is None


# -- metrics ---------------------------------------------------------------------


def test_metric_name_mode():
    assert util.metric_name_mode(["loss"], "min", 0) == ("loss", "min")
    assert util.metric_name_mode(["loss", "acc"], ["min", "max"], "acc") == ("acc", "max")
    assert util.metric_name_mode(["loss", "acc"], "max", 1) == ("acc", "max")
    with pytest.raises(InvalidParameterError, match=r"The 'metric' parameter of metric_name_mode must be a str among .* Got 'lost' instead"):
        util.metric_name_mode(["loss", "acc"], "min", "lost")
    with pytest.raises(InvalidParameterError, match=r"in the range \[0, 1\]. Got 2 instead"):
        util.metric_name_mode(["loss", "acc"], "min", 2)
    with pytest.raises(InvalidParameterError, match="must be a str or an int. Got 1.5 instead"):
        util.metric_name_mode(["loss"], "min", 1.5)
    with pytest.raises(ValueError, match="expected one mode per metric"):
        util.metric_name_mode(["loss", "acc"], ["min"], 0)
