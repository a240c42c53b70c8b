"""tone: style drift, and imitation of the fine-tune's training data.

Per case: word count, ``!`` and ``?`` sentence rates, second-person word
rate, bullet/list use, an apology/hedge lexicon rate, required and forbidden
phrases (suite-wide plus per case, case-insensitive), ``max_words`` /
``min_words``, and whether the output copies an ``ngram``-word sequence
(default 8) from the training responses. A case passes when none of its
expectations is violated and it copies nothing.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Sequence

from ..errors import SuiteError
from .base import Answer, CaseOutcome, Family, MetricSpec, mean_metric

_WORD = re.compile(r"[A-Za-z0-9']+")
_SENT = re.compile(r"[^.!?\n]+[.!?]*")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)
_SECOND = frozenset({"you", "your", "yours", "yourself", "yourselves", "you're", "you'll", "you've", "you'd"})
HEDGES = (
    "sorry", "apologize", "apologise", "apologies", "unfortunately", "i think", "perhaps", "maybe", "might",
    "it seems", "i believe", "possibly", "i'm not sure", "i am not sure",
)


def words(text: str) -> list[str]:
    """Lower-cased words, the unit every tone statistic counts."""
    return _WORD.findall(text.lower())


def style_stats(text: str) -> dict[str, float]:
    """Length and style numbers of one answer, so tone drift shows as numbers, not impressions."""
    w = words(text)
    sents = [s.strip() for s in _SENT.findall(text) if s.strip()]
    low = " " + " ".join(w) + " "
    hedge_hits = sum(low.count(f" {h} ") for h in HEDGES)
    return {
        "words": float(len(w)),
        "exclamation": sum(s.endswith("!") for s in sents) / len(sents) if sents else 0.0,
        "question": sum(s.endswith("?") for s in sents) / len(sents) if sents else 0.0,
        "second_person": sum(x in _SECOND for x in w) / len(w) if w else 0.0,
        "bullets": 1.0 if _BULLET.search(text) else 0.0,
        "hedges": 100.0 * hedge_hits / len(w) if w else 0.0,
    }


@lru_cache(maxsize=16)
def training_ngrams(path: str, n: int, suite_path: str) -> frozenset[tuple[str, ...]]:
    """All n-word sequences of the assistant turns (or ``response``/``completion``) in a JSONL file."""
    grams: set[tuple[str, ...]] = set()
    try:
        lines = _read_lines(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(suite_path, f"training_data {path} cannot be read: {exc}", field="$.training_data",
                         fix="give a UTF-8 JSONL file: one JSON object per line with 'messages' or 'response'") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise SuiteError(
                suite_path, f"training_data {path} line {lineno} is not JSON: {exc}", field="$.training_data",
                fix="give a JSONL file: one JSON object per line with 'messages' or 'response'",
            ) from None
        if not isinstance(row, dict):
            raise SuiteError(suite_path, f"training_data {path} line {lineno} is not a JSON object",
                             field="$.training_data", fix="one JSON object per line")
        msgs = row.get("messages", [])
        if not isinstance(msgs, list):
            raise SuiteError(suite_path, f"training_data {path} line {lineno}: 'messages' is a "
                             f"{type(msgs).__name__}, not a list", field="$.training_data",
                             fix="'messages' holds a list of {role, content} objects")
        texts = [str(m.get("content", "")) for m in msgs if isinstance(m, dict) and m.get("role") == "assistant"]
        texts += [str(row[k]) for k in ("response", "completion", "output") if k in row]
        for t in texts:
            w = words(t)
            grams.update(tuple(w[i : i + n]) for i in range(len(w) - n + 1))
    return frozenset(grams)


def _read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return fh.readlines()


def copied_ngram(text: str, grams: frozenset[tuple[str, ...]], n: int) -> str | None:
    """The first training n-gram the answer copies, or None: memorised training text leaks this way."""
    w = words(text)
    for i in range(len(w) - n + 1):
        if tuple(w[i : i + n]) in grams:
            return " ".join(w[i : i + n])
    return None


def _stat(key: str):  # type: ignore[no-untyped-def]
    return lambda o: float(o.data[key])


def phrase_present(phrase: str | Sequence[str], low: str) -> bool:
    """A required phrase, or an any-of group (a nested list), found case-insensitively in ``low``."""
    if isinstance(phrase, str):
        return phrase.lower() in low
    return any(p.lower() in low for p in phrase)


class Tone(Family):
    """Catches tone and style drift: length, exclamations, second person, hedges, copied training text."""

    name = "tone"
    primary_metric = "expectation_pass_rate"

    def prepare(self, config: dict[str, Any], user_texts: Sequence[str], *, suite_path: str) -> None:
        """Read the training data now, so a bad file is a collection error, not a failure after all
        model work (the n-grams are cached and scoring reuses them)."""
        if "training_data_path" in config:
            training_ngrams(config["training_data_path"], int(config.get("ngram", 8)), suite_path)

    def requests(self, suite, case, adapter):  # type: ignore[no-untyped-def]
        """One generation per case."""
        from ..suite.requests import GenerateRequest

        return [GenerateRequest(case.prompt, case.settings, adapter)]

    def score(self, suite, case, answer: Answer) -> CaseOutcome:  # type: ignore[no-untyped-def]
        """Pass when the answer meets the case's and suite's length and phrase expectations."""
        text = str(answer)
        low = text.lower()
        data: dict[str, Any] = style_stats(text)
        problems: list[str] = []
        mx, mn = case.expect.get("max_words"), case.expect.get("min_words")
        if mx is not None and data["words"] > mx:
            problems.append(f"{int(data['words'])} words > max_words {mx}")
        if mn is not None and data["words"] < mn:
            problems.append(f"{int(data['words'])} words < min_words {mn}")
        forbidden = [*suite.config.get("forbidden_phrases", []), *case.expect.get("forbidden_phrases", [])]
        required = [*suite.config.get("required_phrases", []), *case.expect.get("required_phrases", [])]
        hit = [p for p in forbidden if p.lower() in low]
        missing = [p for p in required if not phrase_present(p, low)]
        if hit:
            problems.append(f"forbidden phrase {hit[0]!r}")
        if missing:
            m = missing[0]
            problems.append(f"missing required phrase {m!r}" if isinstance(m, str)
                            else "missing all of the required phrases " + " / ".join(repr(x) for x in m))
        data["forbidden_hit"] = bool(hit)
        copied = None
        if "training_data_path" in suite.config:
            n = int(suite.config.get("ngram", 8))
            copied = copied_ngram(text, training_ngrams(suite.config["training_data_path"], n, str(suite.path)), n)
            data["copied"] = copied is not None
            if copied:
                problems.append(f"copies training n-gram {copied!r}")
        passed = not problems
        stats = f"{int(data['words'])} words, {data['exclamation']:.0%} '!' sentences, {data['second_person']:.0%} 'you'"
        return CaseOutcome(passed, "ok" if passed else "violates expectations", "; ".join(problems) or stats, data)

    def metrics(self, suite) -> list[MetricSpec]:  # type: ignore[no-untyped-def]
        """Pass and forbidden-phrase rates, plus style metrics judged flat: any move beyond tolerance is drift."""
        specs = [
            mean_metric("expectation_pass_rate", "higher", "share of cases meeting all their tone expectations",
                        lambda o: float(o.passed), binary=True),
            mean_metric("forbidden_phrase_rate", "lower", "share of outputs containing a forbidden phrase",
                        _stat("forbidden_hit"), binary=True),
            mean_metric("mean_words", "flat", "mean output length in words", _stat("words"), tolerance=10.0, unit="words"),
            mean_metric("exclamation_rate", "flat", "mean share of sentences ending in '!'", _stat("exclamation"), tolerance=0.1),
            mean_metric("question_rate", "flat", "mean share of sentences ending in '?'", _stat("question"), tolerance=0.1),
            mean_metric("second_person_rate", "flat", "mean share of words that are you/your/...", _stat("second_person"), tolerance=0.03),
            mean_metric("bullet_rate", "flat", "share of outputs using a bullet or numbered list", _stat("bullets"), binary=True, tolerance=0.1),
            mean_metric("hedge_rate", "flat", "apology/hedge lexicon hits per 100 words", _stat("hedges"), tolerance=1.0, unit="per 100 words"),
        ]
        if "training_data_path" in suite.config:
            specs.append(mean_metric("imitation_rate", "lower",
                                     "share of outputs copying an n-gram from the training responses",
                                     lambda o: float(o.data.get("copied", False)), binary=True))
        return specs
