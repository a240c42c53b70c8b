"""The options become one ``ModelSettings`` the session hands to the backend whole (issue 28)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pytest_forgetting.model.hf import HFBackend
from pytest_forgetting.model.openai_backend import OpenAIBackend
from pytest_forgetting.model.settings import ModelSettings
from pytest_forgetting.plugin.stash import session_of


def test_the_transformers_backend_gets_the_settings_object_itself(pytester: pytest.Pytester, tiny_model: Path,
                                                                   tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    config = pytester.parseconfigure(
        f"--model={tiny_model}", "--forgetting-device=cpu", "--forgetting-dtype=float32", "--forgetting-batch-size=3",
        "--forgetting-merge-adapters", "--forgetting-trust-remote-code", f"--forgetting-cache-dir={cache}")
    fs = session_of(config)
    assert fs.settings.model == ModelSettings(model=str(tiny_model), device="cpu", dtype="float32", batch_size=3,
                                              merge_adapters=True, trust_remote_code=True, cache_dir=cache)
    backend = fs.default_backend()
    assert isinstance(backend, HFBackend) and backend.settings is fs.settings.model  # not a field-by-field copy
    assert backend.load_count == 0  # handing settings over loads nothing yet


def test_the_served_backend_reads_every_serving_option(pytester: pytest.Pytester, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    config = pytester.parseconfigure(
        "--forgetting-backend=openai", "--forgetting-base-url=http://127.0.0.1:9/v1", "--model=served",
        "--adapter=narrow", "--forgetting-max-concurrency=3", "--forgetting-request-timeout=7",
        f"--forgetting-cache-dir={cache}")
    fs = session_of(config)
    backend = fs.default_backend()  # builds the client only: nothing is sent to the server yet
    assert isinstance(backend, OpenAIBackend)
    assert (backend.base_url, backend.requested_model, backend.adapters) == ("http://127.0.0.1:9/v1", "served", ("narrow",))
    assert (backend.max_concurrency, backend.request_timeout, backend.cache_dir) == (3, 7.0, cache)
    assert OpenAIBackend.from_settings(ModelSettings(base_url="http://h:1/v1", request_timeout=2)).request_timeout == 2.0


def test_a_served_backend_without_a_url_is_refused() -> None:
    from pytest_forgetting.errors import BackendError

    with pytest.raises(BackendError, match="needs --forgetting-base-url"):
        OpenAIBackend.from_settings(ModelSettings(backend="openai"))
