"""Model text made safe to show: terminals, CI logs and Markdown all get untrusted output."""
from __future__ import annotations

from typing import Mapping


def clean(text: str) -> str:
    """No escape sequences or other control characters (they can rewrite a CI log or a terminal)."""
    return "".join(ch if ch in "\n\t" or (ch >= " " and not 0x7F <= ord(ch) < 0xA0) else "\N{REPLACEMENT CHARACTER}"
                   for ch in str(text))


def shorten(text: str, limit: int = 240) -> str:
    """One line, cleaned, at most ``limit`` characters."""
    text = " ".join(clean(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MD_SPECIAL = "\\`*_[]|~"


def markdown_inline(text: str) -> str:
    """Literal text inside Markdown: no live links, images, HTML or emphasis from model output."""
    out = []
    for ch in clean(text):
        if ch in "\n\r\t":
            out.append(" ")
        elif ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    # bare URLs are autolinked by GitHub: break the pattern without changing what is read
    return "".join(out).replace("://", "&#58;//").replace("www.", "www&#46;")


def work_line(timings: Mapping[str, float]) -> str:
    """Where the model time went, naming only what the backend reported (a custom backend may
    count no passes or loads: those are left out rather than shown as 0 or '?')."""
    parts = [f"model work: {timings.get('model_and_scoring_s', 0):.1f} s"]
    for key, word in (("passes", "batched pass"), ("load_count", "model load")):
        if key in timings:
            n = int(timings[key])
            parts.append(f"{n} {word}{'' if n == 1 else ('es' if word.endswith('s') else 's')}")
    if "cache_hits" in timings or "cache_misses" in timings:
        parts.append(f"cache {int(timings.get('cache_hits', 0))} hit(s) / {int(timings.get('cache_misses', 0))} miss(es)")
    sides = [f"{k.removeprefix('pass: ')} {v:.1f} s" for k, v in timings.items() if k.startswith("pass: ")]
    return ", ".join(parts) + (f" ({'; '.join(sides)})" if sides else "")


DEFAULT_STORED_CHARS = 20_000
"""Answers longer than this are stored cut (baseline, JSON, HTML); scoring always sees the whole answer."""
CUT_MARKER = "\n[… cut by pytest-forgetting: {n:,} more characters; the whole answer was scored]"
_CUT_PREFIX = "\n[… cut by pytest-forgetting: "


def cap_stored(text: str, limit: int | None = DEFAULT_STORED_CHARS) -> str:
    """``text`` cut to ``limit`` characters plus a marker saying how much went (``None``: no cap)."""
    if limit is None or len(text) <= limit:
        return text
    return text[:limit] + CUT_MARKER.format(n=len(text) - limit)


def was_cut(text: str) -> bool:
    """Whether a stored answer was cut by :func:`cap_stored` (it must not be reused as a whole answer)."""
    return _CUT_PREFIX in text[-120:]


def visible(text: str) -> str:
    """``text`` with every character that is not printable (control, zero-width, bidi override, ...)
    written as a ``\\uXXXX`` escape, so a name shows what it holds and cannot reorder a terminal line."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)
