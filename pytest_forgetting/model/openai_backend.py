"""The served backend: an OpenAI-compatible server (vLLM, llama.cpp) answers the requests.

``--model`` names the served model (left out: the one model ``GET /models``
lists), ``--adapter NAME`` names a LoRA adapter the server serves as a model
of its own (vLLM: ``--enable-lora --lora-modules NAME=PATH``). A request with
``adapter=None`` goes to the base model name.

Only the standard library is used: ``urllib.request`` for HTTP, a
``ThreadPoolExecutor`` bounding the requests in flight (``--max-concurrency``).
Identical requests are sent once; answers come back in request order.
HTTP 429/5xx, refused connections and timeouts are retried with exponential
backoff (0.5 s, 1 s, 2 s: at most four tries); other errors stop the run with
the server's own message.

Generation is greedy: ``temperature=0``, ``seed=0``; chat prompts go to
``/chat/completions``, raw prompts (``chat: false``) to ``/completions``.

Label scoring (``loglikelihood``) needs ``/completions`` with ``echo=true`` and
``logprobs``: the prompt text plus the continuation is echoed with each token's
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
advance.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..errors import BackendError
from .generation import cut_at_stop
from .protocol import GenerateRequest, LoglikelihoodRequest, ModelIdentity, Prompt

if TYPE_CHECKING:
    from ..options import RunSettings

Progress = Callable[[str, int, int], None]

API_KEY_ENV = "OPENAI_API_KEY"
RETRY_DELAYS = (0.5, 1.0, 2.0)
"""Seconds to wait before the 2nd, 3rd and 4th try."""
_VOLATILE_KEYS = {"created", "permission", "permissions"}
"""Keys of a ``/models`` entry that change between server starts: left out of fingerprints."""


class LoglikelihoodUnsupported(BackendError):
    """The server cannot score a continuation (no aligned ``echo`` + ``logprobs``, or no chat template)."""

    def __init__(self, message: str, why: str = "") -> None:
        super().__init__(message)
        self.why = why or message


class HTTPStatusError(BackendError):
    """The server answered with an HTTP error that retrying does not fix."""

    def __init__(self, message: str, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


def _is_loopback(host: str | None) -> bool:
    return bool(host) and (host in ("localhost", "::1") or str(host).startswith("127."))


def _reason(exc: BaseException) -> str:
    """A short, lower-case reason for a network failure."""
    inner = getattr(exc, "reason", exc)
    if isinstance(inner, ConnectionRefusedError):
        return "connection refused"
    if isinstance(inner, socket.gaierror):
        return "unknown host"
    if isinstance(inner, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(inner, ConnectionResetError):
        return "connection reset"
    if isinstance(inner, http.client.RemoteDisconnected):
        return "the server closed the connection"
    text = str(inner) or type(inner).__name__
    return text[:200]


def _detail(exc: urllib.error.HTTPError) -> str:
    """The server's error message from an OpenAI-style error body, else the raw body."""
    try:
        raw = exc.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001
        raw = ""
    try:
        body = json.loads(raw)
    except ValueError:
        return (raw.strip() or exc.reason or "")[:500]
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:500]
        if isinstance(err, str):
            return err[:500]
        if body.get("detail"):
            return str(body["detail"])[:500]
        if body.get("message"):
            return str(body["message"])[:500]
    return raw[:500]


def _fingerprint(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


class OpenAIBackend:
    """:class:`~.protocol.Backend` over an OpenAI-compatible HTTP API."""

    backend_name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str | None = None,
        adapters: Sequence[str] = (),
        *,
        max_concurrency: int = 8,
        request_timeout: float = 120,
        api_key: str | None = None,
        progress: Progress | None = None,
        progress_every: int = 32,
        cache_dir: Path | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        url = base_url.rstrip("/")
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise BackendError(
                f"--base-url {base_url!r} is not an http(s) URL.\n  fix: pass e.g. --base-url http://127.0.0.1:8000/v1"
            )
        self.base_url = url
        self.root_url = url[: -len("/v1")] if url.endswith("/v1") else url
        self.requested_model = model
        self._adapter_names = tuple(dict.fromkeys(adapters))
        self.max_concurrency = max(1, int(max_concurrency))
        self.request_timeout = float(request_timeout)
        self.api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV) or None
        self.progress = progress
        self.progress_every = max(1, int(progress_every))
        self.cache_dir = cache_dir
        self.retry_delays = tuple(retry_delays)
        handlers: list[Any] = [urllib.request.ProxyHandler({})] if _is_loopback(parsed.hostname) else []
        self._opener = urllib.request.build_opener(*handlers)
        self._lock = threading.Lock()
        self._ready = False
        self._model: str | None = None
        self._served: dict[str, dict[str, Any]] = {}
        self._greedy_extras: dict[str, Any] = {}
        self._ll_ok: dict[bool, bool] = {}
        self._ll_why: dict[bool, str] = {}
        self._probe_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._chat_renderer: str | None = None  # "vllm" | "llamacpp" | "local" | "none"
        self._local_tokenizer: Any = None
        self._rendered: dict[Prompt, str] = {}
        self.requests_sent = 0
        self.retries = 0

    @classmethod
    def from_settings(cls, settings: "RunSettings", progress: Progress | None = None) -> "OpenAIBackend":
        if not settings.base_url:
            raise BackendError("--backend=openai needs --base-url (e.g. http://127.0.0.1:8000/v1)")
        return cls(
            settings.base_url,
            model=settings.model,
            adapters=settings.adapters,
            max_concurrency=settings.max_concurrency,
            request_timeout=settings.request_timeout,
            progress=progress,
            cache_dir=settings.cache_dir,
        )

    # -- HTTP -----------------------------------------------------------------------
    def _http(self, method: str, url: str, body: Any = None, *, retry: bool = True) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        delays = list(self.retry_delays) if retry else []
        attempt = 0
        while True:
            attempt += 1
            req = urllib.request.Request(url, data=data, headers=headers, method=method)
            wait_s: float | None = None
            try:
                with self._opener.open(req, timeout=self.request_timeout) as resp:
                    raw = resp.read()
                self._count("requests_sent")
                try:
                    return json.loads(raw)
                except ValueError:
                    raise BackendError(
                        f"{method} {url}: the answer is not JSON: {raw[:200]!r}\n"
                        "  fix: --base-url must point at the OpenAI-compatible API (usually ending in /v1)."
                    ) from None
            except urllib.error.HTTPError as exc:
                self._count("requests_sent")
                detail = _detail(exc)
                if exc.code != 429 and exc.code < 500:
                    raise self._status_error(method, url, exc.code, detail) from None
                last = f"HTTP {exc.code}: {detail}"
                after = exc.headers.get("Retry-After") if exc.headers else None
                if after:
                    try:
                        wait_s = min(30.0, max(0.0, float(after)))
                    except ValueError:
                        wait_s = None
                failure: BackendError = self._status_error(method, url, exc.code, detail, tries=attempt)
            except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException) as exc:
                last = _reason(exc)
                if last == "timed out":
                    last = f"timed out after {self.request_timeout:g}s"
                failure = BackendError(
                    f"cannot reach {self.base_url}: {last}" + (f" ({attempt} tries)" if attempt > 1 else "") + ".\n"
                    + ("  fix: raise --request-timeout, or lower --max-concurrency if the server is overloaded."
                       if last.startswith("timed out") else "  fix: start the server or fix --base-url.")
                )
            if not delays:
                raise failure
            self._count("retries")
            time.sleep(max(delays.pop(0), wait_s or 0.0))

    def _count(self, name: str) -> None:
        with self._count_lock:
            setattr(self, name, getattr(self, name) + 1)

    def _status_error(self, method: str, url: str, code: int, detail: str, tries: int = 1) -> HTTPStatusError:
        fix = {
            401: f"set ${API_KEY_ENV} to the server's API key.",
            403: f"check that ${API_KEY_ENV} may use this model.",
            404: "check --base-url (it usually ends in /v1) and the --model / --adapter names.",
        }.get(code, "see the server's log." if code >= 500 or code == 429 else "see the message above.")
        again = f" (after {tries} tries)" if tries > 1 else ""
        return HTTPStatusError(f"{method} {url}: HTTP {code}{again}: {detail}\n  fix: {fix}", code, detail)

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        return self._http("POST", self.base_url + path, body)

    # -- startup ----------------------------------------------------------------------
    def _ensure_ready(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self._check_served()
            self._ready = True
        if self.progress:
            extra = f" + adapters {', '.join(self._adapter_names)}" if self._adapter_names else ""
            self.progress(f"serving {self._model}{extra} from {self.base_url}", 0, 0)

    def _check_served(self) -> None:
        """``GET /models`` once: pick or check the model name, check the adapter names."""
        try:
            listing = self._http("GET", self.base_url + "/models")
        except HTTPStatusError as exc:
            if exc.status == 404 and self.requested_model:  # a server without /models: trust the names
                self._model = self.requested_model
                return
            raise
        entries = listing.get("data") if isinstance(listing, dict) else None
        if not isinstance(entries, list):
            raise BackendError(
                f"GET {self.base_url}/models: unexpected answer {str(listing)[:200]}\n"
                "  fix: --base-url must point at an OpenAI-compatible API (usually ending in /v1)."
            )
        self._served = {str(e["id"]): e for e in entries if isinstance(e, dict) and "id" in e}
        ids = list(self._served)
        listed = ", ".join(ids) or "none"
        if self.requested_model:
            if self.requested_model not in self._served:
                raise BackendError(
                    f"--model {self.requested_model}: not served by {self.base_url}; it serves: {listed}.\n"
                    "  fix: pass --model with one of those names, or start the server with this model."
                )
            self._model = self.requested_model
        else:
            bases = [i for i in ids if i not in self._adapter_names and not self._served[i].get("parent")]
            if len(bases) != 1:
                raise BackendError(
                    f"{self.base_url} serves {'no models' if not bases else 'several models: ' + ', '.join(bases)}; "
                    "which one is the base model?\n  fix: pass --model NAME."
                )
            self._model = bases[0]
        missing = [a for a in self._adapter_names if a not in self._served]
        if missing:
            raise BackendError(
                f"--adapter {', '.join(missing)}: not served by {self.base_url}; it serves: {listed}.\n"
                "  fix: with --backend=openai, --adapter names a LoRA adapter the server serves "
                "(vLLM: --enable-lora --lora-modules NAME=/path/to/adapter)."
            )
        owner = str(self._served.get(self._model, {}).get("owned_by", ""))
        if owner in ("me", "llamacpp"):
            # llama.cpp servers: llama-cpp-python defaults repeat_penalty to 1.1, which changes greedy outputs
            self._greedy_extras = {"repeat_penalty": 1.0}

    # -- identity -----------------------------------------------------------------
    @property
    def adapters(self) -> tuple[str, ...]:
        return self._adapter_names

    @property
    def model(self) -> str:
        """The served base model's name (asks the server when --model was left out)."""
        self._ensure_ready()
        assert self._model is not None
        return self._model

    def _meta(self, name: str) -> dict[str, Any]:
        return {k: v for k, v in self._served.get(name, {}).items() if k not in _VOLATILE_KEYS}

    def identity(self, adapter: str | None = None) -> ModelIdentity:
        model = self.model
        if adapter is not None and adapter not in self._adapter_names:
            raise BackendError(f"adapter {adapter!r} requested, but only {list(self._adapter_names)} are configured")
        return ModelIdentity(
            name=model,
            fingerprint=_fingerprint(self.base_url, model, self._meta(model)),
            adapter=adapter,
            adapter_fingerprint=_fingerprint(self.base_url, adapter, self._meta(adapter)) if adapter else None,
            backend=self.backend_name,
        )

    def _model_for(self, adapter: str | None) -> str:
        if adapter is None:
            return self.model
        if adapter not in self._adapter_names:
            raise BackendError(f"adapter {adapter!r} requested, but only {list(self._adapter_names)} are configured")
        return adapter

    # -- running many requests ------------------------------------------------------------
    def _run_all(self, items: Sequence[Any], fn: Callable[[Any], Any], what: str) -> dict[Any, Any]:
        """``fn`` over unique ``items``, at most ``max_concurrency`` at once; stops at the first error."""
        results: dict[Any, Any] = {}
        if not items:
            return results
        order = {a: n for n, a in enumerate(dict.fromkeys([None] + [getattr(i, "adapter", None) for i in items]))}
        queue = sorted(items, key=lambda r: order[getattr(r, "adapter", None)])  # stable: one adapter after another
        total, done = len(queue), 0
        pool = ThreadPoolExecutor(max_workers=min(self.max_concurrency, total), thread_name_prefix="forgetting-http")
        try:
            futures: dict[Future[Any], Any] = {pool.submit(fn, item): item for item in queue}
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for fut in finished:
                    exc = fut.exception()
                    if exc is not None:
                        raise exc
                    results[futures[fut]] = fut.result()
                    done += 1
                    if self.progress and (done % self.progress_every == 0 or done == total):
                        self.progress(what, done, total)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # requests in flight finish on their own
            raise
        pool.shutdown(wait=True)
        return results

    # -- generate ---------------------------------------------------------------------
    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        if not requests:
            return []
        self._ensure_ready()
        unique = list(dict.fromkeys(requests))
        for r in unique:
            self._model_for(r.adapter)
        out = self._run_all(unique, self._generate_one, f"generate via {self.base_url}")
        return [out[r] for r in requests]

    def _generate_one(self, req: GenerateRequest) -> str:
        s = req.settings
        body: dict[str, Any] = {
            "model": self._model_for(req.adapter),
            "temperature": 0,
            "seed": 0,
            "max_tokens": s.max_new_tokens,
            **self._greedy_extras,
        }
        if s.stop:
            body["stop"] = list(s.stop)
        if req.prompt.chat:
            body["messages"] = [{"role": r, "content": c} for r, c in req.prompt.messages]
            answer = self._post("/chat/completions", body)
            path = "/chat/completions"
        else:
            body["prompt"] = req.prompt.text
            answer = self._post("/completions", body)
            path = "/completions"
        try:
            choice = answer["choices"][0]
            text = (choice["message"].get("content") if req.prompt.chat else choice.get("text")) or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise BackendError(f"POST {self.base_url}{path}: unexpected answer {str(answer)[:300]}") from None
        return cut_at_stop(str(text), s.stop)

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
        if not requests:
            return []
        self._ensure_ready()
        unique = list(dict.fromkeys(requests))
        for r in unique:
            self._model_for(r.adapter)
        for chat in sorted({r.prompt.chat for r in unique}):
            if not self._ll_support(chat):
                raise self._unsupported(self._ll_why[chat])
        for prompt in dict.fromkeys(r.prompt for r in unique):
            self._render(prompt)
        out = self._run_all(unique, self._loglikelihood_one, f"score labels via {self.base_url}")
        return [out[r] for r in requests]

    def _loglikelihood_one(self, req: LoglikelihoodRequest) -> float:
        tokens, values, _tops, start, end = self._echo(req.prompt, req.continuation, req.adapter)
        return sum(float(v) for v in values[start:end] if v is not None)

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
