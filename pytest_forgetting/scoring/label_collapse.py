"""label_collapse: classification predictions collapsing toward one class.

Scoring by ``loglikelihood`` (default): every label is scored as the
continuation of the prompt and the highest-scoring one is the prediction. The
suite's ``normalization`` says how summed log-likelihoods become scores:
``sum`` (lm-evaluation-harness ``acc``), ``token`` (mean per token), ``byte``
(per UTF-8 byte, ``acc_norm``) or ``calibrated`` (minus the label's
log-probability after a content-free input, Zhao et al. 2021, "Calibrate
Before Use"), which removes the model's prior for a label so that a
well-balanced guardrail does not start out collapsed. Scoring by
``generate``: the first label (case-insensitive, whole word) in the output;
none found counts as its own outcome, ``<unparsed>``.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any, Callable, Mapping, Sequence

from ..suite.requests import token_count
from ..suite.data import fill_template, placeholders
from .base import Answer, CaseOutcome, Family, MetricSpec, mean_metric

UNPARSED = "<unparsed>"
NORMALIZATIONS = ("sum", "token", "byte", "calibrated")
DEFAULT_NORMALIZATION = "sum"
"""Chosen by measurement (README, "label_collapse"; benchmarks/label_normalization.py)."""
CONTENT_FREE = ("N/A",)
COLLAPSE_SHARE = 0.9
COLLAPSE_WARNING = "this guardrail cannot detect label collapse; try normalization: calibrated or rebalance the cases"


class LabelLogliks(dict):  # type: ignore[type-arg]
    """label -> summed log-likelihood for one case, and (``calibrated``) the same
    labels' log-likelihoods after each content-free input."""

    def __init__(self, logliks: Mapping[str, float], content_free: Sequence[Mapping[str, float]] = ()) -> None:
        super().__init__(logliks)
        self.content_free = tuple(dict(c) for c in content_free)


def normalization_of(config: Mapping[str, Any]) -> str:
    """The suite's label normalization, with the default filled in."""
    return str(config.get("normalization", DEFAULT_NORMALIZATION))


def content_free_texts(template: str | None, user_texts: Sequence[str], fills: Sequence[str]) -> list[str]:
    """The content-free inputs, rendered like the cases: the template with every
    placeholder set to the fill, or (no template) the cases' common prefix and
    suffix around it, cut at word boundaries."""
    if template is not None:
        return [fill_template(template, dict.fromkeys(placeholders(template), f)) for f in fills]
    texts = list(user_texts)
    if len(texts) < 2:
        return list(fills)
    first = texts[0]
    pre = len(first)
    for t in texts[1:]:
        pre = min(pre, next((i for i, (a, b) in enumerate(zip(first, t)) if a != b), min(len(first), len(t))))
    while pre and first[pre - 1].isalnum():
        pre -= 1
    suf = len(first) - pre
    for t in texts[1:]:
        n = 0
        while n < min(suf, len(t) - pre) and first[-1 - n] == t[-1 - n]:
            n += 1
        suf = n
    while suf and first[len(first) - suf].isalnum():
        suf -= 1
    return [first[:pre] + f + (first[len(first) - suf:] if suf else "") for f in fills]


def decided_scores(logliks: Mapping[str, float], normalization: str, n_bytes: Mapping[str, int],
                   content_free: Sequence[Mapping[str, float]] = ()) -> tuple[dict[str, float], str]:
    """Each label's score under the normalization, and the normalization actually used
    (``token`` without token counts, or ``calibrated`` without content-free scores, falls
    back to ``byte`` / ``sum`` and says so in the returned name)."""
    if normalization == "token":
        counts = {lab: token_count(v) for lab, v in logliks.items()}
        if all(c for c in counts.values()):
            return {lab: v / int(counts[lab] or 1) for lab, v in logliks.items()}, "token"
        normalization = "byte (this backend gives no token counts)"
    if normalization == "calibrated":
        if content_free:
            prior = {lab: 0.0 for lab in logliks}
            for cf in content_free:  # mean of the label distributions after each content-free input
                top = max(cf[lab] for lab in logliks)
                z = sum(math.exp(cf[lab] - top) for lab in logliks)
                for lab in logliks:
                    prior[lab] += math.exp(cf[lab] - top) / z / len(content_free)
            return {lab: v - math.log(max(prior[lab], 1e-300)) for lab, v in logliks.items()}, "calibrated"
        normalization = "sum (no content-free scores to calibrate with)"
    if normalization.startswith("byte"):
        return {lab: v / max(1, n_bytes[lab]) for lab, v in logliks.items()}, normalization
    return {lab: float(v) for lab, v in logliks.items()}, normalization


def collapsed_reference(outcomes: Sequence[CaseOutcome], labels: Sequence[str] | None = None) -> str | None:
    """The warning for a reference side that is already collapsed, else ``None``.

    Collapsed: one prediction takes at least ``COLLAPSE_SHARE`` of the cases, or
    some label (of ``labels``, default the gold labels seen) is never predicted.
    Such a reference cannot get worse, so the guardrail would pass any adapter.
    """
    if not outcomes:
        return None
    preds = Counter(str(o.data["pred"]) for o in outcomes)
    pool = list(labels) if labels is not None else sorted({str(o.data["gold"]) for o in outcomes})
    top, count = sorted(preds.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    share = count / len(outcomes)
    never = [lab for lab in pool if not preds.get(lab)]
    if share < COLLAPSE_SHARE and not never:
        return None
    why = [f"majority share {share:.2f}: {top!r} for {count} of {len(outcomes)} cases"]
    if never:
        why.append("never predicted: " + ", ".join(repr(lab) for lab in never))
    return f"reference predictions already collapsed ({'; '.join(why)}): {COLLAPSE_WARNING}"


def parse_label(text: str, labels: Sequence[str]) -> str:
    """The first label in a generated output (longest wins a tie), or UNPARSED."""
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
    """Unweighted mean of per-label F1: a collapse onto one label drops it even when accuracy holds."""
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
    """The share of the most predicted label: near 1 means the classifier collapsed."""
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
    """Distance between the gold and predicted label distributions: how far predictions drifted."""
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


def content_free_prompts(suite: Any, case: Any) -> list[Any]:
    """The suite's content-free prompts, with the case's system turn and chat mode."""
    from ..suite.requests import Prompt

    texts = suite.config.get("_content_free_texts") or list(CONTENT_FREE)
    system = next((c for r, c in case.prompt.messages if r == "system"), None) if case.prompt.chat else None
    return [Prompt.of(t, system=system, chat=case.prompt.chat) for t in texts]


class LabelCollapse(Family):
    """Catches a classifier collapsing onto few labels, by label log-likelihood or by generation."""

    name = "label_collapse"
    primary_metric = "macro_f1"

    def prepare(self, config: dict[str, Any], user_texts: Sequence[str], *, suite_path: str) -> None:
        """Fix the normalization at load (it is hashed with every case) and, for ``calibrated``,
        the content-free prompts, filled into the suite's template like the cases' own text."""
        if config.get("scoring", "loglikelihood") != "loglikelihood":
            return
        config["normalization"] = normalization_of(config)
        if config["normalization"] == "calibrated":
            fills = config.get("content_free", list(CONTENT_FREE))
            config["_content_free_texts"] = content_free_texts(
                config.get("template"), list(user_texts), [fills] if isinstance(fills, str) else list(fills))

    def _mode(self, suite) -> str:  # type: ignore[no-untyped-def]
        return str(suite.config.get("scoring", "loglikelihood"))

    def requests(self, suite, case, adapter):  # type: ignore[no-untyped-def]
        """One log-likelihood request per label (and per content-free prompt when calibrated), or one generation."""
        from ..suite.requests import GenerateRequest, LoglikelihoodRequest

        if self._mode(suite) == "generate":
            return [GenerateRequest(case.prompt, case.settings, adapter)]
        labels = suite.config["labels"]
        reqs = [LoglikelihoodRequest(case.prompt, continuation_for(lab, case.prompt.chat, case.prompt.text), adapter)
                for lab in labels]
        if normalization_of(suite.config) == "calibrated":  # the same for every case: de-duplicated by execute
            for cf in content_free_prompts(suite, case):
                reqs += [LoglikelihoodRequest(cf, continuation_for(lab, cf.chat, cf.text), adapter) for lab in labels]
        return reqs

    def answer(self, suite, case, results: Sequence[Any]) -> Answer:  # type: ignore[no-untyped-def]
        """Gather the label scores (and content-free ones) into one answer for the scorer."""
        if self._mode(suite) == "generate":
            return str(results[0])
        labels = suite.config["labels"]
        k = len(labels)
        cfs = [dict(zip(labels, results[i : i + k])) for i in range(k, len(results), k)]
        return LabelLogliks(dict(zip(labels, results[:k])), cfs)

    def score(self, suite, case, answer: Answer) -> CaseOutcome:  # type: ignore[no-untyped-def]
        """The predicted label under the suite's normalization, against the gold label."""
        labels = suite.config["labels"]
        gold = case.expect["label"]
        data: dict[str, Any] = {"gold": gold}
        if isinstance(answer, str):
            pred = parse_label(answer, labels)
            why = "no label found in the output" if pred == UNPARSED else f"first label in the output is {pred!r}"
        else:
            n_bytes = {lab: len(continuation_for(lab, case.prompt.chat, case.prompt.text).encode()) for lab in labels}
            scores, used = decided_scores({lab: answer[lab] for lab in labels}, normalization_of(suite.config),
                                          n_bytes, getattr(answer, "content_free", ()))
            pred = max(labels, key=lambda lab: scores[lab])
            data["normalization"] = used
            data["scores"] = {lab: round(v, 6) for lab, v in scores.items()}
            data["loglik"] = {lab: round(float(answer[lab]), 6) for lab in labels}
            ranked = sorted(labels, key=lambda lab: -scores[lab])
            why = (f"highest {used} score: " + ", ".join(f"{lab}={scores[lab]:.3f}" for lab in ranked)
                   + " (summed log-lik " + ", ".join(f"{lab}={float(answer[lab]):.3f}" for lab in ranked) + ")")
        data["pred"] = pred
        return CaseOutcome(pred == gold, pred, f"{why}; gold is {gold!r}", data)

    def metrics(self, suite) -> list[MetricSpec]:  # type: ignore[no-untyped-def]
        """Accuracy, macro-F1, MCC and the collapse measures, plus per-label recall."""
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
