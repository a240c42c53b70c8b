"""Family-wise error control: many metric tests, one verdict.

With ~40 metric tests per adapter each at alpha, a fine-tune that changed
nothing real fails somewhere by chance. Holm's step-down adjustment bounds
the chance of any false "regressed" in a family at alpha, under any
dependence between the tests, and is uniformly more powerful than
Bonferroni.
"""
from __future__ import annotations

import math
from typing import Mapping

__all__ = ["holm_adjust"]


def holm_adjust(p_values: Mapping[str, float | None]) -> dict[str, float | None]:
    """Holm-Bonferroni adjusted p-values, keyed and ordered as the input.

    With the m non-``None`` p-values sorted ascending, the i-th (0-based) gets
    ``max over j <= i of min(1, (m - j) * p_(j))``: rejecting every test whose
    adjusted p is < alpha is Holm's procedure at alpha. Adjusted p-values are
    monotone in the raw ones and never below them. ``None`` (a test that did
    not run) passes through and does not count towards m. Ties are ordered by
    key, which does not change the result.
    """
    for key, p in p_values.items():
        if p is not None and not (isinstance(p, (int, float)) and not math.isnan(p) and 0.0 <= p <= 1.0):
            raise ValueError(f"p-value for {key!r} must be a number in [0, 1] or None, got {p!r}")
    ranked = sorted(((float(p), key) for key, p in p_values.items() if p is not None))
    m = len(ranked)
    adjusted: dict[str, float] = {}
    running = 0.0
    for i, (p, key) in enumerate(ranked):
        running = max(running, min(1.0, (m - i) * p))
        adjusted[key] = running
    return {key: (None if p is None else adjusted[key]) for key, p in p_values.items()}
