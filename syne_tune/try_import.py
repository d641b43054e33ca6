"""Install hints for optional dependencies (the package's extras).

A module that needs an optional dependency imports it inside ``try`` and, if
that fails, shows one of these messages, which name the extra to install::

    try:
        import matplotlib.pyplot as plt
    except ImportError:
        print(try_import_visual_message())

Each ``try_import_<topic>_message()`` returns (does not print) a text of the
form::

    <what is missing> since dependencies are missing. You can install them with
       pip install 'syne-tune[<extra>]'
    or (for everything)
       pip install 'syne-tune[all]'

The function names are those of Syne Tune 0.13, so code written against it
keeps working. Where Syne Tune names an extra that this package does not have
(``kde``, ``moo``, ``botorch``, ``yahpo``, ``benchmarks``), the message names
the extra of this package that installs the corresponding functionality;
``try_import_botorch_message`` says that the feature is not provided. Only the
standard library is used here.
"""

from __future__ import annotations

__all__ = [
    "EXTRAS",
    "try_import_message",
    "try_import_gpsearchers_message",
    "try_import_kde_message",
    "try_import_bore_message",
    "try_import_raytune_message",
    "try_import_benchmarks_message",
    "try_import_aws_message",
    "try_import_botorch_message",
    "try_import_blackbox_repository_message",
    "try_import_yahpo_message",
    "try_import_moo_message",
    "try_import_visual_message",
    "try_import_sklearn_message",
    "try_import_tensorboard_message",
    "try_import_backends_message",
]

#: Extras declared in ``pyproject.toml`` (``pip install 'syne-tune[<extra>]'``).
EXTRAS = (
    "gpsearchers", "aws", "visual", "tensorboard", "ray", "blackbox-repository", "sklearn", "bore",
    "docs", "benchmarking", "dev", "all",
)

#: The extra that installs everything.
_ALL = "all"


def try_import_message(message_text: str, extra: str | None) -> str:
    """Install hint for a missing optional dependency.

    Parameters
    ----------
    message_text
        What could not be imported, e.g. ``"AWS dependencies are not imported"``.
    extra
        Extra of this package that provides it (one of :data:`EXTRAS`), or
        ``None`` if the plain package (``pip install syne-tune``) is enough.

    Returns
    -------
    str
        The message, naming the ``pip install`` command of ``extra`` and of
        the extra that installs everything.

    Raises
    ------
    ValueError
        If ``extra`` is not an extra of this package.
    """
    if extra is not None and extra not in EXTRAS:
        raise ValueError(
            f"The 'extra' parameter of try_import_message must be one of {', '.join(EXTRAS)} or None. "
            f"Got {extra!r} instead."
        )
    target = "syne-tune" if extra is None else f"syne-tune[{extra}]"
    return (
        f"{message_text} since dependencies are missing. You can install them with\n"
        f"   pip install '{target}'\n"
        f"or (for everything)\n"
        f"   pip install 'syne-tune[{_ALL}]'"
    )


def _not_provided_message(what: str) -> str:
    return (
        f"{what}: not provided by this package, no extra installs it "
        f"(its extras are: {', '.join(EXTRAS)})"
    )


def try_import_gpsearchers_message() -> str:
    """Hint for the Gaussian process searchers (extra ``gpsearchers``)."""
    return try_import_message("Gaussian process based searchers are not imported", "gpsearchers")


def try_import_kde_message() -> str:
    """Hint for the KDE (TPE / BOHB) searchers. Their dependencies are part of
    the core package here, so the plain package is named."""
    return try_import_message("KDE searchers are not imported", None)


def try_import_bore_message() -> str:
    """Hint for the BORE searchers (extra ``bore``: scikit-learn; xgboost is
    used if installed)."""
    return try_import_message("BORE searchers are not imported", "bore")


def try_import_raytune_message() -> str:
    """Hint for the Ray Tune integration (extra ``ray``)."""
    return try_import_message("Ray Tune schedulers and searchers are not imported", "ray")


def try_import_benchmarks_message() -> str:
    """Hint for the benchmarking dependencies (extra ``all``)."""
    return try_import_message("Dependencies for benchmarks are not imported", _ALL)


def try_import_aws_message() -> str:
    """Hint for the SageMaker / S3 dependencies (extra ``aws``)."""
    return try_import_message("AWS dependencies are not imported", "aws")


def try_import_botorch_message() -> str:
    """The BoTorch searcher is not part of this package: the message says so."""
    return _not_provided_message("The BoTorch searcher")


def try_import_blackbox_repository_message() -> str:
    """Hint for the blackbox repository (extra ``blackbox-repository``)."""
    return try_import_message("Dependencies of blackbox repository are not imported", "blackbox-repository")


def try_import_yahpo_message() -> str:
    """Hint for the YAHPO surrogate benchmarks (extra ``blackbox-repository``)."""
    return try_import_message("Dependencies of YAHPO are not imported", "blackbox-repository")


def try_import_moo_message() -> str:
    """Hint for multi-objective optimization. Its dependencies are part of the
    core package here, so the plain package is named."""
    return try_import_message("Multi Objective Optimization dependencies are not imported", None)


def try_import_visual_message() -> str:
    """Hint for plotting (matplotlib, extra ``visual``)."""
    return try_import_message("Dependencies for visualization are not imported", "visual")


def try_import_sklearn_message() -> str:
    """Hint for the scikit-learn based searchers (CQR; extra ``sklearn``)."""
    return try_import_message("Dependencies for scikit-learn are not imported", "sklearn")


def try_import_tensorboard_message() -> str:
    """Hint for :class:`~syne_tune.callbacks.TensorboardCallback` (extra ``tensorboard``)."""
    return try_import_message("Dependencies of the Tensorboard callback are not imported", "tensorboard")


def try_import_backends_message() -> str:
    """Hint for the local backends (part of the plain package)."""
    return try_import_message("LocalBackend / PythonBackend are not imported", None)
