"""Intervals that agree with their tests: ci_delta excludes 0 exactly when p < alpha (issue 17)."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_forgetting.scoring.base import CaseOutcome, MetricSpec, mean_metric
from pytest_forgetting.stats.paired_tests import (
    _SignFlip,
    bootstrap_interval,
    bootstrap_p,
    mcnemar_interval,
    sign_flip_interval,
)
from pytest_forgetting.stats.comparison import Comparison, compare_metric, exact_mcnemar


def outcome(passed: bool, **data: object) -> CaseOutcome:
    return CaseOutcome(passed=passed, decision="", reason="", data=data)


PASS_RATE = mean_metric("pass_rate", "higher", "", lambda o: 1.0 if o.passed else 0.0, binary=True)
SCORE = mean_metric("score", "lower", "", lambda o: o.data.get("x"), unit="points")
SHARE = mean_metric("share", "flat", "", lambda o: o.data.get("x"))  # a [0, 1] rate


def accuracy(outcomes: Sequence[CaseOutcome]) -> float | None:
    """An aggregate (no per_case), so it goes through the paired bootstrap."""
    return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else None


ACC_AGG = MetricSpec("acc", "higher", "", accuracy)


def agrees(cmp: Comparison) -> bool:
    assert cmp.p_value is not None and cmp.ci_delta is not None
    lo, hi = cmp.ci_delta
    return (not (lo <= 0.0 <= hi)) == (cmp.p_value < cmp.alpha)


ALPHAS = st.sampled_from([0.05, 0.01, 0.1, 0.2, 0.0625, 0.125])


# --------------------------------------------------------------------------- property tests


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60), ALPHAS)
def test_mcnemar_interval_excludes_zero_iff_significant(pairs: list[tuple[bool, bool]], alpha: float) -> None:
    base = {f"c{i:02d}": outcome(b) for i, (b, _) in enumerate(pairs)}
    cur = {f"c{i:02d}": outcome(c) for i, (_, c) in enumerate(pairs)}
    cmp = compare_metric(PASS_RATE, base, cur, alpha=alpha)
    assert cmp.test == "mcnemar"
    assert agrees(cmp)
    assert cmp.ci_delta is not None and cmp.delta is not None
    assert cmp.ci_delta[0] <= cmp.delta <= cmp.ci_delta[1]
    assert -1.0 <= cmp.ci_delta[0] and cmp.ci_delta[1] <= 1.0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 4)) | st.tuples(st.floats(0, 1), st.floats(0, 1)),
        min_size=1, max_size=60,
    ),
    ALPHAS,
)
def test_sign_flip_interval_excludes_zero_iff_significant(pairs: list[tuple[float, float]], alpha: float) -> None:
    base = {f"c{i:02d}": outcome(True, x=float(b)) for i, (b, _) in enumerate(pairs)}
    cur = {f"c{i:02d}": outcome(True, x=float(c)) for i, (_, c) in enumerate(pairs)}
    for spec in (SCORE, SHARE):
        cmp = compare_metric(spec, base, cur, alpha=alpha, n_resamples=300)
        assert cmp.test == "sign-flip permutation"
        assert agrees(cmp)
        assert cmp.ci_delta is not None and cmp.delta is not None
        assert cmp.ci_delta[0] <= cmp.delta + 1e-12 and cmp.delta - 1e-12 <= cmp.ci_delta[1]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40), ALPHAS)
def test_bootstrap_interval_excludes_zero_iff_significant(pairs: list[tuple[bool, bool]], alpha: float) -> None:
    base = {f"c{i:02d}": outcome(b) for i, (b, _) in enumerate(pairs)}
    cur = {f"c{i:02d}": outcome(c) for i, (_, c) in enumerate(pairs)}
    cmp = compare_metric(ACC_AGG, base, cur, alpha=alpha, n_resamples=200)
    assert cmp.test == "paired-bootstrap"
    assert agrees(cmp)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-3, 3, allow_nan=False), min_size=1, max_size=400), st.integers(1, 60), ALPHAS)
def test_bootstrap_interval_is_the_inverted_bootstrap_rule(values: list[float], n_cases: int, alpha: float) -> None:
    """Any t inside the interval is not rejected by the same rule with t in place of 0; outside, it is."""
    deltas = np.round(np.asarray(values), 1)
    lo, hi = bootstrap_interval(deltas, alpha, n_cases)
    for t in sorted(set(deltas.tolist()) | {0.0, lo, hi, float(deltas.min()) - 1, float(deltas.max()) + 1}):
        if not math.isfinite(t):
            continue
        p = bootstrap_p(deltas - t, n_cases)
        assert p is not None
        assert (lo <= t <= hi) == (p >= alpha), (t, p, lo, hi)


# --------------------------------------------------------------------------- the cases from the issue


def test_eight_cases_four_flips_to_fail_does_not_exclude_zero() -> None:
    base = {f"c{i}": outcome(True) for i in range(8)}
    cur = {f"c{i}": outcome(i >= 4) for i in range(8)}
    cmp = compare_metric(PASS_RATE, base, cur)
    assert cmp.p_value == pytest.approx(0.125)
    assert cmp.ci_delta is not None
    lo, hi = cmp.ci_delta
    assert lo <= 0.0 <= hi
    # By hand: theta_low solves theta^4 = 0.025; the change is (4/8) * (1 - 2 * theta).
    assert lo == pytest.approx(-0.5)
    assert hi == pytest.approx(0.5 * (1 - 2 * 0.025**0.25), abs=1e-9)


def test_minus_one_interval_never_comes_with_p_0062() -> None:
    # Five cases that all flip to fail: p = 2 / 32 = 0.0625 (McNemar) ...
    base = {f"c{i}": outcome(True) for i in range(5)}
    cur = {f"c{i}": outcome(False) for i in range(5)}
    cmp = compare_metric(PASS_RATE, base, cur)
    assert cmp.p_value == pytest.approx(0.0625)
    assert cmp.ci_delta is not None and cmp.ci_delta[0] <= 0.0 <= cmp.ci_delta[1]
    assert cmp.ci_delta[1] == pytest.approx(1 - 2 * 0.025**0.2, abs=1e-9)
    # ... and the aggregate path (bootstrap floor 2 / 2**5): every resample says -1, the test cannot settle it.
    agg = compare_metric(ACC_AGG, base, cur)
    assert agg.p_value == pytest.approx(0.0625)
    assert agg.ci_delta is not None and agg.ci_delta != (-1.0, -1.0)
    assert agg.ci_delta[0] <= 0.0 <= agg.ci_delta[1]


def test_two_case_guardrail_interval_spans_zero() -> None:
    base = {"a": outcome(True), "b": outcome(True)}
    cur = {"a": outcome(False), "b": outcome(False)}
    cmp = compare_metric(PASS_RATE, base, cur)
    assert cmp.p_value == 0.5
    assert cmp.ci_delta is not None and cmp.ci_delta[0] == -1.0 and cmp.ci_delta[1] > 0


# --------------------------------------------------------------------------- the inversions themselves


@pytest.mark.parametrize("b,c,n", [(4, 0, 8), (20, 0, 30), (3, 9, 40), (7, 7, 20), (0, 6, 6), (13, 2, 50)])
def test_mcnemar_interval_ends_are_where_the_binomial_tails_hit_alpha_half(b: int, c: int, n: int) -> None:
    alpha = 0.05
    m = b + c
    lo, hi = mcnemar_interval(b, c, n, alpha, exact_mcnemar(b, c))
    theta_hi, theta_lo = (1 - lo * n / m) / 2, (1 - hi * n / m) / 2

    def upper_tail(theta: float) -> float:  # P(X >= b), X ~ Bin(m, theta)
        return sum(math.comb(m, k) * theta**k * (1 - theta) ** (m - k) for k in range(b, m + 1))

    def lower_tail(theta: float) -> float:
        return sum(math.comb(m, k) * theta**k * (1 - theta) ** (m - k) for k in range(0, b + 1))

    if b > 0:
        assert upper_tail(theta_lo) == pytest.approx(alpha / 2, abs=1e-9)
    else:
        assert theta_lo == 0.0
    if b < m:
        assert lower_tail(theta_hi) == pytest.approx(alpha / 2, abs=1e-9)
    else:
        assert theta_hi == 1.0


def test_sign_flip_interval_ends_are_where_the_test_turns() -> None:
    rng = np.random.default_rng(3)
    for n in (8, 12, 30):
        d = np.round(rng.normal(0.4, 1.0, size=n), 3)
        flip = _SignFlip(d, 500, 0)
        p0 = flip.p(0.0)
        lo, hi = sign_flip_interval(d, 0.05, p0, n_resamples=500, seed=0)
        assert math.isfinite(lo) and math.isfinite(hi) and lo < float(d.mean()) < hi
        eps = 1e-6
        assert flip.p(lo + eps) >= 0.05 and flip.p(lo - eps) < 0.05
        assert flip.p(hi - eps) >= 0.05 and flip.p(hi + eps) < 0.05


def test_sign_flip_interval_unbounded_when_the_test_cannot_reject() -> None:
    d = np.array([1.0, 2.0, 3.0])  # 3 cases: the smallest p is 2/8
    assert sign_flip_interval(d, 0.05, 0.25, n_resamples=100, seed=0) == (-math.inf, math.inf)
    assert sign_flip_interval(d / 10, 0.05, 0.25, n_resamples=100, seed=0, bounds=(-1.0, 1.0)) == (-1.0, 1.0)


def test_intervals_serialise_unbounded_ends_as_null() -> None:
    base = {f"c{i}": outcome(True, x=0.0) for i in range(3)}
    cur = {f"c{i}": outcome(True, x=float(i + 1)) for i in range(3)}
    data = compare_metric(SCORE, base, cur).to_json()
    assert data["ci_delta"] == [None, None]
    assert data["p_value"] == 0.25


# --------------------------------------------------------------------------- hostile input


def test_hostile_non_finite_metric_values_are_refused_by_name() -> None:
    """A NaN per-case value used to make every comparison false and report p = 0.0 ("significant")."""
    base = {f"c{i}": outcome(True, x=float(i)) for i in range(10)}
    cur = {f"c{i}": outcome(True, x=math.nan if i == 3 else float(i) + 1) for i in range(10)}
    with pytest.raises(ValueError, match=r"metric 'score': case 'c3', candidate side has the value nan"):
        compare_metric(SCORE, base, cur)
    inf_agg = MetricSpec("agg", "higher", "", lambda os: math.inf if len(os) > 5 else 1.0)
    with pytest.raises(ValueError, match="metric 'agg': reference side"):
        compare_metric(inf_agg, base, base)
