"""The run's records: what each suite scored, and how it compares with its reference.

These are the only things reports read. Each has ``to_json`` so the JSON
report is the record every other report renders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .scoring.base import CaseOutcome
from .scoring.stats import Comparison


@dataclass(frozen=True)
class MetricValue:
    name: str
    direction: str
    value: float | None
    n: int
    ci: tuple[float, float] | None
    description: str = ""

    def to_json(self) -> dict[str, Any]:
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

    @property
    def side(self) -> str:
        return self.adapter or "base"


@dataclass(frozen=True)
class Flip:
    case: str
    before: CaseOutcome
    after: CaseOutcome

    @property
    def worse(self) -> bool:
        return self.before.passed and not self.after.passed


@dataclass
class SuiteComparison:
    """A candidate suite run against its reference (stored baseline or live base)."""

    suite: str
    path: str
    role: str
    family: str
    candidate: str
    reference_kind: str  # "baseline" | "live-base" | "none"
    reference_label: str
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    flips: list[Flip] = field(default_factory=list)
    changed_cases: list[str] = field(default_factory=list)  # content changed since the baseline
    new_cases: list[str] = field(default_factory=list)  # not in the baseline
    stale_cases: list[str] = field(default_factory=list)  # in the baseline, gone from the file
    needs_approval: list[str] = field(default_factory=list)  # suite-level reasons
    primary_metric: str = ""
    must_improve: bool = False
    reference_outputs: Mapping[str, str] = field(default_factory=dict)
    reference_outcomes: Mapping[str, CaseOutcome] = field(default_factory=dict)

    @property
    def regressed(self) -> list[str]:
        return [m for m, c in self.comparisons.items() if c.status == "regressed"]

    @property
    def target_missed(self) -> bool:
        if not self.must_improve:
            return False
        c = self.comparisons.get(self.primary_metric)
        return c is None or c.status != "improved"

    @property
    def ok(self) -> bool:
        return (
            self.reference_kind != "none"
            and not self.regressed
            and not self.target_missed
            and not self.needs_approval
            and not self.changed_cases
        )

    def reason(self) -> str:
        """One line saying why the suite is not OK (or that it is)."""
        if self.reference_kind == "none":
            return "no baseline"
        if self.needs_approval:
            return "needs re-approval: " + "; ".join(self.needs_approval)
        parts = []
        for m in self.regressed:
            c = self.comparisons[m]
            parts.append(f"{m} regressed {c.baseline:.3f} -> {c.current:.3f} (p={c.p_value:.3g})")
        if self.target_missed:
            c = self.comparisons.get(self.primary_metric)
            if c is None or c.current is None or c.baseline is None:
                parts.append(f"target {self.primary_metric} has no data")
            else:
                parts.append(f"target {self.primary_metric} did not improve significantly "
                             f"({c.baseline:.3f} -> {c.current:.3f}, p={c.p_value if c.p_value is not None else float('nan'):.3g})")
        if self.changed_cases:
            parts.append(f"{len(self.changed_cases)} case(s) changed since the baseline")
        return "; ".join(parts) or "ok"
