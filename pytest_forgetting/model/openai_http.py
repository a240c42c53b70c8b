"""HTTP plumbing of the served backend: error type and readable reasons for failures."""
from __future__ import annotations

import http.client
import json
import socket
import urllib.error

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
