"""helpfulness: general questions near the domain that the model should still answer.

A case passes when the normalised output contains one of ``answers`` as whole
words (lower-cased, punctuation and the articles a/an/the removed, whitespace
collapsed) or matches ``regex`` (``re.search`` semantics, case-insensitive, time-bounded), and
contains none of ``must_not_contain`` (normalised the same way).
"""
from __future__ import annotations

import re
import string

from .base import Answer, CaseOutcome, Family, MetricSpec, mean_metric
from .patterns import search

_PUNCT = re.compile(f"[{re.escape(string.punctuation)}]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize(text: str) -> str:
    """SQuAD-style normalization, so case, punctuation and articles do not decide correctness."""
    text = _PUNCT.sub(" ", str(text).lower())
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def contains_answer(output: str, answer: str) -> bool:
    """Whether the answer appears as whole words in the output, after normalization."""
    norm_out, norm_ans = f" {normalize(output)} ", normalize(answer)
    return bool(norm_ans) and f" {norm_ans} " in norm_out


class Helpfulness(Family):
    """Catches lost knowledge or skills: short answers checked against accepted answers or a regex."""

    name = "helpfulness"
    primary_metric = "accuracy"

    def requests(self, suite, case, adapter):  # type: ignore[no-untyped-def]
        """One generation per case."""
        from ..suite.requests import GenerateRequest

        return [GenerateRequest(case.prompt, case.settings, adapter)]

    def score(self, suite, case, answer: Answer) -> CaseOutcome:  # type: ignore[no-untyped-def]
        """Correct when an accepted answer or the regex matches and no forbidden text appears."""
        out = str(answer)
        hit = next((str(a) for a in case.expect.get("answers", []) if contains_answer(out, str(a))), None)
        why = f"contains the answer {hit!r}" if hit else None
        if hit is None and "regex" in case.expect:
            m = search(case.expect["regex"], out, suite_path=str(suite.path), case_id=case.id,
                       field="regex", line=case.line, ignore_case=True)
            if m:
                hit, why = m.group(0), f"regex {case.expect['regex']!r} matched {m.group(0)[:40]!r}"
        bad = next((p for p in case.expect.get("must_not_contain", []) if contains_answer(out, p)), None)
        if bad is not None:
            return CaseOutcome(False, "forbidden content", f"contains {bad!r}, which it must not", {"correct": False})
        if hit is None:
            wanted = case.expect.get("answers") or [case.expect.get("regex")]
            return CaseOutcome(False, "wrong", f"none of the acceptable answers {wanted} found", {"correct": False})
        return CaseOutcome(True, "correct", why or "", {"correct": True})

    def metrics(self, suite) -> list[MetricSpec]:  # type: ignore[no-untyped-def]
        """Accuracy: the share of cases answered correctly."""
        return [
            mean_metric("accuracy", "higher", "share of cases answered correctly",
                        lambda o: float(o.data["correct"]), binary=True)
        ]
