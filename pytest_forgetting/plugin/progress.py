"""Live progress of the model work, written past pytest's output capture.

The whole session's model work happens inside the first item's call, where pytest
captures stdout at the file-descriptor level: a plain ``print`` (or a terminal
write) lands in "Captured stdout call" minutes later. So every line here is
written through the terminal reporter with global capture suspended, the way
``capsys.disabled()`` and pdb do it.

On a terminal one line is rewritten in place (at most twice a second); in a pipe
or a CI log a plain line is written when a pass starts and ends and at least
every ``every_s`` seconds in between. A heartbeat thread covers the stretches
with no callback (a model load, one long batch); it runs only while the session
is inside the model work, when pytest itself does not touch the capture.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager, Iterator

Clock = Callable[[], float]


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    m, s = divmod(seconds, 60)
    return f"{m}m{s:02d}s" if m < 60 else f"{m // 60}h{m % 60:02d}m"


@dataclass
class _Pass:
    what: str
    total: int
    started: float
    done: float = 0.0


@dataclass
class Progress:
    """Tracks the current pass (what, done/total) and writes through ``write`` / ``rewrite``.

    ``write(line)`` must end the line; ``rewrite(line)`` redraws the current one (TTY only).
    ``seconds`` collects the wall time of each pass by its label, for the JUnit properties.
    """

    write: Callable[[str], None]
    rewrite: Callable[[str], None] | None = None
    every_s: float = 10.0
    clock: Clock = time.monotonic
    seconds: dict[str, float] = field(default_factory=dict)
    _current: _Pass | None = None
    _last_write: float = 0.0
    _drawn: bool = False
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _busy_what: str = "working"
    _busy_since: float | None = None

    # -- what the backends call -----------------------------------------------------
    def __call__(self, what: str, done: float, total: int) -> None:
        """The backends' ``progress(what, done, total)``; ``total == 0`` is a one-off notice."""
        with self._lock:
            if not total:
                self._emit(f"[forgetting] {what}", final=True)
                return
            now = self.clock()
            cur = self._current
            if cur is None or cur.what != what or done < cur.done:
                self._close(now)
                cur = self._current = _Pass(what, total, now)
                self._busy_what = f"after {what}"
                if done <= 0:
                    self._emit(self._line(cur, now), final=self.rewrite is None)
                    return
            cur.done, cur.total = done, total
            if done >= total:
                self._emit(self._line(cur, now), final=True)
                self._close(now)
            elif self.rewrite is not None or now - self._last_write >= self.every_s:
                self._emit(self._line(cur, now), final=self.rewrite is None)

    def heartbeat(self) -> None:
        """Called about once a second from the heartbeat thread: redraw, or a plain line when one is due."""
        with self._lock:
            now = self.clock()
            if now - self._last_write < (0.5 if self.rewrite is not None else self.every_s):
                return
            if self._current is not None:
                self._emit(self._line(self._current, now), final=self.rewrite is None)
            elif self._busy_since is not None:
                self._emit(f"[forgetting] {self._busy_what} ... {_duration(now - self._busy_since)}",
                           final=self.rewrite is None)

    # -- the session's side ----------------------------------------------------------
    @contextmanager
    def active(self, what: str = "loading the model", *, interval_s: float = 1.0) -> Iterator[None]:
        """While inside: heartbeat lines, so a long load or batch never looks hung."""
        stop = threading.Event()
        with self._lock:
            self._busy_what, self._busy_since = what, self.clock()
            self._last_write = max(self._last_write, self._busy_since)

        def beat() -> None:
            while not stop.wait(interval_s):
                try:
                    self.heartbeat()
                except Exception:  # a closed terminal must not break the run
                    return

        thread = threading.Thread(target=beat, name="forgetting-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=2 * interval_s)
            with self._lock:
                self._close(self.clock())
                self._busy_since = None
                self._end_line()

    def finish(self, line: str) -> None:
        """End the live line with a summary that stays in the log."""
        with self._lock:
            self._end_line()
            self.write(f"[forgetting] {line}")

    # -- internals -------------------------------------------------------------------
    def _line(self, cur: _Pass, now: float) -> str:
        elapsed = now - cur.started
        text = f"[forgetting] {cur.what}: {int(cur.done)}/{cur.total}, {_duration(elapsed)}"
        if cur.done >= cur.total:
            return text + " (done)"
        if cur.done > 0 and elapsed > 0:
            rate = cur.done / elapsed
            return text + f", {rate:.2f}/s, ETA {_duration((cur.total - cur.done) / rate)}"
        return text + ", ETA estimating"

    def _close(self, now: float) -> None:
        cur = self._current
        if cur is not None:
            self.seconds[cur.what] = self.seconds.get(cur.what, 0.0) + now - cur.started
            self._current = None

    def _emit(self, line: str, *, final: bool) -> None:
        self._last_write = self.clock()
        if self.rewrite is not None and not final:
            self.rewrite(line)
            self._drawn = True
            return
        if self.rewrite is not None and self._drawn:
            self.rewrite(line)
            self._drawn = False
            self.write("")
            return
        self.write(line)

    def _end_line(self) -> None:
        if self._drawn:
            self._drawn = False
            self.write("")


def for_terminal(config: Any) -> Progress | None:
    """A :class:`Progress` writing through pytest's terminal reporter past the capture, or None
    when there is no terminal reporter or the user asked for ``-qq``."""
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is None or config.option.verbose < -1:
        return None
    capman = config.pluginmanager.get_plugin("capturemanager")

    def uncaptured() -> ContextManager[None]:
        return capman.global_and_fixture_disabled() if capman is not None else nullcontext()

    def write(line: str) -> None:
        with uncaptured():
            if line:
                tr.write_line(line)
            else:
                tr.write("\n")
            tr._tw.flush()

    def rewrite(line: str) -> None:
        with uncaptured():
            tr.ensure_newline()
            tr.rewrite(line, erase=True)
            tr._tw.flush()

    return Progress(write=write, rewrite=rewrite if getattr(tr, "isatty", False) else None)
