"""The words of a decision: each reason's short form, each verdict's lines, each failing item's message.

Formatting only: :func:`word` is handed a :class:`~pytest_forgetting.decide.reasons.Decision`
already made (its reasons are data) and renders it; nothing here computes a
status. A failing item's message shows the prompt, the output (shortened),
what the scorer decided and why, and ends with the command that fixes or
accepts the situation.
"""
from __future__ import annotations

from typing import Collection, Mapping, Sequence

from ..decide import reasons as R
from ..decide.reasons import Decision, ItemKey, Reason, SuiteEvidence, Verdict, Wording
from ..records.baseline import SuiteRecord, baseline_path
from ..suite.cases import Suite
from ..records.results import Flip, SuiteComparison, SuiteRun
from ..text import clean, shorten


def fmt(x: float | None) -> str:
    """A value with 3 decimals, ``n/a`` for none."""
    return "n/a" if x is None else f"{x:.3f}"


def p_text(x: float | None) -> str:
    """A p-value: 3 decimals, 2 significant digits below 0.001."""
    return "n/a" if x is None else (f"{x:.2g}" if x < 0.001 else f"{x:.3f}")


def update_cmd(suite: Suite) -> str:
    """The command that records a suite's baseline."""
    return f"pytest {suite.path} --forgetting-update"


def suite_error(suite: Suite, side: str, error: str) -> str:
    """A suite that could not be judged."""
    return (f"suite {suite.name!r} could not be judged on {side}: {error}\n"
            f"  nothing of this suite is compared or recorded; fix the cause and run again")


def no_baseline(suite: Suite) -> str:
    """A suite without a baseline, and the three ways on."""
    return (
        f"no baseline for suite {suite.name!r} (looked in {baseline_path(suite.path)}).\n"
        f"  record one on the model you trust (usually the base model, so without --adapter): {update_cmd(suite)}\n"
        f"  or compare with the base model live: --adapter=DIR --forgetting-compare-base\n"
        f"  or judge each case on its own expectation: --forgetting-absolute"
    )


def needs_reapproval(suite: Suite, why: Sequence[str]) -> str:
    """A baseline recorded under other settings."""
    return (f"baseline for suite {suite.name!r} needs re-approval: " + "; ".join(why)
            + f"\n  re-record after review: {update_cmd(suite)}")


def changed_case(suite: Suite, case_id: str) -> str:
    """A case edited since its baseline."""
    return (f"case {case_id!r} changed since its baseline was recorded, so it is not compared: it needs approval.\n"
            f"  re-approve it after review: pytest '{suite.path}::{suite.name}::{case_id}' --forgetting-update")


def new_case(suite: Suite, case_id: str) -> str:
    """A case with no baseline entry."""
    return (f"case {case_id!r} has no baseline entry yet: it needs approval.\n"
            f"  record it: pytest '{suite.path}::{suite.name}::{case_id}' --forgetting-update")


def no_target(label: str, why: str) -> str:
    """A fine-tune judged against the base with no target suite."""
    return (f"{label}: {R.NOT_READY} -- {why}.\n"
            "  fix: select a target suite too (a suite with role: target), or judge the guardrails of the "
            "base model alone (without --adapter)")


def case_block(label: str, prompt: str, output: str, decision: str, reason: str) -> list[str]:
    """Prompt, output and what the scorer decided, for one side of a case."""
    shown = shorten(output) if output.strip() else "(empty output)"
    return [
        f"  {label}:",
        f"    prompt:   {shorten(prompt)}",
        f"    output:   {shown}",
        f"    decided:  {clean(decision)} -- {shorten(reason, 400)}",
    ]


def absolute_case(case_id: str, side: str, run: SuiteRun) -> str:
    """A case that failed its own expectation (``--forgetting-absolute``)."""
    out = run.outcomes[case_id]
    return "\n".join([f"case {case_id!r} ({side}) failed its own expectation"]
                     + case_block("answer", run.prompts[case_id], run.outputs[case_id], out.decision, out.reason))


def flipped_case(suite: Suite, side: str, comp: SuiteComparison, flip: Flip, run: SuiteRun, why: str) -> str:
    """A case that flipped pass -> fail, both answers shown."""
    cid = flip.case
    lines = [f"case {cid!r} got worse on {side} than on the {comp.reference_label} "
             f"(flip pass -> fail; failing because {why})"]
    lines += case_block(comp.reference_label, run.prompts.get(cid, ""), comp.reference_outputs.get(cid, ""),
                        flip.before.decision, flip.before.reason)
    lines += case_block(side, run.prompts.get(cid, ""), run.outputs.get(cid, ""), flip.after.decision, flip.after.reason)
    return "\n".join(lines)


def target_missed_reason(r: Reason) -> str:
    """``target m did not improve significantly (0.100 -> 0.120, p=0.400)``."""
    if r.current is None or r.baseline is None:
        return f"target {r.metric} has no data"
    return (f"target {r.metric} did not improve significantly "
            f"({r.baseline:.3f} -> {r.current:.3f}, p={p_text(r.p)})")


def flip_lines(flips: Sequence[Flip], worse_cases: Collection[str], prompts: dict[str, str], outputs: dict[str, str],
               limit: int = 5) -> list[str]:
    """The cases that got worse (``worse_cases``, as decided), with prompt and output."""
    worse = [f for f in flips if f.case in worse_cases]
    lines = []
    for f in worse[:limit]:
        lines.append(f"  - {f.case}: {clean(f.before.decision)} -> {clean(f.after.decision)}: {shorten(f.after.reason, 120)}")
        lines.append(f"      prompt: {shorten(prompts.get(f.case, ''), 100)}")
        lines.append(f"      output: {shorten(outputs.get(f.case, ''), 160) or '(empty output)'}")
    if len(worse) > limit:
        lines.append(f"  ... and {len(worse) - limit} more")
    return lines


def inconclusive_note(r: Reason) -> str:
    """One line per inconclusive metric: what moved, the p, and what would settle it.

    The hint names the drop each number refers to: the cases needed for the
    observed worse change (``r.size``), and for the declared drop the suite
    cannot detect (``r.unseen``). It never suggests fewer cases than the suite
    has: a count the suite already meets is said as such.
    ``support_tone: inconclusive, question_rate 0.273 -> 0.153 on 20 case(s) (p=0.030, one-sided); ...``
    """
    n = r.n or 0
    word = {"higher": "drop", "lower": "rise"}.get(r.direction or "", "move")
    hints = []
    if r.size is not None:
        if r.cases is None:
            hints.append(f"no number of cases would detect the observed {word} of {r.size:.2g} from here")
        elif r.cases > n:
            hints.append(f"about {r.cases} cases would detect the observed {word} of {r.size:.2g}")
        else:
            hints.append(f"these {n} cases detect a {word} of {r.size:.2g} 4 times in 5; this one was not "
                         "significant: run again or add cases")
    if r.unseen is not None:
        mdc = r.mdc
        seen = "none at this size" if mdc is None or mdc != mdc or mdc == float("inf") else f"{mdc:.2g}"
        head = f"{n} case(s) cannot detect a {r.unseen:.2g} {word} (the declared one; smallest detectable: {seen})"
        # "about": the exact McNemar power is saw-toothed in n; the suite is short, so never fewer than it has
        hints.append(head + (f": about {max(r.unseen_cases, n + 1)} cases would" if r.unseen_cases is not None
                             else ": no number of cases would from here"))
    sided = ", one-sided" if r.sides == 1 else ""
    # a secondary metric significant alone but not after the Holm adjustment says both numbers
    adjusted = (f"; Holm-adjusted p={p_text(r.p_adjusted)}"
                if r.p_adjusted is not None and r.p is not None and r.p_adjusted != r.p else "")
    return (f"{r.suite}: {R.INCONCLUSIVE}, {r.metric} {fmt(r.baseline)} -> {fmt(r.current)} on {n} case(s) "
            f"(p={p_text(r.p)}{sided}{adjusted})" + "".join(f"; {h}" for h in hints))


def metric_failure(suite: Suite, side: str, comp: SuiteComparison, metric: str, status: str, run: SuiteRun,
                   p_adjusted: float | None = None, flips_in: str | None = None,
                   worse_cases: Collection[str] = ()) -> str:
    """``flips_in``: the metric whose message already lists the cases that got worse (one list per
    suite, not one per failing metric)."""
    c = comp.comparisons[metric]
    head = {R.REGRESSED: f"{metric} {R.REGRESSED} on {side}",
            R.INCONCLUSIVE: f"{metric} is {R.INCONCLUSIVE} on {side}: beyond what this suite can settle"}.get(
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
    fl = flip_lines(comp.flips, worse_cases, run.prompts, run.outputs)
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


# -- a decision in words --------------------------------------------------------------------
_BECAUSE = {R.REGRESSED: "the suite regressed significantly", R.TARGET_MISSED: "the target did not improve",
            R.STRICT: "--forgetting-strict"}
_FIXED = {
    R.NO_RESULTS: "no results",
    R.NO_TARGET: R.NO_TARGET_TEXT,
    R.NO_BASELINE_HINT: "record one with --forgetting-update or pass --forgetting-compare-base",
}


def _few(ids: Sequence[str], n: int = 5) -> str:
    return ", ".join(ids[:n]) + (" ..." if len(ids) > n else "")


def short(r: Reason) -> str:
    """A reason as one clause: a suite's reason, an inconclusive note or an info line."""
    k = r.kind
    if k in _FIXED:
        return _FIXED[k]
    if k == R.SUITE_ERROR:
        return f"error: {r.detail}"
    if k == R.CASES_FAILED:
        return f"{r.count} of {r.total} case(s) failed their own expectation"
    if k == R.MISSING_BASELINE:
        return R.NO_BASELINE if r.detail is None else "baseline unreadable"
    if k == R.REAPPROVAL:
        return "needs re-approval: " + "; ".join(r.ids)
    if k == R.REGRESSED:
        return f"{r.metric} {R.REGRESSED} {r.baseline:.3f} -> {r.current:.3f} (p={p_text(r.p_adjusted)})"
    if k == R.TARGET_MISSED:
        return target_missed_reason(r)
    if k == R.INCONCLUSIVE:
        return inconclusive_note(r).split(": ", 1)[1] + " (--forgetting-strict)" if r.strict else inconclusive_note(r)
    if k == R.STRICT_FLIPS:
        return f"{r.count} case(s) flipped to fail (--forgetting-strict)"
    if k == R.NEW_CASES:
        return f"needs approval: {len(r.ids)} new case(s) without a baseline entry ({_few(r.ids)})"
    if k == R.CHANGED_CASES:
        return f"needs approval: {len(r.ids)} case(s) changed since the baseline ({_few(r.ids)})"
    if k == R.EMPTY_ANSWERS:
        return (f"{r.suite}: {r.metric} {fmt(r.baseline)} -> {fmt(r.current)} (informational: empty answers are "
                "not counted as refusals; the helpfulness and tone suites judge them)")
    if k == R.COLLAPSED_REFERENCE:
        return f"{r.suite}: warning: {r.detail}"
    if k == R.RUN_ERROR:
        return str(r.detail).splitlines()[0]
    return str(r.detail)  # FINISH_ERROR and anything carrying its own words


def verdict_lines(v: Verdict, decision: Decision) -> tuple[str, ...]:
    """A verdict's reasons: run-level ones alone, a suite's joined as ``suite (role): a; b``."""
    out: list[str] = []
    group: list[Reason] = []

    def flush() -> None:
        if group:
            d = decision.suite(str(group[0].suite), v.side)
            out.append(f"{group[0].suite} ({d.role if d else '?'}): " + "; ".join(short(r) for r in group))
            group.clear()

    for r in v.reasons:
        if r.suite is None or (group and group[0].suite != r.suite):
            flush()
        if r.suite is None:
            out.append(short(r))
        else:
            group.append(r)
    flush()
    return tuple(out)


def failure(r: Reason, decision: Decision, evidence: Mapping[str, SuiteEvidence]) -> str:
    """The message of one reason an item fails."""
    k = r.kind
    label = decision.labels.get(r.side, str(r.side))
    if k == R.RUN_ERROR:
        return str(r.detail)
    if k == R.NO_TARGET:
        return no_target(label, R.NO_TARGET_TEXT)
    ev = evidence[str(r.suite)]
    s = ev.suite
    if k == R.SUITE_ERROR:
        return suite_error(s, label, str(r.detail))
    if k == R.NO_RESULTS:
        return suite_error(s, label, "no results for this side")
    if k == R.MISSING_BASELINE:
        return r.detail or no_baseline(s)
    if k == R.REAPPROVAL:
        return needs_reapproval(s, r.ids)
    if k == R.CHANGED_CASE:
        return changed_case(s, str(r.case))
    if k == R.NEW_CASE:
        return new_case(s, str(r.case))
    run = ev.runs[r.side]
    if k == R.CASE_FAILED:
        return absolute_case(str(r.case), label, run)
    comp = ev.comparisons[r.side]
    d = decision.suite(s.name, r.side)
    worse = d.worse_cases if d else frozenset()
    if k == R.FLIPPED:
        flip = next(f for f in comp.flips if f.case == r.case)
        return flipped_case(s, label, comp, flip, run, _BECAUSE[str(r.because)])
    text = metric_failure(s, label, comp, str(r.metric), k, run, r.p_adjusted, flips_in=r.flips_in, worse_cases=worse)
    if k == R.INCONCLUSIVE:
        text += "\n  " + inconclusive_note(r) + "\n  failing because --forgetting-strict makes inconclusive fail"
    return text


def word(decision: Decision, evidence: Sequence[SuiteEvidence]) -> Wording:
    """Render a decision: every reason's short form, every verdict's lines, every failing item's message."""
    by_name = {ev.suite.name: ev for ev in evidence}
    reasons = [r for d in decision.suites.values() for r in (*d.reasons, *d.notes, *d.info)]
    reasons += [r for v in decision.verdicts for r in (*v.reasons, *v.notes, *v.info)]
    failures: dict[ItemKey, str] = {k: "\n\n".join(failure(r, decision, by_name) for r in rs)
                                    for k, rs in decision.failures.items() if rs}
    return Wording({r: short(r) for r in reasons}, {v.side: verdict_lines(v, decision) for v in decision.verdicts},
                   failures)
