"""The output cache: re-runs of unchanged cases cost nothing.

A ``CachingBackend`` wraps any backend. Each request's key hashes the model
and adapter fingerprints, the prompt's messages (or raw text) and whether the
chat template applies, the generation settings or continuation, and
``CACHE_VERSION`` (bumped when generation code changes outputs). The chat
template itself is covered by the model fingerprint (``fingerprint_dir``
hashes the tokenizer files of the model directory), so keys need no
rendering, and a fully cached run needs no tokenizer, torch or transformers.
Entries are one small JSON file each, written atomically (temp + rename), so
concurrent sessions are safe; an entry that does not parse or whose stored key
differs is ignored and recomputed. Only misses reach the wrapped backend, so a
fully cached run never loads the model weights.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Sequence

from .protocol import Backend, GenerateRequest, Loglik, LoglikelihoodRequest, ModelIdentity, Prompt, token_count

CACHE_VERSION = "2"


class CachingBackend:
    """A :class:`Backend` that answers from disk where it can (mode ``on`` or ``readonly``)."""

    def __init__(self, inner: Backend, directory: Path, mode: str = "on",
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        self.inner, self.directory, self.mode, self.progress = inner, directory, mode, progress
        self.hits = 0
        self.misses = 0
        self._ids: dict[str | None, ModelIdentity] = {}

    # protocol passthroughs
    @property
    def adapters(self) -> tuple[str, ...]:
        return tuple(getattr(self.inner, "adapters", ()) or ())

    @property
    def supports_loglikelihood(self) -> bool:
        return bool(getattr(self.inner, "supports_loglikelihood", True))

    def identity(self, adapter: str | None = None) -> ModelIdentity:
        if adapter not in self._ids:
            self._ids[adapter] = self.inner.identity(adapter)
        return self._ids[adapter]

    def __getattr__(self, name: str) -> Any:  # load_count, render, ... of the wrapped backend
        return getattr(self.inner, name)

    # keys and storage
    @staticmethod
    def _prompt_key(prompt: Prompt) -> Any:
        return [list(m) for m in prompt.messages] if prompt.chat else prompt.text

    def key(self, request: GenerateRequest | LoglikelihoodRequest) -> str:
        ident = self.identity(request.adapter)
        body: dict[str, Any] = {
            "v": CACHE_VERSION,
            "backend": ident.backend,
            "model": ident.fingerprint,
            # a backend that fingerprints no adapter still must not serve the base model's answers for it
            "adapter": (ident.adapter_fingerprint or f"name:{request.adapter}") if request.adapter else None,
            "prompt": self._prompt_key(request.prompt),
            "raw": not request.prompt.chat,
        }
        if isinstance(request, GenerateRequest):
            body.update(kind="generate", max_new_tokens=request.settings.max_new_tokens, stop=list(request.settings.stop))
        else:
            # entries hold [value, token count]; the key says so, so older bare-float entries are recomputed once
            body.update(kind="loglikelihood", continuation=request.continuation, counts=True)
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def _get(self, key: str) -> Any:
        try:
            obj = json.loads(self._path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(obj, dict) or obj.get("key") != key or "value" not in obj:
            return None
        return obj["value"]

    def _put(self, key: str, value: Any) -> None:
        if self.mode != "on":
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"key": key, "value": value}, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only or full disk degrades to no caching, never to a failed run

    def _answer(self, requests: Sequence[Any], compute: Callable[[list[Any]], list[Any]], kind: str,
                store: Callable[[Any], Any] = lambda v: v) -> list[Any]:
        keys = [self.key(r) for r in requests]
        out: list[Any] = [self._get(k) for k in keys]
        missing = [i for i, v in enumerate(out) if v is None]
        self.hits += len(requests) - len(missing)
        self.misses += len(missing)
        if self.progress and requests:
            self.progress(f"{kind}: {len(requests) - len(missing)} cached, {len(missing)} to compute", 0, 0)
        if missing:
            fresh = compute([requests[i] for i in missing])
            for i, value in zip(missing, fresh):
                out[i] = value
                self._put(keys[i], store(value))
        return out

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        return [str(x) for x in self._answer(requests, self.inner.generate, "generate")]

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[float]:
        values = self._answer(requests, self.inner.loglikelihood, "loglikelihood",
                              store=lambda v: [float(v), token_count(v)])
        return [_loglik(x) for x in values]


def _loglik(stored: Any) -> Loglik:
    """A cached ``[value, token count]`` (or a fresh backend result) as a :class:`Loglik`."""
    if isinstance(stored, list) and len(stored) == 2:
        return Loglik(float(stored[0]), None if stored[1] is None else int(stored[1]))
    return Loglik(float(stored), token_count(stored))


def clear_cache(directory: Path) -> int:
    """Delete every cached output; returns how many entries were removed."""
    if not directory.exists():
        return 0
    n = sum(1 for _ in directory.rglob("*.json"))
    shutil.rmtree(directory)
    return n
