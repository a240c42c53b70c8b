"""What loading a suite needs of its family, registered by the families themselves.

``suite/`` sits below ``scoring/``: it may not import a scorer, yet a suite is only valid once its
family has checked it. So each family registers hooks here (``scoring/__init__.py`` registers the
five built-in ones, and importing ``pytest_forgetting`` imports it), and the loader asks the
registry. A family nobody registered is a clear suite error, not a ``KeyError``.
"""
from __future__ import annotations

from typing import Any, Protocol, Sequence

from ..errors import SuiteError


class FamilyHooks(Protocol):
    """The load-time part of a family. ``suite`` is a loaded ``Suite`` (typed ``Any``: this module
    sits below ``cases.py``, which imports it)."""

    name: str

    def prepare(self, config: dict[str, Any], user_texts: Sequence[str], *, suite_path: str) -> None:
        """Derive what scoring needs from the suite's fields, into ``config`` (it is hashed with
        every case), and read any file it names; raise :class:`SuiteError` naming the field."""

    def validate(self, suite: Any, *, allow_code: bool = False) -> None:
        """Checks that need the built suite (before any model work); raise :class:`SuiteError`."""

    def metric_names(self, suite: Any) -> list[str]:
        """The metrics ``primary_metric:`` and ``metrics:`` may name (typos get a suggestion)."""


_REGISTRY: dict[str, FamilyHooks] = {}


def register(name: str, hooks: FamilyHooks) -> None:
    """Make ``name`` loadable; a later registration under the same name replaces the earlier one."""
    _REGISTRY[name] = hooks


def registered() -> tuple[str, ...]:
    """The family names suites can use right now (for error messages and tests)."""
    return tuple(_REGISTRY)


def hooks_for(name: str, suite_path: str) -> FamilyHooks:
    """The hooks of ``name``, or a suite error that says the family has no scorer registered."""
    hooks = _REGISTRY.get(name)
    if hooks is None:
        known = ", ".join(_REGISTRY) or "none"
        raise SuiteError(
            suite_path, f"family {name!r} has no registered scorer (registered: {known}), so the suite "
            "can be neither checked nor scored", field="$.family",
            fix="import pytest_forgetting (it registers the built-in families) before loading suites, "
                "or register the family with pytest_forgetting.suite.families.register",
        )
    return hooks
