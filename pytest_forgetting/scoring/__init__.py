"""Behaviour families. Each is a small pure module; this registry maps names to them."""
from __future__ import annotations

from .base import CaseOutcome, Family, MetricSpec
from .format_overuse import FormatOveruse
from .helpfulness import Helpfulness
from .label_collapse import LabelCollapse
from .refusal import Refusal
from .tone import Tone

FAMILIES: dict[str, Family] = {
    f.name: f for f in (FormatOveruse(), Refusal(), LabelCollapse(), Tone(), Helpfulness())
}


def family(name: str) -> Family:
    return FAMILIES[name]


__all__ = ["CaseOutcome", "Family", "MetricSpec", "FAMILIES", "family"]
