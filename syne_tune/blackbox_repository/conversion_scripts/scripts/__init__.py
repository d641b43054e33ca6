"""Conversion scripts, one module per benchmark family.

Keys of the recipe metadata stored with a blackbox (``bb.metadata``)."""

metric_elapsed_time = "metric_elapsed_time"
"""Name of the objective holding the cumulative elapsed time."""

default_metric = "default_metric"
"""Name of the objective a benchmark optimizes by default."""

resource_attr = "resource_attr"
"""Name of the fidelity attribute (e.g. ``hp_epoch``)."""

default_mode = "default_mode"
"""``"min"`` or ``"max"`` for the default metric."""

source = "source"
"""Where the data came from (file, package, URL)."""
