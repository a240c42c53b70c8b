"""The metric rules: when a change counts, which p-value decides, which tolerance applies.

Part of the decider (:mod:`.decider` re-exports these): the only place a
p-value or a delta is held against alpha or a tolerance.
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence

from ..records.results import Flip, SuiteComparison
from ..stats.comparison import Comparison, holm_adjust
from ..suite.cases import Suite
from .reasons import (IMPROVED, INCONCLUSIVE, INFO, NEEDS_APPROVAL, NO_DATA, OK, REGRESSED, TARGET_MISSED,
                      UNCHANGED, DRIFTED)

DETECT = 0.30
"""The smallest drop of a rate a guardrail's primary metric must be able to see (with 80 % power)."""
DEFAULT_TOLERANCE = 0.05
"""Default for metrics that set none: a change must exceed 5 points of a rate to count."""


def tolerance_for(suite: Suite, metric: str, unit: str, default: float | None) -> float:
    """The tolerance a metric's change must exceed: the suite's per-metric one, its suite-wide one
    (rates only), the family's default for the metric, else :data:`DEFAULT_TOLERANCE`."""
    if metric in suite.metric_tolerances:
        return suite.metric_tolerances[metric]
    if suite.tolerance is not None and unit == "rate":
        return suite.tolerance
    return default or DEFAULT_TOLERANCE


def metric_status(c: Comparison, *, target_primary: bool = False, p_value: float | None = None,
                  confirmatory: bool = False, detect: float | None = None, secondary: bool = False) -> str:
    """The status of one compared metric.

    A change counts when it is beyond tolerance and significant (``p_value``: the
    family-wise adjusted p for secondary metrics, else the raw one); a target's
    primary must improve. ``inconclusive`` means "it could have got worse and
    we could not tell", and is only said when the change is not significant and

    (a) the metric moved in its worse direction beyond tolerance -- for a
        ``secondary`` metric (one of the many Holm-adjusted together) only when
        its own test is significant (raw p < alpha) and the adjustment for the
        other metrics is what keeps it from counting, or when the move is at
        least ``detect`` (the drop a guardrail exists to catch), or
    (b) for a guardrail's primary metric (``confirmatory``) the suite's minimum
        detectable change exceeds ``detect``, the drop it exists to catch --
        unless the metric moved in its better direction and the interval's
        worse end already excludes a drop of ``detect`` (an improvement that
        rules the drop out is never inconclusive; one on too few cases to rule
        anything out, e.g. 2 cases, still is).

    Why (a) is narrower for secondary metrics: a run tests ~40 of them, and with
    benign churn one of them moves past its tolerance the worse way by chance in
    almost every run (0.947 of simulated no-change runs), so "could have got
    worse" would be said every time and read as noise. Their regressions are
    still called by the adjusted p; a secondary is inconclusive only when it
    would have failed on its own, or moved as far as the drop the suite exists to catch.

    An informational metric is ``info`` (``no-data`` without a test): shown, never deciding.
    """
    if c.informational:
        return INFO if c.p_value is not None else NO_DATA
    status = change_status(c, c.p_value if p_value is None else p_value)
    if target_primary:
        return status if status == IMPROVED else TARGET_MISSED
    if status != UNCHANGED:
        return status
    if _worse_beyond_tolerance(c) and (not secondary or _significant_alone(c) or _at_least(c, detect)):
        return INCONCLUSIVE
    if confirmatory and detect is not None and underpowered(c, detect) and not _rules_out(c, detect):
        return INCONCLUSIVE
    return UNCHANGED


def _significant_alone(c: Comparison) -> bool:
    """The metric's own (unadjusted) test rejects at alpha."""
    return c.p_value is not None and not math.isnan(float(c.p_value)) and float(c.p_value) < c.alpha


def _at_least(c: Comparison, detect: float | None) -> bool:
    """The metric moved by at least ``detect`` (either way; callers check the direction)."""
    return detect is not None and c.delta is not None and not math.isnan(c.delta) and abs(float(c.delta)) >= detect


def underpowered(c: Comparison, detect: float) -> bool:
    """The comparison cannot see a drop of ``detect`` with 80 % power (its min detectable change is larger)."""
    mdc = c.min_detectable_change
    return mdc is not None and mdc > max(detect, c.tolerance)


def _rules_out(c: Comparison, detect: float) -> bool:
    """The metric moved in its better direction and the interval's worse end excludes a drop of ``detect``."""
    if c.delta is None or c.ci_delta is None or c.direction == "flat":
        return False
    if c.direction == "higher":
        return c.delta > 0 and c.ci_delta[0] > -detect
    return c.delta < 0 and c.ci_delta[1] < detect


def observed_worse(c: Comparison) -> float | None:
    """The size of a move in the worse direction beyond tolerance (what makes a metric inconclusive by rule (a))."""
    return abs(float(c.delta)) if c.delta is not None and _worse_beyond_tolerance(c) else None


def change_status(c: Comparison, p_value: float | None = None) -> str:
    """The change rule alone: ``regressed``/``improved`` beyond tolerance with p < alpha (``flat``
    metrics regress on a move either way), ``unchanged`` otherwise, ``no-data`` without a test."""
    p_value = c.p_value if p_value is None else p_value
    if p_value is None or c.delta is None or c.baseline is None or c.current is None:
        return NO_DATA
    p, delta = float(p_value), float(c.delta)
    if math.isnan(p) or math.isnan(delta) or not (p < c.alpha) or not (abs(delta) > c.tolerance):
        return UNCHANGED
    return REGRESSED if _worse(c.direction, delta) else IMPROVED


def _worse(direction: str, delta: float) -> bool:
    """A move in the metric's worse direction (any move, for ``flat`` metrics)."""
    return direction == "flat" or (delta < 0 if direction == "higher" else delta > 0)


def _worse_beyond_tolerance(c: Comparison) -> bool:
    if c.delta is None or math.isnan(c.delta) or not abs(c.delta) > c.tolerance:
        return False
    return _worse(c.direction, c.delta)


def flipped_worse(f: Flip) -> bool:
    """A case that passed on the reference and fails now."""
    return f.before.passed and not f.after.passed


def worse_cases(comp: SuiteComparison) -> frozenset[str]:
    """The cases of a comparison that flipped pass -> fail."""
    return frozenset(f.case for f in comp.flips if flipped_worse(f))


def detect_size(comp: SuiteComparison, metric: str) -> float | None:
    """The drop a guardrail exists to catch: ``DETECT`` for rates, none for other units."""
    return DETECT if comp.units.get(metric, "rate") == "rate" else None


def metric_statuses(comp: SuiteComparison, adjusted: Mapping[str, float | None] | None = None) -> dict[str, str]:
    """Every metric's status in one comparison (``adjusted``: Holm-adjusted p of secondary metrics)."""
    adjusted = adjusted or {}
    out = {}
    for m, c in comp.comparisons.items():
        primary = m == comp.primary_metric
        out[m] = metric_status(c, target_primary=comp.must_improve and primary, p_value=adjusted.get(m),
                               confirmatory=primary and comp.role == "guardrail", detect=detect_size(comp, m),
                               secondary=not primary)
    return out


def adjusted_p_values(comps: Sequence[SuiteComparison]) -> dict[tuple[str, str], float | None]:
    """Family-wise control within one candidate: each suite's primary metric is the confirmatory test
    (its raw p); every secondary metric of every suite is Holm-adjusted together."""
    out: dict[tuple[str, str], float | None] = {}
    secondary: dict[str, float | None] = {}
    keys: dict[str, tuple[str, str]] = {}
    for comp in comps:
        for m, c in comp.comparisons.items():
            if c.informational:  # never decides, so it takes no share of the family-wise alpha
                continue
            if m == comp.primary_metric:
                out[(comp.suite, m)] = c.p_value
            else:
                k = f"{comp.suite}\x00{m}"
                secondary[k] = c.p_value
                keys[k] = (comp.suite, m)
    for k, p in holm_adjust(secondary).items():
        out[keys[k]] = p
    return out


def drift_status(comp: SuiteComparison) -> str:
    """The live base against its stored baseline: shown so a drifting environment is seen; never a verdict."""
    if comp.needs_approval:
        return NEEDS_APPROVAL
    moved = any(st in (REGRESSED, IMPROVED) for st in metric_statuses(comp).values())
    return DRIFTED if moved or comp.changed_cases else OK
