"""What the model layer needs to load and answer: one frozen record every caller hands over whole.

The plugin's ``RunSettings`` holds one (``settings.model``), the backends take it as it is, so a
new loading option is added here once instead of being mirrored and copied field by field. It
knows nothing of pytest: the model layer never imports the plugin.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BACKENDS = ("transformers", "openai")
"""``--forgetting-backend`` values: in-process transformers+peft, or an OpenAI-compatible server."""


@dataclass(frozen=True)
class ModelSettings:
    """How to load and reach the model: kept in one frozen record instead of a dozen arguments."""

    model: str | None = None  # directory, hub id in the local cache, or the embedded model (None)
    adapters: tuple[str, ...] = ()
    device: str = "auto"
    dtype: str = "auto"
    batch_size: int | None = None  # None = automatic
    cache_dir: Path | None = None  # converted models, fingerprint memo, outputs (None = user cache dir)
    trust_remote_code: bool = False
    allow_pickle: bool = False
    merge_adapters: bool = False  # answer adapter sides with the LoRA merged into the base weights
    backend: str = "transformers"  # one of BACKENDS
    base_url: str | None = None  # the server, for backend "openai"
    max_concurrency: int = 8  # requests in flight at once, for backend "openai"
    request_timeout: float = 120  # seconds per request, for backend "openai"
    layout: str | None = None  # batch shapes (:mod:`.batching`): None = by device ("fixed" off CPU)
