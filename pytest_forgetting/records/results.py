"""The run's data: what each suite scored on each side, and how it compares with its reference.

Data only: whether any of it passes is decided in :mod:`.decide`. A *side* is
the base model (``None``) or an adapter (its name); that is the one key for a
side everywhere, and :func:`side_labels` turns it into a word at the edge.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

from ..scoring.base import CaseOutcome
from ..stats.comparison import Comparison


Side = Optional[str]
"""``None`` is the base model (adapter disabled); a string is an adapter's name."""

BASE_LABEL = "base"


def side_labels(sides: Iterable[Side]) -> dict[Side, str]:
    """Display words for sides, unique by construction: an adapter may be called ``base``."""
    out: dict[Side, str] = {}
    used: set[str] = set()
    for side in sides:
        if side in out:
            continue
        word = BASE_LABEL if side is None else side
        if word in used or (side is not None and word == BASE_LABEL):
            n, stem = 1, f"{word} (adapter)"
            word = stem
            while word in used:
                n += 1
                word = f"{stem[:-1]} {n})"
        out[side] = word
        used.add(word)
    return out


@dataclass(frozen=True)
class MetricValue:
    """A metric's value on one run, with its sample size and interval: what comparisons and reports read."""

    name: str
    direction: str
    value: float | None
    n: int
    ci: tuple[float, float] | None
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        """The value as records store it, rounded so files stay readable and diffs small."""
        r = lambda x: None if x is None else round(float(x), 6)  # noqa: E731
        return {
            "value": r(self.value),
            "n": self.n,
            "ci": None if self.ci is None else [r(self.ci[0]), r(self.ci[1])],
            "direction": self.direction,
        }


@dataclass
class SuiteRun:
    """One suite answered by one model side (an adapter, or the base with ``adapter=None``)."""

    suite: str
    path: str
    family: str
    role: str
    adapter: str | None
    outcomes: dict[str, CaseOutcome]
    outputs: dict[str, str]
    prompts: dict[str, str]
    hashes: dict[str, str]
    metrics: dict[str, MetricValue]
    workflow: str | None = None


@dataclass(frozen=True)
class Flip:
    """A case whose pass/fail differs between the reference and the candidate (the decider says which got worse)."""

    case: str
    before: CaseOutcome
    after: CaseOutcome


@dataclass
class SuiteComparison:
    """A candidate suite run against its reference (stored baseline or live base)."""

    suite: str
    path: str
    role: str
    family: str
    candidate: Side
    reference_kind: str  # "baseline" | "live-base" | "none"
    reference_label: str
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # metric -> "rate" | other unit
    flips: list[Flip] = field(default_factory=list)
    changed_cases: list[str] = field(default_factory=list)  # content changed since the baseline
    new_cases: list[str] = field(default_factory=list)  # not in the baseline
    stale_cases: list[str] = field(default_factory=list)  # in the baseline, gone from the file
    needs_approval: list[str] = field(default_factory=list)  # suite-level reasons
    primary_metric: str = ""
    reference_is_base: bool = False  # the reference answered with no adapter (a fine-tune is judged against it)
    must_improve: bool = False
    reference_outputs: Mapping[str, str] = field(default_factory=dict)
    reference_outcomes: Mapping[str, CaseOutcome] = field(default_factory=dict)
    reference_metrics: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # as recorded: value, n, ci
