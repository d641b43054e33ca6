"""Compatibility import path: Syne Tune's ``syne_tune.util`` helpers.

Launchers written for Syne Tune import helpers such as
``from syne_tune.util import experiment_path, random_string``. The helpers
live in the package :mod:`syne_tune.utils`; this module only re-exports them
under their Syne Tune names. New code should import from the modules below.

* :mod:`syne_tune.utils.paths`: :func:`experiment_path`,
  :func:`s3_experiment_path`, :func:`name_from_base`,
  :func:`check_valid_tuner_name`, :func:`check_valid_sagemaker_name`,
  :func:`sanitize_sagemaker_name`, :func:`random_string`;
* :mod:`syne_tune.utils.json_io`: :func:`dump_json`, :func:`load_json`,
  :func:`dump_json_with_numpy`;
* :mod:`syne_tune.utils.timing`: :class:`RegularCallback`, :func:`catchtime`;
* :mod:`syne_tune.utils.collection_utils`: :func:`dict_get`,
  :func:`recursive_merge`, :func:`find_first_of_type`, :func:`is_increasing`,
  :func:`is_integer`, :func:`is_positive_integer`;
* :mod:`syne_tune.utils.metrics`: :func:`metric_name_mode`.

All of them use the standard library only.
"""

from syne_tune.utils.collection_utils import (
    dict_get,
    find_first_of_type,
    is_increasing,
    is_integer,
    is_positive_integer,
    recursive_merge,
)
from syne_tune.utils.json_io import dump_json, dump_json_with_numpy, load_json
from syne_tune.utils.metrics import metric_name_mode
from syne_tune.utils.paths import (
    check_valid_sagemaker_name,
    check_valid_tuner_name,
    experiment_path,
    name_from_base,
    random_string,
    s3_experiment_path,
    sanitize_sagemaker_name,
)
from syne_tune.utils.timing import RegularCallback, catchtime

__all__ = [
    "RegularCallback",
    "catchtime",
    "check_valid_sagemaker_name",
    "check_valid_tuner_name",
    "dict_get",
    "dump_json",
    "dump_json_with_numpy",
    "experiment_path",
    "find_first_of_type",
    "is_increasing",
    "is_integer",
    "is_positive_integer",
    "load_json",
    "metric_name_mode",
    "name_from_base",
    "random_string",
    "recursive_merge",
    "s3_experiment_path",
    "sanitize_sagemaker_name",
]
