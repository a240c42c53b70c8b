"""The one decider: every status, pass/fail and verdict of a run is decided here.

Inputs are data (each suite's runs and comparisons, what was selected, what
went wrong) plus a :class:`Mode`; the output is a frozen :class:`Decision` of
data only: statuses, verdicts and :class:`~.reasons.Reason` objects (a kind and
its numbers), never text. The words, the reason kinds, the data types and the
exit-code mapping live in :mod:`.reasons` (which decides nothing); the metric
rules (p against alpha, delta against tolerance) in :mod:`.rules`. Items, the
exit code, every report and the training callback ask the decision; the
plugin's messages word it; none re-derives "regressed", "target missed" or "ok".

The rule that keeps them agreeing: every reason a verdict fails is attached to
at least one selected item (its own item when that is selected, else every
selected item of its suite, or of the run for run-level reasons), and an item
fails only with such a reason. So an item fails if and only if a verdict fails.
The one exception is what happens after the items have run (a baseline file
that cannot be written): the verdict turns ERROR and the exit code follows it.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from ..records.results import Side, SuiteComparison, side_labels
from ..stats.comparison import Comparison, cases_needed
from ..suite.cases import Suite
from .reasons import (  # noqa: F401 - the words and data types, re-exported for callers of the decider
                      ABSOLUTE, CASE_FAILED, CASES_FAILED, CHANGED_CASE, CHANGED_CASES, COLLAPSED_REFERENCE,
                      EMPTY_ANSWERS, ERROR, FAIL, FAILING, FAILING_METRIC_STATUSES, FINISH_ERROR, FLIPPED, INCONCLUSIVE,
                      IMPROVED, INFO, MISSING_BASELINE, NEEDS_APPROVAL, NEW_CASE, NEW_CASES, NO_BASELINE, NO_BASELINE_HINT,
                      NO_RESULTS, NO_TARGET, NOT_READY, OK, PASS, READY, REAPPROVAL, RECORDED, REGRESSED, RUN_ERROR,
                      STRICT, STRICT_FLIPS, SUITE_ERROR, TARGET_MISSED, UNCHANGED, V_ERROR, V_NO_BASELINE, V_RECORDED, Decision,
                      ItemKey, Mode, Reason, SuiteDecision, SuiteEvidence, Verdict, case_key, metric_key)
from .rules import (DETECT, adjusted_p_values, change_status, detect_size, drift_status, metric_status,  # noqa: F401
                    observed_worse, underpowered,
                    metric_statuses, tolerance_for, worse_cases)


# -- suite ----------------------------------------------------------------------------------
class _Book:
    """Collects failure reasons for items while suites are decided."""

    def __init__(self, ev: SuiteEvidence, failures: dict[ItemKey, list[Reason]]) -> None:
        self.ev = ev
        self.failures = failures  # the run's, shared by every suite and candidate

    def fail(self, key: ItemKey | None, reason: Reason) -> None:
        """Attach to its own item when selected, else to every selected item of the suite."""
        items = self.ev.items
        for k in [key] if key is not None and key in self.ev.item_set else items:
            _attach(self.failures, k, reason)


def _attach(failures: dict[ItemKey, list[Reason]], key: ItemKey, reason: Reason) -> None:
    reasons = failures.setdefault(key, [])
    if reason not in reasons:
        reasons.append(reason)


def _metric_reason(kind: str, comp: SuiteComparison, side: Side, m: str, p_adjusted: float | None,
                   flips_in: str | None = None, strict: bool = False) -> Reason:
    c = comp.comparisons[m]
    if kind == INCONCLUSIVE:
        return inconclusive_reason(comp.suite, m, c, _unseen_drop(comp, m), side=side, p_adjusted=p_adjusted,
                                   flips_in=flips_in, strict=strict)
    return Reason(kind, comp.suite, side, metric=m, baseline=c.baseline, current=c.current, delta=c.delta,
                  p=c.p_value, p_adjusted=p_adjusted, alpha=c.alpha, tolerance=c.tolerance, n=c.n_paired,
                  flips_in=flips_in, strict=strict, direction=c.direction, sides=c.sides,
                  mdc=c.min_detectable_change)


def inconclusive_reason(suite: str, metric: str, c: Comparison, unseen: float | None, *, side: Side = None,
                        p_adjusted: float | None = None, flips_in: str | None = None, strict: bool = False) -> Reason:
    """Why a metric is inconclusive, with the numbers that would settle it: the observed worse move
    (rule (a), ``size``) and the declared drop an underpowered guardrail cannot see (rule (b), ``unseen``)."""
    size = observed_worse(c)
    return Reason(INCONCLUSIVE, suite, side, metric=metric, baseline=c.baseline, current=c.current, delta=c.delta,
                  p=c.p_value, p_adjusted=p_adjusted, alpha=c.alpha, tolerance=c.tolerance, n=c.n_paired, size=size,
                  cases=cases_needed(c, size) if size is not None else None, flips_in=flips_in, strict=strict,
                  unseen=unseen, unseen_cases=cases_needed(c, unseen) if unseen is not None else None,
                  direction=c.direction, sides=c.sides, mdc=c.min_detectable_change)


def decide_suite(ev: SuiteEvidence, side: Side, mode: Mode, book: _Book,
                 adjusted: Mapping[str, float | None] | None = None) -> SuiteDecision:
    """One suite for one side: its status, metric statuses and reasons; failing items go into ``book``."""
    s = ev.suite
    run = ev.runs.get(side)
    role = s.role
    if ev.error:
        r = Reason(SUITE_ERROR, s.name, side, detail=ev.error)
        book.fail(None, r)
        return SuiteDecision(s.name, side, ERROR, (r,), role=role)
    if run is None:
        r = Reason(NO_RESULTS, s.name, side)
        book.fail(None, r)
        return SuiteDecision(s.name, side, ERROR, (r,), role=role)
    if mode.update:
        return SuiteDecision(s.name, side, RECORDED, ok=True, role=role)
    if mode.absolute:
        failed = [cid for cid, o in run.outcomes.items() if not o.passed]
        for cid in failed:
            book.fail(case_key(s.name, cid), Reason(CASE_FAILED, s.name, side, case=cid))
        return SuiteDecision(s.name, side, ABSOLUTE,
                             (Reason(CASES_FAILED, s.name, side, count=len(failed), total=len(run.outcomes)),)
                             if failed else (), ok=not failed, role=role)
    comp = ev.comparisons.get(side)
    if comp is None or comp.reference_kind == "none":
        r = Reason(MISSING_BASELINE, s.name, detail=ev.reference_error)
        book.fail(None, r)
        return SuiteDecision(s.name, side, NO_BASELINE, (r,), role=role)
    if comp.needs_approval:
        r = Reason(REAPPROVAL, s.name, ids=tuple(comp.needs_approval))
        book.fail(None, r)
        return SuiteDecision(s.name, side, NEEDS_APPROVAL, (r,), role=role)
    adjusted = adjusted or {}
    statuses = metric_statuses(comp, adjusted)
    p_adj = {m: adjusted.get(m) for m in comp.comparisons}
    reasons: list[Reason] = []
    regressed = [m for m, st in statuses.items() if st == REGRESSED]
    missed = [m for m, st in statuses.items() if st == TARGET_MISSED]
    unsure = [m for m, st in statuses.items() if st == INCONCLUSIVE]
    failing = regressed + missed + (unsure if mode.strict else [])
    first = failing[0] if failing else None  # the one message that lists the cases that got worse
    for kind, ms in ((REGRESSED, regressed), (TARGET_MISSED, missed)):
        for m in ms:
            r = _metric_reason(kind, comp, side, m, p_adj.get(m), flips_in=first)
            reasons.append(r)
            book.fail(metric_key(s.name, m), r)
    notes = tuple(_metric_reason(INCONCLUSIVE, comp, side, m, p_adj.get(m)) for m in unsure)
    if mode.strict:
        for m in unsure:
            r = _metric_reason(INCONCLUSIVE, comp, side, m, p_adj.get(m), flips_in=first, strict=True)
            reasons.append(r)
            book.fail(metric_key(s.name, m), r)
    worse = worse_cases(comp)
    if mode.strict or regressed or missed:
        because = REGRESSED if regressed else (TARGET_MISSED if missed else STRICT)
        for f in comp.flips:
            if f.case in worse:
                book.fail(case_key(s.name, f.case), Reason(FLIPPED, s.name, side, case=f.case, because=because))
        if mode.strict and not (regressed or missed) and worse:
            reasons.append(Reason(STRICT_FLIPS, s.name, side, count=len(worse)))
    for cid in comp.changed_cases:
        book.fail(case_key(s.name, cid), Reason(CHANGED_CASE, s.name, case=cid))
    for cid in comp.new_cases:
        book.fail(case_key(s.name, cid), Reason(NEW_CASE, s.name, case=cid))
    approval = []
    if comp.new_cases:
        approval.append(Reason(NEW_CASES, s.name, ids=tuple(comp.new_cases)))
    if comp.changed_cases:
        approval.append(Reason(CHANGED_CASES, s.name, ids=tuple(comp.changed_cases)))
    if approval and not reasons:
        status = NEEDS_APPROVAL
        reasons = approval
    else:
        reasons += approval
        status = FAILING if reasons else (INCONCLUSIVE if unsure else OK)
    info = tuple(Reason(EMPTY_ANSWERS, s.name, side, metric=m, baseline=c.baseline, current=c.current)
                 for m, st in statuses.items() if st == INFO for c in [comp.comparisons[m]] if c.current)
    info += _collapsed_reference(s, comp)
    ok = not reasons
    return SuiteDecision(s.name, side, status, tuple(reasons), statuses, ok=ok, notes=notes, p_adjusted=p_adj,
                         info=info, role=role, worse_cases=worse,
                         failing_metrics=frozenset() if ok else frozenset(
                             m for m, st in statuses.items() if st in FAILING_METRIC_STATUSES))


def _collapsed_reference(suite: Suite, comp: SuiteComparison) -> tuple[Reason, ...]:
    """A label guardrail whose reference already predicts one label cannot see collapse: say so."""
    if suite.family != "label_collapse" or not comp.reference_outcomes:
        return ()
    from ..scoring.label_collapse import collapsed_reference

    outcomes = [o for o in comp.reference_outcomes.values() if "pred" in o.data and "gold" in o.data]
    warn = collapsed_reference(outcomes, suite.config.get("labels")) if outcomes else None
    return (Reason(COLLAPSED_REFERENCE, suite.name, detail=warn),) if warn else ()


def _unseen_drop(comp: SuiteComparison, metric: str) -> float | None:
    """The declared drop a guardrail's primary metric cannot see (rule (b) of :func:`metric_status`), else None."""
    detect = detect_size(comp, metric)
    if metric != comp.primary_metric or comp.role != "guardrail" or detect is None:
        return None
    return detect if underpowered(comp.comparisons[metric], detect) else None


def decide_drift(comp: SuiteComparison) -> SuiteDecision:
    """The live base against its stored baseline: a status to show, never a verdict."""
    return SuiteDecision(comp.suite, None, drift_status(comp), metrics=metric_statuses(comp), ok=True, role=comp.role,
                         worse_cases=worse_cases(comp))


# -- candidate ------------------------------------------------------------------------------
def decide(evidence: Sequence[SuiteEvidence], candidates: Sequence[Side], mode: Mode, *,
           run_error: str | None = None, finish_error: str | None = None,
           drift: Mapping[str, SuiteComparison] | None = None) -> Decision:
    """Statuses for every (suite, candidate), one verdict per candidate, and each item's failing reasons.

    ``drift``: the live base against its stored baseline, by suite (shown, never deciding).
    """
    labels = side_labels([None, *candidates])
    suites: dict[tuple[str, Side], SuiteDecision] = {}
    failures: dict[ItemKey, list[Reason]] = {}
    all_items = [k for ev in evidence for k in ev.items]
    verdicts: list[Verdict] = []
    for cand in candidates:
        label = labels[cand]
        if run_error:
            for k in all_items:
                _attach(failures, k, Reason(RUN_ERROR, detail=run_error))
            verdicts.append(Verdict(cand, label, V_ERROR, (Reason(RUN_ERROR, side=cand, detail=run_error),)))
            continue
        decided = []
        adjusted = adjusted_p_values([c for ev in evidence for c in [ev.comparisons.get(cand)] if c is not None])
        for ev in evidence:
            mine = {m: p for (name, m), p in adjusted.items() if name == ev.suite.name}
            d = decide_suite(ev, cand, mode, _Book(ev, failures), mine)
            suites[(ev.suite.name, cand)] = d
            decided.append((ev, d))
        v = _verdict(cand, label, decided, mode, finish_error)
        for r in v.reasons:
            if r.kind == NO_TARGET:
                for k in all_items:
                    _attach(failures, k, r)
        verdicts.append(v)
    return Decision(tuple(verdicts), suites, {k: tuple(v) for k, v in failures.items()}, labels,
                    {name: decide_drift(c) for name, c in (drift or {}).items()})


def _verdict(cand: Side, label: str, decided: list[tuple[SuiteEvidence, SuiteDecision]], mode: Mode,
             finish_error: str | None) -> Verdict:
    reasons = tuple(r for _, d in decided if not d.ok for r in d.reasons)
    notes = tuple(n for _, d in decided if d.ok for n in d.notes)
    info = tuple(n for _, d in decided for n in d.info)
    if finish_error:
        return Verdict(cand, label, V_ERROR, (Reason(FINISH_ERROR, side=cand, detail=finish_error),) + reasons)
    if any(d.status == ERROR for _, d in decided):
        return Verdict(cand, label, V_ERROR, reasons)
    if mode.update:
        return Verdict(cand, label, V_RECORDED)
    if mode.absolute:
        return Verdict(cand, label, FAIL if reasons else PASS, reasons)
    if decided and all(d.status == NO_BASELINE for _, d in decided):
        return Verdict(cand, label, V_NO_BASELINE, (Reason(NO_BASELINE_HINT, side=cand),))
    if cand is None:
        return Verdict(cand, label, FAIL if reasons else PASS, reasons, notes, info)
    against_base = any(c.reference_is_base for ev, _ in decided for c in [ev.comparisons.get(cand)] if c is not None)
    if against_base and not any(ev.suite.role == "target" for ev, _ in decided):
        reasons += (Reason(NO_TARGET, side=cand),)
    return Verdict(cand, label, NOT_READY if reasons else READY, reasons, notes, info)
