"""The output cache: re-runs of unchanged cases cost nothing.

A ``CachingBackend`` wraps any backend. Each request's key hashes the model
and adapter fingerprints, the prompt's messages (or raw text) and whether the
chat template applies, the generation settings or continuation, and
``CACHE_VERSION`` (bumped when generation code changes outputs). The chat
template itself is covered by the model fingerprint (``fingerprint_dir``
hashes the tokenizer files of the model directory), so keys need no
rendering, and a fully cached run needs no tokenizer, torch or transformers.
Entries are one small JSON file each, written atomically (``fileio.atomic_write``),
so concurrent sessions are safe; an entry that does not parse or whose stored key
differs is ignored and recomputed. Each entry carries a sha256 ``digest`` of its key
and value: an entry edited on disk (its answer replaced) no longer matches, and is a
miss with a :class:`CacheIntegrityWarning` naming the file, never a hit. Only misses reach the wrapped backend, so a
fully cached run never loads the model weights.

Keys also hold the backend's ``output_settings()`` (requested device and dtype,
with a cheap accelerator signature when either is ``auto``, library versions,
remote-code opt-in): a bfloat16 run never reuses float32 answers. The batch size
is left out on purpose: rows are padded and positioned so batching does not
change the maths, and which requests share a batch depends on what missed.
An adapter request answered with the adapter merged into the base weights
(``--forgetting-merge-adapters``) is keyed with ``merged``: merging changes
outputs by float rounding, so merged and unmerged answers are never mixed.

The cache dir holds only what the plugin wrote: a marker file names it as
ours, a project root (``pyproject.toml``, ``.git``, ...) or a folder with other
files in it is refused, and clearing removes only files whose names the plugin
writes (``outputs/xx/<sha256>.json``), never a whole tree. ``outputs/`` and its
``xx/`` folders must be real folders inside the cache dir: one that is a symbolic
link is refused (the cache would write wherever it points).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import ForgettingError
from ..fileio import atomic_write, loads_bounded
from .protocol import Backend, GenerateRequest, Loglik, LoglikelihoodRequest, ModelIdentity, Prompt, token_count

CACHE_VERSION = "2"


class CacheIntegrityWarning(UserWarning):
    """A cached output no longer matches its digest (edited or damaged on disk); it was recomputed."""


def entry_digest(key: str, value: Any) -> str:
    """The digest an entry carries: sha256 of its key and value in canonical JSON."""
    body = json.dumps({"key": key, "value": value}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


class CachingBackend:
    """A :class:`Backend` that answers from disk where it can (mode ``on`` or ``readonly``)."""

    def __init__(self, inner: Backend, directory: Path, mode: str = "on",
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        self.inner, self.directory, self.mode, self.progress = inner, directory, mode, progress
        self.hits = 0
        self.misses = 0
        self._ids: dict[str | None, ModelIdentity] = {}
        self._settings: Any = None
        self._marked = False

    # protocol passthroughs
    @property
    def adapters(self) -> tuple[str, ...]:
        """The wrapped backend's adapters: the cache is invisible to whoever asks which sides exist."""
        return tuple(getattr(self.inner, "adapters", ()) or ())

    @property
    def supports_loglikelihood(self) -> bool:
        """Pass the inner backend's answer through, so a served backend without echo is still refused early."""
        return bool(getattr(self.inner, "supports_loglikelihood", True))

    def identity(self, adapter: str | None = None) -> ModelIdentity:
        """The inner backend's identity, memoised: it fingerprints files, and every cache key asks for it."""
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
        """The cache key: everything that can change the answer (backend, model and adapter fingerprints, prompt,
        settings), so a changed model never gets an old answer."""
        ident = self.identity(request.adapter)
        body: dict[str, Any] = {
            "v": CACHE_VERSION,
            "backend": ident.backend,
            "model": ident.fingerprint,
            # a backend that fingerprints no adapter still must not serve the base model's answers for it
            "adapter": (ident.adapter_fingerprint or f"name:{request.adapter}") if request.adapter else None,
            "prompt": self._prompt_key(request.prompt),
            "raw": not request.prompt.chat,
            "settings": self.output_settings(),
        }
        if self._merged(request.adapter):
            body["merged"] = True  # merged and unmerged passes differ by float rounding; unmerged keys are unchanged
        if isinstance(request, GenerateRequest):
            body.update(kind="generate", max_new_tokens=request.settings.max_new_tokens, stop=list(request.settings.stop))
        else:
            # entries hold [value, token count]; the key says so, so older bare-float entries are recomputed once
            body.update(kind="loglikelihood", continuation=request.continuation, counts=True)
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def _merged(self, adapter: str | None) -> bool:
        """Whether the wrapped backend answers ``adapter`` with its weights merged into the base."""
        merged = getattr(self.inner, "merged", None)
        return adapter is not None and callable(merged) and bool(merged(adapter))

    def output_settings(self) -> Any:
        """The wrapped backend's settings that change outputs (dtype, device, library versions)."""
        if self._settings is None:
            get = getattr(self.inner, "output_settings", None)
            self._settings = get() if callable(get) else {}
        return self._settings

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def _get(self, key: str) -> Any:
        path = self._path(key)
        try:
            obj = loads_bounded(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(obj, dict) or obj.get("key") != key or "value" not in obj:
            return None
        if "digest" not in obj:
            return None  # written before entries carried digests: recomputed once, rewritten with one
        if obj["digest"] != entry_digest(key, obj["value"]):
            warnings.warn(CacheIntegrityWarning(
                f"pytest-forgetting: cached output {path} does not match its digest (edited or damaged since it "
                "was written); it was recomputed, not used. To start clean: --forgetting-clear-cache"), stacklevel=2)
            return None
        return obj["value"]

    def _put(self, key: str, value: Any) -> None:
        if self.mode != "on":
            return
        path = self._path(key)
        try:
            if not self._marked:
                mark_cache_dir(self.directory.parent)
                self._marked = True
            path.parent.mkdir(parents=True, exist_ok=True)
            if self.directory.is_symlink() or path.parent.is_symlink():
                return  # the entry would land wherever the link points: not cached (check_cache_dir says why)
            entry = {"key": key, "value": value, "digest": entry_digest(key, value)}
            atomic_write(path, json.dumps(entry, ensure_ascii=False))
        except OSError:
            pass  # a read-only or full disk degrades to no caching, never to a failed run

    def _answer(self, requests: Sequence[Any], compute: Callable[[list[Any]], list[Any]], kind: str,
                store: Callable[[Any], Any] = lambda v: v) -> list[Any]:
        # an adapter held in memory (the training callback's) changes under its name: never cached
        passthrough = not getattr(self.inner, "caches_adapters", True)
        keys = [None if passthrough and r.adapter else self.key(r) for r in requests]
        out: list[Any] = [None if k is None else self._get(k) for k in keys]
        missing = [i for i, v in enumerate(out) if v is None]
        self.hits += len(requests) - len(missing)
        self.misses += len(missing)
        if self.progress and requests:
            self.progress(f"{kind}: {len(requests) - len(missing)} cached, {len(missing)} to compute", 0, 0)
        if missing:
            fresh = compute([requests[i] for i in missing])
            for i, value in zip(missing, fresh):
                out[i] = value
                key = keys[i]
                if key is not None:
                    self._put(key, store(value))
        return out

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        """Generate through the cache: only misses reach the model, in one batch."""
        return [str(x) for x in self._answer(requests, self.inner.generate, "generate")]

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[float]:
        """Score through the cache: only misses reach the model; the token count is kept beside each value."""
        values = self._answer(requests, self.inner.loglikelihood, "loglikelihood",
                              store=lambda v: [float(v), token_count(v)])
        return [_loglik(x) for x in values]


def _loglik(stored: Any) -> Loglik:
    """A cached ``[value, token count]`` (or a fresh backend result) as a :class:`Loglik`."""
    if isinstance(stored, list) and len(stored) == 2:
        return Loglik(float(stored[0]), None if stored[1] is None else int(stored[1]))
    return Loglik(float(stored), token_count(stored))


MARKER = ".pytest-forgetting-cache"
"""A file at the top of the cache dir: this folder is ours, and we delete only what we wrote in it."""
_MARKER_TEXT = "pytest-forgetting cache dir. The plugin deletes only the cached outputs it wrote here.\n"
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", ".git", ".hg", "pytest.ini", "tox.ini")
_OUR_ENTRIES: dict[str, re.Pattern[str]] = {  # top-level name -> the names we write inside it
    "outputs": re.compile(r"[0-9a-f]{2}|\..*\.tmp"),
    "fingerprints": re.compile(r"[0-9a-f]{32}\.json|\..*\.tmp"),
    "models": re.compile(r"SmolLM2-135M-Instruct-v\d+|\.convert-.*"),
}
_ENTRY = re.compile(r"[0-9a-f]{64}\.json|\..*\.tmp")


def cache_dir_problem(root: Path) -> str | None:
    """Why ``root`` must not be used as the cache dir, or ``None`` when it may.

    A project root is refused even with a marker; an unmarked folder is adopted only when it is
    empty or holds nothing but what the plugin writes (a cache from before the marker existed).
    """
    if not root.exists():
        return None
    if not root.is_dir():
        return "it is not a directory"
    project = [n for n in _PROJECT_FILES if (root / n).exists()]
    if project:
        return f"it looks like a project root (it has {', '.join(project)}), not a cache"
    for name in ("outputs", "fingerprints"):
        if (root / name).is_symlink():
            return f"{name}/ in it is a symbolic link (to {os.path.realpath(root / name)}); cached files would be written there"
    if (root / MARKER).is_file():
        return None
    try:
        foreign = [e.name for e in root.iterdir() if e.name not in _OUR_ENTRIES and e.name != MARKER]
        for name, pattern in _OUR_ENTRIES.items():
            sub = root / name
            if sub.is_dir():
                foreign += [f"{name}/{e.name}" for e in sub.iterdir() if not pattern.fullmatch(e.name)]
            elif sub.exists() or sub.is_symlink():
                foreign.append(name)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if foreign:
        shown = ", ".join(sorted(foreign)[:5]) + (", ..." if len(foreign) > 5 else "")
        return f"it holds files pytest-forgetting did not write ({shown})"
    return None


def check_cache_dir(root: Path) -> None:
    """Raise :class:`ForgettingError` when ``root`` may not be used as the cache dir."""
    problem = cache_dir_problem(root)
    if problem:
        raise ForgettingError(
            f"cache dir {root}: {problem}; pytest-forgetting will not write or delete files there.\n"
            "  fix: pass --forgetting-cache-dir (or $PYTEST_FORGETTING_CACHE_DIR) a folder of its own, "
            "e.g. .forgetting-cache"
        )


def mark_cache_dir(root: Path) -> None:
    """Create the cache dir if needed and write the marker (raises ``OSError`` when unwritable)."""
    root.mkdir(parents=True, exist_ok=True)
    marker = root / MARKER
    if not marker.is_file():
        atomic_write(marker, _MARKER_TEXT)


def clear_cache(directory: Path) -> int:
    """Delete the cached outputs the plugin wrote in ``directory``; returns how many were removed.

    Only ``xx/<sha256>.json`` entries and our own temp files go; anything else stays, and a
    cache dir that is a project root or holds other files is refused before anything is deleted.
    """
    check_cache_dir(directory.parent)
    if not directory.is_dir() or directory.is_symlink():
        return 0
    n = 0
    try:
        for sub in directory.iterdir():
            if sub.is_symlink() or not sub.is_dir() or not re.fullmatch(r"[0-9a-f]{2}", sub.name):
                continue
            for f in sub.iterdir():
                if _ENTRY.fullmatch(f.name) and (f.is_file() or f.is_symlink()):
                    f.unlink()
                    n += f.name.endswith(".json")
            _rmdir_if_empty(sub)
        _rmdir_if_empty(directory)
    except OSError as exc:
        raise ForgettingError(
            f"cannot clear cached outputs in {directory}: {exc.strerror or exc}\n"
            "  fix: make the cache dir writable, or pass --forgetting-cache-dir a folder you own"
        ) from None
    return n


def _rmdir_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass  # not empty: something else lives there, and it stays
