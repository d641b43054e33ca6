"""The registry of the methods the benchmark campaigns compare.

:data:`METHODS` maps the seed paper's names (``RS``, ``TPE``, ``REA``,
``GP``, ``MSR``, ``ASHA``, ``BOHB``, ``MOBSTER``, ``RUSH``, ``ASHA-BB``,
``ZS``, ``ASHA-CTS``), ``DEHB``, ``HyperTune``, ``PASHA``, ``BORE``, and the
references ``Hyperband`` and ``SyncHyperband`` (what BOHB and DEHB are
compared with) to a
:class:`MethodDefinition`: a function building the scheduler from
:class:`MethodArguments` (every scheduler of
:mod:`syne_tune.optimizer.baselines` with its defaults, seeded with
``random_seed``: same seed, same simulated run) and what the method needs:

* ``needs_fidelity``: a fidelity to stop or pause trials at (the
  Hyperband family, the median stopping rule and the transfer methods built
  on ASHA); such a method does not apply to a benchmark with one fidelity.
* ``needs_transfer``: evaluations of the other tasks of the same blackbox
  (``RUSH``, ``ASHA-BB``, ``ASHA-CTS``, ``ZS``), as built in
  ``benchmarking/transfer.py``; it does not apply where there are none.

:func:`not_applicable` says why a method cannot run on a benchmark (or
``None``), so a campaign reports such cells instead of dropping them;
:func:`select_methods` expands ``all`` and checks names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["MethodArguments", "MethodDefinition", "METHODS", "not_applicable", "select_methods", "make_scheduler"]

#: ASHA-CTS scores 1000 random candidates per suggestion instead of 10000
#: (the setting of benchmarking/transfer.py: ASHA suggests hundreds of
#: configurations per run)
CTS_SEARCH_OPTIONS = {"num_candidates": 1000}


@dataclass(frozen=True)
class MethodArguments:
    """What a method is built from.

    Parameters
    ----------
    config_space
        Configuration space (with ``max_resource_attr`` set to the maximum
        fidelity on multi-fidelity benchmarks).
    metric, mode
        Objective and direction.
    random_seed
        Seed of every random choice of the scheduler.
    resource_attr
        Fidelity attribute (``None`` on single-fidelity benchmarks).
    max_resource_attr
        Configuration entry holding the maximum fidelity.
    transfer_learning_evaluations
        Evaluations of the other tasks (``None`` if there are none).
    """

    config_space: dict
    metric: str
    mode: str
    random_seed: int
    resource_attr: str | None = None
    max_resource_attr: str | None = None
    transfer_learning_evaluations: dict | None = None

    def common(self) -> dict:
        """``metric``, ``mode`` and ``random_seed`` as keyword arguments."""
        return dict(metric=self.metric, mode=self.mode, random_seed=self.random_seed)

    def fidelity(self) -> dict:
        """``resource_attr`` and ``max_resource_attr`` as keyword arguments."""
        return dict(resource_attr=self.resource_attr, max_resource_attr=self.max_resource_attr)


@dataclass(frozen=True)
class MethodDefinition:
    """A method of the registry.

    Parameters
    ----------
    name
        Its name in tables and on the command line.
    build
        ``build(args) -> scheduler``.
    needs_fidelity
        Whether it needs a benchmark with several fidelities.
    needs_transfer
        Whether it needs evaluations of other tasks.
    """

    name: str
    build: Callable[[MethodArguments], Any]
    needs_fidelity: bool = False
    needs_transfer: bool = False


def _single(cls_name: str) -> Callable[[MethodArguments], Any]:
    def build(a: MethodArguments):
        from syne_tune.optimizer import baselines

        return getattr(baselines, cls_name)(a.config_space, **a.common())

    return build


def _multi(cls_name: str, **kwargs) -> Callable[[MethodArguments], Any]:
    def build(a: MethodArguments):
        from syne_tune.optimizer import baselines

        return getattr(baselines, cls_name)(a.config_space, **a.fidelity(), **a.common(), **kwargs)

    return build


def _msr(a: MethodArguments):
    from syne_tune.optimizer.baselines import MedianStoppingRule, RandomSearch

    return MedianStoppingRule(RandomSearch(a.config_space, **a.common()), resource_attr=a.resource_attr)


def _transfer(cls_name: str, **kwargs) -> Callable[[MethodArguments], Any]:
    def build(a: MethodArguments):
        from syne_tune.optimizer import baselines

        return getattr(baselines, cls_name)(
            a.config_space,
            transfer_learning_evaluations=a.transfer_learning_evaluations,
            **a.fidelity(),
            **a.common(),
            **kwargs,
        )

    return build


def _zero_shot(a: MethodArguments):
    from syne_tune.optimizer.baselines import ZeroShotTransfer

    # without per-task surrogates, as in benchmarking/transfer.py: fitting a
    # k-NN model to each of the 33 other lcbench tasks costs about 50 s per run
    return ZeroShotTransfer(a.config_space, transfer_learning_evaluations=a.transfer_learning_evaluations, **a.common())


_DEFINITIONS = [
    MethodDefinition("RS", _single("RandomSearch")),
    MethodDefinition("TPE", _single("KDE")),
    MethodDefinition("REA", _single("REA")),
    MethodDefinition("GP", _single("BayesianOptimization")),
    MethodDefinition("BORE", _single("BORE")),
    MethodDefinition("MSR", _msr, needs_fidelity=True),
    MethodDefinition("ASHA", _multi("ASHA"), needs_fidelity=True),
    MethodDefinition("BOHB", _multi("BOHB"), needs_fidelity=True),
    MethodDefinition("MOBSTER", _multi("MOBSTER"), needs_fidelity=True),
    MethodDefinition("HyperTune", _multi("HyperTune"), needs_fidelity=True),
    MethodDefinition("PASHA", _multi("PASHA"), needs_fidelity=True),
    MethodDefinition("DEHB", _multi("DEHB"), needs_fidelity=True),
    MethodDefinition("RUSH", _transfer("RUSH"), needs_fidelity=True, needs_transfer=True),
    MethodDefinition("ASHA-BB", _transfer("ASHABB"), needs_fidelity=True, needs_transfer=True),
    MethodDefinition(
        "ASHA-CTS", _transfer("ASHACTS", search_options=dict(CTS_SEARCH_OPTIONS)), needs_fidelity=True, needs_transfer=True
    ),
    MethodDefinition("ZS", _zero_shot, needs_transfer=True),
    # not in the seed paper's table: the baselines BOHB and DEHB are compared with
    MethodDefinition("Hyperband", _multi("Hyperband"), needs_fidelity=True),
    MethodDefinition("SyncHyperband", _multi("SyncHyperband"), needs_fidelity=True),
]

#: name -> definition
METHODS: dict[str, MethodDefinition] = {d.name: d for d in _DEFINITIONS}


def not_applicable(method: str, multi_fidelity: bool, has_other_tasks: bool) -> str | None:
    """Why ``method`` cannot run on a benchmark, or ``None`` if it can.

    Parameters
    ----------
    method
        Name in :data:`METHODS`.
    multi_fidelity
        Whether the benchmark has several fidelities.
    has_other_tasks
        Whether other tasks of its blackbox exist (for transfer learning).

    Returns
    -------
    str or None
        The reason, e.g. ``"needs a fidelity (the benchmark has one)"``.
    """
    d = METHODS[method]
    if d.needs_fidelity and not multi_fidelity:
        return "needs several fidelities (the benchmark has one)"
    if d.needs_transfer and not has_other_tasks:
        return "needs evaluations of other tasks of the same blackbox (there are none)"
    return None


def select_methods(selection: list[str]) -> list[str]:
    """Method names chosen by ``selection`` (names or ``"all"``), in order.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the closest ones).
    """
    from syne_tune.utils.validation import closest_names

    out: list[str] = []
    for entry in selection:
        if entry == "all":
            names = list(METHODS)
        elif entry in METHODS:
            names = [entry]
        else:
            close = closest_names(entry, list(METHODS))
            raise ValueError(
                f"Unknown method {entry!r}: expected 'all' or one of {list(METHODS)}"
                + (f" (closest: {', '.join(close)})" if close else "")
            )
        out.extend(n for n in names if n not in out)
    return out


def make_scheduler(method: str, args: MethodArguments):
    """The scheduler of ``method`` built from ``args``.

    Raises
    ------
    ValueError
        If ``method`` is unknown.
    """
    if method not in METHODS:
        select_methods([method])  # raises with the closest names
    return METHODS[method].build(args)
