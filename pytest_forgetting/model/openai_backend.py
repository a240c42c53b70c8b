"""The served backend: an OpenAI-compatible server (vLLM, llama.cpp) answers the requests.

``--model`` names the served model (left out: the one model ``GET /models``
lists), ``--adapter NAME`` names a LoRA adapter the server serves as a model
of its own (vLLM: ``--enable-lora --lora-modules NAME=PATH``). A request with
``adapter=None`` goes to the base model name.

Only the standard library is used: ``urllib.request`` for HTTP, a
``ThreadPoolExecutor`` bounding the requests in flight (``--forgetting-max-concurrency``).
Identical requests are sent once; answers come back in request order.
Each request has a total deadline of ``--forgetting-request-timeout`` seconds (a server that
drips its answer cannot outlive it). HTTP 429/5xx, refused connections and timeouts are retried with exponential
backoff (0.5 s, 1 s, 2 s: at most four tries); other errors stop the run with
the server's own message.

Generation is greedy: ``temperature=0``, ``seed=0``; chat prompts go to
``/chat/completions``, raw prompts (``chat: false``) to ``/completions``.

Label scoring (``loglikelihood``, by ``echo`` + ``logprobs``) and the chat
rendering it needs live in :mod:`.openai_scoring`; HTTP errors in
:mod:`.openai_http`.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import BackendError
from .generation import cut_at_stop
from .openai_http import Deadline, HTTPStatusError, _detail, _is_loopback, _reason
from .openai_scoring import EchoScoring, LoglikelihoodUnsupported, continuation_span
from .protocol import GenerateRequest, ModelIdentity, Prompt
from .settings import ModelSettings

__all__ = ["OpenAIBackend", "LoglikelihoodUnsupported", "HTTPStatusError", "continuation_span"]

Progress = Callable[[str, int, int], None]

API_KEY_ENV = "OPENAI_API_KEY"
RETRY_DELAYS = (0.5, 1.0, 2.0)
"""Seconds to wait before the 2nd, 3rd and 4th try."""
_VOLATILE_KEYS = {"created", "permission", "permissions"}
"""Keys of a ``/models`` entry that change between server starts: left out of fingerprints."""


def _fingerprint(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


class OpenAIBackend(EchoScoring):
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
                f"--forgetting-base-url {base_url!r} is not an http(s) URL.\n  fix: pass e.g. --forgetting-base-url http://127.0.0.1:8000/v1"
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
        self._handlers: list[Any] = [urllib.request.ProxyHandler({})] if _is_loopback(parsed.hostname) else []
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
    def from_settings(cls, settings: ModelSettings, progress: Progress | None = None) -> "OpenAIBackend":
        """The plugin's road: everything comes from the one settings record the options produced."""
        if not settings.base_url:
            raise BackendError("--forgetting-backend=openai needs --forgetting-base-url (e.g. http://127.0.0.1:8000/v1)")
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
            deadline = Deadline(self.request_timeout)
            opener = urllib.request.build_opener(*self._handlers, *deadline.handlers())
            try:
                try:
                    with opener.open(req, timeout=self.request_timeout) as resp:
                        raw = resp.read()
                finally:
                    deadline.cancel()
                if deadline.expired:
                    raise TimeoutError("timed out")
                self._count("requests_sent")
                try:
                    return json.loads(raw)
                except ValueError:
                    raise BackendError(
                        f"{method} {url}: the answer is not JSON: {raw[:200]!r}\n"
                        "  fix: --forgetting-base-url must point at the OpenAI-compatible API (usually ending in /v1)."
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
            except (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException,
                    OSError) as exc:
                last = "timed out" if deadline.expired else _reason(exc)
                if last == "timed out":
                    last = f"timed out after {self.request_timeout:g}s (the limit for a whole request)"
                failure = BackendError(
                    f"cannot reach {self.base_url}: {last}" + (f" ({attempt} tries)" if attempt > 1 else "") + ".\n"
                    + ("  fix: raise --forgetting-request-timeout, or lower --forgetting-max-concurrency if the server is overloaded."
                       if last.startswith("timed out") else "  fix: start the server or fix --forgetting-base-url.")
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
            404: "check --forgetting-base-url (it usually ends in /v1) and the --model / --adapter names.",
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
                "  fix: --forgetting-base-url must point at an OpenAI-compatible API (usually ending in /v1)."
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
                "  fix: with --forgetting-backend=openai, --adapter names a LoRA adapter the server serves "
                "(vLLM: --enable-lora --lora-modules NAME=/path/to/adapter)."
            )
        owner = str(self._served.get(self._model, {}).get("owned_by", ""))
        if owner in ("me", "llamacpp"):
            # llama.cpp servers: llama-cpp-python defaults repeat_penalty to 1.1, which changes greedy outputs
            self._greedy_extras = {"repeat_penalty": 1.0}

    # -- identity -----------------------------------------------------------------
    @property
    def adapters(self) -> tuple[str, ...]:
        """The adapter names the server is asked for, as given (served LoRA modules)."""
        return self._adapter_names

    @property
    def model(self) -> str:  # type: ignore[override]
        """The served base model's name (asks the server when --model was left out)."""
        self._ensure_ready()
        assert self._model is not None
        return self._model

    def _meta(self, name: str) -> dict[str, Any]:
        return {k: v for k, v in self._served.get(name, {}).items() if k not in _VOLATILE_KEYS}

    def identity(self, adapter: str | None = None) -> ModelIdentity:
        """Who answers for a side: URL, model and the server's model metadata, fingerprinted for the cache."""
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

    def _prepare(self, requests: Sequence[Any]) -> list[Any]:
        """Server ready, every adapter served: the distinct requests, in first-seen order."""
        self._ensure_ready()
        unique = list(dict.fromkeys(requests))
        for r in unique:
            self._model_for(r.adapter)
        return unique

    # -- generate ---------------------------------------------------------------------
    def generate(self, requests: Sequence[GenerateRequest]) -> list[str]:
        """Answer generate requests concurrently; each distinct request is sent once."""
        if not requests:
            return []
        unique = self._prepare(requests)
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
