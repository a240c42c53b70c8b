"""``--forgetting-plan``: what each suite could see, from its size alone, before any model work.

For a guardrail the change is a drop (a move in the primary metric's worse
direction), for a target an improvement. A suite too small for the drop it exists to catch makes every run of it
"inconclusive"; the plan says so at collection time, with the number of cases
that would fix it, so suites are sized before a model is loaded.

The model (stated in the table's footer): the suite's primary metric treated
as a per-case pass/fail rate, tested as the run would test it (exact McNemar,
one-sided for a guardrail, at the suite's alpha), the reference rate taken
from the stored baseline when there is one (else the best case: every
reference case on the good side), and the **benign churn** a fine-tune that
changed nothing real causes, as ``benchmarks/calibration.py`` simulates it:
:data:`PLAN_CHURN` of the cases that could flip do, each way (a per-case
better-direction flip rate of ``PLAN_CHURN * min(p0, 1 - p0)``; none at a
reference rate of 0 or 1). A plan without churn was a best case the
calibration's simulated runs fell short of (refusal, 0.2 drop on 30 cases:
plan 0.745, simulated 0.707); with it the plan is what a run can expect, and
a run with more churn than that needs more cases still.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from ..decide.decider import DETECT
from ..decide.reasons import OK
from ..records.baseline import SuiteRecord
from ..scoring import family as get_family
from ..stats.power import DEFAULT_POWER, PowerModel, cases_needed, min_detectable_change
from ..suite.cases import Suite
from ..decide.rules import DEFAULT_TOLERANCE, tolerance_for

UNDERPOWERED = "underpowered"
NOT_A_RATE = "n/a (not a rate)"
TARGET = "target: the change is an improvement"
PLAN_CHURN = 0.10
"""Share of the cases that could flip that do, each way, in a fine-tune that changed nothing real
(the calibration's benign fine-tune, ``benchmarks/calibration.py --q``)."""


def plan_model(direction: str, alpha: float, cases: int, base_rate: float, *, guardrail: bool) -> PowerModel:
    """The power model the plan assumes for a primary metric (see the module docstring)."""
    return PowerModel("mcnemar", direction, alpha, cases, base_rate=base_rate,
                      benign_flip_rate=PLAN_CHURN * min(base_rate, 1.0 - base_rate),
                      sides=1 if guardrail and direction != "flat" and alpha < 0.5 else 2)


@dataclass(frozen=True)
class PlanRow:
    """One suite's plan line: ``mdc`` is inf when no drop it can make is detectable; ``needed`` None: none would."""

    suite: str
    role: str
    metric: str
    cases: int
    mdc: float | None
    needed: int | None
    status: str

    @property
    def underpowered(self) -> bool:
        """The suite cannot detect the declared drop: ``--forgetting-strict`` fails the run."""
        return self.status == UNDERPOWERED


def plan_suite(suite: Suite, cases: int, record: SuiteRecord | None = None, *,
               power: float = DEFAULT_POWER) -> PlanRow:
    """The plan line of one suite run on ``cases`` cases (see the module docstring for the model)."""
    fam = get_family(suite.family)
    primary = suite.primary_metric or fam.primary(suite.role)
    spec = next((m for m in fam.metrics(suite) if m.name == primary), None)
    unit = spec.unit if spec is not None else "rate"
    direction: str = spec.direction if spec is not None else "higher"
    if unit != "rate":
        return PlanRow(suite.name, suite.role, primary, cases, None, None, NOT_A_RATE)
    guardrail = suite.role == "guardrail"
    if not guardrail:  # a target must show an improvement: the change it has to see is a rise of its primary
        direction = {"higher": "lower", "lower": "higher"}.get(direction, direction)
    model = plan_model(direction, suite.alpha, cases, _reference_rate(record, primary, direction), guardrail=guardrail)
    mdc = min_detectable_change(model, power=power) if cases > 0 else math.inf
    needed = cases_needed(model, DETECT, power=power)
    tol = tolerance_for(suite, primary, unit, (spec.tolerance if spec else None) or DEFAULT_TOLERANCE)
    if not guardrail:
        status = TARGET
    else:  # the decider's power rule (decider.underpowered), on the plan's model
        status = UNDERPOWERED if mdc > max(DETECT, tol) else OK
    return PlanRow(suite.name, suite.role, primary, cases, mdc, needed, status)


def _reference_rate(record: SuiteRecord | None, metric: str, direction: str) -> float:
    """Share of reference cases at 1 for the primary metric: the stored baseline's, else the best case."""
    value = None
    if record is not None:
        entry = record.metrics.get(metric)
        value = entry.get("value") if isinstance(entry, Mapping) else None
    if isinstance(value, (int, float)) and 0.0 <= float(value) <= 1.0:
        return float(value)
    return 0.0 if direction == "lower" else 1.0 if direction == "higher" else 0.5


def plan_lines(rows: list[PlanRow], *, power: float = DEFAULT_POWER) -> list[str]:
    """The table the terminal shows, then one line per underpowered guardrail and the model's assumptions."""
    head = ("suite", "role", "primary metric", "cases", f"smallest change seen ({power:.0%} power)",
            f"cases for a {DETECT:.2g} change", "status")
    body = [(r.suite, r.role, r.metric, str(r.cases), _num(r.mdc), "-" if r.needed is None and r.status == NOT_A_RATE
             else ("none would" if r.needed is None else str(r.needed)), r.status) for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(x[i].ljust(widths[i]) for i in range(len(head))).rstrip() for x in [head, *body]]
    for r in rows:
        if r.underpowered:
            lines.append(f"{r.suite}: underpowered: {r.cases} case(s) cannot detect a {DETECT:.2g} drop of "
                         f"{r.metric} with {power:.0%} power; "
                         + (f"about {max(r.needed, r.cases + 1)} cases would" if r.needed is not None
                            else "no number of cases would from its baseline"))
    lines.append(f"model: each suite's primary metric as a pass/fail rate, its paired test at the suite's alpha "
                 f"(one-sided for guardrails), benign churn of {PLAN_CHURN:.0%} of the cases that could flip, each way, "
                 f"reference rate from the stored baseline when there is one; no model was loaded")
    return lines


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    return "none" if not math.isfinite(x) else f"{x:.2f}"
