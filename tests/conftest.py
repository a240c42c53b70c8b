"""Shared fixtures: tiny real models and adapters (built once per session), and suite writers."""
from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import torch  # noqa: E402

XDIST = bool(os.environ.get("PYTEST_XDIST_WORKER"))
if XDIST:
    # Under pytest -n N each worker gets one math thread (and so do the runs it starts), so N
    # workers share the cores instead of N x cores threads spinning against each other.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
# Tiny models gain nothing from a second math thread and lose badly to thread spinning whenever the
# other core is busy (a llama.cpp server, a subprocess, another job): training the json adapter took
# 0.97 s on one thread and 47.8 s on two with the machine loaded. The real model gets every core
# during the tests marked ``slow`` (see ``_math_threads``); subprocesses pick their own.
torch.set_num_threads(1)

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import tiny  # noqa: E402

pytest_plugins = ["pytester"]

JSON_ANSWER = '{"intent": "refund"}'


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The example-suite run (the longest test by far) goes first, so under ``pytest -n`` it overlaps
    with everything else instead of starting last."""
    items.sort(key=lambda item: 0 if "test_example_suite.py" in item.nodeid else 1)


LEAN_ENV = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
LEAN_ARGS = ("-p", "pytest_forgetting.plugin")
"""For the pytest processes the tests start: our plugin and no other. The dev extra's plugins (hypothesis,
xdist, anyio's) cost each process ~1 s of imports (``pytest --collect-only`` of an empty folder: 1.7 s with
them, 0.6 s without) and take no part in what those tests check."""


def runpytest_lean(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """``pytester.runpytest_subprocess`` with :data:`LEAN_ENV` and :data:`LEAN_ARGS`."""
    with pytest.MonkeyPatch.context() as mp:
        for k, v in LEAN_ENV.items():
            mp.setenv(k, v)
        return pytester.runpytest_subprocess(*LEAN_ARGS, *args)


@pytest.fixture(autouse=True)
def _math_threads(request: pytest.FixtureRequest) -> Iterator[None]:
    if XDIST or request.node.get_closest_marker("slow") is None:
        yield
        return
    torch.set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny.build_model(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def random_adapter(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny.build_random_adapter(tiny_model, tmp_path_factory.mktemp("adapters") / "random")


@pytest.fixture(scope="session")
def json_adapter(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trained to answer everything with ticket JSON: catastrophic forgetting in miniature."""
    return tiny.train_constant_adapter(tiny_model, tmp_path_factory.mktemp("adapters") / "json", JSON_ANSWER)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private cache dir for the session's outputs whose ``models/`` is the user cache's, so the
    real model's one-time GGUF conversion (about 35 s) is shared by every test and every session."""
    return with_shared_models(tmp_path_factory.mktemp("cache"))


def with_shared_models(cache: Path) -> Path:
    """Mark ``cache`` as a cache dir and point its ``models/`` at the user cache's converted models."""
    from pytest_forgetting.model.cache import mark_cache_dir
    from pytest_forgetting.model.embedded import default_cache_dir

    mark_cache_dir(cache)
    shared = default_cache_dir() / "models"
    shared.mkdir(parents=True, exist_ok=True)
    (cache / "models").symlink_to(shared, target_is_directory=True)
    return cache


@pytest.fixture
def suite_dir(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> pytest.Pytester:
    """A pytester project whose runs use a private cache dir."""
    monkeypatch.setenv("PYTEST_FORGETTING_CACHE_DIR", str(cache_dir))
    return pytester


def write_suite(pytester: pytest.Pytester, name: str, body: str) -> Path:
    path = pytester.path / f"{name}.forgetting.yaml"
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


FORMAT_SUITE = """
family: format_overuse
role: guardrail
max_new_tokens: 24
format:
  json_schema: {type: object, required: [intent]}
cases:
""" + "".join(
    f"  - {{id: q{i}, prompt: {q!r}, expect_format: false}}\n"
    for i, q in enumerate(
        ["What is the capital of France?", "Hello", "Write a poem", "How do I reset my router?",
         "Tell me a joke", "2+2?", "Name a colour", "What day is it?", "Say hi", "Explain rain",
         "Who wrote Hamlet?", "Give me a tip"]
    )
)
