"""Resolve ``--model`` / ``--adapter`` to files, refuse unsafe ones, fingerprint them.

Nothing is downloaded: a hub id is looked up in the local cache only
(``local_files_only=True`` and ``HF_HUB_OFFLINE=1`` while loading).
Fingerprints hash every byte of every config, tokenizer and weight file: a
merged LoRA changes a few layers in the middle of a big file, and a sampled
hash would give it the base model's identity (and its cached answers). Warm
runs stay fast because each file's digest is remembered in the cache dir,
keyed on its path, size, mtime, ctime, inode and device.
"""
from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import ModelLoadError
from ..fileio import atomic_write
from .cache import mark_cache_dir
from .embedded import EMBEDDED_NAME, ensure_embedded_model, is_embedded

_CHUNK = 1 << 22
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


@dataclass(frozen=True)
class ModelSource:
    """Where a model comes from, and the name to show for it."""

    name: str
    path: Path | None  # a local directory, or None for a hub id from the cache
    hub_id: str | None = None


@contextmanager
def offline() -> Iterator[None]:
    """Make the hub libraries offline while loading: the plugin never downloads at run time."""
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
    """Turn ``--model`` into files on disk (a directory, a hub id already cached, or the embedded model), with a fix
    in the error when it is none of them."""
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


def check_adapter_dir(path: Path) -> dict[str, Any]:
    """Read and check an adapter directory before any model work, so a broken adapter gets its own
    message instead of being diagnosed as "does not fit the base model" after the load."""
    if not path.exists():
        raise ModelLoadError(f"--adapter {path}: no such directory.\n  fix: check the path.")
    cfg = path / "adapter_config.json"
    if not cfg.is_file():
        raise ModelLoadError(
            f"--adapter {path}: no adapter_config.json there, so it is not a PEFT adapter directory.\n"
            "  fix: point --adapter at the folder that save_pretrained() of a PeftModel wrote."
        )
    try:
        data = json.loads(cfg.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelLoadError(f"--adapter {path}: adapter_config.json is not valid JSON: {exc}\n"
                             "  fix: restore the file that save_pretrained() wrote.") from None
    if not isinstance(data, dict):
        raise ModelLoadError(
            f"--adapter {path}: adapter_config.json must hold a JSON object, got a {type(data).__name__}.\n"
            "  fix: restore the file that save_pretrained() wrote."
        )
    kind = data.get("peft_type")
    known = _peft_types()
    if not isinstance(kind, str) or (known and kind not in known):
        raise ModelLoadError(
            f"--adapter {path}: adapter_config.json has peft_type {kind!r}, which the installed peft does not know"
            + (f" (known: {', '.join(sorted(known)[:8])}, ...)" if known else "") + ".\n"
            "  fix: restore the file that save_pretrained() wrote, or upgrade peft (pip install -U peft)."
        )
    weights = [path / n for n in ADAPTER_WEIGHTS if (path / n).is_file()]
    if not weights:
        raise ModelLoadError(
            f"--adapter {path}: no adapter weights ({' or '.join(ADAPTER_WEIGHTS)}) beside adapter_config.json.\n"
            "  fix: copy the whole folder that save_pretrained() wrote, weights included."
        )
    for w in weights:
        if w.suffix == ".safetensors":
            problem = safetensors_problem(w)
            if problem:
                raise ModelLoadError(f"--adapter {path}: {w.name} {problem}.\n"
                                     "  fix: copy the file again (an interrupted copy or download truncates it).")
    return data


ADAPTER_WEIGHTS = ("adapter_model.safetensors", "adapter_model.bin")


def _peft_types() -> set[str]:
    try:
        from peft import PeftType
    except ImportError:  # pragma: no cover - peft is a dependency
        return set()
    return {str(t.value) for t in PeftType}


def safetensors_problem(path: Path) -> str | None:
    """Why a safetensors file cannot be whole (truncated, not safetensors), read from its header only."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                return f"is truncated ({size} bytes, not even a header)"
            n = int.from_bytes(head, "little")
            if n > min(size - 8, 100 << 20):
                return "is truncated or is not a safetensors file (its header length runs past the end)"
            header = json.loads(fh.read(n).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return f"is not a readable safetensors file ({exc})"
    if not isinstance(header, dict):
        return "is not a safetensors file (its header is not a JSON object)"
    ends: list[int] = []
    for key, v in header.items():
        off = v.get("data_offsets") if isinstance(v, dict) else None
        if key == "__metadata__":
            continue
        if not (isinstance(off, list) and len(off) == 2 and all(isinstance(x, int) for x in off)):
            return f"is not a valid safetensors file (tensor {str(key)[:60]!r} has no data offsets)"
        ends.append(off[1])
    need = 8 + n + max(ends, default=0)
    if need > size:
        return f"is truncated: {size} bytes on disk, its header describes {need}"
    return None


def _file_digest(f: Path, memo_dir: Path | None) -> str:
    """sha256 of the whole file, remembered under ``memo_dir`` while the file's stat is unchanged."""
    st = f.stat()
    stat_key = [str(f.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
    memo = None
    if memo_dir is not None:
        memo = memo_dir / (hashlib.sha256(json.dumps(stat_key).encode()).hexdigest()[:32] + ".json")
        try:
            obj = json.loads(memo.read_text("utf-8"))
            if isinstance(obj, dict) and obj.get("stat") == stat_key and isinstance(obj.get("sha256"), str):
                return str(obj["sha256"])
        except (OSError, ValueError):
            pass
    h = hashlib.sha256()
    with f.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    digest = h.hexdigest()
    if memo is not None:
        try:
            mark_cache_dir(memo.parent.parent)
            memo.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(memo, json.dumps({"stat": stat_key, "sha256": digest}))
        except OSError:
            pass  # an unwritable cache dir only costs the next run a re-hash
    return digest


def fingerprint_memo_dir(cache_dir: Path | None) -> Path:
    """Where per-file digests are remembered: ``fingerprints/`` in the plugin's cache dir."""
    from .embedded import default_cache_dir

    return (cache_dir or default_cache_dir()) / "fingerprints"


def fingerprint_dir(path: Path, *, memo_dir: Path | None = None) -> str:
    """Hash of every config, tokenizer and weight file in a directory (all bytes, not samples).

    ``memo_dir`` (the cache dir's ``fingerprints/``) remembers per-file digests so warm runs
    only ``stat`` the files. Only dot-files and ``*.md`` (read-me files) are left out.
    """
    h = hashlib.sha256()
    try:
        for f in sorted(path.iterdir()):
            if not f.is_file() or f.name.startswith(".") or f.suffix == ".md":
                continue
            h.update(f"{f.name}:{f.stat().st_size}:{_file_digest(f, memo_dir)}\n".encode())
    except OSError as exc:
        raise ModelLoadError(f"{path}: cannot read the files to fingerprint them: {exc}\n"
                             "  fix: check the directory's permissions") from None
    return h.hexdigest()[:16]


def adapter_name_for(path: Path, taken: set[str]) -> str:
    """A readable, unique adapter name from its directory (``checkpoint-200``, ``narrow``)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symbolic-link loop: its own name will do
        real = path
    base = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in real.name) or "adapter"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    return name


TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt", "merges.txt", "special_tokens_map.json",
                   "added_tokens.json", "tokenizer_config.json")
CHAT_TEMPLATE_FILES = ("chat_template.jinja", "chat_template.json")
CONFIG_FILES = ("config.json", "generation_config.json")


def fingerprint_parts(path: Path, *, memo_dir: Path | None = None) -> dict[str, str]:
    """Per-part hashes of a model directory, so a baseline check can name what differs:
    ``weights``, ``tokenizer``, ``chat_template`` (a template file or the ``chat_template`` of
    tokenizer_config.json, which is left out of ``tokenizer``), ``config``. The directory's name is
    not in any part: a renamed copy of a model is the same model."""
    hashes = {part: hashlib.sha256() for part in ("weights", "tokenizer", "chat_template", "config")}
    try:
        for f in sorted(path.iterdir()):
            if not f.is_file() or f.name.startswith(".") or f.suffix == ".md":
                continue
            if f.name == "tokenizer_config.json":
                try:
                    cfg = json.loads(f.read_text("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    cfg = None
                if isinstance(cfg, dict):
                    template = cfg.pop("chat_template", None)
                    hashes["chat_template"].update(json.dumps(template, sort_keys=True).encode())
                    hashes["tokenizer"].update(json.dumps(cfg, sort_keys=True).encode())
                    continue
            part = ("tokenizer" if f.name in TOKENIZER_FILES else "chat_template" if f.name in CHAT_TEMPLATE_FILES
                    else "config" if f.name in CONFIG_FILES else "weights")
            hashes[part].update(f"{f.name}:{f.stat().st_size}:{_file_digest(f, memo_dir)}\n".encode())
    except OSError as exc:
        raise ModelLoadError(f"{path}: cannot read the files to fingerprint them: {exc}\n"
                             "  fix: check the directory's permissions") from None
    return {part: h.hexdigest()[:16] for part, h in hashes.items()}
