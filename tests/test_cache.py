"""The output cache is keyed correctly: changes miss, repeats hit, corrupt entries are recomputed."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FORMAT_SUITE, runpytest_lean, write_suite
from pytest_forgetting.model.cache import CachingBackend
from pytest_forgetting.model.hf import HFBackend
from pytest_forgetting.model.settings import ModelSettings
from pytest_forgetting.model.protocol import GenerateRequest, GenerationSettings, LoglikelihoodRequest, Prompt


def _req(text: str = "Hello", tokens: int = 8, adapter: str | None = None, stop: tuple[str, ...] = ()) -> GenerateRequest:
    return GenerateRequest(Prompt.of(text), GenerationSettings(max_new_tokens=tokens, stop=stop), adapter)


@pytest.fixture
def cached(tiny_model: Path, random_adapter: Path, tmp_path: Path) -> CachingBackend:
    inner = HFBackend(ModelSettings(model=str(tiny_model), adapters=(str(random_adapter),)))
    return CachingBackend(inner, tmp_path / "outputs")


def test_hits_and_misses(cached: CachingBackend) -> None:
    first = cached.generate([_req()])
    assert (cached.hits, cached.misses) == (0, 1)
    assert cached.generate([_req()]) == first
    assert (cached.hits, cached.misses) == (1, 1)
    for changed in (_req("Hello!"), _req(tokens=9), _req(adapter="random"), _req(stop=("x",)),
                    GenerateRequest(Prompt.of("Hello", system="Be brief."), GenerationSettings(max_new_tokens=8))):
        before = cached.misses
        cached.generate([changed])
        assert cached.misses == before + 1, changed
    ll = [LoglikelihoodRequest(Prompt.of("Hello"), "a"), LoglikelihoodRequest(Prompt.of("Hello"), "b")]
    values = cached.loglikelihood(ll)
    assert cached.loglikelihood(ll) == values and cached.hits == 3


def test_other_model_misses(cached: CachingBackend, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    import tiny

    cached.generate([_req()])
    other_model = tiny.build_model(tmp_path_factory.mktemp("other") / "m", seed=7)
    other = CachingBackend(HFBackend(ModelSettings(model=str(other_model))), cached.directory)
    other.generate([_req()])
    assert other.misses == 1


def test_corrupt_entry_is_recomputed(cached: CachingBackend) -> None:
    value = cached.generate([_req()])[0]
    path = cached._path(cached.key(_req()))
    path.write_text('{"key": "trunc')
    assert cached.generate([_req()])[0] == value
    assert cached.misses == 2
    path.write_text('{"key": "not-this-key", "value": "poisoned"}')
    assert cached.generate([_req()])[0] == value


def test_readonly_does_not_write(tiny_model: Path, tmp_path: Path) -> None:
    ro = CachingBackend(HFBackend(ModelSettings(model=str(tiny_model))), tmp_path / "c", mode="readonly")
    ro.generate([_req()])
    assert not (tmp_path / "c").exists()


def test_warm_run_does_not_load_the_model(suite_dir: pytest.Pytester, tiny_model: Path, tmp_path: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    args = (f"--model={tiny_model}", "--forgetting-absolute", f"--forgetting-cache-dir={tmp_path}", "-q")
    cold = suite_dir.runpytest(*args)
    cold.stdout.fnmatch_lines(["*generate: 0 cached, 12 to compute*", "*loaded model on cpu*"])
    warm = suite_dir.runpytest(*args)
    warm.stdout.fnmatch_lines(["*generate: 12 cached, 0 to compute*"])
    assert "loaded model" not in warm.stdout.str()
    assert warm.ret == cold.ret == 0
    off = suite_dir.runpytest(*args, "--forgetting-cache=off")
    off.stdout.fnmatch_lines(["*loaded model on cpu*"])
    cleared = suite_dir.runpytest(*args, "--forgetting-clear-cache")
    cleared.stdout.fnmatch_lines(["*cleared 12 cached output(s)*", "*0 cached, 12 to compute*"])


def test_changed_chat_template_misses(tiny_model: Path, tmp_path: Path) -> None:
    """Keys hold the unrendered messages; the template is covered by the model fingerprint."""
    import json
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(tiny_model, copy)
    first = CachingBackend(HFBackend(ModelSettings(model=str(copy))), tmp_path / "c")
    first.generate([_req()])
    cfg_path = copy / "tokenizer_config.json"
    template_file = copy / "chat_template.jinja"
    if template_file.exists():
        template_file.write_text(template_file.read_text() + "{# changed #}")
    else:
        cfg = json.loads(cfg_path.read_text())
        cfg["chat_template"] = cfg["chat_template"] + "{# changed #}"
        cfg_path.write_text(json.dumps(cfg))
    second = CachingBackend(HFBackend(ModelSettings(model=str(copy))), tmp_path / "c")
    second.generate([_req()])
    assert second.misses == 1
    raw = GenerateRequest(Prompt.of("Hello", chat=False), GenerationSettings(max_new_tokens=8))
    second.generate([raw])
    assert second.misses == 2, "a raw prompt with the same text as a chat prompt must not share its key"


def test_fully_cached_run_imports_no_torch(suite_dir: pytest.Pytester, tiny_model: Path, tmp_path: Path) -> None:
    """The warm path is all fixed cost: it must not pay for importing torch or transformers."""
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    suite_dir.makeconftest(
        "import sys\n"
        "def pytest_sessionfinish(session):\n"
        "    print('\\nHEAVY-IMPORTS:', sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    args = (f"--model={tiny_model}", "--forgetting-absolute", f"--forgetting-cache-dir={tmp_path}", "-q", "-s")
    cold = runpytest_lean(suite_dir, *args)
    assert "HEAVY-IMPORTS: ['torch', 'transformers']" in cold.stdout.str()
    warm = runpytest_lean(suite_dir, *args)
    warm.stdout.fnmatch_lines(["*generate: 12 cached, 0 to compute*"])
    assert "HEAVY-IMPORTS: []" in warm.stdout.str(), warm.stdout.str()
    assert warm.ret == cold.ret == 0
