"""Minimum detectable change and cases needed (issue 17), checked against brute force and simulation."""
from __future__ import annotations

import json
import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_forgetting.scoring.base import CaseOutcome, MetricSpec, mean_metric
from pytest_forgetting.stats.paired_tests import min_cases_for
from pytest_forgetting.stats.comparison import (
    PowerModel,
    cases_needed,
    compare_metric,
    detection_power,
    exact_mcnemar,
    min_detectable_change,
)


def outcome(passed: bool, **data: object) -> CaseOutcome:
    return CaseOutcome(passed=passed, decision="", reason="", data=data)


PASS_RATE = mean_metric("pass_rate", "higher", "", lambda o: float(o.passed), binary=True)
UNDER_REFUSAL = mean_metric("under_refusal_rate", "lower", "", lambda o: float(o.passed), binary=True)
WORDS = mean_metric("words", "flat", "", lambda o: o.data.get("w"), unit="words")


def suite(values: list[bool]) -> dict[str, CaseOutcome]:
    return {f"c{i:03d}": outcome(v) for i, v in enumerate(values)}


def brute_force_power(n: int, p_worse: float, p_better: float, alpha: float) -> float:
    """Independent: sum the multinomial over every (worse, better) count and apply exact McNemar."""
    total = 0.0
    rest = 1.0 - p_worse - p_better
    for w in range(n + 1):
        for v in range(n + 1 - w):
            if w > v and exact_mcnemar(w, v) < alpha:
                ways = math.comb(n, w) * math.comb(n - w, v)
                total += ways * p_worse**w * p_better**v * rest ** (n - w - v)
    return total


def test_min_cases_for_alpha() -> None:
    assert min_cases_for(0.05) == 6  # 2/2**5 = 0.0625 >= 0.05, 2/2**6 < 0.05
    assert min_cases_for(0.1) == 5
    assert min_cases_for(0.01) == 8
    with pytest.raises(ValueError):
        min_cases_for(0.0)


def test_mcnemar_power_by_hand() -> None:
    # No benign churn, 8 cases all at 1, drop 0.5: worse flips ~ Bin(8, 0.5), significant from 6 flips.
    model = PowerModel("mcnemar", "higher", 0.05, 8, base_rate=1.0, benign_flip_rate=0.0)
    assert detection_power(model, 0.5) == pytest.approx((28 + 8 + 1) / 256)


@pytest.mark.parametrize("n,r,d", [(8, 0.0, 0.3), (12, 0.1, 0.3), (25, 0.05, 0.2), (40, 0.1, 0.15), (60, 0.0, 0.1)])
def test_mcnemar_power_matches_brute_force(n: int, r: float, d: float) -> None:
    model = PowerModel("mcnemar", "higher", 0.05, n, base_rate=0.9, benign_flip_rate=r)
    assert detection_power(model, d) == pytest.approx(brute_force_power(n, r + d, r, 0.05), abs=1e-12)


def test_mcnemar_power_matches_simulation() -> None:
    n, r, d = 30, 0.05, 0.2
    model = PowerModel("mcnemar", "higher", 0.05, n, base_rate=0.8, benign_flip_rate=r)
    rng = np.random.default_rng(11)
    draws = rng.multinomial(n, [r + d, r, 1 - 2 * r - d], size=4000)
    hits = sum(1 for w, v, _ in draws if w > v and exact_mcnemar(int(w), int(v)) < 0.05)
    sim = hits / len(draws)
    assert detection_power(model, d) == pytest.approx(sim, abs=3 * math.sqrt(sim * (1 - sim) / len(draws)) + 1e-3)


def test_min_detectable_change_is_the_80_percent_point() -> None:
    model = PowerModel("mcnemar", "higher", 0.05, 40, base_rate=0.85, benign_flip_rate=0.05)
    mdc = min_detectable_change(model)
    assert 0 < mdc < 0.85
    assert detection_power(model, mdc) >= 0.8
    assert detection_power(model, mdc - 1e-4) < 0.8


def test_two_case_guardrail_cannot_detect_anything() -> None:
    cmp = compare_metric(PASS_RATE, suite([True, True]), suite([False, False]))
    assert cmp.min_detectable_change == math.inf
    assert cmp.to_json()["min_detectable_change"] is None
    assert cmp.to_json()["power_model"]["n"] == 2
    n = cases_needed(cmp, 0.3)
    assert n is not None and detection_power(cmp.power, 0.3, n=n) >= 0.8  # type: ignore[arg-type]


def test_issue_example_eight_harmful_prompts() -> None:
    """under-refusal 0.5 -> 1.0 on 8 cases: no drop it can make is detectable; ~25 cases would see 0.3."""
    base = suite([False] * 4 + [True] * 4)
    cur = suite([True] * 8)
    cmp = compare_metric(UNDER_REFUSAL, base, cur)
    assert cmp.p_value == pytest.approx(0.125)
    assert cmp.min_detectable_change == math.inf  # even the largest possible rise, 0.5, has power 37/256
    assert cmp.power is not None and cmp.power.base_rate == 0.5 and cmp.power.benign_flip_rate == 0.0
    need = cases_needed(cmp, 0.3)
    assert need == 25
    assert brute_force_power(25, 0.3, 0.0, 0.05) >= 0.8 > brute_force_power(24, 0.3, 0.0, 0.05)
    assert cases_needed(cmp, 0.6) is None  # under-refusal cannot rise by 0.6 from 0.5


def test_metric_already_at_its_worst_has_nothing_to_miss() -> None:
    cmp = compare_metric(PASS_RATE, suite([False] * 10), suite([False] * 10))
    assert cmp.min_detectable_change == 0.0
    assert cases_needed(cmp, 0.1) is None


def test_benign_churn_raises_the_detectable_change() -> None:
    quiet = compare_metric(PASS_RATE, suite([True] * 50), suite([True] * 50))
    churn = compare_metric(PASS_RATE, suite([True] * 40 + [False] * 10), suite([True] * 35 + [False] * 5 + [True] * 5 + [False] * 5))
    assert churn.power is not None and churn.power.benign_flip_rate == pytest.approx(0.1)
    assert quiet.min_detectable_change is not None and churn.min_detectable_change is not None
    assert quiet.min_detectable_change < churn.min_detectable_change


def test_normal_model_by_hand() -> None:
    z = statistics.NormalDist().inv_cdf(0.975) + statistics.NormalDist().inv_cdf(0.8)  # 2.8016
    model = PowerModel("normal", "flat", 0.05, 25, sd=10.0)
    assert min_detectable_change(model) == pytest.approx(z * 10.0 / 5.0)
    assert cases_needed(model, 5.0) == math.ceil((z * 10.0 / 5.0) ** 2)  # 32
    assert detection_power(model, z * 2.0) == pytest.approx(0.8, abs=1e-9)
    assert min_detectable_change(model, n=5) == math.inf  # below the exact test's floor
    assert min_detectable_change(PowerModel("normal", "higher", 0.05, 25, sd=10.0, max_change=1.0)) == math.inf


def test_sign_flip_comparison_uses_paired_sd() -> None:
    rng = np.random.default_rng(5)
    w0 = rng.normal(100, 20, size=40)
    w1 = w0 + rng.normal(0, 6, size=40)
    base = {f"c{i}": outcome(True, w=float(x)) for i, x in enumerate(w0)}
    cur = {f"c{i}": outcome(True, w=float(x)) for i, x in enumerate(w1)}
    cmp = compare_metric(WORDS, base, cur)
    sd = float(np.std(w1 - w0, ddof=1))  # paired: the 20-word spread between cases cancels
    assert cmp.power is not None and cmp.power.test == "normal" and cmp.power.sd == pytest.approx(sd)
    assert cmp.min_detectable_change == pytest.approx(2.8016 * sd / math.sqrt(40), rel=1e-3)


def test_bootstrap_comparison_gets_a_normal_model() -> None:
    spec = MetricSpec("acc", "higher", "", lambda os: sum(o.passed for o in os) / len(os) if os else None)
    base = suite([True] * 30 + [False] * 10)
    cur = suite([True] * 28 + [False] * 2 + [True] * 2 + [False] * 8)
    cmp = compare_metric(spec, base, cur)
    assert cmp.power is not None and cmp.power.test == "normal" and cmp.power.sd is not None
    # The bootstrap SE of the delta is about the paired SD / sqrt(n): sd of diffs = sqrt(4/40 - 0) ~ 0.32.
    assert cmp.power.sd == pytest.approx(math.sqrt(4 / 40), rel=0.15)
    assert cmp.power.flip_unit == 1.0
    # Changes come in whole flipped cases, so the MDC follows the exact McNemar one for the same outcomes
    # (0.27 here), not the naive 2.8 * sd / sqrt(n) = 0.14 that ignores the variance the change itself adds.
    exact = compare_metric(PASS_RATE, base, cur)
    assert exact.min_detectable_change == pytest.approx(0.2716, abs=1e-3)
    assert cmp.min_detectable_change == pytest.approx(exact.min_detectable_change, rel=0.15)
    assert cmp.min_detectable_change > 2.8016 * cmp.power.sd / math.sqrt(40) * 1.5


def test_identical_aggregate_outputs_still_need_enough_cases() -> None:
    """No paired variation observed: a per-case score could shift uniformly (MDC 0), an aggregate cannot."""
    spec = MetricSpec("acc", "higher", "", lambda os: sum(o.passed for o in os) / len(os) if os else None)
    same = suite([True] * 60)
    agg = compare_metric(spec, same, same)
    exact = compare_metric(PASS_RATE, same, same)
    assert agg.power is not None and agg.power.sd == 0.0
    assert agg.min_detectable_change is not None and exact.min_detectable_change is not None
    assert 0.1 < agg.min_detectable_change == pytest.approx(exact.min_detectable_change, rel=0.1)
    few = suite([True] * 8)
    assert compare_metric(spec, few, few).min_detectable_change == pytest.approx(
        compare_metric(PASS_RATE, few, few).min_detectable_change, rel=0.15)
    # The normal model's own MDC and cases_needed agree with its power function.
    assert detection_power(agg.power, agg.min_detectable_change) == pytest.approx(0.8, abs=1e-6)
    need = cases_needed(agg, 0.3)
    assert need is not None and detection_power(agg.power, 0.3, n=need) >= 0.8 > detection_power(agg.power, 0.3, n=need - 1)


def test_power_model_json_round_trip() -> None:
    cmp = compare_metric(PASS_RATE, suite([True] * 30 + [False] * 5), suite([True] * 28 + [False] * 2 + [True] * 5))
    data = json.loads(json.dumps(cmp.to_json(), allow_nan=False))
    model = PowerModel.from_json(data["power_model"])
    assert cases_needed(model, 0.2) == cases_needed(cmp, 0.2)
    assert data["min_detectable_change"] == pytest.approx(min_detectable_change(model), abs=1e-5)


def test_invalid_power_arguments() -> None:
    with pytest.raises(ValueError):
        PowerModel("t-test", "higher", 0.05, 10, sd=1.0)
    with pytest.raises(ValueError):
        PowerModel("mcnemar", "higher", 0.05, 10)
    with pytest.raises(ValueError):
        min_detectable_change(PowerModel("normal", "higher", 0.05, 10, sd=1.0), power=1.0)
    assert cases_needed(PowerModel("normal", "higher", 0.05, 10, sd=1.0), 0.0) is None


@settings(max_examples=40, deadline=None)
@given(st.integers(6, 80), st.floats(0.3, 1.0), st.floats(0.0, 0.1), st.sampled_from(["higher", "lower", "flat"]))
def test_cases_needed_and_mdc_agree(n: int, p0: float, r: float, direction: str) -> None:
    """At the cases it asks for, the suite's MDC is at most the change; power holds there."""
    model = PowerModel("mcnemar", direction, 0.05, n, base_rate=p0, benign_flip_rate=r)
    mdc = min_detectable_change(model)
    if not math.isfinite(mdc) or mdc == 0.0:
        return
    need = cases_needed(model, mdc)
    assert need is not None and need <= n + 2  # saw-tooth in n allows a little slack
    assert detection_power(model, mdc, n=need) >= 0.8


# --------------------------------------------------------------------------- one-sided guardrails (issue 29)


def test_one_sided_needs_five_cases_not_six() -> None:
    assert min_cases_for(0.05, 1) == 5 and min_cases_for(0.05, 2) == min_cases_for(0.05) == 6
    one = PowerModel("mcnemar", "higher", 0.05, 5, base_rate=1.0, benign_flip_rate=0.0, sides=1)
    assert detection_power(one, 1.0) == 1.0  # all 5 flip: one-sided p = 1/32 < 0.05
    assert detection_power(PowerModel("mcnemar", "higher", 0.05, 5, base_rate=1.0, benign_flip_rate=0.0), 1.0) == 0.0


def test_one_sided_mcnemar_power_is_the_binomial_tail() -> None:
    """No churn: one-sided exact McNemar at 0.05 rejects from 5 worse flips on, so power = P(Bin(n, d) >= 5)."""
    model = PowerModel("mcnemar", "higher", 0.05, 30, base_rate=0.7, benign_flip_rate=0.0, sides=1)
    tail = sum(math.comb(30, k) * 0.2**k * 0.8 ** (30 - k) for k in range(5, 31))
    assert detection_power(model, 0.2) == pytest.approx(tail, abs=1e-9)
    assert tail == pytest.approx(0.745, abs=1e-3)
    two = PowerModel("mcnemar", "higher", 0.05, 30, base_rate=0.7, benign_flip_rate=0.0)
    assert detection_power(two, 0.2) < tail  # two-sided needs 6 flips


def test_one_sided_false_alarm_stays_below_alpha_under_churn() -> None:
    """Under no change (as many benign flips each way) the one-sided test says "worse" at most alpha of the time."""
    from pytest_forgetting.stats.power import _mcnemar_power

    for n in (8, 20, 30, 60):
        for r in (0.0, 0.05, 0.1, 0.25):
            model = PowerModel("mcnemar", "higher", 0.05, n, base_rate=0.5, benign_flip_rate=r, sides=1)
            assert _mcnemar_power(n, r, r, model.level) <= 0.05


def test_one_sided_comparison_matches_its_power_model() -> None:
    base = suite([True] * 30)
    cur = suite([False] * 6 + [True] * 24)
    one = compare_metric(PASS_RATE, base, cur, one_sided=True)
    two = compare_metric(PASS_RATE, base, cur)
    assert one.sides == 1 and one.power is not None and one.power.sides == 1
    assert one.p_value == pytest.approx(two.p_value / 2) and one.p_value == 1 / 64
    assert one.min_detectable_change is not None and two.min_detectable_change is not None
    assert one.min_detectable_change < two.min_detectable_change
    assert cases_needed(one, 0.3) is not None and cases_needed(one, 0.3) < cases_needed(two, 0.3)  # type: ignore[operator]


def test_old_power_model_json_reads_as_two_sided() -> None:
    data = PowerModel("mcnemar", "higher", 0.05, 20, base_rate=1.0, benign_flip_rate=0.0).to_json()
    assert data.pop("sides") == 2
    assert PowerModel.from_json(data).sides == 2  # a record written before issue 29
    one = PowerModel("mcnemar", "higher", 0.05, 20, base_rate=1.0, benign_flip_rate=0.0, sides=1)
    assert PowerModel.from_json(json.loads(json.dumps(one.to_json()))) == one
    with pytest.raises(ValueError, match="sides must be 1 or 2"):
        PowerModel("mcnemar", "higher", 0.05, 20, base_rate=1.0, benign_flip_rate=0.0, sides=3)
