"""Merged adapter passes (``merge_adapters``): the adapter side at the base's cost, the base side untouched.

The tiny Llama carries a LoRA whose B matrices are random (not peft's zero init), so merging
really changes weights and outputs; every check below fails if the merge is skipped, leaks into
the base side, or is undone only up to float rounding.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from pytest_forgetting.model.cache import CachingBackend
from pytest_forgetting.model.hf import HFBackend
from pytest_forgetting.model.settings import ModelSettings
from pytest_forgetting.model.protocol import (
    GenerateRequest, GenerationSettings, LoglikelihoodRequest, ModelIdentity, Prompt,
)

PROMPTS = ["What is the capital of France?", "Hello", "Write a poem", "How do I reset my router?",
           "Is this review positive?", "2+2?", "Tell me a joke", "My order is late"]
LABELS = ["positive", "negative", "neutral"]


def _gen(side: str | None) -> list[GenerateRequest]:
    return [GenerateRequest(Prompt.of(p), GenerationSettings(max_new_tokens=12), side) for p in PROMPTS]


def _ll(side: str | None) -> list[LoglikelihoodRequest]:
    return [LoglikelihoodRequest(Prompt.of(p), " " + lab, side) for p in PROMPTS[:4] for lab in LABELS]


def _base_weights(model: Any) -> dict[str, Any]:
    """The base model's own tensors (no LoRA matrices), by their name in a plain model."""
    out = {}
    for name, t in model.state_dict().items():
        if "lora_" in name:
            continue
        out[name.replace("base_model.model.", "").replace(".base_layer", "")] = t.detach().clone()
    return out


@pytest.fixture
def merged(tiny_model: Path, random_adapter: Path) -> HFBackend:
    return HFBackend(ModelSettings(model=str(tiny_model), adapters=(str(random_adapter),), merge_adapters=True))


def test_base_side_after_merge_equals_a_fresh_base_model(tiny_model: Path, merged: HFBackend) -> None:
    fresh = HFBackend(ModelSettings(model=str(tiny_model)))
    want_gen, want_ll = fresh.generate(_gen(None)), fresh.loglikelihood(_ll(None))
    adapter = merged.adapters[0]
    # base, adapter (merged), base again, in one call each: the order a --forgetting-compare-base run uses
    got = merged.generate(_gen(None) + _gen(adapter) + _gen(None))
    assert merged.merges == 1
    assert got[: len(PROMPTS)] == want_gen and got[2 * len(PROMPTS):] == want_gen
    assert got[len(PROMPTS): 2 * len(PROMPTS)] != want_gen  # the adapter really answered
    got_ll = merged.loglikelihood(_ll(adapter) + _ll(None))
    assert [float(x) for x in got_ll[len(_ll(None)):]] == [float(x) for x in want_ll]
    assert merged.merges == 2
    # and the weights themselves, bit for bit (unmerge_adapter alone is off by float rounding)
    mine, theirs = _base_weights(merged.model), _base_weights(fresh.model)
    assert set(mine) == set(theirs)
    changed = [n for n in mine if not mine[n].equal(theirs[n])]
    assert changed == []
    assert not any(getattr(m, "merged", False) for m in merged.model.modules())


def test_merged_outputs_match_unmerged_on_the_tiny_model(tiny_model: Path, random_adapter: Path,
                                                        merged: HFBackend) -> None:
    plain = HFBackend(ModelSettings(model=str(tiny_model), adapters=(str(random_adapter),)))
    adapter = plain.adapters[0]
    assert plain.generate(_gen(adapter)) == merged.generate(_gen(adapter))
    assert plain.merges == 0 and merged.merges == 1
    a, b = plain.loglikelihood(_ll(adapter)), merged.loglikelihood(_ll(adapter))
    assert max(abs(float(x) - float(y)) for x, y in zip(a, b)) < 1e-4
    assert [x.n_tokens for x in a] == [x.n_tokens for x in b]


def test_merge_leaves_a_trainable_model_as_it_was(tiny_model: Path) -> None:
    """The training callback's case: a model with trainable LoRA weights gets no gradients or merged state."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    backend = HFBackend.from_loaded(model, AutoTokenizer.from_pretrained(tiny_model), merge_adapters=True)
    out = backend.generate(_gen(None)[:2] + _gen("default")[:2])
    assert backend.merges == 1 and len(out) == 4
    after = dict(model.named_parameters())
    assert all(before[n].equal(after[n]) for n in before)
    assert all(p.grad is None for p in model.parameters())
    assert not any(getattr(m, "merged", False) for m in model.modules())


def test_a_failed_merge_restores_the_weights_and_says_how_to_avoid_it(merged: HFBackend,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_forgetting.errors import BackendError

    model = merged.model
    before = _base_weights(model)

    def broken(names: list[str] | None = None) -> None:
        for m in model.modules():  # part of the layers merged, then a failure
            if hasattr(m, "merge") and hasattr(m, "lora_A"):
                m.merge(adapter_names=names)
                break
        raise RuntimeError("cannot merge a quantised layer")

    monkeypatch.setattr(model, "merge_adapter", broken)
    with pytest.raises(BackendError, match="cannot merge it.*\n  fix: leave out --forgetting-merge-adapters"):
        merged.generate(_gen(merged.adapters[0])[:1])
    after = _base_weights(model)
    assert all(before[n].equal(after[n]) for n in before)


class _Inner:
    """A backend that says whether it merges; the cache key must record it for adapter requests only."""

    adapters = ("a",)

    def __init__(self, merges: bool) -> None:
        self.merges = merges

    def identity(self, adapter: str | None = None) -> ModelIdentity:
        return ModelIdentity("m", "fp", adapter, "afp" if adapter else None)

    def merged(self, adapter: str | None) -> bool:
        return adapter is not None and self.merges

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        return ["x"] * len(requests)

    def loglikelihood(self, requests: list[LoglikelihoodRequest]) -> list[float]:
        return [0.0] * len(requests)


def test_cache_key_records_a_merged_pass(tmp_path: Path) -> None:
    plain, merging = CachingBackend(_Inner(False), tmp_path), CachingBackend(_Inner(True), tmp_path)
    for make in (_gen, _ll):
        base, adapter = make(None)[0], make("a")[0]
        assert plain.key(base) == merging.key(base)  # the base side is never merged: its answers stay shared
        assert plain.key(adapter) != merging.key(adapter)
    # an HFBackend says so from its settings (read without loading anything)
    hf = HFBackend.__new__(HFBackend)
    hf.settings = ModelSettings(merge_adapters=True)
    assert hf.merged("a") and not hf.merged(None)
    hf.settings = dataclasses.replace(hf.settings, merge_adapters=False)
    assert not hf.merged("a")


def test_option_merges_adapter_passes_and_keeps_their_cache_entries_apart(
        suite_dir: pytest.Pytester, tiny_model: Path, random_adapter: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`--forgetting-merge-adapters`: same verdict here; the adapter side is recomputed, the base side is cached."""
    import json

    from conftest import FORMAT_SUITE, write_suite

    monkeypatch.setenv("PYTEST_FORGETTING_CACHE_DIR", str(tmp_path / "cache"))
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    n = FORMAT_SUITE.count("{id: q")
    common = [f"--model={tiny_model}", f"--adapter={random_adapter}", "--forgetting-compare-base", "-q"]
    records = []
    for extra in ([], ["--forgetting-merge-adapters"], ["--forgetting-merge-adapters"]):
        res = suite_dir.runpytest_inprocess(*common, *extra, "--forgetting-report=r.json")
        assert res.ret in (0, 1), res.stdout.str()
        records.append(json.loads((suite_dir.path / "r.json").read_text()))
    t = [r["timings"] for r in records]
    assert (t[0]["cache_hits"], t[0]["cache_misses"]) == (0, 2 * n)
    assert (t[1]["cache_hits"], t[1]["cache_misses"]) == (n, n)  # base shared, merged adapter side keyed apart
    assert (t[2]["cache_hits"], t[2]["cache_misses"]) == (2 * n, 0)
    outputs = [{side: run["cases"] for s in r["suites"] for side, run in s["runs"].items()} for r in records]
    assert outputs[0] == outputs[1]  # the tiny model: merging changes nothing visible
    assert [v["status"] for v in records[0]["verdicts"]] == [v["status"] for v in records[1]["verdicts"]]


def test_a_merged_sweep_switches_adapters_cleanly(tiny_model: Path, random_adapter: Path, tmp_path: Path) -> None:
    """Two checkpoints in one call: each is merged alone (the first restored before the second is merged)."""
    import tiny

    other = tiny.build_random_adapter(tiny_model, tmp_path / "other", seed=7)
    paths = (str(random_adapter), str(other))
    plain = HFBackend(ModelSettings(model=str(tiny_model), adapters=paths))
    merging = HFBackend(ModelSettings(model=str(tiny_model), adapters=paths, merge_adapters=True))
    a, b = plain.adapters
    reqs = _gen(a) + _gen(None) + _gen(b)
    want = plain.generate(reqs)
    assert merging.generate(reqs) == want and merging.merges == 2
    assert want[: len(PROMPTS)] != want[2 * len(PROMPTS):]  # the two adapters answer differently


def test_the_merge_lasts_the_whole_adapter_pass(tiny_model: Path, random_adapter: Path) -> None:
    """Merged once per pass, still merged at every later batch (peft's set_adapter would quietly unmerge it)."""
    seen: list[tuple[str, bool]] = []

    def progress(what: str, done: float, total: int) -> None:  # at each pass start, decode step and batch end
        if backend._model is not None and "(" in what and done > 0:  # a pass start comes before its merge
            seen.append((what, all(m.merged for m in backend._model.modules() if getattr(m, "lora_A", None))))

    backend = HFBackend(ModelSettings(model=str(tiny_model), adapters=(str(random_adapter),), merge_adapters=True,
                                      batch_size=2), progress=progress)
    adapter = backend.adapters[0]
    backend.generate(_gen(None) + _gen(adapter))
    backend.loglikelihood(_ll(adapter))
    passes = backend.passes
    assert passes == 4 + 4 + 2  # 8 base and 8 adapter prompts, 4 label prompts: batches of 2
    assert len([w for w, _ in seen if adapter in w]) >= 4 + 2  # at least once inside every adapter batch
    assert all(merged == (adapter in w) for w, merged in seen)
    assert backend.merges == 2
