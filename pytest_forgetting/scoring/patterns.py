"""Suite-written regular expressions, run with a time bound per output.

Python's ``re`` has no timeout, and a pattern like ``^(a|aa)+\\1$`` backtracks
exponentially on a degenerate output (``'a' * 40 + '!'``): scoring would hang
with no message. Patterns are checked with ``re`` at collection (so syntax
errors read the same) and run at scoring with the ``regex`` module (a
transformers dependency; ``re``-compatible in its default VERSION0), whose
``timeout=`` stops a runaway match. ``regex`` also answers many classic
catastrophic patterns (``^(a|a?)+$``) in linear time.
"""
from __future__ import annotations

from typing import Any

import regex  # type: ignore[import-untyped]

from ..errors import SuiteError

TIMEOUT_S = 1.0
"""Seconds one pattern may spend on one output."""


def search(pattern: str, text: str, *, suite_path: str, case_id: str, field: str, line: int | None = None,
           ignore_case: bool = False, flags: int = 0) -> Any:
    """``re.search`` semantics, bounded: a pattern that runs past ``TIMEOUT_S`` is a :class:`SuiteError`
    naming the suite file, the case and the pattern."""
    flags |= regex.IGNORECASE if ignore_case else 0  # re's flag values are regex's (I, M, S, X)
    try:
        return regex.search(pattern, text, flags, timeout=TIMEOUT_S)
    except TimeoutError:
        raise SuiteError(
            suite_path,
            f"regex {pattern!r} ran for more than {TIMEOUT_S:g} s on the output of case {case_id!r} "
            f"({len(text)} characters) and was stopped",
            line=line, field=field,
            fix="simplify the pattern: nested or overlapping repeats such as (a|aa)+ or (a+)+ backtrack "
                "exponentially; anchor it or use a plain substring",
        ) from None
