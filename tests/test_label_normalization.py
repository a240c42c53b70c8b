"""Label scoring normalisations, the score that decided, and the collapsed-reference warning."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

import pytest

from pytest_forgetting.suite.cases import Suite, load_suite
from pytest_forgetting.run.execute import effective_generation, run_suites
from pytest_forgetting.model.cache import CachingBackend
from pytest_forgetting.model.protocol import Loglik, LoglikelihoodRequest, ModelIdentity, Prompt
from pytest_forgetting.scoring import family
from pytest_forgetting.scoring.base import CaseOutcome
from pytest_forgetting.scoring.label_collapse import (COLLAPSE_WARNING, DEFAULT_NORMALIZATION, LabelLogliks,
                                                      collapsed_reference, content_free_texts, decided_scores)


def suite_from(tmp_path: Path, body: str) -> Suite:
    path = tmp_path / "s.forgetting.yaml"
    path.write_text(body)
    return load_suite(path)


LABELS = "family: label_collapse\nlabels: [food, weather, sports]\n"


def test_each_normalization_decides_differently() -> None:
    # food: 1 token / 4 bytes; weather: 1 token / 7 bytes; sports: 2 tokens / 6 bytes
    ll = {"food": Loglik(-4.0, 1), "weather": Loglik(-4.9, 1), "sports": Loglik(-4.4, 2)}
    n_bytes = {"food": 4, "weather": 7, "sports": 6}
    top = {}
    for norm in ("sum", "token", "byte"):
        scores, used = decided_scores(ll, norm, n_bytes)
        assert used == norm
        top[norm] = max(scores, key=lambda k: scores[k])
    assert top == {"sum": "food", "token": "sports", "byte": "weather"}
    assert decided_scores(ll, "token", n_bytes)[0]["sports"] == pytest.approx(-2.2)
    # calibrated: subtract log p(label | content-free), p normalised over the labels
    cf = {"food": -1.0, "weather": -5.0, "sports": -5.0}
    scores, used = decided_scores(ll, "calibrated", n_bytes, [cf])
    z = math.exp(-1) + 2 * math.exp(-5)
    assert used == "calibrated"
    assert scores["food"] == pytest.approx(-4.0 - (-1.0 - math.log(z)))
    assert max(scores, key=lambda k: scores[k]) == "sports"  # the prior for food is removed


def test_calibration_averages_label_distributions_over_content_free_inputs() -> None:
    ll = {"a": -1.0, "b": -1.0}
    one = {"a": math.log(0.9), "b": math.log(0.1)}
    two = {"a": math.log(0.1), "b": math.log(0.9)}
    scores, _ = decided_scores(ll, "calibrated", {"a": 1, "b": 1}, [one, two])
    assert scores["a"] == pytest.approx(scores["b"])  # mean prior 0.5 / 0.5: no preference


def test_missing_counts_fall_back_and_say_so() -> None:
    ll = {"a": -2.0, "b": -3.0}
    _, used = decided_scores(ll, "token", {"a": 1, "b": 1})  # plain floats: no token counts
    assert used.startswith("byte") and "no token counts" in used
    _, used = decided_scores(ll, "calibrated", {"a": 1, "b": 1})
    assert used.startswith("sum") and "no content-free" in used


def test_outcome_carries_the_deciding_score_and_its_name(tmp_path: Path) -> None:
    suite = suite_from(tmp_path, LABELS + "normalization: byte\ncases:\n  - {id: a, prompt: q, label: weather}\n")
    fam = family("label_collapse")
    out = fam.score(suite, suite.case("a"), LabelLogliks({"food": -4.0, "weather": -4.9, "sports": -4.4}))
    assert out.decision == "weather" and out.passed
    assert out.data["normalization"] == "byte"
    assert out.data["scores"]["weather"] == pytest.approx(-0.7) and out.data["loglik"]["food"] == -4.0
    assert out.reason.startswith("highest byte score: weather=-0.700")
    assert "summed log-lik" in out.reason and "food=-4.000" in out.reason


def test_default_is_the_measured_one(tmp_path: Path) -> None:
    suite = suite_from(tmp_path, LABELS + "cases:\n  - {id: a, prompt: q, label: food}\n")
    out = family("label_collapse").score(suite, suite.case("a"), LabelLogliks({"food": -4.0, "weather": -4.9, "sports": -4.4}))
    assert DEFAULT_NORMALIZATION == "sum" and out.data["normalization"] == "sum" and out.decision == "food"


def test_content_free_text_from_template_or_common_prefix() -> None:
    assert content_free_texts('Message: "{m}" ({m})?', [], ["N/A"]) == ['Message: "N/A" (N/A)?']
    texts = ['Review: "Great phone" Sentiment?', 'Review: "Grim, broke at once" Sentiment?']
    # the shared "Gr" is cut back to a word boundary, so the content-free input replaces whole words
    assert content_free_texts(None, texts, ["N/A", ""]) == ['Review: "N/A" Sentiment?', 'Review: "" Sentiment?']


class CountingBackend:
    """A fake backend for planning: log-likelihood = -(length of continuation), no model."""

    adapters: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.seen: list[LoglikelihoodRequest] = []

    def generate(self, requests: Sequence[Any]) -> list[str]:
        raise AssertionError("label suites scored by log-likelihood generate nothing")

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[float]:
        self.seen.extend(requests)
        return [Loglik(-float(len(r.continuation)) - (5.0 if "N/A" in r.prompt.user_text else 0.0), 1) for r in requests]

    def identity(self, adapter: str | None = None) -> ModelIdentity:
        return ModelIdentity("fake", "f0")


def test_calibrated_adds_one_content_free_prompt_per_suite(tmp_path: Path) -> None:
    body = LABELS + "normalization: calibrated\ntemplate: 'Topic of {m}?'\ncases:\n" + "".join(
        f"  - {{id: c{i}, vars: {{m: message {i}}}, label: food}}\n" for i in range(6))
    suite = suite_from(tmp_path, body)
    backend = CountingBackend()
    runs = run_suites(backend, [(suite, suite.cases)], [None], 16)
    prompts = {r.prompt.user_text for r in backend.seen}
    assert "Topic of N/A?" in prompts and len(prompts) == 7  # six cases + one shared content-free prompt
    assert len(backend.seen) == 7 * 3  # de-duplicated: the content-free requests are asked once
    out = runs[(suite.name, None)].outcomes["c0"]
    assert out.data["normalization"] == "calibrated" and set(out.data["scores"]) == {"food", "weather", "sports"}
    gen = effective_generation(suite, 64)
    assert gen["normalization"] == "calibrated" and gen["content_free_inputs"] == ["Topic of N/A?"]


def test_token_counts_survive_the_cache(tmp_path: Path) -> None:
    inner = CountingBackend()
    cached = CachingBackend(inner, tmp_path / "cache")
    req = [LoglikelihoodRequest(Prompt.of("q"), "sports")]
    first = cached.loglikelihood(req)
    again = CachingBackend(CountingBackend(), tmp_path / "cache").loglikelihood(req)
    assert first[0].n_tokens == 1 and again[0].n_tokens == 1 and float(again[0]) == float(first[0])  # type: ignore[attr-defined]


def test_hf_backend_reports_token_counts(tiny_model: Path) -> None:
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.model.settings import ModelSettings

    backend = HFBackend(ModelSettings(model=str(tiny_model)))
    conts = ["positive", "billing technical", "zq"]
    out = backend.loglikelihood([LoglikelihoodRequest(Prompt.of("Hello"), c) for c in conts])
    expected = [len(backend.tokenizer(c, add_special_tokens=False)["input_ids"]) for c in conts]
    assert [o.n_tokens for o in out] == expected and expected[1] > expected[0]  # type: ignore[attr-defined]


def _lc(gold: str, pred: str) -> CaseOutcome:
    return CaseOutcome(gold == pred, pred, "", {"gold": gold, "pred": pred})


def test_collapsed_reference_fires_on_collapse_and_on_a_label_never_predicted() -> None:
    labels = ["food", "weather", "sports"]
    collapsed = [_lc(g, "weather") for g in ["food", "weather", "sports"] * 8]
    msg = collapsed_reference(collapsed, labels)
    assert msg is not None and msg.endswith(COLLAPSE_WARNING)
    assert "majority share 1.00" in msg and "'food'" in msg and "'sports'" in msg
    never = [_lc(g, g if g != "sports" else "food") for g in labels * 4]
    assert "never predicted: 'sports'" in (collapsed_reference(never, labels) or "")
    healthy = [_lc(g, g) for g in labels * 4]
    assert collapsed_reference(healthy, labels) is None and collapsed_reference([], labels) is None
    # exactly at the threshold: 9 of 10 is collapsed, 8 of 10 with every label predicted is not
    nine = [_lc("a", "a")] * 9 + [_lc("b", "b")]
    assert collapsed_reference(nine, ["a", "b"]) is not None
    eight = [_lc("a", "a")] * 8 + [_lc("b", "b")] * 2
    assert collapsed_reference(eight, ["a", "b"]) is None


def test_collapsed_reference_fires_on_a_suite_built_to_collapse(tmp_path: Path) -> None:
    """A whole suite run where the shortest label wins every summed score, whatever the prompt."""
    body = LABELS + "normalization: sum\ncases:\n" + "".join(
        f"  - {{id: c{i}, prompt: 'message {i}', label: {lab}}}\n" for i, lab in enumerate(["food", "weather", "sports"] * 4))
    suite = suite_from(tmp_path, body)
    runs = run_suites(CountingBackend(), [(suite, suite.cases)], [None], 16)
    outcomes = list(runs[(suite.name, None)].outcomes.values())
    assert {o.data["pred"] for o in outcomes} == {"food"}
    msg = collapsed_reference(outcomes, ["food", "weather", "sports"])
    assert msg is not None and "'food' for 12 of 12 cases" in msg and "never predicted: 'weather', 'sports'" in msg
