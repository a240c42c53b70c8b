"""Turn suite comparisons into a verdict a release manager can act on.

READY only if every target suite improved significantly over the base model
and no suite regressed significantly; otherwise NOT READY, with one line per
failing suite. Without an adapter the same rules give PASS / FAIL.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .results import SuiteComparison


@dataclass(frozen=True)
class Verdict:
    candidate: str
    status: str  # READY | NOT READY | PASS | FAIL | NO BASELINE | RECORDED
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.status in ("READY", "PASS", "RECORDED")

    def line(self) -> str:
        head = f"{self.candidate}: {self.status}"
        return head if not self.reasons else head + " -- " + "; ".join(self.reasons)


def verdict_for(candidate: str, comps: Iterable[SuiteComparison], *, is_adapter: bool) -> Verdict:
    comps = list(comps)
    if comps and all(c.reference_kind == "none" for c in comps):
        return Verdict(candidate, "NO BASELINE", ("record one with --forgetting-update or pass --compare-base",))
    reasons = tuple(f"{c.suite} ({c.role}): {c.reason()}" for c in comps if not c.ok)
    if is_adapter:
        return Verdict(candidate, "READY" if not reasons else "NOT READY", reasons)
    return Verdict(candidate, "PASS" if not reasons else "FAIL", reasons)
