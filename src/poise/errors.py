"""Errors that reach the user as a message, never as a traceback."""

from __future__ import annotations


class PoiseError(Exception):
    """Base class: anything poise reports to the user with a plain message."""


class LoadError(PoiseError):
    """A transcript file could not be read; the message says why (and where, if known)."""


class UsageError(PoiseError):
    """Bad command-line usage or configuration (exit code 2)."""


class ConfigError(UsageError):
    """A bad rule file, scorecard or config file: message carries file:line:column."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.path, self.line, self.column = path, line, column
        where = ""
        if path:
            where = str(path)
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        super().__init__(where + message)
