"""The library's log output, visible by default without duplicating a
launcher's own logging set-up.

Every module logs to a child of the ``"syne_tune"`` logger. A launcher that
only sets a level::

    logging.getLogger().setLevel(logging.INFO)

has no handler anywhere, so Python would show nothing below WARNING. Syne Tune
0.13 avoided that by calling :func:`logging.basicConfig` when imported, which
gives the root logger a handler: but then a launcher's own later
``logging.basicConfig(level=..., format=...)`` call is silently ignored.

Here, importing :mod:`syne_tune` attaches one :class:`DefaultHandler` to the
``"syne_tune"`` logger instead, and leaves the root logger alone. That handler
writes a record (to the current ``sys.stderr``, in the format of
:func:`logging.basicConfig`) only if no other handler would receive it, i.e.
no handler is attached to the record's logger or any logger it propagates to.
So:

* level set, no handler configured: the library's lines appear once;
* ``logging.basicConfig(...)`` called (before or after importing the
  library), or any other handler on the root or ``"syne_tune"`` loggers: those
  handlers print the lines, ours stays silent (no line twice), and the
  launcher's ``basicConfig`` arguments take effect;
* nothing configured: as Python's default, warnings and errors only.

To silence the library: ``logging.getLogger("syne_tune").setLevel(logging.ERROR)``.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["LIBRARY_LOGGER_NAME", "DefaultHandler", "install_default_handler"]

#: Parent logger of all the library's loggers.
LIBRARY_LOGGER_NAME = "syne_tune"


class DefaultHandler(logging.StreamHandler):
    """Writes to ``sys.stderr`` (looked up at each record, so redirections
    apply), only when no other handler would receive the record."""

    def __init__(self):
        super().__init__()
        self.setFormatter(logging.Formatter(logging.BASIC_FORMAT))

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        # the stream is always the current sys.stderr
        pass

    def _another_handler_receives(self, record: logging.LogRecord) -> bool:
        logger = logging.getLogger(record.name)
        while logger is not None:
            for handler in logger.handlers:
                if handler is not self:
                    return True
            if not logger.propagate:
                return False
            logger = logger.parent
        return False

    def handle(self, record: logging.LogRecord) -> bool:
        if self._another_handler_receives(record):
            return False
        return super().handle(record)


def install_default_handler() -> DefaultHandler:
    """Attach a :class:`DefaultHandler` to the ``"syne_tune"`` logger, once.

    Returns
    -------
    DefaultHandler
        The handler attached (the existing one if called again).
    """
    library_logger = logging.getLogger(LIBRARY_LOGGER_NAME)
    for handler in library_logger.handlers:
        if isinstance(handler, DefaultHandler):
            return handler
    handler = DefaultHandler()
    library_logger.addHandler(handler)
    return handler
