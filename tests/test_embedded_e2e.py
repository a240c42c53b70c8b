"""End to end on the real embedded SmolLM2-135M-Instruct, with and without a LoRA adapter."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write_suite
from pytest_forgetting.model.embedded import default_cache_dir, ensure_embedded_model

pytestmark = pytest.mark.slow

HELPFUL = """
family: helpfulness
max_new_tokens: 16
cases:
  - {id: france, prompt: "What is the capital of France?", answers: [Paris]}
  - {id: italy, prompt: "What is the capital of Italy?", answers: [Rome]}
  - {id: arithmetic, prompt: "What is 2 + 2?", answers: ["4", four]}
  - {id: week, prompt: "How many days are in a week?", answers: ["7", seven]}
"""

LABELS = """
family: label_collapse
labels: [positive, negative]
cases:
  - {id: good, prompt: "Is this review positive or negative? Answer with one word.\\n\\nReview: I love it, it works perfectly.", label: positive}
  - {id: bad, prompt: "Is this review positive or negative? Answer with one word.\\n\\nReview: Awful. It broke after one day.", label: negative}
"""


@pytest.fixture(scope="session")
def real_cache() -> Path:
    """The user cache dir, so the one-time GGUF conversion is shared by every run."""
    cache = default_cache_dir()
    ensure_embedded_model(cache)
    return cache


@pytest.fixture(scope="session")
def smol_adapter(real_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(ensure_embedded_model(real_cache))
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    out = tmp_path_factory.mktemp("smol") / "adapter"
    model.save_pretrained(out)
    return out


def test_embedded_model_no_model_option(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, real_cache: Path) -> None:
    monkeypatch.setenv("PYTEST_FORGETTING_CACHE_DIR", str(real_cache))
    write_suite(pytester, "helpful", HELPFUL)
    write_suite(pytester, "labels", LABELS)
    res = pytester.runpytest("--forgetting-absolute", "-q", "--forgetting-report=r.json")
    record = json.loads((pytester.path / "r.json").read_text())
    outputs = {cid: c["output"] for s in record["suites"] for cid, c in s["runs"]["base"]["cases"].items()}
    assert "Paris" in outputs["france"]
    res.stdout.fnmatch_lines(["*passed*"])
    assert record["models"]["base"]["name"] == "SmolLM2-135M-Instruct"
    outcomes = {cid: c["passed"] for s in record["suites"] for cid, c in s["runs"]["base"]["cases"].items()}
    assert outcomes["france"] and outcomes["good"]


def test_embedded_with_adapter_and_live_base(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                             real_cache: Path, smol_adapter: Path) -> None:
    monkeypatch.setenv("PYTEST_FORGETTING_CACHE_DIR", str(real_cache))
    write_suite(pytester, "helpful", HELPFUL)
    res = pytester.runpytest(f"--adapter={smol_adapter}", "--forgetting-compare-base", "-q", "--forgetting-report=r.json")
    record = json.loads((pytester.path / "r.json").read_text())
    runs = record["suites"][0]["runs"]
    assert set(runs) == {"base", "adapter"}
    assert record["models"]["adapter"]["adapter_fingerprint"]
    assert record["verdicts"][0]["candidate"] == "adapter"
    assert res.ret in (0, 1)  # the verdict depends on the random adapter; the run itself must complete
    res.stdout.fnmatch_lines(["*forgetting verdict: adapter:*"])


def test_concurrent_runs_convert_the_model_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs sharing a fresh cache dir (CI jobs, pytest -n workers): one converts, the other waits."""
    import threading
    import time

    from pytest_forgetting.model import embedded

    calls: list[int] = []

    def fake_convert(source: Path, tmp: Path, target: Path) -> None:
        calls.append(1)
        time.sleep(0.3)
        tmp.joinpath("config.json").write_text("{}")
        tmp.joinpath("model.safetensors").write_bytes(b"")
        tmp.rename(target)

    monkeypatch.setattr(embedded, "_convert", fake_convert)
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(ensure_embedded_model(tmp_path, announce=False)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(set(results)) == 1 and (results[0] / "config.json").is_file()
    assert not [p for p in results[0].parent.iterdir() if p.name.startswith(".convert-")]


def test_convert_ahead_from_the_command_line(real_cache: Path, tmp_path: Path) -> None:
    """``python -m pytest_forgetting.model.embedded`` (what .ci/run runs beside mypy) prints the converted
    folder and exits 0; with an unwritable cache dir it names the folder and the fix and exits 1."""
    import os
    import subprocess
    import sys

    from conftest import with_shared_models

    cache = with_shared_models(tmp_path / "cache")  # the real conversion, already done by real_cache
    env = {**os.environ, "PYTEST_FORGETTING_CACHE_DIR": str(cache)}
    res = subprocess.run([sys.executable, "-m", "pytest_forgetting.model.embedded"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    printed = Path(res.stdout.strip())
    assert printed.parent == cache / "models" and (printed / "model.safetensors").is_file()
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    res = subprocess.run([sys.executable, "-m", "pytest_forgetting.model.embedded"], capture_output=True, text=True,
                         env={**os.environ, "PYTEST_FORGETTING_CACHE_DIR": str(blocked)}, timeout=120)
    assert res.returncode == 1 and str(blocked) in res.stderr and "fix:" in res.stderr, res.stderr
