"""The model protocol: the only thing scorers, baselines and reports know about a model.

Backends answer two kinds of request, both tagged with the adapter to use
(``None`` = the base model, adapter disabled). Keeping the adapter on the
request, not on the backend, is what lets one loaded model serve the live base
comparison, a checkpoint sweep and a training callback without reloading.

A user can replace the ``forgetting_model`` fixture in ``conftest.py`` with any
object that satisfies :class:`Backend`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

from ..suite.requests import GenerateRequest, GenerationSettings, Loglik, LoglikelihoodRequest, Message, Prompt, token_count

__all__ = [
    "Backend", "GenerateRequest", "GenerationSettings", "Loglik", "LoglikelihoodRequest", "Message", "ModelIdentity",
    "Prompt", "token_count",
]


@dataclass(frozen=True)
class ModelIdentity:
    """Who answered: recorded in baselines and reports, and keys the output cache."""

    name: str
    fingerprint: str
    adapter: str | None = None
    adapter_fingerprint: str | None = None
    backend: str = "transformers"

    def to_json(self) -> dict[str, str | None]:
        """The identity as baselines and reports store it."""
        return {
            "name": self.name,
            "fingerprint": self.fingerprint,
            "adapter": self.adapter,
            "adapter_fingerprint": self.adapter_fingerprint,
            "backend": self.backend,
        }


@runtime_checkable
class Backend(Protocol):
    """What the plugin needs from a model. Results come back in request order."""

    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        """One answer per request, in order."""

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[float]:
        """The summed log-likelihood of each request's continuation, in order."""

    def identity(self, adapter: str | None = None) -> ModelIdentity:
        """Who answers for ``adapter`` (None: the base model): keys the cache and the baseline's model check."""

    @property
    def adapters(self) -> tuple[str, ...]:
        """Names of the adapters loaded on top of the base model, in load order."""
        ...
