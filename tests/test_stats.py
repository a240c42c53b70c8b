"""Unit tests for pytest_forgetting.stats.comparison, against hand-computed values."""
from __future__ import annotations

import json
import math
import statistics
import time
from typing import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_forgetting.decide.rules import change_status
from pytest_forgetting.scoring.base import CaseOutcome, MetricSpec, mean_metric
from pytest_forgetting.stats.comparison import (
    Comparison,
    bootstrap_ci,
    compare_metric,
    exact_mcnemar,
    mean_ci,
    wilson_interval,
)

# --------------------------------------------------------------------------- fixtures


def outcome(passed: bool, **data: object) -> CaseOutcome:
    return CaseOutcome(passed=passed, decision="pass" if passed else "fail", reason="", data=data)


PASS_RATE = mean_metric("pass_rate", "higher", "share of cases passed", lambda o: 1.0 if o.passed else 0.0, binary=True)
LENGTH = mean_metric("length", "flat", "mean answer length", lambda o: o.data.get("length"))
ERROR = mean_metric("error", "lower", "mean abs error", lambda o: o.data.get("err"))


def macro_f1(outcomes: Sequence[CaseOutcome]) -> float | None:
    """Macro-F1 over the gold labels present, from data {"gold", "pred"}."""
    if not outcomes:
        return None
    labels = sorted({o.data["gold"] for o in outcomes})
    f1s = []
    for lab in labels:
        tp = sum(1 for o in outcomes if o.data["gold"] == lab and o.data["pred"] == lab)
        fp = sum(1 for o in outcomes if o.data["gold"] != lab and o.data["pred"] == lab)
        fn = sum(1 for o in outcomes if o.data["gold"] == lab and o.data["pred"] != lab)
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


MACRO_F1 = MetricSpec("macro_f1", "higher", "macro-F1 over labels", macro_f1)


def rate_suite(passes: Sequence[bool], prefix: str = "c") -> dict[str, CaseOutcome]:
    return {f"{prefix}{i:03d}": outcome(p) for i, p in enumerate(passes)}


def cls_suite(gold: Sequence[str], pred: Sequence[str]) -> dict[str, CaseOutcome]:
    return {f"c{i:03d}": outcome(g == p, gold=g, pred=p) for i, (g, p) in enumerate(zip(gold, pred))}


# --------------------------------------------------------------------------- Wilson


def test_wilson_known_values() -> None:
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=5e-4)
    assert hi == pytest.approx(0.9433, abs=5e-4)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0
    assert hi == pytest.approx(0.2775, abs=5e-4)
    lo, hi = wilson_interval(10, 10)
    assert lo == pytest.approx(0.7225, abs=5e-4)
    assert hi == 1.0
    # 90%: z = 1.6449, centre 0.7361, half-width 0.1953 -> (0.5408, 0.9314)
    lo, hi = wilson_interval(8, 10, confidence=0.90)
    assert lo == pytest.approx(0.5408, abs=5e-4)
    assert hi == pytest.approx(0.9314, abs=5e-4)


def test_wilson_empty_and_invalid() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(1, 2, confidence=1.0)


@given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_point_estimate(kn: tuple[int, int]) -> None:
    k, n = kn
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= hi <= 1.0
    if n:
        assert lo - 1e-12 <= k / n <= hi + 1e-12


# --------------------------------------------------------------------------- McNemar


def test_exact_mcnemar_known_values() -> None:
    assert exact_mcnemar(0, 5) == pytest.approx(0.0625)
    assert exact_mcnemar(5, 0) == pytest.approx(0.0625)
    assert exact_mcnemar(1, 1) == 1.0
    assert exact_mcnemar(0, 10) == pytest.approx(0.001953125)
    assert exact_mcnemar(0, 0) == 1.0
    # b=2, c=8: 2 * (1 + 10 + 45) / 1024
    assert exact_mcnemar(2, 8) == pytest.approx(112 / 1024)


@given(st.integers(0, 60), st.integers(0, 60))
def test_exact_mcnemar_symmetric_and_bounded(b: int, c: int) -> None:
    p = exact_mcnemar(b, c)
    assert p == exact_mcnemar(c, b)
    assert 0.0 < p <= 1.0


def test_exact_mcnemar_large_counts_do_not_overflow() -> None:
    assert exact_mcnemar(5000, 5000) == 1.0
    assert 0.0 <= exact_mcnemar(0, 3000) < 1e-300


@pytest.mark.parametrize("b,c", [(980, 1100), (1020, 1100), (1000, 1001), (1500, 1800)])
def test_exact_mcnemar_log_space_path_matches_integers(b: int, c: int) -> None:
    n, k = b + c, min(b, c)
    exact = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n)
    assert exact_mcnemar(b, c) == pytest.approx(exact, rel=1e-9)


# --------------------------------------------------------------------------- bootstrap / mean CIs


def test_bootstrap_ci_skips_none_and_handles_all_none() -> None:
    items = list(range(20))
    lo, hi = bootstrap_ci(items, lambda xs: None)
    assert math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(x) for x in bootstrap_ci([], statistics.fmean))

    calls = {"n": 0}

    def sometimes(xs: Sequence[int]) -> float | None:
        calls["n"] += 1
        return None if calls["n"] % 2 else float(sum(xs)) / len(xs)

    lo, hi = bootstrap_ci(items, sometimes, n_resamples=200)
    assert lo <= 9.5 <= hi


def test_bootstrap_ci_mean_fast_path_matches_generic() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(size=50).tolist()
    fast = bootstrap_ci(values, statistics.fmean, n_resamples=500, seed=3)
    slow = bootstrap_ci(values, lambda xs: sum(xs) / len(xs), n_resamples=500, seed=3)
    assert fast == pytest.approx(slow, abs=1e-12)
    assert fast == mean_ci(values, n_resamples=500, seed=3)
    assert fast[0] < statistics.fmean(values) < fast[1]


def test_bootstrap_ci_deterministic_and_seed_sensitive() -> None:
    values = [float(i % 7) for i in range(40)]
    stat = lambda xs: max(xs) - min(xs) + sum(xs) / len(xs)  # noqa: E731
    assert bootstrap_ci(values, stat, seed=1) == bootstrap_ci(values, stat, seed=1)
    a = bootstrap_ci(values, statistics.median, seed=1, n_resamples=300)
    b = bootstrap_ci(values, statistics.median, seed=1, n_resamples=300)
    assert a == b


def test_mean_ci_binary_is_wilson() -> None:
    assert mean_ci([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], binary=True) == wilson_interval(8, 10)
    assert mean_ci([], binary=True) == (0.0, 1.0)
    assert all(math.isnan(x) for x in mean_ci([]))
    with pytest.raises(ValueError):
        mean_ci([0.5, 1.0], binary=True)


# --------------------------------------------------------------------------- compare_metric: binary


def test_one_flipped_case_is_unchanged() -> None:
    base = rate_suite([True] * 10)
    cur = rate_suite([True] * 9 + [False])
    cmp = compare_metric(PASS_RATE, base, cur)
    assert cmp.test == "mcnemar"
    assert cmp.n_paired == 10
    assert cmp.p_value == 1.0  # b=1, c=0 -> min(1, 2 * 0.5)
    assert cmp.baseline == 1.0 and cmp.current == pytest.approx(0.9)
    assert cmp.delta == pytest.approx(-0.1)
    assert change_status(cmp) == "unchanged"


def test_clear_regression_is_regressed() -> None:
    base = rate_suite([True] * 30)
    cur = rate_suite([False] * 20 + [True] * 10)
    cmp = compare_metric(PASS_RATE, base, cur)
    assert cmp.test == "mcnemar"
    assert cmp.p_value == pytest.approx(2 / 2**20)
    assert cmp.delta == pytest.approx(-20 / 30)
    assert change_status(cmp) == "regressed"
    assert cmp.ci_delta is not None
    assert cmp.ci_delta[0] <= cmp.delta <= cmp.ci_delta[1] < 0


def test_clear_improvement_is_improved() -> None:
    cmp = compare_metric(PASS_RATE, rate_suite([False] * 20 + [True] * 10), rate_suite([True] * 30))
    assert change_status(cmp) == "improved"
    assert cmp.delta == pytest.approx(20 / 30)


def test_mcnemar_counts_discordant_pairs_only() -> None:
    # 3 pass->fail, 1 fail->pass, rest concordant: p = 2 * (1 + 4) / 16
    base = rate_suite([True, True, True, False, True, False])
    cur = rate_suite([False, False, False, True, True, False])
    cmp = compare_metric(PASS_RATE, base, cur)
    assert cmp.p_value == pytest.approx(10 / 16)
    assert change_status(cmp) == "unchanged"


def test_tolerance_blocks_significant_but_small_change() -> None:
    base = rate_suite([True] * 200)
    cur = rate_suite([False] * 20 + [True] * 180)  # -0.10, p = 2 / 2**20
    tight = compare_metric(PASS_RATE, base, cur, tolerance=0.05)
    assert change_status(tight) == "regressed"
    loose = compare_metric(PASS_RATE, base, cur, tolerance=0.15)
    assert loose.p_value is not None and loose.p_value < 0.05
    assert change_status(loose) == "unchanged"
    assert loose.tolerance == 0.15
    # The spec's own tolerance is the default.
    spec = mean_metric("pass_rate", "higher", "", lambda o: float(o.passed), binary=True, tolerance=0.15)
    assert change_status(compare_metric(spec, base, cur)) == "unchanged"


def test_only_shared_case_ids_are_paired() -> None:
    base = rate_suite([True] * 10)
    base["only_in_baseline"] = outcome(False)
    cur = rate_suite([True] * 10)
    cur["only_in_current"] = outcome(False)
    cmp = compare_metric(PASS_RATE, base, cur)
    assert cmp.n_paired == 10
    assert cmp.baseline == cmp.current == 1.0
    assert cmp.p_value == 1.0
    assert change_status(cmp) == "unchanged"


# --------------------------------------------------------------------------- compare_metric: continuous per-case


def test_sign_flip_exact_hand_value() -> None:
    # diffs [1, 2, 3] (+ a zero diff, dropped): |±1±2±3| >= 6 in 2 of 8 patterns.
    base = {f"c{i}": outcome(True, err=0.0) for i in range(4)}
    cur = {"c0": outcome(True, err=1.0), "c1": outcome(True, err=2.0), "c2": outcome(True, err=3.0),
           "c3": outcome(True, err=0.0)}
    cmp = compare_metric(ERROR, base, cur)
    assert cmp.test == "sign-flip permutation"
    assert cmp.p_value == pytest.approx(0.25)
    assert cmp.delta == pytest.approx(1.5)
    assert change_status(cmp) == "unchanged"


def test_flat_direction_regresses_both_ways_and_never_improves() -> None:
    base = {f"c{i:02d}": outcome(True, length=100.0 + i) for i in range(20)}
    longer = {k: outcome(True, length=o.data["length"] + 5.0) for k, o in base.items()}
    shorter = {k: outcome(True, length=o.data["length"] - 5.0) for k, o in base.items()}
    up = compare_metric(LENGTH, base, longer)
    down = compare_metric(LENGTH, base, shorter)
    assert up.test == down.test == "sign-flip permutation"
    assert up.p_value == pytest.approx(1 / 2001)  # 20 diffs -> Monte Carlo, no null pattern hits
    assert up.delta == pytest.approx(5.0) and down.delta == pytest.approx(-5.0)
    assert change_status(up) == "regressed"
    assert change_status(down) == "regressed"
    assert change_status(compare_metric(LENGTH, base, base)) == "unchanged"


def test_lower_is_better_direction() -> None:
    base = {f"c{i:02d}": outcome(True, err=0.5) for i in range(12)}
    worse = {k: outcome(True, err=0.9) for k in base}
    better = {k: outcome(True, err=0.1) for k in base}
    assert change_status(compare_metric(ERROR, base, worse)) == "regressed"
    assert change_status(compare_metric(ERROR, base, better)) == "improved"
    # 12 non-zero diffs -> exact: 2 / 4096
    assert compare_metric(ERROR, base, worse).p_value == pytest.approx(2 / 4096)


def test_per_case_none_values_are_not_paired() -> None:
    base = {"a": outcome(True, err=1.0), "b": outcome(True), "c": outcome(True, err=2.0)}
    cur = {"a": outcome(True, err=1.0), "b": outcome(True, err=9.0), "c": outcome(True)}
    cmp = compare_metric(ERROR, base, cur)
    assert cmp.n_paired == 1
    assert cmp.baseline == cmp.current == 1.0
    assert cmp.p_value == 1.0


# --------------------------------------------------------------------------- compare_metric: aggregate


def _gold(n: int) -> list[str]:
    return [("a", "b", "c")[i % 3] for i in range(n)]


def test_aggregate_collapse_is_significant() -> None:
    gold = _gold(60)
    base = cls_suite(gold, gold)  # perfect
    cur = cls_suite(gold, ["a"] * 60)  # collapsed onto one label
    cmp = compare_metric(MACRO_F1, base, cur)
    assert cmp.test == "paired-bootstrap"
    assert cmp.baseline == 1.0
    assert cmp.current == pytest.approx((0.5 + 0 + 0) / 3)
    assert cmp.p_value is not None and cmp.p_value < 0.05
    assert change_status(cmp) == "regressed"
    assert cmp.ci_delta is not None and cmp.ci_delta[1] < 0


def test_aggregate_identical_outputs_not_significant() -> None:
    gold = _gold(60)
    pred = [g if i % 4 else "b" for i, g in enumerate(gold)]
    base = cls_suite(gold, pred)
    cmp = compare_metric(MACRO_F1, base, dict(base))
    assert cmp.p_value is not None and cmp.p_value > 0.05
    assert cmp.p_value == 1.0
    assert cmp.delta == 0.0
    assert cmp.ci_delta == (0.0, 0.0)
    assert change_status(cmp) == "unchanged"


def test_aggregate_small_noisy_change_not_significant() -> None:
    gold = _gold(60)
    base = cls_suite(gold, gold)
    pred = list(gold)
    pred[0] = "b"  # one case wrong
    cmp = compare_metric(MACRO_F1, base, cls_suite(gold, pred))
    assert cmp.delta is not None and cmp.delta < 0
    assert cmp.p_value is not None and cmp.p_value > 0.05
    assert change_status(cmp) == "unchanged"


def test_aggregate_single_case_cannot_be_significant() -> None:
    base = cls_suite(["a"], ["a"])
    cur = cls_suite(["a"], ["b"])
    cmp = compare_metric(MACRO_F1, base, cur)
    assert cmp.delta == -1.0
    assert cmp.p_value == 1.0  # floored at 2 / 2**1
    assert change_status(cmp) == "unchanged"


def test_aggregate_speed_200_cases_2000_resamples() -> None:
    gold = _gold(200)
    base = cls_suite(gold, gold)
    cur = cls_suite(gold, [g if i % 5 else "a" for i, g in enumerate(gold)])
    start = time.perf_counter()
    compare_metric(MACRO_F1, base, cur, n_resamples=2000)
    # Budget is < 2 s; the bound here is loose so a busy CI box does not flake.
    assert time.perf_counter() - start < 10.0


# --------------------------------------------------------------------------- determinism, no-data, JSON


def test_determinism() -> None:
    gold = _gold(90)
    rng = np.random.default_rng(0)
    base = cls_suite(gold, [g if rng.random() < 0.8 else "c" for g in gold])
    cur = cls_suite(gold, [g if rng.random() < 0.7 else "a" for g in gold])
    assert compare_metric(MACRO_F1, base, cur, seed=5) == compare_metric(MACRO_F1, base, cur, seed=5)
    # Mapping order does not matter.
    rev = dict(reversed(list(cur.items())))
    assert compare_metric(MACRO_F1, base, rev, seed=5) == compare_metric(MACRO_F1, base, cur, seed=5)
    lb = {f"c{i:02d}": outcome(True, length=float(i)) for i in range(30)}
    lc = {k: outcome(True, length=o.data["length"] + rng.normal()) for k, o in lb.items()}
    assert compare_metric(LENGTH, lb, lc, seed=2) == compare_metric(LENGTH, lb, lc, seed=2)


def test_no_data_cases() -> None:
    # No shared ids.
    cmp = compare_metric(PASS_RATE, rate_suite([True] * 3, "x"), rate_suite([True] * 3, "y"))
    assert (change_status(cmp), cmp.n_paired, cmp.test, cmp.p_value, cmp.ci_delta) == ("no-data", 0, "none", None, None)
    assert cmp.delta is None
    # Empty mappings.
    assert change_status(compare_metric(MACRO_F1, {}, {})) == "no-data"
    # Per-case metric undefined everywhere.
    base = {f"c{i}": outcome(True) for i in range(5)}
    assert change_status(compare_metric(ERROR, base, base)) == "no-data"
    # Aggregate metric undefined on one side.
    undefined_now = MetricSpec("m", "higher", "", lambda os: None if any(not o.passed for o in os) else 1.0)
    cmp = compare_metric(undefined_now, rate_suite([True] * 5), rate_suite([True] * 4 + [False]))
    assert change_status(cmp) == "no-data"
    assert cmp.baseline == 1.0 and cmp.current is None and cmp.n_paired == 5


def test_to_json_stable_keys_and_rounding() -> None:
    base = rate_suite([True] * 30)
    cur = rate_suite([False] * 20 + [True] * 10)
    data = compare_metric(PASS_RATE, base, cur).to_json()
    assert list(data) == [
        "metric", "direction", "baseline", "current", "delta", "n_paired",
        "p_value", "test", "ci_delta", "tolerance", "alpha",
        "min_detectable_change", "power_model", "sides",
    ]  # numbers only: the status is the decider's
    assert data["current"] == 0.333333
    assert data["delta"] == -0.666667
    assert data["p_value"] == 2e-06  # 1.9073e-06 rounded
    assert isinstance(data["ci_delta"], list) and len(data["ci_delta"]) == 2
    assert change_status(compare_metric(PASS_RATE, base, cur)) == "regressed"
    json.dumps(data, allow_nan=False)

    nan_ci = Comparison("m", "higher", 1.0, 1.0, 0.0, 3, None, "paired-bootstrap", (math.nan, math.nan),
                        0.0, 0.05)
    assert nan_ci.to_json()["ci_delta"] == [None, None]
    no = compare_metric(PASS_RATE, {}, {}).to_json()
    assert no["ci_delta"] is None and no["p_value"] is None
    json.dumps(no, allow_nan=False)


def test_invalid_arguments() -> None:
    base = rate_suite([True] * 3)
    with pytest.raises(ValueError):
        compare_metric(PASS_RATE, base, base, alpha=0.0)
    with pytest.raises(ValueError):
        compare_metric(PASS_RATE, base, base, n_resamples=0)
    with pytest.raises(ValueError):
        compare_metric(PASS_RATE, base, base, tolerance=-0.1)
    bad = MetricSpec("m", "sideways", "", lambda os: 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        compare_metric(bad, base, base)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=0, max_size=40))
def test_status_consistent_with_rule(pairs: list[tuple[bool, bool]]) -> None:
    base = rate_suite([b for b, _ in pairs])
    cur = rate_suite([c for _, c in pairs])
    cmp = compare_metric(PASS_RATE, base, cur)
    if not pairs:
        assert change_status(cmp) == "no-data"
        return
    b = sum(1 for x, y in pairs if x and not y)
    c = sum(1 for x, y in pairs if not x and y)
    assert cmp.p_value == exact_mcnemar(b, c)
    significant = cmp.p_value < 0.05 and abs(cmp.delta or 0.0) > 0.0
    expected = "unchanged" if not significant else ("regressed" if b > c else "improved")
    assert change_status(cmp) == expected


# --------------------------------------------------------------------------- one-sided guardrails (issue 29)


@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60),
       st.sampled_from(["higher", "lower"]))
@settings(max_examples=60, deadline=None)
def test_one_sided_interval_agrees_with_its_test(pairs: list[tuple[bool, bool]], direction: str) -> None:
    """The 90 % interval's ends are the one-sided 95 % bounds: it excludes 0 exactly when p < alpha."""
    spec = mean_metric("m", direction, "", lambda o: float(o.passed), binary=True)
    base = {f"c{i:03d}": CaseOutcome(a, "", "") for i, (a, _) in enumerate(pairs)}
    cur = {f"c{i:03d}": CaseOutcome(b, "", "") for i, (_, b) in enumerate(pairs)}
    c = compare_metric(spec, base, cur, one_sided=True, tolerance=0.0)
    two = compare_metric(spec, base, cur, tolerance=0.0)
    assert c.p_value is not None and c.ci_delta is not None and two.p_value is not None
    assert (c.p_value < 0.05) == (not (c.ci_delta[0] <= 0.0 <= c.ci_delta[1]))
    if c.delta:
        assert c.p_value == pytest.approx(min(1.0, two.p_value / 2))
    else:
        assert c.p_value == 1.0
    if change_status(c) == "regressed" or change_status(two) == "regressed":  # one-sided finds every two-sided regression
        assert change_status(c) == "regressed"


def test_one_sided_improvement_stays_improved() -> None:
    """Two-sided p = 0.0625 on 5 fixed cases; one-sided in the better direction it is 0.031: improved."""
    base = rate_suite([False] * 5 + [True] * 35)
    cur = rate_suite([True] * 40)
    c = compare_metric(PASS_RATE, base, cur, one_sided=True)
    assert (c.p_value, change_status(c)) == (0.03125, "improved")
    assert change_status(compare_metric(PASS_RATE, base, cur)) == "unchanged"  # two-sided: 0.0625
    assert c.to_json()["sides"] == 1


def test_flat_metrics_stay_two_sided() -> None:
    words = mean_metric("w", "flat", "", lambda o: o.data.get("w"), unit="words")
    base = {f"c{i}": CaseOutcome(True, "", "", {"w": 10.0}) for i in range(12)}
    cur = {f"c{i}": CaseOutcome(True, "", "", {"w": 10.0 + (i % 3)}) for i in range(12)}
    assert compare_metric(words, base, cur, one_sided=True).sides == 2


def test_one_sided_bootstrap_halves_the_two_sided_p() -> None:
    share = MetricSpec("share", "higher", "", lambda outs: sum(o.passed for o in outs) / len(outs))
    base = rate_suite([True] * 20 + [False] * 10)
    cur = rate_suite([True] * 14 + [False] * 16)
    one = compare_metric(share, base, cur, one_sided=True)
    two = compare_metric(share, base, cur)
    assert one.test == "paired-bootstrap" and one.p_value == pytest.approx(two.p_value / 2)  # type: ignore[operator]
    assert one.ci_delta is not None and two.ci_delta is not None
    assert two.ci_delta[0] <= one.ci_delta[0] <= one.ci_delta[1] <= two.ci_delta[1]  # the 90 % interval, inside
