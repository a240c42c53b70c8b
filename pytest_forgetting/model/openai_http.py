"""HTTP plumbing of the served backend: error type, readable reasons for failures, and a total
deadline per request.

``urlopen(timeout=...)`` bounds each socket operation, not the request: a
server that drips one byte a second never trips it. :class:`Deadline` arms a
timer when the connection opens and shuts the socket down when the request's
total time is up, which ends any blocking read at once.
"""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from ..errors import BackendError


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


class Deadline:
    """A total time limit for one HTTP exchange (connect, headers and body)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._timers: list[threading.Timer] = []

    def watch(self, sock: socket.socket) -> None:
        """Shut the socket down when the deadline passes: a socket timeout alone restarts on every byte."""
        def expire() -> None:
            self.expired = True
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        timer = threading.Timer(max(0.0, self.ends - time.monotonic()), expire)
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def cancel(self) -> None:
        """Stop the timers once the exchange is done, so a finished exchange is never shut down late."""
        for t in self._timers:
            t.cancel()

    def handlers(self) -> list[Any]:
        """urllib handlers whose connections this deadline watches."""
        deadline = self

        def watched(base: Any) -> Any:
            class Watched(base):  # type: ignore[misc, valid-type]
                def connect(self) -> None:
                    super().connect()
                    deadline.watch(self.sock)

            return Watched

        class HTTP(urllib.request.HTTPHandler):
            def http_open(self, req: Any) -> Any:
                return self.do_open(watched(http.client.HTTPConnection), req)

        class HTTPS(urllib.request.HTTPSHandler):
            def https_open(self, req: Any) -> Any:
                return self.do_open(watched(http.client.HTTPSConnection), req,
                                    context=getattr(self, "_context", None))

        return [HTTP(), HTTPS()]
