"""holm_adjust: Holm-Bonferroni step-down adjusted p-values (issue 17, family-wise error control)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_forgetting.stats.comparison import holm_adjust


def test_hand_worked_example() -> None:
    # Sorted: d 0.005, a 0.01, c 0.03, b 0.04; m = 4.
    # d: 4 * 0.005 = 0.02; a: 3 * 0.01 = 0.03; c: 2 * 0.03 = 0.06; b: 1 * 0.04 = 0.04 -> raised to 0.06 (monotone).
    out = holm_adjust({"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.005})
    assert list(out) == ["a", "b", "c", "d"]  # input order kept
    assert out == pytest.approx({"a": 0.03, "b": 0.06, "c": 0.06, "d": 0.02})


def test_reference_values_with_none_ties_and_cap() -> None:
    # Worked by hand, m = 5 (None does not count):
    # x 0.001 * 5 = 0.005; y 0.01 * 4 = 0.04; z 0.01 * 3 = 0.03 -> 0.04; w 0.2 * 2 = 0.4; v 0.9 * 1 = 0.9.
    out = holm_adjust({"v": 0.9, "w": 0.2, "skipped": None, "x": 0.001, "y": 0.01, "z": 0.01})
    assert out["skipped"] is None
    assert out == pytest.approx({"v": 0.9, "w": 0.4, "skipped": None, "x": 0.005, "y": 0.04, "z": 0.04})
    # Capped at 1: 3 * 0.5 = 1.5 -> 1.0, and everything after stays 1.0.
    assert holm_adjust({"a": 0.5, "b": 0.6, "c": 0.7}) == {"a": 1.0, "b": 1.0, "c": 1.0}
    assert holm_adjust({}) == {}
    assert holm_adjust({"only": 0.03}) == {"only": 0.03}
    assert holm_adjust({"n": None}) == {"n": None}


def test_rejects_bad_p_values() -> None:
    for bad in (-0.1, 1.5, math.nan):
        with pytest.raises(ValueError, match="'m'"):
            holm_adjust({"m": bad})


def _holm_rejections(p: dict[str, float], alpha: float) -> set[str]:
    """Independent textbook step-down: reject in order while (m - i) * p_(i) <= alpha."""
    order = sorted(p, key=lambda k: (p[k], k))
    m = len(order)
    rejected: set[str] = set()
    for i, key in enumerate(order):
        if (m - i) * p[key] <= alpha:
            rejected.add(key)
        else:
            break
    return rejected


@given(st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.floats(0.0, 1.0), max_size=12),
       st.sampled_from([0.01, 0.05, 0.1]))
def test_matches_the_step_down_procedure(p: dict[str, float], alpha: float) -> None:
    adjusted = holm_adjust(p)
    assert {k for k, v in adjusted.items() if v is not None and v <= alpha} == _holm_rejections(p, alpha)
    for k in p:
        a = adjusted[k]
        assert a is not None and p[k] <= a <= 1.0
    for k1 in p:  # monotone: a smaller raw p never gets a larger adjusted p
        for k2 in p:
            if p[k1] <= p[k2]:
                assert adjusted[k1] <= adjusted[k2]  # type: ignore[operator]


def test_family_wise_error_under_the_null() -> None:
    """40 independent null tests: P(any adjusted p < 0.05) stays <= 0.05 (raw: about 1 - 0.95**40 = 0.87)."""
    rng = np.random.default_rng(17)
    families = rng.uniform(size=(4000, 40))
    any_raw = float(np.mean((families < 0.05).any(axis=1)))
    any_holm = np.mean([min(v for v in holm_adjust({str(i): float(x) for i, x in enumerate(row)}).values()
                            if v is not None) < 0.05 for row in families])
    assert any_raw > 0.8
    assert any_holm <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 4000)
