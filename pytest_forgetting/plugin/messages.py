"""The text of a failing item: what :mod:`.decide` attaches to each item it fails.

Formatting only: every function here is handed a decision already made. A
message shows the prompt, the output (shortened), what the scorer decided and
why, and ends with the command that fixes or accepts the situation.
"""
from __future__ import annotations

from typing import Sequence

from ..records.baseline import SuiteRecord, baseline_path
from ..suite.cases import Suite
from ..records.results import Flip, SuiteComparison, SuiteRun
from ..stats.comparison import Comparison
from ..text import clean, shorten


def fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def p_text(x: float | None) -> str:
    return "n/a" if x is None else (f"{x:.2g}" if x < 0.001 else f"{x:.3f}")


def update_cmd(suite: Suite) -> str:
    return f"pytest {suite.path} --forgetting-update"


def suite_error(suite: Suite, side: str, error: str) -> str:
    return (f"suite {suite.name!r} could not be judged on {side}: {error}\n"
            f"  nothing of this suite is compared or recorded; fix the cause and run again")


def no_baseline(suite: Suite) -> str:
    return (
        f"no baseline for suite {suite.name!r} (looked in {baseline_path(suite.path)}).\n"
        f"  record one on the model you trust (usually the base model, so without --adapter): {update_cmd(suite)}\n"
        f"  or compare with the base model live: --adapter=DIR --forgetting-compare-base\n"
        f"  or judge each case on its own expectation: --forgetting-absolute"
    )


def needs_reapproval(suite: Suite, why: Sequence[str]) -> str:
    return (f"baseline for suite {suite.name!r} needs re-approval: " + "; ".join(why)
            + f"\n  re-record after review: {update_cmd(suite)}")


def changed_case(suite: Suite, case_id: str) -> str:
    return (f"case {case_id!r} changed since its baseline was recorded, so it is not compared: it needs approval.\n"
            f"  re-approve it after review: pytest '{suite.path}::{suite.name}::{case_id}' --forgetting-update")


def new_case(suite: Suite, case_id: str) -> str:
    return (f"case {case_id!r} has no baseline entry yet: it needs approval.\n"
            f"  record it: pytest '{suite.path}::{suite.name}::{case_id}' --forgetting-update")


def no_target(label: str, why: str) -> str:
    return (f"{label}: NOT READY -- {why}.\n"
            "  fix: select a target suite too (a suite with role: target), or judge the guardrails of the "
            "base model alone (without --adapter)")


def case_block(label: str, prompt: str, output: str, decision: str, reason: str) -> list[str]:
    shown = shorten(output) if output.strip() else "(empty output)"
    return [
        f"  {label}:",
        f"    prompt:   {shorten(prompt)}",
        f"    output:   {shown}",
        f"    decided:  {clean(decision)} -- {shorten(reason, 400)}",
    ]


def absolute_case(case_id: str, side: str, run: SuiteRun) -> str:
    out = run.outcomes[case_id]
    return "\n".join([f"case {case_id!r} ({side}) failed its own expectation"]
                     + case_block("answer", run.prompts[case_id], run.outputs[case_id], out.decision, out.reason))


def flipped_case(suite: Suite, side: str, comp: SuiteComparison, flip: Flip, run: SuiteRun, why: str) -> str:
    cid = flip.case
    lines = [f"case {cid!r} got worse on {side} than on the {comp.reference_label} "
             f"(flip pass -> fail; failing because {why})"]
    lines += case_block(comp.reference_label, run.prompts.get(cid, ""), comp.reference_outputs.get(cid, ""),
                        flip.before.decision, flip.before.reason)
    lines += case_block(side, run.prompts.get(cid, ""), run.outputs.get(cid, ""), flip.after.decision, flip.after.reason)
    return "\n".join(lines)


def target_missed_reason(metric: str, c: Comparison) -> str:
    if c.current is None or c.baseline is None:
        return f"target {metric} has no data"
    return (f"target {metric} did not improve significantly "
            f"({c.baseline:.3f} -> {c.current:.3f}, p={p_text(c.p_value)})")


def flip_lines(flips: Sequence[Flip], prompts: dict[str, str], outputs: dict[str, str], limit: int = 5) -> list[str]:
    worse = [f for f in flips if f.worse]
    lines = []
    for f in worse[:limit]:
        lines.append(f"  - {f.case}: {clean(f.before.decision)} -> {clean(f.after.decision)}: {shorten(f.after.reason, 120)}")
        lines.append(f"      prompt: {shorten(prompts.get(f.case, ''), 100)}")
        lines.append(f"      output: {shorten(outputs.get(f.case, ''), 160) or '(empty output)'}")
    if len(worse) > limit:
        lines.append(f"  ... and {len(worse) - limit} more")
    return lines


def inconclusive_note(suite: str, metric: str, c: Comparison, unseen: float | None) -> str:
    """One line per inconclusive metric: what moved, the p, and what would settle it.

    ``unseen``: the declared drop the suite cannot detect (the decider's
    power rule), or None. The hint names the drop each number refers to: the
    cases needed for the observed worse change, and for ``unseen``. It never
    suggests fewer cases than the suite has: a count the suite already meets
    is said as such.
    ``support_tone: inconclusive, question_rate 0.273 -> 0.153 on 20 case(s) (p=0.030, one-sided); ...``
    """
    from ..stats.comparison import cases_needed

    n = c.n_paired
    word = {"higher": "drop", "lower": "rise"}.get(c.direction, "move")
    hints = []
    # the observed change, when it is what made the metric inconclusive (worse beyond tolerance)
    if c.delta is not None and c.delta == c.delta and abs(c.delta) > c.tolerance and _worse(c.direction, c.delta):
        size = abs(c.delta)
        need = cases_needed(c, size)
        if need is None:
            hints.append(f"no number of cases would detect the observed {word} of {size:.2g} from here")
        elif need > n:
            hints.append(f"about {need} cases would detect the observed {word} of {size:.2g}")
        else:
            hints.append(f"these {n} cases detect a {word} of {size:.2g} 4 times in 5; this one was not "
                         "significant: run again or add cases")
    if unseen is not None:
        need = cases_needed(c, unseen)
        mdc = c.min_detectable_change
        seen = "none at this size" if mdc is None or mdc != mdc or mdc == float("inf") else f"{mdc:.2g}"
        head = f"{n} case(s) cannot detect a {unseen:.2g} {word} (the declared one; smallest detectable: {seen})"
        # "about": the exact McNemar power is saw-toothed in n; the suite is short, so never fewer than it has
        hints.append(head + (f": about {max(need, n + 1)} cases would" if need is not None
                             else ": no number of cases would from here"))
    sided = ", one-sided" if c.sides == 1 else ""
    return (f"{suite}: inconclusive, {metric} {fmt(c.baseline)} -> {fmt(c.current)} on {n} case(s) "
            f"(p={p_text(c.p_value)}{sided})" + "".join(f"; {h}" for h in hints))


def _worse(direction: str, delta: float) -> bool:
    return direction == "flat" or (delta < 0 if direction == "higher" else delta > 0)


def metric_failure(suite: Suite, side: str, comp: SuiteComparison, metric: str, status: str, run: SuiteRun,
                   p_adjusted: float | None = None, flips_in: str | None = None) -> str:
    """``flips_in``: the metric whose message already lists the cases that got worse (one list per
    suite, not one per failing metric)."""
    c = comp.comparisons[metric]
    head = {"regressed": f"{metric} regressed on {side}",
            "inconclusive": f"{metric} is inconclusive on {side}: beyond what this suite can settle"}.get(
        status, f"target metric {metric} did not improve significantly on {side} over the base model")
    ci = "n/a" if c.ci_delta is None else f"[{c.ci_delta[0]:+.3f}, {c.ci_delta[1]:+.3f}]"
    lines = [
        f"{head} ({c.direction} is better)",
        f"  {comp.reference_label}: {fmt(c.baseline)}   current: {fmt(c.current)}   delta: "
        f"{'n/a' if c.delta is None else f'{c.delta:+.3f}'}   CI: {ci}",
        f"  paired test: {c.test}{' (one-sided)' if c.sides == 1 else ''} on {c.n_paired} cases, p={p_text(c.p_value)}"
        + (f" (Holm-adjusted {p_text(p_adjusted)})" if p_adjusted is not None and p_adjusted != c.p_value else "")
        + f" (alpha {c.alpha}), tolerance {c.tolerance}, min detectable change {fmt(c.min_detectable_change)}",
    ]
    fl = flip_lines(comp.flips, run.prompts, run.outputs)
    if fl and flips_in is not None and flips_in != metric:
        lines.append(f"  cases that got worse: listed under {flips_in}")
    elif fl:
        lines.append("  cases that got worse:")
        lines += fl
    if comp.reference_kind == "live-base":
        lines.append("  if this change is acceptable, nothing to re-record: the reference is the live base model")
    else:
        lines.append(f"  if this change is approved, re-record on the model you trust (without --adapter): "
                     f"{update_cmd(suite)} --forgetting-reason '...'")
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
            lines.append(f"  {m}: {fmt(a)} -> {fmt(b)}")
    added = sorted(set(new.cases) - set(old.cases))
    removed = sorted(set(old.cases) - set(new.cases))
    both = sorted(set(new.cases) & set(old.cases))
    flipped = [k for k in both if new.cases[k].outcome.passed != old.cases[k].outcome.passed]
    changed_out = [k for k in both if new.cases[k].output != old.cases[k].output]
    for word, ids in (("flipped", flipped), ("added", added), ("removed", removed)):
        if ids:
            lines.append(f"  {word}: {', '.join(ids[:10])}" + (" ..." if len(ids) > 10 else ""))
    if changed_out and not flipped:
        lines.append(f"  {len(changed_out)} output(s) changed without changing pass/fail")
    if len(lines) == 1:
        lines[0] += " unchanged"
    return lines
