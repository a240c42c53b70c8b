"""Errors a user can see.

Every error names *where* (file, line, field) and *what to do*, because the
people reading them are in a CI log, not a debugger. The plugin turns these
into collection errors or item failures without an internal traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


class ForgettingError(Exception):
    """Base class for every error the plugin reports to a user."""


@dataclass
class SuiteError(ForgettingError):
    """A problem in a ``*.forgetting.yaml`` file."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        """file:line, message, field and fix on separate lines: what a CI log reader needs to act."""
        where = self.path + (f":{self.line}" if self.line else "")
        parts = [f"{where}: {self.message}"]
        if self.field:
            parts.append(f"  field: {self.field}")
        if self.fix:
            parts.append(f"  fix: {self.fix}")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.render()


class ModelLoadError(ForgettingError):
    """The model or adapter could not be loaded; the message says how to fix it."""


class BaselineError(ForgettingError):
    """A baseline file is unreadable, truncated, or from an unknown version."""


class BackendError(ForgettingError):
    """A backend (in-process or served) failed while answering requests."""
