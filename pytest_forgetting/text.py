"""Model text made safe to show: terminals, CI logs and Markdown all get untrusted output."""
from __future__ import annotations


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
