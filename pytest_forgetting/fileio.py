"""Locked, atomic file writes shared by baselines, reports and the model cache.

Readers must see an old file or a new one, never half of one, and concurrent runs (CI jobs, xdist
workers) must not interleave their updates; both rules live here once.
"""
from __future__ import annotations

import json
import os
import re
import uuid
from contextlib import contextmanager
from itertools import accumulate
from pathlib import Path
from typing import Any, Iterator


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive inter-process lock on the folder that holds ``path`` (POSIX flock on the directory
    itself, so no ``.lock`` file is left beside the baselines; best effort elsewhere)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new file, never a mix.

    The new file keeps the old one's permission bits (a new one gets the usual 0666 less umask),
    so a 0644 baseline stays 0644 after an update.
    """
    try:
        mode: int | None = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


MAX_JSON_DEPTH = 64
"""Files the plugin reads back nest a handful of levels; anything deeper is not ours (and would reach
Python's recursion limit inside ``json.loads``)."""
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """How deeply ``text`` nests arrays and objects (brackets inside strings do not count)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(1 if ch in "[{" else -1 for ch in brackets), default=0)


def loads_bounded(text: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` with a ``ValueError`` saying so,
    instead of a ``RecursionError`` from deep inside the decoder."""
    depth = json_depth(text)
    if depth > max_depth:
        raise ValueError(f"it nests {depth} levels deep; at most {max_depth} are allowed")
    try:
        return json.loads(text)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise ValueError(f"it nests more than {max_depth} levels deep") from None
