"""pytest-forgetting: catch catastrophic forgetting in fine-tuned language models with pytest."""
from __future__ import annotations

__version__ = "0.1.0"

from .model.protocol import (  # noqa: E402
    Backend,
    GenerateRequest,
    GenerationSettings,
    LoglikelihoodRequest,
    ModelIdentity,
    Prompt,
)
from .scoring.refusal import register_refusal_classifier  # noqa: E402
from .scoring.refusal_detector import detect_refusal  # noqa: E402

__all__ = [
    "Backend",
    "ForgettingCallback",
    "GenerateRequest",
    "GenerationSettings",
    "LoglikelihoodRequest",
    "ModelIdentity",
    "Prompt",
    "detect_refusal",
    "register_refusal_classifier",
    "__version__",
]


def __getattr__(name: str) -> object:  # lazy: ForgettingCallback imports transformers
    if name == "ForgettingCallback":
        from .training import ForgettingCallback

        return ForgettingCallback
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
