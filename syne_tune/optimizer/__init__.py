"""Schedulers and searchers: what runs next, and for how long
(:mod:`syne_tune.optimizer.baselines` has the ready-made ones)."""

from syne_tune.utils.logging_setup import install_default_handler

install_default_handler()
