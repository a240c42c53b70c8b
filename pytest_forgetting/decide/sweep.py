"""What to do with the verdicts: checkpoint sweep and per-workflow routing (anchor export: :mod:`.anchors`).

Stops on the same road after :mod:`.decide`: every status here is read from a
:class:`~pytest_forgetting.decide.decider.Decision`, never re-derived.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from .reasons import FAILING_METRIC_STATUSES, IMPROVED, READY, TARGET_MISSED, Decision, Wording
from ..records.results import Side, SuiteComparison, SuiteRun


@dataclass(frozen=True)
class SweepRow:
    """One checkpoint of a sweep: its target and guardrail values and what the decider said of it."""

    checkpoint: str
    target: dict[str, float | None]
    guardrails: dict[str, dict[str, float | None]]
    regressed: tuple[str, ...]
    verdict: str
    recommended: bool = False

    @property
    def target_score(self) -> float | None:
        """The mean of the target metrics, the one number checkpoints are ranked by (None without data)."""
        vals = [v for v in self.target.values() if v is not None]
        return sum(vals) / len(vals) if vals else None

    def to_json(self) -> dict[str, object]:
        """The row as the record's ``extras.sweep`` holds it."""
        return {
            "checkpoint": self.checkpoint, "target": self.target, "target_score": self.target_score,
            "guardrails": self.guardrails, "regressed": list(self.regressed), "verdict": self.verdict,
            "recommended": self.recommended,
        }


def sweep_rows(candidates: Sequence[Side], decision: Decision, comps: Mapping[tuple[str, Side], SuiteComparison],
               runs: Mapping[tuple[str, Side], SuiteRun], names: Mapping[Side, str]) -> list[SweepRow]:
    """One row per checkpoint: target primary metric(s), guardrail primary metrics, the decider's verdict."""
    verdicts = {v.side: v for v in decision.verdicts}
    rows = []
    for cand in candidates:
        mine = [c for (suite, side), c in sorted(comps.items(), key=lambda kv: kv[0][0]) if side == cand]

        def value(c: SuiteComparison) -> float | None:
            run = runs.get((c.suite, cand))
            mv = run.metrics.get(c.primary_metric) if run else None
            return mv.value if mv else None

        target = {c.suite: value(c) for c in mine if c.role == "target"}
        guards = {c.suite: {c.primary_metric: value(c)} for c in mine if c.role == "guardrail"}
        regressed = decision.regressed_guardrails(cand)
        rows.append(SweepRow(names[cand], target, guards, regressed, verdicts[cand].status if cand in verdicts else "-"))
    return rows


def _statuses(decision: Decision, suite: str, side: Side) -> Mapping[str, str]:
    d = decision.suite(suite, side)
    return d.metrics if d is not None else {}


def recommend(rows: list[SweepRow]) -> tuple[list[SweepRow], str]:
    """Highest target score among checkpoints with no significant guardrail regression.

    Ties go to the earlier checkpoint (less training, less drift). Returns the rows
    with ``recommended`` set and a sentence explaining the choice, which says so when
    the safest choice is still not READY.
    """
    def score(r: SweepRow) -> float:
        return r.target_score if r.target_score is not None else float("-inf")

    if not rows:
        return rows, "no checkpoints evaluated"
    safe = [r for r in rows if not r.regressed]
    if not safe:
        return rows, "no checkpoint is free of significant guardrail regressions; none recommended"
    best = max(safe, key=score)  # max keeps the first of equal scores
    top = max(rows, key=score)
    out = [replace(r, recommended=r is best) for r in rows]
    shown = "no target suite" if best.target_score is None else f"target score {score(best):.3f}"
    msg = f"recommended checkpoint: {best.checkpoint} ({shown})"
    if best.verdict != READY:
        msg += f" -- but it is {best.verdict} too, see its verdict"
    if top is not best and score(top) > score(best):
        msg += (f"; {top.checkpoint} has a higher target score ({score(top):.3f}) but regresses "
                f"{', '.join(top.regressed)}")
    return out, msg


def routing(candidate: Side, label: str, decision: Decision, comps: Sequence[SuiteComparison],
            workflows: Mapping[str, str | None], wording: Wording) -> dict[str, object]:
    """Per workflow: send it to the adapter only when every suite in it is ok and a target improved
    (``wording``: the decision's words, for the reasons written beside each route)."""
    out: dict[str, object] = {}
    by_wf: dict[str, list[SuiteComparison]] = {}
    for c in comps:
        wf = workflows.get(c.suite)
        if wf:
            by_wf.setdefault(wf, []).append(c)
    for wf, cs in sorted(by_wf.items()):
        ds = {c.suite: decision.suite(c.suite, candidate) for c in cs}
        ok = all(d is not None and d.ok and not d.notes for d in ds.values())  # inconclusive is not "held"
        improved = any(c.role == "target" and _statuses(decision, c.suite, candidate).get(c.primary_metric) == IMPROVED
                       for c in cs)
        route = "adapter" if ok and (improved or all(c.role == "guardrail" for c in cs)) else "base"
        reasons = "; ".join(f"{name}: {wording.suite_reason(d) if d else 'not judged'}"
                            for name, d in ds.items() if not (d and d.ok))
        reasons = "; ".join([reasons] * bool(reasons) + [n for d in ds.values() if d for n in wording.of(d.notes)])
        out[wf] = {
            "route": route,
            "adapter": label,
            "reason": "all suites held or improved" if route == "adapter" else reasons or "no target improvement",
            "evidence": {
                c.suite: {m: {"baseline": cm.baseline, "current": cm.current, "delta": cm.delta,
                              "p_value": cm.p_value, "status": st}
                          for m, cm in c.comparisons.items()
                          for st in [_statuses(decision, c.suite, candidate).get(m, "-")]
                          if m == c.primary_metric or st in FAILING_METRIC_STATUSES or st == TARGET_MISSED}
                for c in cs
            },
        }
    return out
