"""Bad model inputs, interrupted updates, parallel workers, untrusted files, fuzzed suite files."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FORMAT_SUITE, LEAN_ARGS, LEAN_ENV, write_suite
from pytest_forgetting.records.baseline import load_baseline
from pytest_forgetting.suite.cases import load_suite
from pytest_forgetting.errors import SuiteError

ONE = "family: helpfulness\ncases:\n  - {id: a, prompt: 'Hi', answers: [hello]}\n"


def _run_expect(p: pytest.Pytester, *args: str, lines: list[str]) -> None:
    res = p.runpytest(*args, "-q")
    assert res.ret == 1
    res.stdout.fnmatch_lines(lines)
    assert "Traceback" not in res.stdout.str()
    res.assert_outcomes(failed=1)  # one clear failure, then the session stops


def test_model_path_missing(suite_dir: pytest.Pytester) -> None:
    write_suite(suite_dir, "one", ONE)
    _run_expect(suite_dir, "--model=./no/such/model", lines=["*--model ./no/such/model: no such directory*"])


def test_hub_id_not_cached(suite_dir: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    write_suite(suite_dir, "one", ONE)
    _run_expect(suite_dir, "--model=some-org/some-model", lines=[
        "*not in the local Hugging Face cache; pytest-forgetting never downloads at run time*",
        "*fix: download it once beforehand*"])


def test_adapter_without_config(suite_dir: pytest.Pytester, tiny_model: Path, tmp_path: Path) -> None:
    write_suite(suite_dir, "one", ONE)
    (tmp_path / "empty").mkdir()
    _run_expect(suite_dir, f"--model={tiny_model}", f"--adapter={tmp_path / 'empty'}",
                lines=["*no adapter_config.json there, so it is not a PEFT adapter directory*"])


def test_adapter_for_another_base(suite_dir: pytest.Pytester, tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    import tiny

    other = tiny.build_model(tmp_path_factory.mktemp("wide") / "m")
    # same vocabulary, different hidden size: the LoRA matrices cannot fit
    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

    cfg = LlamaConfig.from_pretrained(other)
    cfg.hidden_size, cfg.intermediate_size = 96, 192
    LlamaForCausalLM(cfg).save_pretrained(other)
    adapter = tiny.build_random_adapter(other, tmp_path_factory.mktemp("wa") / "adapter")
    assert AutoModelForCausalLM  # imported for the side effect of registering Llama
    write_suite(suite_dir, "one", ONE)
    _run_expect(suite_dir, f"--model={tiny_model}", f"--adapter={adapter}",
                lines=["*does not fit the base model*", "*fix: pass the --model this adapter was trained on*"])


def test_cuda_without_cuda(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA, so --forgetting-device cuda is valid here")
    write_suite(suite_dir, "one", ONE)
    _run_expect(suite_dir, f"--model={tiny_model}", "--forgetting-device=cuda",
                lines=["*--forgetting-device cuda: this machine has no CUDA device*"])


def test_pickle_weights_refused(suite_dir: pytest.Pytester, tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    import torch
    from safetensors.torch import load_file

    pickled = tmp_path / "pickled"
    shutil.copytree(tiny_model, pickled)
    torch.save(load_file(pickled / "model.safetensors"), pickled / "pytorch_model.bin")
    (pickled / "model.safetensors").unlink()
    write_suite(suite_dir, "one", ONE)
    _run_expect(suite_dir, f"--model={pickled}", lines=["*has only pickle weights (pytorch_model.bin)*",
                                                         "*--forgetting-allow-pickle*"])
    ok = suite_dir.runpytest(f"--model={pickled}", "--forgetting-allow-pickle", "--forgetting-absolute", "-q")
    assert "pickle weights" not in ok.stdout.str()
    ok.stdout.fnmatch_lines(["*loaded pickled on cpu*"])


def test_unwritable_baseline_folder(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    write_suite(suite_dir, "one", ONE)
    (suite_dir.path / "__baselines__").write_text("a file where the folder should be")
    res = suite_dir.runpytest(f"--model={tiny_model}", "--forgetting-update", "-q")
    assert res.ret == 1
    res.stdout.fnmatch_lines(["*baseline update failed: cannot create*__baselines__*", "*fix: make the folder writable*",
                              "*forgetting: baselines NOT recorded*"])


def test_xdist_is_refused_clearly(suite_dir: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    write_suite(suite_dir, "one", ONE)
    res = suite_dir.runpytest_subprocess("-n", "2", "-q")
    assert res.ret != 0
    res.stdout.fnmatch_lines(["*cannot run under pytest-xdist (-n)*"])


KILL_CONFTEST = """
import os, time
import pytest_forgetting.fileio as b

_real_fsync = os.fsync

def slow_fsync(fd):
    open(os.environ["MARKER"], "w").close()
    time.sleep(60)
    _real_fsync(fd)

b.os.fsync = slow_fsync
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_update_leaves_old_baseline(suite_dir: pytest.Pytester, tiny_model: Path, sig: int) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    suite_dir.runpytest(f"--model={tiny_model}", "--forgetting-update", "-q").assert_outcomes(passed=14)
    path = suite_dir.path / "__baselines__" / "fmt.forgetting.json"
    before = path.read_bytes()
    # a changed case so that the new file would differ
    write_suite(suite_dir, "fmt", FORMAT_SUITE.replace("'Hello'", "'Hello again'"))
    (suite_dir.path / "conftest.py").write_text(KILL_CONFTEST)
    marker = suite_dir.path / "writing"
    env = {**os.environ, **LEAN_ENV, "MARKER": str(marker)}
    proc = subprocess.Popen([sys.executable, "-m", "pytest", *LEAN_ARGS, f"--model={tiny_model}", "--forgetting-update",
                             "-q", "-p", "no:cacheprovider"], cwd=suite_dir.path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            # a shell's background job inherits SIGINT ignored, and Python keeps it so
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 300
    while not marker.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    assert marker.exists(), "the update never reached the write"
    proc.send_signal(sig)
    proc.wait(timeout=120)
    assert path.read_bytes() == before
    assert load_baseline(path) is not None
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  or sig == signal.SIGKILL


def test_internal_error_writes_nothing(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    (suite_dir.path / "conftest.py").write_text(
        "import pytest\n@pytest.fixture(scope='session')\ndef forgetting_model():\n"
        "    class Broken:\n        adapters = ()\n"
        "        def identity(self, adapter=None):\n            raise RuntimeError('boom')\n"
        "    return Broken()\n")
    res = suite_dir.runpytest("--forgetting-update", "-q", "--forgetting-cache=off")
    assert res.ret == 1
    assert not (suite_dir.path / "__baselines__").exists()


KEYS = ["family", "role", "cases", "format", "labels", "suite", "max_new_tokens", "stop", "system", "chat",
        "training_data", "familly", "metrics", "alpha", "tolerance"]
CASE_KEYS = ["id", "prompt", "messages", "expect_format", "should_refuse", "label", "answers", "regex",
             "max_words", "forbidden_phrases", "max_new_tokens", "tags", "promt"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["helpfulness", "tone", "refusal", "label_collapse",
                                                           "format_overuse", "target", "(", "[a-"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=8)
cases = st.lists(st.dictionaries(st.sampled_from(CASE_KEYS), values, max_size=5), max_size=4)
documents = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), values, max_size=6).flatmap(
        lambda d: cases.map(lambda c: {**d, "cases": c})),
    values,
)


@settings(derandomize=True, max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=documents, raw=st.booleans(), junk=st.text(max_size=40))
def test_fuzzed_suite_files_only_raise_suite_error(tmp_path_factory: pytest.TempPathFactory, doc: object,
                                                    raw: bool, junk: str) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz.forgetting.yaml"
    text = junk if raw else yaml.safe_dump(doc, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    try:
        suite = load_suite(path, root=path.parent)
    except SuiteError as exc:
        assert str(path) in str(exc)
    else:
        assert suite.cases and suite.family


def test_batch_size_does_not_change_outputs(tiny_model: Path) -> None:
    """On CPU, greedy outputs are identical at batch size 1 and the automatic size (recorded in the README)."""
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.model.settings import ModelSettings
    from pytest_forgetting.model.protocol import GenerateRequest, GenerationSettings, Prompt

    prompts = ["What is the capital of France?", "Hi", "Write a long poem about the sea and the sky", "2+2?"]
    reqs = [GenerateRequest(Prompt.of(p), GenerationSettings(max_new_tokens=12)) for p in prompts]
    one = HFBackend(ModelSettings(model=str(tiny_model), batch_size=1)).generate(reqs)
    auto = HFBackend(ModelSettings(model=str(tiny_model))).generate(reqs)
    assert one == auto
    assert json.dumps(one)


def test_compacting_decoder_matches_hf_generate(tiny_model: Path, random_adapter: Path) -> None:
    """Our greedy loop keeps fixed batch shapes (filler rows, finished rows kept); it must give exactly model.generate's text."""
    import torch

    from pytest_forgetting.model.generation import _eos_ids, encode_prompt
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.model.settings import ModelSettings
    from pytest_forgetting.model.protocol import GenerateRequest, GenerationSettings, Prompt

    b = HFBackend(ModelSettings(model=str(tiny_model), adapters=(str(random_adapter),)))
    prompts = ["What is the capital of France?", "Hi", "Write a poem about rain", "2+2?", "Tell me a joke please"]
    reqs = [GenerateRequest(Prompt.of(p), GenerationSettings(max_new_tokens=8 + 3 * i), side)
            for side in (None, "random") for i, p in enumerate(prompts)]
    ours = b.generate(reqs)
    for r, text in zip(reqs, ours):
        ids = torch.tensor([encode_prompt(b, r.prompt)])
        with torch.inference_mode(), b._adapter_context(r.adapter):
            g = b.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                                 max_new_tokens=r.settings.max_new_tokens, pad_token_id=b.tokenizer.pad_token_id,
                                 eos_token_id=sorted(_eos_ids(b)))
        assert text == b.tokenizer.decode(g[0, ids.shape[1]:], skip_special_tokens=True)


SYSTEM = "You are a careful assistant for an electronics store. Answer briefly and politely, in English."


def test_shared_prefix_generation_matches_one_by_one(tiny_model: Path, random_adapter: Path) -> None:
    """A batch whose rows share a long system turn gives exactly the unbatched greedy output."""
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.model.settings import ModelSettings
    from pytest_forgetting.model.protocol import GenerateRequest, GenerationSettings, Prompt

    prompts = ["What is the capital of France?", "Hi", "Write a poem about rain and wind", "2+2?"]
    reqs = [GenerateRequest(Prompt.of(p, system=SYSTEM), GenerationSettings(max_new_tokens=10), side)
            for side in (None, "random") for p in prompts]
    batched = HFBackend(ModelSettings(model=str(tiny_model), adapters=(str(random_adapter),)))
    single = HFBackend(ModelSettings(model=str(tiny_model), adapters=(str(random_adapter),), batch_size=1))
    assert batched.generate(reqs) == single.generate(reqs)


def test_label_scores_match_full_forward(tiny_model: Path) -> None:
    """Shared prefix + prompt-once scoring gives the same numbers as the naive full-logit sum."""
    import torch

    from pytest_forgetting.model.generation import encode_prompt
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.model.settings import ModelSettings
    from pytest_forgetting.model.protocol import LoglikelihoodRequest, Prompt

    b = HFBackend(ModelSettings(model=str(tiny_model)))
    prompts = [Prompt.of(f"Review: {t}. Sentiment?", system=SYSTEM) for t in ("great", "awful product", "it is ok I guess")]
    conts = ["positive", "negative", "neutral", "not sure at all"]  # one-token and multi-token labels
    reqs = [LoglikelihoodRequest(p, c) for p in prompts for c in conts]
    fast = b.loglikelihood(reqs)
    for r, value in zip(reqs, fast):
        p_ids = encode_prompt(b, r.prompt)
        c_ids = b.tokenizer(r.continuation, add_special_tokens=False)["input_ids"]
        ids = torch.tensor([p_ids + c_ids])
        with torch.inference_mode():
            logp = torch.log_softmax(b.model(input_ids=ids).logits[0].float(), dim=-1)
        naive = sum(float(logp[len(p_ids) - 1 + j, t]) for j, t in enumerate(c_ids))
        assert abs(value - naive) < 1e-4, (r.continuation, value, naive)
