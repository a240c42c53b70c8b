"""The one decider: every status, pass/fail and verdict word of a run is decided here.

Inputs are data (each suite's runs and comparisons, what was selected, what
went wrong) plus a :class:`Mode`; the output is a frozen :class:`Decision`.
Items, the exit code, every report and the training callback ask it; none
re-derives "regressed", "target missed" or "ok".

The rule that keeps them agreeing: every reason a verdict fails is attached to
at least one selected item (its own item when that is selected, else every
selected item of its suite, or of the run for run-level reasons), and an item
fails only with such a reason. So an item fails if and only if a verdict fails.
The one exception is what happens after the items have run (a baseline file
that cannot be written): the verdict turns ERROR and the exit code follows it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping, Sequence

from ..plugin import messages
from ..suite.cases import Suite
from ..records.results import Side, SuiteComparison, SuiteRun, side_labels
from ..stats.comparison import Comparison, holm_adjust

# -- the words ------------------------------------------------------------------------------
# metric statuses
IMPROVED = "improved"
REGRESSED = "regressed"
UNCHANGED = "unchanged"
NO_DATA = "no-data"
TARGET_MISSED = "target missed"
INCONCLUSIVE = "inconclusive"
INFO = "info"
"""An informational metric (``MetricSpec.informational``, e.g. refusal's empty_rate): shown, never decides."""
DETECT = 0.30
"""The smallest drop of a rate a guardrail's primary metric must be able to see (with 80 % power)."""
# suite statuses
OK = "ok"
FAILING = "failing"
NEEDS_APPROVAL = "needs approval"
NO_BASELINE = "no baseline"
ERROR = "error"
RECORDED = "recorded"
ABSOLUTE = "absolute"
# candidate verdicts
READY = "READY"
NOT_READY = "NOT READY"
PASS = "PASS"
FAIL = "FAIL"
V_ERROR = "ERROR"
V_RECORDED = "RECORDED"
V_NO_BASELINE = "NO BASELINE"

OK_VERDICTS = frozenset({READY, PASS, V_RECORDED})
FAILING_METRIC_STATUSES = frozenset({REGRESSED, TARGET_MISSED})
NO_TARGET = "no target suite ran: nothing showed that the fine-tune improved what it was trained for"

ItemKey = tuple[str, str, str]
"""``(suite, "case", case_id)`` or ``(suite, "metric", metric_name)``."""


def case_key(suite: str, case_id: str) -> ItemKey:
    return (suite, "case", case_id)


def metric_key(suite: str, metric: str) -> ItemKey:
    return (suite, "metric", metric)


@dataclass(frozen=True)
class Mode:
    """How the run judges: record (update), each case on its own (absolute), or against a reference."""

    update: bool = False
    absolute: bool = False
    strict: bool = False


@dataclass(frozen=True)
class SuiteEvidence:
    """Everything the decider knows about one selected suite."""

    suite: Suite
    selected_cases: frozenset[str]
    selected_metrics: frozenset[str]
    runs: Mapping[Side, SuiteRun] = field(default_factory=dict)
    comparisons: Mapping[Side, SuiteComparison] = field(default_factory=dict)
    reference_error: str | None = None  # the baseline file could not be read
    error: str | None = None  # an unexpected error while scoring or comparing this suite

    @cached_property
    def item_set(self) -> frozenset[ItemKey]:
        return frozenset(self.items)

    @cached_property
    def items(self) -> list[ItemKey]:
        name = self.suite.name
        return ([case_key(name, c.id) for c in self.suite.cases if c.id in self.selected_cases]
                + [metric_key(name, m) for m in sorted(self.selected_metrics)])


@dataclass(frozen=True)
class SuiteDecision:
    suite: str
    side: Side
    status: str
    reasons: tuple[str, ...] = ()
    metrics: Mapping[str, str] = field(default_factory=dict)  # metric -> status word
    ok: bool = False
    notes: tuple[str, ...] = ()  # inconclusive metrics, with the cases that would settle them
    info: tuple[str, ...] = ()  # informational metrics worth a line (e.g. empty answers); never decide
    p_adjusted: Mapping[str, float | None] = field(default_factory=dict)

    def reason(self) -> str:
        return "; ".join(self.reasons) or self.status


@dataclass(frozen=True)
class Verdict:
    side: Side
    label: str
    status: str
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # inconclusive guardrails: shown, failing only with --forgetting-strict
    info: tuple[str, ...] = ()  # informational remarks (empty answers): shown, never deciding

    @property
    def ok(self) -> bool:
        return self.status in OK_VERDICTS

    @property
    def headline(self) -> str:
        """``READY, 2 metrics inconclusive``: the status word and what it cannot vouch for, one note line each."""
        n = len(self.notes)
        return self.status + (f", {n} metric{'s' if n != 1 else ''} inconclusive" if n else "")

    def line(self) -> str:
        head = f"{self.label}: {self.headline}"
        return head if not self.reasons else head + " -- " + "; ".join(self.reasons)


@dataclass(frozen=True)
class Decision:
    verdicts: tuple[Verdict, ...]
    suites: Mapping[tuple[str, Side], SuiteDecision]
    failures: Mapping[ItemKey, tuple[str, ...]]

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts)

    def item_failure(self, key: ItemKey) -> str | None:
        msgs = self.failures.get(key)
        return "\n\n".join(msgs) if msgs else None

    def suite(self, name: str, side: Side) -> SuiteDecision | None:
        return self.suites.get((name, side))


# -- metric ---------------------------------------------------------------------------------
def metric_status(c: Comparison, *, target_primary: bool = False, p_value: float | None = None,
                  confirmatory: bool = False, detect: float | None = None) -> str:
    """The status of one compared metric.

    A change counts when it is beyond tolerance and significant (``p_value``: the
    family-wise adjusted p for secondary metrics, else the raw one); a target's
    primary must improve. ``inconclusive`` means "it could have got worse and
    we could not tell", and is only said when the change is not significant and

    (a) the metric moved in its worse direction beyond tolerance, or
    (b) for a guardrail's primary metric (``confirmatory``) the suite's minimum
        detectable change exceeds ``detect``, the drop it exists to catch --
        unless the metric moved in its better direction and the interval's
        worse end already excludes a drop of ``detect`` (an improvement that
        rules the drop out is never inconclusive; one on too few cases to rule
        anything out, e.g. 2 cases, still is).
    """
    status = _change(c, c.p_value if p_value is None else p_value)
    if target_primary:
        return status if status == IMPROVED else TARGET_MISSED
    if status != UNCHANGED:
        return status
    if _worse_beyond_tolerance(c):
        return INCONCLUSIVE
    if confirmatory and detect is not None and underpowered(c, detect) and not _rules_out(c, detect):
        return INCONCLUSIVE
    return UNCHANGED


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


def _change(c: Comparison, p_value: float | None) -> str:
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


def detect_size(comp: SuiteComparison, metric: str) -> float | None:
    """The drop a guardrail exists to catch: ``DETECT`` for rates, none for other units."""
    return DETECT if comp.units.get(metric, "rate") == "rate" else None


def metric_statuses(comp: SuiteComparison, adjusted: Mapping[str, float | None] | None = None) -> dict[str, str]:
    adjusted = adjusted or {}
    out = {}
    for m, c in comp.comparisons.items():
        if c.informational:
            out[m] = INFO if c.p_value is not None else NO_DATA
            continue
        primary = m == comp.primary_metric
        out[m] = metric_status(c, target_primary=comp.must_improve and primary, p_value=adjusted.get(m),
                               confirmatory=primary and comp.role == "guardrail", detect=detect_size(comp, m))
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


DRIFTED = "drifted"


def drift_status(comp: SuiteComparison) -> str:
    """The live base against its stored baseline: shown so a drifting environment is seen; never a verdict."""
    if comp.needs_approval:
        return NEEDS_APPROVAL
    moved = any(st in (REGRESSED, IMPROVED) for st in metric_statuses(comp).values())
    return DRIFTED if moved or comp.changed_cases else OK


# -- suite ----------------------------------------------------------------------------------
class _Book:
    """Collects failure reasons for items while suites are decided."""

    def __init__(self, ev: SuiteEvidence, labels: Mapping[Side, str], failures: dict[ItemKey, list[str]]) -> None:
        self.ev = ev
        self.labels = labels
        self.failures = failures  # the run's, shared by every suite and candidate

    def fail(self, key: ItemKey | None, message: str) -> None:
        """Attach to its own item when selected, else to every selected item of the suite."""
        items = self.ev.items
        for k in [key] if key is not None and key in self.ev.item_set else items:
            _attach(self.failures, k, message)


def _attach(failures: dict[ItemKey, list[str]], key: ItemKey, message: str) -> None:
    msgs = failures.setdefault(key, [])
    if message not in msgs:
        msgs.append(message)


def decide_suite(ev: SuiteEvidence, side: Side, mode: Mode, book: _Book,
                 adjusted: Mapping[str, float | None] | None = None) -> SuiteDecision:
    s = ev.suite
    label = book.labels[side]
    run = ev.runs.get(side)
    if ev.error:
        book.fail(None, messages.suite_error(s, label, ev.error))
        return SuiteDecision(s.name, side, ERROR, (f"error: {ev.error}",))
    if run is None:
        book.fail(None, messages.suite_error(s, label, "no results for this side"))
        return SuiteDecision(s.name, side, ERROR, ("no results",))
    if mode.update:
        return SuiteDecision(s.name, side, RECORDED, ok=True)
    if mode.absolute:
        failed = [cid for cid, o in run.outcomes.items() if not o.passed]
        for cid in failed:
            book.fail(case_key(s.name, cid), messages.absolute_case(cid, label, run))
        return SuiteDecision(s.name, side, ABSOLUTE,
                             (f"{len(failed)} of {len(run.outcomes)} case(s) failed their own expectation",) if failed else (),
                             ok=not failed)
    comp = ev.comparisons.get(side)
    if comp is None or comp.reference_kind == "none":
        book.fail(None, ev.reference_error or messages.no_baseline(s))
        return SuiteDecision(s.name, side, NO_BASELINE, ("no baseline" if not ev.reference_error else "baseline unreadable",))
    if comp.needs_approval:
        book.fail(None, messages.needs_reapproval(s, comp.needs_approval))
        return SuiteDecision(s.name, side, NEEDS_APPROVAL, ("needs re-approval: " + "; ".join(comp.needs_approval),))
    adjusted = adjusted or {}
    statuses = metric_statuses(comp, adjusted)
    p_adj = {m: adjusted.get(m) for m in comp.comparisons}
    reasons: list[str] = []
    regressed = [m for m, st in statuses.items() if st == REGRESSED]
    missed = [m for m, st in statuses.items() if st == TARGET_MISSED]
    unsure = [m for m, st in statuses.items() if st == INCONCLUSIVE]
    failing = regressed + missed + (unsure if mode.strict else [])
    first = failing[0] if failing else None  # the one message that lists the cases that got worse
    for m in regressed:
        c = comp.comparisons[m]
        reasons.append(f"{m} regressed {c.baseline:.3f} -> {c.current:.3f} (p={messages.p_text(p_adj.get(m))})")
        book.fail(metric_key(s.name, m),
                  messages.metric_failure(s, label, comp, m, REGRESSED, run, p_adj.get(m), flips_in=first))
    for m in missed:
        c = comp.comparisons[m]
        reasons.append(messages.target_missed_reason(m, c))
        book.fail(metric_key(s.name, m),
                  messages.metric_failure(s, label, comp, m, TARGET_MISSED, run, p_adj.get(m), flips_in=first))
    notes = tuple(messages.inconclusive_note(s.name, m, comp.comparisons[m], _unseen_drop(comp, m)) for m in unsure)
    if mode.strict:
        for m, note in zip(unsure, notes):
            reasons.append(note.split(": ", 1)[1] + " (--forgetting-strict)")
            book.fail(metric_key(s.name, m),
                      messages.metric_failure(s, label, comp, m, INCONCLUSIVE, run, p_adj.get(m), flips_in=first)
                      + "\n  " + note + "\n  failing because --forgetting-strict makes inconclusive fail")
    if mode.strict or regressed or missed:
        why = "the suite regressed significantly" if regressed else (
            "the target did not improve" if missed else "--forgetting-strict")
        for f in comp.flips:
            if f.worse:
                book.fail(case_key(s.name, f.case), messages.flipped_case(s, label, comp, f, run, why))
        if mode.strict and not (regressed or missed):
            worse = [f.case for f in comp.flips if f.worse]
            if worse:
                reasons.append(f"{len(worse)} case(s) flipped to fail (--forgetting-strict)")
    for cid in comp.changed_cases:
        book.fail(case_key(s.name, cid), messages.changed_case(s, cid))
    for cid in comp.new_cases:
        book.fail(case_key(s.name, cid), messages.new_case(s, cid))
    approval = []
    if comp.new_cases:
        approval.append(f"{len(comp.new_cases)} new case(s) without a baseline entry ({_few(comp.new_cases)})")
    if comp.changed_cases:
        approval.append(f"{len(comp.changed_cases)} case(s) changed since the baseline ({_few(comp.changed_cases)})")
    if approval and not reasons:
        status = NEEDS_APPROVAL
        reasons = [f"needs approval: {a}" for a in approval]
    else:
        reasons += [f"needs approval: {a}" for a in approval]
        status = FAILING if reasons else (INCONCLUSIVE if unsure else OK)
    info = tuple(f"{s.name}: {m} {messages.fmt(c.baseline)} -> {messages.fmt(c.current)} (informational: empty "
                 "answers are not counted as refusals; the helpfulness and tone suites judge them)"
                 for m, st in statuses.items() if st == INFO for c in [comp.comparisons[m]] if c.current)
    info += _collapsed_reference(s, comp)
    return SuiteDecision(s.name, side, status, tuple(reasons), statuses, ok=not reasons, notes=notes, p_adjusted=p_adj,
                         info=info)


def _collapsed_reference(suite: Suite, comp: SuiteComparison) -> tuple[str, ...]:
    """A label guardrail whose reference already predicts one label cannot see collapse: say so."""
    if suite.family != "label_collapse" or not comp.reference_outcomes:
        return ()
    from ..scoring.label_collapse import collapsed_reference

    outcomes = [o for o in comp.reference_outcomes.values() if "pred" in o.data and "gold" in o.data]
    warn = collapsed_reference(outcomes, suite.config.get("labels")) if outcomes else None
    return (f"{suite.name}: warning: {warn}",) if warn else ()


def _unseen_drop(comp: SuiteComparison, metric: str) -> float | None:
    """The declared drop a guardrail's primary metric cannot see (rule (b) of :func:`metric_status`), else None."""
    detect = detect_size(comp, metric)
    if metric != comp.primary_metric or comp.role != "guardrail" or detect is None:
        return None
    return detect if underpowered(comp.comparisons[metric], detect) else None


def _few(ids: Sequence[str], n: int = 5) -> str:
    return ", ".join(ids[:n]) + (" ..." if len(ids) > n else "")


# -- candidate ------------------------------------------------------------------------------
def decide(evidence: Sequence[SuiteEvidence], candidates: Sequence[Side], mode: Mode, *,
           run_error: str | None = None, finish_error: str | None = None) -> Decision:
    """Statuses for every (suite, candidate), one verdict per candidate, and each item's failures."""
    labels = side_labels([None, *candidates])
    suites: dict[tuple[str, Side], SuiteDecision] = {}
    failures: dict[ItemKey, list[str]] = {}
    all_items = [k for ev in evidence for k in ev.items]
    verdicts: list[Verdict] = []
    for cand in candidates:
        label = labels[cand]
        if run_error:
            for k in all_items:
                _attach(failures, k, run_error)
            verdicts.append(Verdict(cand, label, V_ERROR, (run_error.splitlines()[0],)))
            continue
        decided = []
        adjusted = adjusted_p_values([c for ev in evidence for c in [ev.comparisons.get(cand)] if c is not None])
        for ev in evidence:
            mine = {m: p for (name, m), p in adjusted.items() if name == ev.suite.name}
            d = decide_suite(ev, cand, mode, _Book(ev, labels, failures), mine)
            suites[(ev.suite.name, cand)] = d
            decided.append((ev, d))
        v = _verdict(cand, label, decided, mode, finish_error)
        if NO_TARGET in v.reasons:
            for k in all_items:
                _attach(failures, k, messages.no_target(label, NO_TARGET))
        verdicts.append(v)
    return Decision(tuple(verdicts), suites, {k: tuple(v) for k, v in failures.items()})


def _verdict(cand: Side, label: str, decided: list[tuple[SuiteEvidence, SuiteDecision]], mode: Mode,
             finish_error: str | None) -> Verdict:
    reasons = tuple(f"{ev.suite.name} ({ev.suite.role}): {d.reason()}" for ev, d in decided if not d.ok)
    notes = tuple(n for _, d in decided if d.ok for n in d.notes)
    info = tuple(n for _, d in decided for n in d.info)
    if finish_error:
        return Verdict(cand, label, V_ERROR, (finish_error,) + reasons)
    if any(d.status == ERROR for _, d in decided):
        return Verdict(cand, label, V_ERROR, reasons)
    if mode.update:
        return Verdict(cand, label, V_RECORDED)
    if mode.absolute:
        return Verdict(cand, label, FAIL if reasons else PASS, reasons)
    if decided and all(d.status == NO_BASELINE for _, d in decided):
        return Verdict(cand, label, V_NO_BASELINE, ("record one with --forgetting-update or pass --forgetting-compare-base",))
    if cand is None:
        return Verdict(cand, label, FAIL if reasons else PASS, reasons, notes, info)
    against_base = any(c.reference_is_base for ev, _ in decided for c in [ev.comparisons.get(cand)] if c is not None)
    if against_base and not any(ev.suite.role == "target" for ev, _ in decided):
        reasons += (NO_TARGET,)
    return Verdict(cand, label, NOT_READY if reasons else READY, reasons, notes, info)
