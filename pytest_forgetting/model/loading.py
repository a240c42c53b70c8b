"""Resolve ``--model`` / ``--adapter`` to files, refuse unsafe ones, fingerprint them.

Nothing is downloaded: a hub id is looked up in the local cache only
(``local_files_only=True`` and ``HF_HUB_OFFLINE=1`` while loading).
Fingerprints are cheap (config plus sampled bytes of each weight file) so they
can key the output cache and mark baselines without hashing gigabytes.
"""
from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..errors import ModelLoadError
from .embedded import EMBEDDED_NAME, ensure_embedded_model, is_embedded

_SAMPLE = 1 << 20  # bytes read from the head and tail of each weight file
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


@dataclass(frozen=True)
class ModelSource:
    """Where a model comes from, and the name to show for it."""

    name: str
    path: Path | None  # a local directory, or None for a hub id from the cache
    hub_id: str | None = None


@contextmanager
def offline() -> Iterator[None]:
    keys = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    old = {k: os.environ.get(k) for k in keys}
    os.environ.update({k: "1" for k in keys})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def resolve_model(spec: str | None, cache_dir: Path | None, announce: Callable[[str], None] | None = None) -> ModelSource:
    if is_embedded(spec):
        return ModelSource(EMBEDDED_NAME, ensure_embedded_model(cache_dir, announce=announce or True))
    assert spec is not None
    p = Path(spec).expanduser()
    if p.exists():
        if not (p / "config.json").is_file():
            raise ModelLoadError(
                f"--model {spec}: {p} has no config.json, so it is not a transformers model directory.\n"
                "  fix: point --model at the folder that save_pretrained() wrote."
            )
        return ModelSource(p.name or spec, p)
    looks_like_path = spec.startswith((".", "/", "~")) or os.sep in spec and spec.count("/") > 1
    if looks_like_path:
        raise ModelLoadError(f"--model {spec}: no such directory.\n  fix: check the path (it is relative to where pytest runs).")
    try:
        from huggingface_hub import snapshot_download

        with offline():
            local = snapshot_download(spec, local_files_only=True)
    except Exception:  # noqa: BLE001 - any miss means "not in the local cache"
        raise ModelLoadError(
            f"--model {spec}: not a local directory and not in the local Hugging Face cache; "
            "pytest-forgetting never downloads at run time.\n"
            f"  fix: download it once beforehand (e.g. `huggingface-cli download {spec}`), "
            "or pass a local directory, or leave --model out to use the embedded "
            f"{EMBEDDED_NAME}."
        ) from None
    return ModelSource(spec, Path(local), hub_id=spec)


def check_weights_safe(path: Path, allow_pickle: bool, what: str) -> None:
    """Refuse pickle-only weights: loading them can run arbitrary code."""
    files = [f.name for f in path.iterdir()] if path.is_dir() else []
    has_safe = any(f.endswith(".safetensors") for f in files)
    pickles = [f for f in files if f.endswith(PICKLE_SUFFIXES)]
    if not has_safe and pickles and not allow_pickle:
        raise ModelLoadError(
            f"{what} {path} has only pickle weights ({', '.join(sorted(pickles)[:3])}), which can run code when loaded.\n"
            "  fix: convert them to safetensors, or pass --forgetting-allow-pickle if you trust the files."
        )


def check_adapter_dir(path: Path) -> dict:
    if not path.exists():
        raise ModelLoadError(f"--adapter {path}: no such directory.\n  fix: check the path.")
    cfg = path / "adapter_config.json"
    if not cfg.is_file():
        raise ModelLoadError(
            f"--adapter {path}: no adapter_config.json there, so it is not a PEFT adapter directory.\n"
            "  fix: point --adapter at the folder that save_pretrained() of a PeftModel wrote."
        )
    try:
        return json.loads(cfg.read_text("utf-8"))
    except ValueError as exc:
        raise ModelLoadError(f"--adapter {path}: adapter_config.json is not valid JSON: {exc}") from None


def fingerprint_dir(path: Path, *, full_under: int = 64 << 20) -> str:
    """Hash of the configs and weights in a directory: small files fully, big ones sampled."""
    h = hashlib.sha256()
    for f in sorted(path.iterdir()):
        if not f.is_file() or f.name.startswith(".") or f.suffix in (".md", ".txt"):
            continue
        size = f.stat().st_size
        h.update(f"{f.name}:{size}\n".encode())
        with f.open("rb") as fh:
            if size <= full_under:
                h.update(fh.read())
            else:
                h.update(fh.read(_SAMPLE))
                fh.seek(size // 2)
                h.update(fh.read(_SAMPLE))
                fh.seek(max(0, size - _SAMPLE))
                h.update(fh.read(_SAMPLE))
    return h.hexdigest()[:16]


def adapter_name_for(path: Path, taken: set[str]) -> str:
    """A readable, unique adapter name from its directory (``checkpoint-200``, ``narrow``)."""
    base = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in path.resolve().name) or "adapter"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    return name
