"""One BLAS thread for the small linear algebra of model-based searchers.

GP matrices here are small (hundreds of rows): a multi-threaded BLAS gains
nothing on them, and when the cores are busy (trials running next to the
tuner, several processes) its spinning threads make each call many times
slower (measured: ``solve_triangular`` on a 20 x 20 system, 0.026 ms with
one thread, 0.62 ms with two on a loaded 2-core machine).
:func:`single_threaded_blas` limits BLAS to one thread for the duration of
a ``with`` block, through ``threadpoolctl`` (a scikit-learn dependency;
without it the block runs unchanged). The controller is created once, after
numpy's and scipy's BLAS libraries are loaded; entering the outermost block
then costs about 10 microseconds, a nested one (the GP's own calls inside a
searcher's suggestion) nearly nothing. Set :data:`LIMIT_BLAS_THREADS` to
``False`` to leave BLAS alone.
"""

from __future__ import annotations

import contextlib
import threading

__all__ = ["single_threaded_blas"]

#: Limit BLAS to one thread inside :func:`single_threaded_blas` blocks.
LIMIT_BLAS_THREADS = True
_CONTROLLER = None
_UNAVAILABLE = False
_DEPTH = threading.local()  # nesting depth of single_threaded_blas blocks, per thread


def _controller():
    global _CONTROLLER, _UNAVAILABLE
    if _CONTROLLER is None and not _UNAVAILABLE:
        try:
            import scipy.linalg  # noqa: F401  (load scipy's BLAS before scanning)
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _UNAVAILABLE = True
            return None
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


@contextlib.contextmanager
def single_threaded_blas():
    """Context manager: BLAS calls inside use one thread. Nested blocks (a
    searcher's suggestion around the GP's own calls) limit once, at the
    outermost block."""
    depth = getattr(_DEPTH, "value", 0)
    controller = _controller() if LIMIT_BLAS_THREADS and depth == 0 else None
    _DEPTH.value = depth + 1
    try:
        if controller is None:
            yield
        else:
            with controller.limit(limits=1, user_api="blas"):
                yield
    finally:
        _DEPTH.value = depth
