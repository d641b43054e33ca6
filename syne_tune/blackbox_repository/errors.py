"""Exceptions of the blackbox repository."""

from __future__ import annotations


class BlackboxRepositoryError(Exception):
    """Base class of the errors raised by the blackbox repository."""


class BlackboxFileMissingError(BlackboxRepositoryError, FileNotFoundError):
    """A file of a stored blackbox is missing."""


class CorruptBlackboxError(BlackboxRepositoryError, ValueError):
    """A file of a stored blackbox is damaged (checksum mismatch, truncated,
    unreadable or inconsistent with the metadata)."""


class BlackboxNotFoundError(BlackboxRepositoryError, KeyError):
    """No blackbox of that name, or it cannot be generated here."""

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0]) if self.args else ""


class ConfigurationNotFoundError(BlackboxRepositoryError, KeyError, ValueError):
    """A configuration is not among the evaluations of a tabular blackbox."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
