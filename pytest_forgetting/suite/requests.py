"""What a suite asks a model: prompts, generation settings, the two request kinds, and a log-likelihood answer.

A neutral module: ``cases`` builds these and the model layer answers them, so
neither imports the other.
"""
from __future__ import annotations

from dataclasses import dataclass, field

Message = tuple[str, str]
"""A chat message as ``(role, content)``."""


@dataclass(frozen=True)
class Prompt:
    """What the model is asked: chat messages, or raw text when ``chat`` is false."""

    messages: tuple[Message, ...] = ()
    text: str = ""
    chat: bool = True

    @staticmethod
    def of(text: str, *, system: str | None = None, chat: bool = True) -> "Prompt":
        """A prompt from one user text (and an optional system turn), chat or plain."""
        if not chat:
            return Prompt(text=text, chat=False)
        msgs: list[Message] = []
        if system:
            msgs.append(("system", system))
        msgs.append(("user", text))
        return Prompt(messages=tuple(msgs), chat=True)

    @property
    def user_text(self) -> str:
        """The last user turn (or the raw text), for reports."""
        if not self.chat:
            return self.text
        for role, content in reversed(self.messages):
            if role == "user":
                return content
        return self.messages[-1][1] if self.messages else ""


@dataclass(frozen=True)
class GenerationSettings:
    """Greedy decoding settings; part of every cache key and baseline."""

    max_new_tokens: int = 128
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class GenerateRequest:
    """Ask a side for a greedy answer to a prompt: the unit backends batch and the cache keys."""

    prompt: Prompt
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    adapter: str | None = None


@dataclass(frozen=True)
class LoglikelihoodRequest:
    """Log-probability of ``continuation`` right after ``prompt``.

    Backends should group requests that share a prompt and adapter so the
    prompt is encoded once for all candidate continuations.
    """

    prompt: Prompt
    continuation: str
    adapter: str | None = None


class Loglik(float):
    """A summed log-likelihood that may also say how many tokens it summed over.

    A plain ``float`` subclass, so backends that return bare floats still
    satisfy :class:`Backend`; label scoring with ``normalization: token``
    needs ``n_tokens`` (the transformers, served and caching backends fill it in).
    """

    n_tokens: int | None

    def __new__(cls, value: float, n_tokens: int | None = None) -> "Loglik":
        obj = super().__new__(cls, value)
        obj.n_tokens = n_tokens
        return obj

    def __reduce__(self) -> tuple[type, tuple[float, int | None]]:
        return (Loglik, (float(self), self.n_tokens))


def token_count(value: float) -> int | None:
    """The token count a backend attached to a log-likelihood, if any."""
    return getattr(value, "n_tokens", None)
