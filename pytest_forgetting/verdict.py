"""Per-item verdict messages: what a failing case or metric item prints.

A message shows the prompt, the output (shortened), what the scorer decided
and why, and ends with the command that fixes or accepts the situation.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .baseline import SuiteRecord, baseline_path
from .cases import Suite
from .results import Flip

if TYPE_CHECKING:
    from .session import ForgettingSession, SuiteState


def shorten(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _p(x: float | None) -> str:
    return "n/a" if x is None else (f"{x:.2g}" if x < 0.001 else f"{x:.3f}")


def _update_cmd(suite: Suite) -> str:
    return f"pytest {suite.path} --forgetting-update"


def no_reference_message(fs: "ForgettingSession", st: "SuiteState", suite: Suite) -> str:
    if st.baseline_error:
        return st.baseline_error
    return (
        f"no baseline for suite {suite.name!r} (looked in {baseline_path(suite.path)}).\n"
        f"  record one on the model you trust (usually the base model): {_update_cmd(suite)}\n"
        f"  or compare with the base model live: --adapter DIR --compare-base\n"
        f"  or judge each case on its own expectation: --forgetting-absolute"
    )


def reference_problem(fs: "ForgettingSession", st: "SuiteState", suite: Suite, comp: Any) -> str | None:
    """Why a suite cannot be compared at all (no reference, or a baseline needing re-approval)."""
    if comp is None or comp.reference_kind == "none":
        return no_reference_message(fs, st, suite)
    if comp.needs_approval:
        return (f"baseline for suite {suite.name!r} needs re-approval: " + "; ".join(comp.needs_approval)
                + f"\n  re-record after review: {_update_cmd(suite)}")
    return None


def case_block(label: str, prompt: str, output: str, decision: str, reason: str) -> list[str]:
    return [
        f"  {label}:",
        f"    prompt:   {shorten(prompt)}",
        f"    output:   {shorten(output)}",
        f"    decided:  {decision} -- {reason}",
    ]


def case_message(fs: "ForgettingSession", st: "SuiteState", suite: Suite, case_id: str, cand: str | None) -> str | None:
    run = fs.runs.get((suite.name, cand))
    if run is None or case_id not in run.outcomes:
        return None
    out = run.outcomes[case_id]
    side = cand or "base"
    if fs.settings.update:
        return None
    if fs.settings.absolute:
        if out.passed:
            return None
        return "\n".join([f"case {case_id!r} ({side}) failed its own expectation"]
                         + case_block("answer", run.prompts[case_id], run.outputs[case_id], out.decision, out.reason))
    comp = fs.comparisons.get((suite.name, side))
    blocked = reference_problem(fs, st, suite, comp)
    if blocked or comp is None:
        return blocked
    if case_id in comp.changed_cases:
        return (f"case {case_id!r} changed since its baseline was recorded, so it is not compared.\n"
                f"  re-approve it after review: pytest '{suite.path}::{suite.name}::{case_id}' --forgetting-update")
    if case_id in comp.new_cases:
        return (f"case {case_id!r} has no baseline entry yet.\n"
                f"  record it: pytest '{suite.path}::{suite.name}::{case_id}' --forgetting-update")
    ref = comp.reference_outcomes.get(case_id)
    if ref is None or not (ref.passed and not out.passed):
        return None
    if not (fs.settings.strict or comp.regressed or comp.target_missed):
        return None
    why = "the suite regressed significantly" if comp.regressed else (
        "--forgetting-strict" if fs.settings.strict else "the target did not improve")
    lines = [f"case {case_id!r} got worse on {side} than on the {comp.reference_label} (flip pass -> fail; failing because {why})"]
    lines += case_block(comp.reference_label, run.prompts[case_id], comp.reference_outputs.get(case_id, ""), ref.decision, ref.reason)
    lines += case_block(side, run.prompts[case_id], run.outputs[case_id], out.decision, out.reason)
    return "\n".join(lines)


def flip_lines(flips: list[Flip], prompts: dict[str, str], outputs: dict[str, str], limit: int = 5) -> list[str]:
    worse = [f for f in flips if f.worse]
    lines = []
    for f in worse[:limit]:
        lines.append(f"  - {f.case}: {f.before.decision} -> {f.after.decision}: {shorten(f.after.reason, 120)}")
        lines.append(f"      prompt: {shorten(prompts.get(f.case, ''), 100)}")
        lines.append(f"      output: {shorten(outputs.get(f.case, ''), 160)}")
    if len(worse) > limit:
        lines.append(f"  ... and {len(worse) - limit} more")
    return lines


def metric_message(fs: "ForgettingSession", st: "SuiteState", suite: Suite, metric: str, cand: str | None) -> str | None:
    side = cand or "base"
    run = fs.runs.get((suite.name, cand))
    if run is None or fs.settings.update or fs.settings.absolute:
        return None
    comp = fs.comparisons.get((suite.name, side))
    blocked = reference_problem(fs, st, suite, comp)
    if blocked or comp is None:
        return blocked
    c = comp.comparisons.get(metric)
    if c is None:
        return None
    target_fail = metric == comp.primary_metric and comp.must_improve and c.status != "improved"
    if c.status != "regressed" and not target_fail:
        return None
    head = (f"{metric} regressed on {side}" if c.status == "regressed"
            else f"target metric {metric} did not improve significantly on {side} over the base model")
    ci = "n/a" if c.ci_delta is None else f"[{c.ci_delta[0]:+.3f}, {c.ci_delta[1]:+.3f}]"
    lines = [
        f"{head} ({c.direction} is better)",
        f"  {comp.reference_label}: {_fmt(c.baseline)}   current: {_fmt(c.current)}   delta: "
        f"{'n/a' if c.delta is None else f'{c.delta:+.3f}'}   CI: {ci}",
        f"  paired test: {c.test} on {c.n_paired} cases, p={_p(c.p_value)} (alpha {c.alpha}), tolerance {c.tolerance}",
    ]
    fl = flip_lines(comp.flips, run.prompts, run.outputs)
    if fl:
        lines.append("  cases that got worse:")
        lines += fl
    lines.append(f"  if this change is approved, re-record: {_update_cmd(suite)} --forgetting-reason '...'")
    return "\n".join(lines)


def describe_update(suite: Suite, old: SuiteRecord | None, new: SuiteRecord) -> list[str]:
    """What --forgetting-update changed: metrics old -> new, flips, added and removed cases."""
    if old is None:
        return [f"{suite.name}: new baseline with {len(new.cases)} cases"]
    lines = [f"{suite.name}:"]
    for m in sorted(new.metrics):
        a = old.metrics.get(m, {}).get("value")
        b = new.metrics[m].get("value")
        if a != b:
            lines.append(f"  {m}: {_fmt(a)} -> {_fmt(b)}")
    added = sorted(set(new.cases) - set(old.cases))
    removed = sorted(set(old.cases) - set(new.cases))
    flipped = sorted(k for k in set(new.cases) & set(old.cases) if new.cases[k].outcome.passed != old.cases[k].outcome.passed)
    changed_out = sorted(k for k in set(new.cases) & set(old.cases) if new.cases[k].output != old.cases[k].output)
    if flipped:
        lines.append(f"  flipped: {', '.join(flipped[:10])}" + (" ..." if len(flipped) > 10 else ""))
    if added:
        lines.append(f"  added: {', '.join(added[:10])}" + (" ..." if len(added) > 10 else ""))
    if removed:
        lines.append(f"  removed: {', '.join(removed[:10])}" + (" ..." if len(removed) > 10 else ""))
    if changed_out and not flipped:
        lines.append(f"  {len(changed_out)} output(s) changed without changing pass/fail")
    if len(lines) == 1:
        lines[0] += " unchanged"
    return lines


