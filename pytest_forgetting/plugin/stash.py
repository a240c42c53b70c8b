"""Where the run's state lives: ``config.stash``, never module globals or ``config._x``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .session import ForgettingSession

SESSION_KEY: "pytest.StashKey[ForgettingSession]" = pytest.StashKey()
RECORD_KEY: "pytest.StashKey[dict[str, Any]]" = pytest.StashKey()
"""The frozen record of the finished run (set once in ``pytest_sessionfinish``)."""


def session_of(config: pytest.Config) -> "ForgettingSession":
    """The run's session from ``config.stash``: the one place hooks and items find it."""
    return config.stash[SESSION_KEY]
