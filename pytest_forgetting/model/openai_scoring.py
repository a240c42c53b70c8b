"""Label scoring through an OpenAI-compatible server, and the chat rendering it needs.

``loglikelihood`` needs ``/completions`` with ``echo=true`` and ``logprobs``:
the prompt text plus the continuation is echoed with each token's
log-probability, and the tokens covering the continuation are summed (found
from the token strings lined up with the text, else ``text_offset``). Chat
prompts need the chat template applied to text first: through vLLM's
``/tokenize`` + ``/detokenize``, llama.cpp's ``/apply-template``, or the
served model's own tokenizer when it is on this machine. A probe checks once
per prompt kind (raw, chat) that the echoed log-probabilities line up with
their tokens: llama-cpp-python scores each token with the *next* position's
distribution when the prompt does not start with BOS (SmolLM2, Qwen, ...).
Where any of this is missing, ``loglikelihood`` raises
:class:`LoglikelihoodUnsupported`; ``supports_loglikelihood`` says so in
advance. Kept apart from :mod:`.openai_backend` (HTTP, startup, generation)
as a mixin so each reads on its own.
"""
from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import BackendError
from .openai_http import HTTPStatusError
from .protocol import Loglik, LoglikelihoodRequest, Prompt


class LoglikelihoodUnsupported(BackendError):
    """The server cannot score a continuation (no aligned ``echo`` + ``logprobs``, or no chat template)."""

    def __init__(self, message: str, why: str = "") -> None:
        super().__init__(message)
        self.why = why or message


class EchoScoring:
    """``loglikelihood`` and chat rendering for :class:`~.openai_backend.OpenAIBackend`.

    The host class provides the HTTP methods and the state below (set in its ``__init__``).
    """

    base_url: str
    root_url: str
    model: str
    cache_dir: Path | None
    _model: str | None
    _greedy_extras: dict[str, Any]
    _ll_ok: dict[bool, bool]
    _ll_why: dict[bool, str]
    _probe_lock: threading.Lock
    _chat_renderer: str | None
    _local_tokenizer: Any
    _rendered: dict[Prompt, str]
    _ensure_ready: Callable[[], None]
    _prepare: Callable[[Sequence[Any]], list[Any]]
    _model_for: Callable[[str | None], str]
    _post: Callable[[str, dict[str, Any]], Any]
    _http: Callable[..., Any]
    _run_all: Callable[..., dict[Any, Any]]

    # -- loglikelihood ------------------------------------------------------------------
    @property
    def supports_loglikelihood(self) -> bool:
        """Whether label scoring works here, for raw and for chat prompts alike.

        Probed once (a few small requests), then cached: the server must echo
        the prompt's tokens with their log-probabilities, *aligned* (each
        token's log-probability given the tokens before it; llama-cpp-python
        shifts them by one token for prompts that do not start with BOS),
        and chat prompts need a way to apply the chat template.
        """
        return self._ll_support(False) and self._ll_support(True)

    def supports_loglikelihood_for(self, chat: bool) -> bool:
        """Like ``supports_loglikelihood``, for one kind of prompt only (a server may score chat prompts, not raw)."""
        return self._ll_support(chat)

    def loglikelihood_unsupported_reason(self) -> str | None:
        """Why ``supports_loglikelihood`` is false (probing if needed), else None."""
        if self.supports_loglikelihood:
            return None
        return self._ll_why.get(False) or self._ll_why.get(True)

    def _ll_support(self, chat: bool) -> bool:
        if chat not in self._ll_ok:
            self._ensure_ready()
            with self._probe_lock:
                if chat not in self._ll_ok:
                    ok, why = self._probe_echo(chat)
                    self._ll_why[chat] = why
                    self._ll_ok[chat] = ok
        return self._ll_ok[chat]

    def _probe_echo(self, chat: bool) -> tuple[bool, str]:
        """Score a very predictable continuation and check the echoed log-probabilities line up."""
        sequence = ", ".join(str(i) for i in range(1, 9))
        if chat:
            if self._renderer() == "none":
                return False, (
                    "it offers no way to apply the chat template (no vLLM /tokenize, no llama.cpp /apply-template) "
                    f"and the tokenizer of {self._model!r} is not on this machine"
                )
            prompt = Prompt.of("Count from 1 to 8, separated by commas.")
        else:
            prompt = Prompt.of("Counting:", chat=False)
            sequence = " " + sequence
        try:
            tokens, values, tops, start, _end = self._echo(prompt, sequence, None)
        except HTTPStatusError as exc:
            if exc.status in (401, 403):
                raise
            return False, f"its /completions refused echo=true with logprobs: HTTP {exc.status}: {exc.detail}"
        except LoglikelihoodUnsupported as exc:
            return False, exc.why
        same = shifted = 0
        for i in range(start, len(tokens) - 1):
            top = tops[i] if i < len(tops) else None
            if not isinstance(top, dict) or not top:
                continue
            best = max(top, key=lambda t: top[t] if top[t] is not None else -math.inf)
            same += best == tokens[i]
            shifted += best == tokens[i + 1]
        if same == 0 and shifted == 0:
            return False, "its echoed logprobs carry no top_logprobs to check them with"
        if shifted > same:
            return False, (
                f"its echoed logprobs for {'chat' if chat else 'raw'} prompts are shifted by one token "
                "(each token is scored with the distribution of the next position; llama-cpp-python does this "
                "when the prompt does not start with a BOS token)"
            )
        return True, ""

    def _unsupported(self, why: str) -> LoglikelihoodUnsupported:
        return LoglikelihoodUnsupported(
            f"{self.base_url} cannot score labels by log-likelihood: {why}.\n"
            "  fix: serve the model with vLLM, or set 'scoring: generate' in the label_collapse suite.",
            why,
        )

    def loglikelihood(self, requests: Sequence[LoglikelihoodRequest]) -> list[float]:
        """Score continuations with echoed prompt log-probs; a server that cannot echo is refused once, clearly."""
        if not requests:
            return []
        unique = self._prepare(requests)
        for chat in sorted({r.prompt.chat for r in unique}):
            if not self._ll_support(chat):
                raise self._unsupported(self._ll_why[chat])
        for prompt in dict.fromkeys(r.prompt for r in unique):
            self._render(prompt)
        out = self._run_all(unique, self._loglikelihood_one, f"score labels via {self.base_url}")
        return [out[r] for r in requests]

    def _loglikelihood_one(self, req: LoglikelihoodRequest) -> float:
        tokens, values, _tops, start, end = self._echo(req.prompt, req.continuation, req.adapter)
        return Loglik(sum(float(v) for v in values[start:end] if v is not None), end - start)

    def _echo(self, prompt: Prompt, continuation: str, adapter: str | None) -> tuple[list[str], list[Any], list[Any], int, int]:
        """Echo prompt + continuation; return tokens, logprobs, top_logprobs and the continuation's token range."""
        context = self._render(prompt)
        full = context + continuation
        body: dict[str, Any] = {
            "model": self._model_for(adapter), "prompt": full, "max_tokens": 1, "temperature": 0,
            "echo": True, "logprobs": 1, **self._greedy_extras,
        }
        if prompt.chat and self._chat_renderer == "vllm":
            body["add_special_tokens"] = False  # the rendered chat text carries its own special tokens
        answer = self._post("/completions", body)
        try:
            choice = answer["choices"][0]
            lp = choice["logprobs"]
            tokens = [str(t) for t in lp["tokens"]]
            values, offsets = list(lp["token_logprobs"]), list(lp["text_offset"])
            tops = list(lp.get("top_logprobs") or [])
            echoed = str(choice.get("text") or "")
        except (KeyError, IndexError, TypeError):
            raise self._unsupported("its answers to echo=true carry no logprobs with tokens and text_offset") from None
        if not tokens or len(values) != len(tokens):
            raise self._unsupported("its answers to echo=true do not list the prompt's tokens")
        start, end = continuation_span(tokens, offsets, full, echoed, len(context))
        return tokens, values, tops, start, end

    # -- chat rendering -----------------------------------------------------------------
    def _render(self, prompt: Prompt) -> str:
        """The exact text the model sees for ``prompt`` (chat template applied)."""
        if not prompt.chat:
            return prompt.text
        hit = self._rendered.get(prompt)
        if hit is not None:
            return hit
        msgs = [{"role": r, "content": c} for r, c in prompt.messages]
        kind = self._renderer()
        if kind == "none":
            raise self._unsupported(
                "it offers no way to apply the chat template (no vLLM /tokenize, no llama.cpp /apply-template) "
                f"and the tokenizer of {self._model!r} is not on this machine"
            )
        text = self._render_with(kind, msgs)
        assert text is not None
        self._rendered[prompt] = text
        return text

    def _renderer(self) -> str:
        if self._chat_renderer is None:
            self._ensure_ready()
            probe = [{"role": "user", "content": "Hi"}]
            for kind in ("vllm", "llamacpp", "local"):
                try:
                    if self._render_with(kind, probe) is not None:
                        self._chat_renderer = kind
                        break
                except HTTPStatusError as exc:
                    if exc.status in (401, 403):
                        raise
            else:
                self._chat_renderer = "none"
        return self._chat_renderer

    def _render_with(self, kind: str, msgs: list[dict[str, str]]) -> str | None:
        if kind == "vllm":
            toks = self._http("POST", self.root_url + "/tokenize", {
                "model": self.model, "messages": msgs, "add_generation_prompt": True, "add_special_tokens": False,
            }, retry=False)
            ids = toks.get("tokens") if isinstance(toks, dict) else None
            if not isinstance(ids, list):
                return None
            text = self._http("POST", self.root_url + "/detokenize", {"model": self.model, "tokens": ids}, retry=False)
            return text.get("prompt") if isinstance(text, dict) and isinstance(text.get("prompt"), str) else None
        if kind == "llamacpp":
            out = self._http("POST", self.root_url + "/apply-template", {"messages": msgs}, retry=False)
            return out.get("prompt") if isinstance(out, dict) and isinstance(out.get("prompt"), str) else None
        tok = self._tokenizer()
        if tok is None or not getattr(tok, "chat_template", None):
            return None
        text = str(tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True))
        bos = getattr(tok, "bos_token", None)
        if bos and text.startswith(bos) and self._adds_bos(tok):
            text = text[len(bos):]  # the server adds BOS itself, as this tokenizer does; do not send two
        return text

    @staticmethod
    def _adds_bos(tok: Any) -> bool:
        try:
            ids = tok("a")["input_ids"]
        except Exception:  # noqa: BLE001
            return False
        return bool(ids) and ids[0] == getattr(tok, "bos_token_id", None)

    def _tokenizer(self) -> Any:
        """The served model's tokenizer when it is on this machine (a directory, a GGUF file, a cached hub id)."""
        if self._local_tokenizer is None:
            self._local_tokenizer = _local_tokenizer(self.model, self.cache_dir) or False
        return self._local_tokenizer or None


def continuation_span(tokens: Sequence[str], offsets: Sequence[int], full: str, echoed: str, boundary: int) -> tuple[int, int]:
    """Indices ``[start, end)`` of the echoed tokens that cover ``full[boundary:]`` (the continuation).

    Found from the token strings, walking back from the end of the prompt:
    servers differ in whether the echo lists a BOS token (vLLM), renders
    special tokens as empty strings and leaves them out of ``text_offset``
    (llama-cpp-python), and lists the one generated token or not. A token
    that straddles the boundary counts as the continuation's. Falls back to
    the server's ``text_offset`` when the token strings do not spell the end
    of the text (e.g. bytes of one character split across tokens).
    """
    n = len(tokens)
    need = len(full) - boundary
    if need <= 0:
        return n, n
    generated = echoed[len(full):] if echoed.startswith(full) else None
    exact: list[int] = []
    loose: list[int] = []
    for k in range(n, max(0, n - 4), -1):  # k = number of echoed prompt tokens; max_tokens=1 adds at most one
        rest = "".join(tokens[k:])
        if generated is None:
            (exact if not rest else loose).append(k)
        elif rest == generated:
            exact.append(k)
        elif generated.startswith(rest):
            loose.append(k)
    for k in exact + loose:
        if not tokens[k - 1]:
            continue
        acc, j = "", k
        while j > 0 and len(acc) < need:
            j -= 1
            acc = tokens[j] + acc
        if len(acc) >= need and full.endswith(acc[len(acc) - len(full):] if len(acc) > len(full) else acc):
            return j, k
    # text_offset: characters of the text the server saw
    k = min(n, len(offsets))
    inside = [i for i in range(k) if int(offsets[i]) < len(full)
              and (int(offsets[i + 1]) if i + 1 < k else len(full)) > boundary]
    return (inside[0], inside[-1] + 1) if inside else (k, k)


def _local_tokenizer(name: str, cache_dir: Path | None) -> Any:
    """A transformers tokenizer for the served model name, without downloading; None when there is none."""
    try:
        from transformers import AutoTokenizer

        from .embedded import GGUF_FILE, ensure_embedded_model, is_embedded
        from .loading import offline

        p = Path(name).expanduser()
        with offline():
            if is_embedded(name) or p.name == GGUF_FILE:
                return AutoTokenizer.from_pretrained(str(ensure_embedded_model(cache_dir)))
            if p.is_file() and p.suffix == ".gguf":
                return AutoTokenizer.from_pretrained(str(p.parent), gguf_file=p.name)
            if p.is_dir():
                return AutoTokenizer.from_pretrained(str(p))
            from huggingface_hub import snapshot_download

            local = snapshot_download(name, local_files_only=True)
            return AutoTokenizer.from_pretrained(local)
    except Exception:  # noqa: BLE001 - anything missing means "no local tokenizer"
        return None
