"""syne_tune.try_import: install hints for the optional extras (Syne Tune 0.13 names)."""

import tomllib
from pathlib import Path

import pytest

from syne_tune import try_import

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

# Syne Tune 0.13's functions and the extra of this package each one names
# (None: the plain package).
MESSAGES = {
    "try_import_gpsearchers_message": "gpsearchers",
    "try_import_aws_message": "aws",
    "try_import_visual_message": "visual",
    "try_import_blackbox_repository_message": "blackbox-repository",
    "try_import_yahpo_message": "blackbox-repository",
    "try_import_sklearn_message": "sklearn",
    "try_import_bore_message": "bore",
    "try_import_raytune_message": "ray",
    "try_import_tensorboard_message": "tensorboard",
    "try_import_benchmarks_message": "all",
    "try_import_kde_message": None,
    "try_import_moo_message": None,
    "try_import_backends_message": None,
}


def test_extras_match_pyproject():
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    assert set(try_import.EXTRAS) == set(extras)


@pytest.mark.parametrize("name, extra", sorted(MESSAGES.items()))
def test_message_names_the_extra_to_install(name, extra):
    message = getattr(try_import, name)()
    assert isinstance(message, str)
    assert "since dependencies are missing" in message
    target = "syne-tune" if extra is None else f"syne-tune[{extra}]"
    assert f"pip install '{target}'" in message.splitlines()[1]
    assert message.rstrip().endswith("pip install 'syne-tune[all]'")


@pytest.mark.parametrize("name", ["try_import_botorch_message"])
def test_features_not_provided_say_so(name):
    message = getattr(try_import, name)()
    assert "not provided by this package" in message
    assert "pip install" not in message


def test_all_functions_of_syne_tune_013_exist():
    names = {
        "try_import_gpsearchers_message", "try_import_kde_message", "try_import_bore_message",
        "try_import_raytune_message", "try_import_benchmarks_message", "try_import_aws_message",
        "try_import_botorch_message", "try_import_blackbox_repository_message", "try_import_yahpo_message",
        "try_import_moo_message", "try_import_visual_message", "try_import_sklearn_message",
        "try_import_backends_message",
    }
    assert names <= set(try_import.__all__)
    assert all(callable(getattr(try_import, n)) for n in names)


def test_unknown_extra_is_rejected():
    with pytest.raises(ValueError, match=r"The 'extra' parameter of try_import_message must be one of .* Got 'kde'"):
        try_import.try_import_message("x", "kde")
