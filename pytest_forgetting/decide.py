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


# -- checkpoint sweep -------------------------------------------------------------------


@dataclass(frozen=True)
class SweepRow:
    checkpoint: str
    target: dict[str, float | None]
    guardrails: dict[str, dict[str, float | None]]
    regressed: tuple[str, ...]
    verdict: str
    recommended: bool = False

    @property
    def target_score(self) -> float | None:
        vals = [v for v in self.target.values() if v is not None]
        return sum(vals) / len(vals) if vals else None

    def to_json(self) -> dict[str, object]:
        return {
            "checkpoint": self.checkpoint, "target": self.target, "target_score": self.target_score,
            "guardrails": self.guardrails, "regressed": list(self.regressed), "verdict": self.verdict,
            "recommended": self.recommended,
        }


def sweep_rows(candidates: list[str], comps: dict[tuple[str, str], SuiteComparison],
               values: dict[tuple[str, str], dict[str, float | None]]) -> list[SweepRow]:
    """One row per checkpoint: target primary metric(s), guardrail primary metrics, verdict.

    ``values[(suite, side)]`` maps metric -> value for that side's run.
    """
    rows = []
    for cand in candidates:
        mine = [c for (suite, side), c in sorted(comps.items()) if side == cand]
        target = {c.suite: values.get((c.suite, cand), {}).get(c.primary_metric) for c in mine if c.role == "target"}
        guards = {c.suite: {c.primary_metric: values.get((c.suite, cand), {}).get(c.primary_metric)}
                  for c in mine if c.role == "guardrail"}
        regressed = tuple(f"{c.suite}.{m}" for c in mine if c.role == "guardrail" for m in c.regressed)
        v = verdict_for(cand, mine, is_adapter=True)
        rows.append(SweepRow(cand, target, guards, regressed, v.status))
    return rows


def recommend(rows: list[SweepRow]) -> tuple[list[SweepRow], str]:
    """Highest target score among checkpoints with no significant guardrail regression.

    Ties go to the earlier checkpoint (less training, less drift). Returns the rows
    with ``recommended`` set and a sentence explaining the choice, which says so when
    the safest choice is still NOT READY (its target did not improve).
    """
    def score(r: SweepRow) -> float:
        return r.target_score if r.target_score is not None else float("-inf")

    safe = [r for r in rows if not r.regressed]
    if not rows:
        return rows, "no checkpoints evaluated"
    if not safe:
        return rows, "no checkpoint is free of significant guardrail regressions; none recommended"
    best = max(safe, key=score)  # max keeps the first of equal scores
    top = max(rows, key=score)
    out = [SweepRow(r.checkpoint, r.target, r.guardrails, r.regressed, r.verdict, r is best) for r in rows]
    msg = f"recommended checkpoint: {best.checkpoint} (target score {score(best):.3f})"
    if best.verdict != "READY":
        msg += " -- but its target did not improve significantly, so it is not READY either"
    if top is not best and score(top) > score(best):
        msg += (f"; {top.checkpoint} has a higher target score ({score(top):.3f}) but regresses "
                f"{', '.join(top.regressed)}")
    return out, msg


def sweep_table(rows: list[SweepRow]) -> list[str]:
    from .report.table import format_table

    gcols = sorted({f"{s}.{m}" for r in rows for s, ms in r.guardrails.items() for m in ms})
    header = ("checkpoint", "target", *gcols, "verdict", "")
    body = []
    for r in rows:
        g = {f"{s}.{m}": v for s, ms in r.guardrails.items() for m, v in ms.items()}
        cells = [r.checkpoint, "-" if r.target_score is None else f"{r.target_score:.3f}"]
        for col in gcols:
            v = g.get(col)
            mark = "!" if col in r.regressed else ""
            cells.append("-" if v is None else f"{v:.3f}{mark}")
        body.append((*cells, r.verdict, "<- recommended" if r.recommended else ""))
    return format_table(body, header)


# -- routing and anchors ------------------------------------------------------------------


def routing(candidate: str, comps: list[SuiteComparison], workflows: dict[str, str | None]) -> dict[str, object]:
    """Per workflow: send it to the adapter only when nothing in it regressed and its targets improved."""
    out: dict[str, object] = {}
    by_wf: dict[str, list[SuiteComparison]] = {}
    for c in comps:
        wf = workflows.get(c.suite)
        if wf:
            by_wf.setdefault(wf, []).append(c)
    for wf, cs in sorted(by_wf.items()):
        ok = all(c.ok for c in cs)
        improved = any(c.role == "target" and not c.target_missed for c in cs)
        route = "adapter" if ok and (improved or all(c.role == "guardrail" for c in cs)) else "base"
        out[wf] = {
            "route": route,
            "adapter": candidate,
            "reason": "all suites held or improved" if route == "adapter" else "; ".join(
                f"{c.suite}: {c.reason()}" for c in cs if not c.ok) or "no target improvement",
            "evidence": {
                c.suite: {m: {"baseline": cm.baseline, "current": cm.current, "delta": cm.delta,
                              "p_value": cm.p_value, "status": cm.status}
                          for m, cm in c.comparisons.items() if m == c.primary_metric or cm.status != "unchanged"}
                for c in cs
            },
        }
    return out


def anchor_examples(comps: list[SuiteComparison], prompts: dict[tuple[str, str], list[tuple[str, str]]],
                    ) -> tuple[list[dict[str, object]], dict[str, int]]:
    """Chat-format training rows from guardrail cases that regressed, answered as the base model did.

    Only flips (reference passed, candidate failed) are exported, so a base answer that
    itself failed the case is never used. ``prompts[(suite, case)]`` is the case's messages.
    """
    rows: list[dict[str, object]] = []
    counts: dict[str, int] = {}
    for c in comps:
        if c.role != "guardrail":
            continue
        for f in c.flips:
            if not f.worse or not f.before.passed:
                continue
            answer = c.reference_outputs.get(f.case)
            msgs = prompts.get((c.suite, f.case))
            if not answer or msgs is None:
                continue
            rows.append({"messages": [{"role": r, "content": t} for r, t in msgs] + [{"role": "assistant", "content": answer}],
                         "suite": c.suite, "case": f.case})
            counts[c.suite] = counts.get(c.suite, 0) + 1
    return rows, counts
