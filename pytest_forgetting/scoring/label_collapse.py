"""label_collapse: classification predictions collapsing toward one class.

Scoring by ``loglikelihood`` (default): every label is scored as the
continuation of the prompt and the most likely one is the prediction. Labels
of different token lengths are compared on log-probability per UTF-8 byte of
the label (lm-evaluation-harness's ``acc_norm`` normalisation), so longer
labels are not penalised for having more tokens. Scoring by ``generate``: the
first label (case-insensitive, whole word) in the output; none found counts as
its own outcome, ``<unparsed>``.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, Callable, Sequence

from .base import Answer, CaseOutcome, Family, MetricSpec, mean_metric

UNPARSED = "<unparsed>"


def parse_label(text: str, labels: Sequence[str]) -> str:
    best: tuple[int, int, str] | None = None
    for lab in labels:
        m = re.search(rf"(?<![\w]){re.escape(lab)}(?![\w])", text, re.IGNORECASE)
        if m and (best is None or (m.start(), -len(lab)) < (best[0], best[1])):
            best = (m.start(), -len(lab), lab)
    return best[2] if best else UNPARSED


def continuation_for(label: str, chat: bool, prompt_text: str) -> str:
    """Raw prompts ending in a non-space get a leading space before the label."""
    if chat or not prompt_text or prompt_text[-1].isspace():
        return label
    return " " + label


def _preds(outcomes: Sequence[CaseOutcome]) -> tuple[list[str], list[str]]:
    return [o.data["gold"] for o in outcomes], [o.data["pred"] for o in outcomes]


def macro_f1(outcomes: Sequence[CaseOutcome], labels: Sequence[str]) -> float | None:
    if not outcomes:
        return None
    gold, pred = _preds(outcomes)
    f1s = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred) if g == lab and p != lab)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(f1s) / len(f1s)


def majority_share(outcomes: Sequence[CaseOutcome]) -> float | None:
    if not outcomes:
        return None
    return Counter(_preds(outcomes)[1]).most_common(1)[0][1] / len(outcomes)


def prediction_entropy(outcomes: Sequence[CaseOutcome], labels: Sequence[str]) -> float | None:
    """Entropy of the predicted distribution ÷ log(k): 1 = spread evenly, 0 = one class only."""
    if not outcomes:
        return None
    counts = Counter(_preds(outcomes)[1])
    k = len(labels) + (1 if UNPARSED in counts else 0)
    n = len(outcomes)
    h = -sum((c / n) * math.log(c / n) for c in counts.values() if c)
    return max(0.0, h / math.log(k)) if k > 1 else 0.0  # no "-0.0" for a single class


def total_variation(outcomes: Sequence[CaseOutcome], labels: Sequence[str]) -> float | None:
    if not outcomes:
        return None
    gold, pred = _preds(outcomes)
    n = len(outcomes)
    g, p = Counter(gold), Counter(pred)
    return 0.5 * sum(abs(g[k] / n - p[k] / n) for k in sorted(set(labels) | set(p)))


def matthews_corrcoef(outcomes: Sequence[CaseOutcome], labels: Sequence[str]) -> float | None:
    """Multiclass MCC (Gorodkin's R_K), robust to class imbalance; 0 when undefined."""
    if not outcomes:
        return None
    gold, pred = _preds(outcomes)
    n = len(gold)
    classes = list(labels) + ([UNPARSED] if UNPARSED in pred else [])
    t, p = Counter(gold), Counter(pred)
    c = sum(1 for g, q in zip(gold, pred) if g == q)
    num = c * n - sum(t[k] * p[k] for k in classes)
    den = math.sqrt((n * n - sum(p[k] ** 2 for k in classes)) * (n * n - sum(t[k] ** 2 for k in classes)))
    return num / den if den else 0.0


def _recall_of(label: str) -> Callable[[CaseOutcome], float | None]:
    def recall(o: CaseOutcome) -> float | None:
        return float(o.data["pred"] == label) if o.data["gold"] == label else None

    return recall


class LabelCollapse(Family):
    name = "label_collapse"
    primary_metric = "macro_f1"

    def _mode(self, suite) -> str:  # type: ignore[no-untyped-def]
        return str(suite.config.get("scoring", "loglikelihood"))

    def requests(self, suite, case, adapter):  # type: ignore[no-untyped-def]
        from ..requests import GenerateRequest, LoglikelihoodRequest

        if self._mode(suite) == "generate":
            return [GenerateRequest(case.prompt, case.settings, adapter)]
        labels = suite.config["labels"]
        return [
            LoglikelihoodRequest(case.prompt, continuation_for(lab, case.prompt.chat, case.prompt.text), adapter)
            for lab in labels
        ]

    def answer(self, suite, case, results: Sequence[Any]) -> Answer:  # type: ignore[no-untyped-def]
        if self._mode(suite) == "generate":
            return str(results[0])
        return {lab: float(r) for lab, r in zip(suite.config["labels"], results)}

    def score(self, suite, case, answer: Answer) -> CaseOutcome:  # type: ignore[no-untyped-def]
        labels = suite.config["labels"]
        gold = case.expect["label"]
        data: dict[str, Any] = {"gold": gold}
        if isinstance(answer, str):
            pred = parse_label(answer, labels)
            why = "no label found in the output" if pred == UNPARSED else f"first label in the output is {pred!r}"
        else:
            norm = {lab: lp / max(1, len(continuation_for(lab, case.prompt.chat, case.prompt.text).encode()))
                    for lab, lp in answer.items()}
            pred = max(labels, key=lambda lab: norm[lab])
            data["scores"] = {lab: round(v, 6) for lab, v in norm.items()}
            why = "most likely label " + ", ".join(f"{lab}={v:.3f}" for lab, v in sorted(norm.items(), key=lambda kv: -kv[1]))
        data["pred"] = pred
        return CaseOutcome(pred == gold, pred, f"{why}; gold is {gold!r}", data)

    def metrics(self, suite) -> list[MetricSpec]:  # type: ignore[no-untyped-def]
        labels = list(suite.config["labels"])
        specs = [
            mean_metric("accuracy", "higher", "share of cases whose prediction is the gold label",
                        lambda o: float(o.data["pred"] == o.data["gold"]), binary=True),
            MetricSpec("macro_f1", "higher", "unweighted mean of per-label F1",
                       lambda os_: macro_f1(os_, labels)),
            MetricSpec("mcc", "higher", "multiclass Matthews correlation coefficient",
                       lambda os_: matthews_corrcoef(os_, labels)),
            MetricSpec("majority_share", "lower", "share of predictions that are the most predicted label",
                       majority_share),
            MetricSpec("prediction_entropy", "higher", "entropy of predicted labels ÷ log(number of outcomes)",
                       lambda os_: prediction_entropy(os_, labels)),
            MetricSpec("label_tvd", "lower", "total variation distance between predicted and gold label distributions",
                       lambda os_: total_variation(os_, labels)),
        ]
        for lab in labels:
            specs.append(mean_metric(
                f"recall:{lab}", "higher", f"share of gold={lab!r} cases predicted {lab!r}",
                _recall_of(lab), binary=True,
            ))
        return specs
