"""Behaviour families. Each is a small pure module; this registry maps names to them.

Importing this package also registers each family's load-time hooks with :mod:`..suite.families`,
so the suite loader can check a suite without importing a scorer (it sits a layer below).
"""
from __future__ import annotations

from ..suite.families import register
from .base import CaseOutcome, Family, MetricSpec
from .format_overuse import FormatOveruse
from .helpfulness import Helpfulness
from .label_collapse import LabelCollapse
from .refusal import Refusal
from .tone import Tone

FAMILIES: dict[str, Family] = {
    f.name: f for f in (FormatOveruse(), Refusal(), LabelCollapse(), Tone(), Helpfulness())
}

for _f in FAMILIES.values():
    register(_f.name, _f)


def family(name: str) -> Family:
    """The family a suite names."""
    return FAMILIES[name]


__all__ = ["CaseOutcome", "Family", "MetricSpec", "FAMILIES", "family"]
