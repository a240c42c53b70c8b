"""Anchor export: chat rows to mix into the next fine-tune, from the guardrail cases an adapter broke.

A stop after :mod:`.decide`: a suite counts as regressed only when the decider
gave one of its metrics the status ``regressed``; nothing here re-judges. Rows
are written so they can be trained on as they are (TRL's conversational
format, ``{"messages": [...]}`` plus metadata columns):

* label suites answer with the case's gold label (the base model got it right,
  or the case would not have flipped), never a score dump;
* generation suites answer with the reference's own answer, and only when that
  answer passed the case;
* an answer that may have stopped at its token budget (or leaves a code fence
  open) is asked again on the base side with four times the budget, in one
  batched call; one that is still cut off, or that now fails the case, is
  skipped and counted;
* one row per case, listing every adapter that flipped it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from ..suite.cases import Case, Suite
from ..decide.reasons import Decision
from .execute import effective_case
from ..model.protocol import Backend
from ..suite.requests import GenerateRequest, GenerationSettings
from ..records.results import Side, SuiteComparison
from ..scoring import family as get_family
from ..text import was_cut

REGENERATE_FACTOR = 4
"""A possibly cut-off reference answer is asked again with this many times its token budget."""
LABEL_FAMILIES = frozenset({"label_collapse"})
FENCE = "```"

TokenCounter = Callable[[str], int]


@dataclass
class AnchorCounts:
    """What the export did; goes into the record's extras and the terminal line."""

    rows: int = 0
    regenerated: int = 0
    skipped_truncated: int = 0
    skipped_failing_reference: int = 0
    skipped_empty: int = 0
    duplicates_merged: int = 0
    per_suite: dict[str, int] = field(default_factory=dict)
    regeneration_error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The counts as the record's extras store them."""
        out: dict[str, Any] = {k: getattr(self, k) for k in (
            "rows", "regenerated", "skipped_truncated", "skipped_failing_reference", "skipped_empty",
            "duplicates_merged")}
        if self.regeneration_error:
            out["regeneration_error"] = self.regeneration_error
        return out

    def message(self, path: str) -> str:
        """One line saying what was written and what was skipped, and why."""
        skipped = [f"{n} {what}" for n, what in ((self.skipped_truncated, "possibly cut off at the token budget"),
                                                 (self.skipped_failing_reference, "reference answer failing the case"),
                                                 (self.skipped_empty, "empty reference answer")) if n]
        parts = [f"{self.rows} example(s) written to {path}"]
        if self.regenerated:
            parts.append(f"{self.regenerated} regenerated with {REGENERATE_FACTOR}x the token budget")
        if skipped:
            parts.append("skipped: " + ", ".join(skipped))
        if self.duplicates_merged:
            parts.append(f"{self.duplicates_merged} repeat flip(s) by other adapters merged into their case's row")
        if self.regeneration_error:
            parts.append(f"regeneration failed: {self.regeneration_error}")
        return "; ".join(parts)


@dataclass
class _Pending:
    suite: Suite
    case: Case
    comp: SuiteComparison
    flipped_by: list[str]


def regressed(decision: Decision, comp: SuiteComparison) -> bool:
    """A guardrail suite the decider marked regressed for this candidate (inconclusive is not)."""
    d = decision.suite(comp.suite, comp.candidate)
    return d is not None and d.role == "guardrail" and bool(d.regressed)


def token_counter(backend: Backend | None) -> TokenCounter | None:
    """``count_tokens`` if the backend has one, else its tokenizer's count; ``None`` when neither."""
    if backend is None:
        return None
    count = getattr(backend, "count_tokens", None)
    if callable(count):
        return lambda text: int(count(text))
    try:
        tok = getattr(backend, "tokenizer", None)
    except Exception:  # a tokenizer that cannot load only costs the count
        return None
    if tok is None or not callable(tok):
        return None
    return lambda text: len(tok(text, add_special_tokens=False)["input_ids"])


def cut_off(text: str, budget: int, count: TokenCounter | None) -> bool | None:
    """Whether an answer may have stopped at its budget: an open code fence, or (re-tokenized, which can
    merge a few tokens) within a quarter of the budget. ``None``: no way to count tokens here."""
    if text.count(FENCE) % 2:
        return True
    if count is None:
        return None
    return count(text) >= budget - budget // 4


def collect(decision: Decision, comps: Sequence[SuiteComparison], suites: Mapping[str, Suite],
            labels: Mapping[Side, str], counts: AnchorCounts) -> list[_Pending]:
    """One entry per (suite, case) that flipped to failing in a regressed suite, in suite and case order."""
    found: dict[tuple[str, str], _Pending] = {}
    for comp in comps:
        if comp.reference_kind == "none" or not regressed(decision, comp) or comp.suite not in suites:
            continue
        suite = suites[comp.suite]
        d = decision.suite(comp.suite, comp.candidate)
        worse = d.worse_cases if d is not None else frozenset()
        for f in comp.flips:
            if f.case not in worse:
                continue
            key = (comp.suite, f.case)
            who = labels.get(comp.candidate, str(comp.candidate))
            if key in found:
                counts.duplicates_merged += 1
                if who not in found[key].flipped_by:
                    found[key].flipped_by.append(who)
                continue
            found[key] = _Pending(suite, suite.case(f.case), comp, [who])
    order = {name: i for i, name in enumerate(suites)}
    return sorted(found.values(), key=lambda p: (order[p.suite.name], p.suite.cases.index(p.case)))


def can_regenerate(comp: SuiteComparison) -> bool:
    """The reference answered without an adapter (live, or a baseline recorded on the base model) and the
    candidate is an adapter, so the base side here can answer again. A baseline recorded by an older copy
    of the base model still qualifies: the regenerated answer must pass the case, and it is the model the
    next fine-tune starts from. A base model judged on its own (no adapter) is the candidate: never asked."""
    return comp.candidate is not None and (comp.reference_kind == "live-base" or comp.reference_is_base)


def export_anchors(decision: Decision, comps: Sequence[SuiteComparison], suites: Mapping[str, Suite],
                   labels: Mapping[Side, str], backend: Backend | None, default_tokens: int,
                   ) -> tuple[list[dict[str, Any]], AnchorCounts]:
    """The rows and the counts."""
    counts = AnchorCounts()
    pending = collect(decision, comps, suites, labels, counts)
    count = token_counter(backend) if any(p.suite.family not in LABEL_FAMILIES for p in pending) else None
    answers: dict[int, tuple[str, str]] = {}  # index in pending -> (answer, source)
    retry: list[int] = []
    for i, p in enumerate(pending):
        if p.suite.family in LABEL_FAMILIES:
            answers[i] = (str(p.case.expect["label"]), "gold label")
            continue
        ref = p.comp.reference_outcomes.get(p.case.id)
        text = p.comp.reference_outputs.get(p.case.id, "")
        if ref is None or not ref.passed:
            counts.skipped_failing_reference += 1
        elif not text.strip():
            counts.skipped_empty += 1
        elif not was_cut(text) and cut_off(text, effective_case(p.case, default_tokens).settings.max_new_tokens,
                                           count) is False:
            answers[i] = (text, "reference answer")
        elif backend is not None and can_regenerate(p.comp):
            retry.append(i)
        else:
            counts.skipped_truncated += 1
    _regenerate(pending, retry, answers, backend, count, default_tokens, counts)
    rows = []
    for i, p in enumerate(pending):
        if i not in answers:
            continue
        answer, source = answers[i]
        rows.append({"messages": _messages(p.case) + [{"role": "assistant", "content": answer}],
                     "suite": p.suite.name, "case": p.case.id, "family": p.suite.family,
                     "answer_source": source, "flipped_by": list(p.flipped_by)})
        counts.per_suite[p.suite.name] = counts.per_suite.get(p.suite.name, 0) + 1
    counts.rows = len(rows)
    return rows, counts


def _regenerate(pending: Sequence[_Pending], retry: Sequence[int], answers: dict[int, tuple[str, str]],
                backend: Backend | None, count: TokenCounter | None, default_tokens: int, counts: AnchorCounts) -> None:
    """Ask the base side again, all at once, with a larger budget; keep what is complete and still passes."""
    if not retry or backend is None:
        return
    cases = [effective_case(pending[i].case, default_tokens) for i in retry]
    budgets = [c.settings.max_new_tokens * REGENERATE_FACTOR for c in cases]
    reqs = [GenerateRequest(c.prompt, GenerationSettings(b, c.settings.stop), None) for c, b in zip(cases, budgets)]
    try:
        texts = backend.generate(reqs)
    except Exception as exc:  # advice must not turn a decided run into a crash; said in the counts
        counts.regeneration_error = f"{type(exc).__name__}: {exc}"
        counts.skipped_truncated += len(retry)
        return
    for i, case, budget, text in zip(retry, cases, budgets, texts):
        p = pending[i]
        before = p.comp.reference_outputs.get(p.case.id, "")
        cut = cut_off(text, budget, count)
        if cut is None:  # no token count: an answer unchanged under 4x the budget was complete
            cut = text != before
        if cut:
            counts.skipped_truncated += 1
            continue
        if text == before:
            answers[i] = (text, "reference answer")
            continue
        fam = get_family(p.suite.family)
        if not text.strip():
            counts.skipped_empty += 1
            continue
        if not fam.score(p.suite, case, fam.answer(p.suite, case, [text])).passed:
            counts.skipped_failing_reference += 1
            continue
        answers[i] = (text, f"reference answer, regenerated with max_new_tokens={budget}")
        counts.regenerated += 1


def _messages(case: Case) -> list[dict[str, str]]:
    """The case's prompt as chat messages, its system turn included; a raw prompt is one user turn."""
    if not case.prompt.chat:
        return [{"role": "user", "content": case.prompt.text}]
    return [{"role": role, "content": content} for role, content in case.prompt.messages]


_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def to_jsonl(rows: Sequence[Mapping[str, Any]]) -> str:
    """One JSON object per line. Unicode stays readable, but the separators that ``str.splitlines``
    breaks on are escaped, so every reader sees one row per line; a row that cannot be UTF-8 (a lone
    surrogate from a YAML escape) is written as ASCII JSON instead of failing the file."""
    out = []
    for r in rows:
        line = json.dumps(r, ensure_ascii=False)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:
            line = json.dumps(r)
        for ch, esc in _LINE_BREAKS.items():
            line = line.replace(ch, esc)
        out.append(line + "\n")
    return "".join(out)
