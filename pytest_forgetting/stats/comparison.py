"""Deterministic statistics behind the regression verdict.

A fine-tuned model "regressed" on a metric only when the change is in the
worse direction, larger than the metric's tolerance, *and* unlikely to be
noise. Noise is judged with a paired test on the cases both runs answered,
because the same cases were scored twice: pairing removes case difficulty
from the comparison and makes small suites usable.

Everything here is pure (numpy + stdlib) and seeded, so the same baseline and
candidate outcomes always produce the same verdict -- a CI gate that flips on
re-run is worse than none. The pieces: :mod:`.paired_tests` (the tests and
the intervals that invert them), :mod:`.power` (minimum detectable change,
cases needed), :mod:`.multiplicity` (Holm), :mod:`.intervals` (one side's
value); this module ties them into one :class:`Comparison` per metric and
re-exports them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..scoring.base import CaseOutcome, MetricSpec
from .intervals import _check_resamples, _resample_indices, bootstrap_ci, mean_ci, wilson_interval
from .multiplicity import holm_adjust
from .paired_tests import (
    bootstrap_interval,
    bootstrap_p,
    exact_mcnemar,
    mcnemar_interval,
    min_cases_for,
    sign_flip_interval,
    sign_flip_p,
)
from .power import DEFAULT_POWER, PowerModel, cases_needed, detection_power, min_detectable_change

__all__ = [
    "DEFAULT_POWER",
    "Comparison",
    "PowerModel",
    "bootstrap_ci",
    "bootstrap_interval",
    "bootstrap_p",
    "cases_needed",
    "compare_metric",
    "detection_power",
    "exact_mcnemar",
    "holm_adjust",
    "mcnemar_interval",
    "mean_ci",
    "min_cases_for",
    "min_detectable_change",
    "sign_flip_interval",
    "sign_flip_p",
    "wilson_interval",
]

_DIRECTIONS = ("higher", "lower", "flat")


# --------------------------------------------------------------------------- tests


def _paired_bootstrap(
    compute: Callable[[Sequence[CaseOutcome]], float | None],
    base: Sequence[CaseOutcome],
    cur: Sequence[CaseOutcome],
    n_resamples: int,
    seed: int,
) -> np.ndarray:
    """Deltas ``compute(cur[idx]) - compute(base[idx])`` over shared resampled case indices (to 12 decimals)."""
    n = len(base)
    base_pool = np.empty(n, dtype=object)
    base_pool[:] = list(base)
    cur_pool = np.empty(n, dtype=object)
    cur_pool[:] = list(cur)
    rng = np.random.default_rng(seed)
    deltas: list[float] = []
    for idx in _resample_indices(rng, n, n_resamples):
        for row in idx:
            b = compute(base_pool[row].tolist())
            if b is None:
                continue
            c = compute(cur_pool[row].tolist())
            if c is None:
                continue
            delta = float(c) - float(b)
            if math.isfinite(delta):  # non-finite: undefined on this resample, like None
                # Rounded so a delta that is 0 up to float round-off is a tie with 0 (counted on both sides).
                deltas.append(round(delta, 12))
    return np.asarray(deltas, dtype=float)


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Comparison:
    """Baseline vs candidate on one metric: the numbers and the paired test, never a status.

    The decider (:mod:`pytest_forgetting.decide.rules`) turns them into one:
    ``p_value``, ``delta``, ``alpha`` and ``tolerance`` are its inputs.
    ``p_value`` is ``None`` when a side has no value or there are no paired
    cases; ``informational`` marks a metric that is shown with its test but
    never decides (``MetricSpec.informational``).
    ``ci_delta`` is the ``1 - alpha`` interval for ``delta`` got by inverting
    the same test, so it excludes 0 exactly when ``p_value < alpha``; an end
    the test cannot bound at this n is -inf/inf (``null`` in JSON).
    ``sides``: 2 for a two-sided test; 1 for a guardrail's one-sided test
    ("did it get worse?"), where ``p_value`` is the one-sided p in the
    direction the metric moved (1.0 when it did not move) and ``ci_delta`` is
    the ``1 - 2 * alpha`` interval, whose ends are the two one-sided ``1 - alpha``
    bounds: its worse end excludes 0 exactly when the worse-direction test
    rejects at ``alpha``, its better end when the better-direction one does.
    ``min_detectable_change`` is the smallest true change in the worse
    direction the test would detect with 80 % power (``inf``: none the metric
    can make, ``null`` in JSON; ``None``: no data); ``power`` is the model it
    came from, for :func:`cases_needed`.
    """

    metric: str
    direction: str
    baseline: float | None
    current: float | None
    delta: float | None
    n_paired: int
    p_value: float | None
    test: str
    ci_delta: tuple[float, float] | None
    tolerance: float
    alpha: float
    min_detectable_change: float | None = None
    power: PowerModel | None = None
    informational: bool = False
    sides: int = 2

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict with stable keys; floats rounded to 6 places, non-finite -> None."""
        return {
            "metric": self.metric,
            "direction": self.direction,
            "baseline": json_float(self.baseline),
            "current": json_float(self.current),
            "delta": json_float(self.delta),
            "n_paired": int(self.n_paired),
            "p_value": json_float(self.p_value),
            "test": self.test,
            "ci_delta": None if self.ci_delta is None else [json_float(x) for x in self.ci_delta],
            "tolerance": json_float(self.tolerance),
            "alpha": json_float(self.alpha),
            "min_detectable_change": json_float(self.min_detectable_change),
            "power_model": None if self.power is None else self.power.to_json(),
            "sides": int(self.sides),
        }


def json_float(x: float | None) -> float | None:
    """A float for the JSON record: 6 places, non-finite -> None, no ``-0.0``."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    r = round(x, 6)
    return 0.0 if r == 0 else r  # no "-0.0" in reports


def compare_metric(
    spec: MetricSpec,
    baseline: Mapping[str, CaseOutcome],
    current: Mapping[str, CaseOutcome],
    *,
    alpha: float = 0.05,
    tolerance: float | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
    one_sided: bool = False,
) -> Comparison:
    """Compare one metric between a baseline and a candidate on their shared case ids.

    Cases are paired by id (ids in both mappings, taken in sorted order so the
    result does not depend on mapping order). The test follows the metric:

    * ``per_case`` and ``binary``: exact McNemar on the cases where both
      per-case values are defined (``b`` = 1 -> 0, ``c`` = 0 -> 1; values
      >= 0.5 count as 1).
    * ``per_case`` not binary: paired sign-flip permutation test on per-case
      differences (exact up to 16 non-zero differences, else ``n_resamples``
      seeded Monte Carlo draws).
    * otherwise (macro-F1, entropy, ...): paired bootstrap -- case ids are
      resampled with replacement, the same indices on both sides,
      ``spec.compute`` is re-run and the delta recorded; the p-value is twice
      the share of bootstrap deltas on the far side of zero (see
      :func:`bootstrap_p`).

    For per-case metrics the values, delta and test all use the cases where
    both per-case values are defined, so the reported delta is the mean paired
    difference that was tested. ``ci_delta`` inverts the same test
    (:mod:`.paired_tests`), so it excludes 0 exactly when ``p_value < alpha``.
    ``min_detectable_change`` and ``power`` come from :mod:`.power`.
    ``tolerance`` defaults to ``spec.tolerance``.

    ``one_sided`` (a guardrail: it asks only "did it get worse?"): each
    direction is tested one-sided at ``alpha`` -- ``regressed`` needs the
    worse-direction test to reject at ``alpha``, ``improved`` the
    better-direction one -- instead of both sharing ``alpha`` two-sided.
    These tests have symmetric null distributions, so the one-sided p in the
    direction the metric moved is half the two-sided p (exact for McNemar and
    the enumerated sign-flip test, by definition for the bootstrap p), and the
    interval is the two-sided one at ``2 * alpha``. ``flat`` metrics, which
    regress on a move either way, stay two-sided (and so does an alpha of 0.5
    or more).
    """
    if spec.direction not in _DIRECTIONS:
        raise ValueError(f"metric {spec.name!r}: direction must be one of {_DIRECTIONS}, got {spec.direction!r}")
    if not (0.0 < alpha < 1.0):
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    _check_resamples(n_resamples)
    tol = float(spec.tolerance if tolerance is None else tolerance)
    if tol < 0:
        raise ValueError(f"tolerance must be non-negative, got {tol!r}")

    # an alpha of 0.5 or more one-sided would be a two-sided level of 1 or more: nothing to invert
    sides = 1 if one_sided and spec.direction != "flat" and alpha < 0.5 else 2
    level = alpha * (3 - sides)  # the two-sided level whose interval ends are the one-sided bounds

    ids = sorted(set(baseline) & set(current))

    def no_data(n: int, b: float | None, c: float | None) -> Comparison:
        return Comparison(
            metric=spec.name,
            direction=spec.direction,
            baseline=b,
            current=c,
            delta=None if b is None or c is None else c - b,
            n_paired=n,
            p_value=None,
            test="none",
            ci_delta=None,
            tolerance=tol,
            alpha=alpha,
            informational=spec.informational,
            sides=sides,
        )

    base_out = [baseline[i] for i in ids]
    cur_out = [current[i] for i in ids]

    p: float | None
    if spec.per_case is not None:
        keep_b: list[CaseOutcome] = []
        keep_c: list[CaseOutcome] = []
        bv: list[float] = []
        cv: list[float] = []
        for cid, ob, oc in zip(ids, base_out, cur_out):
            vb, vc = spec.per_case(ob), spec.per_case(oc)
            _check_finite(spec.name, vb, f"case {cid!r}, reference side")
            _check_finite(spec.name, vc, f"case {cid!r}, candidate side")
            if vb is None or vc is None:
                continue
            keep_b.append(ob)
            keep_c.append(oc)
            bv.append(float(vb))
            cv.append(float(vc))
        n = len(bv)
        if n == 0:
            return no_data(0, None, None)
        b_val, c_val = spec.compute(keep_b), spec.compute(keep_c)
        if b_val is None or c_val is None:
            return no_data(n, b_val, c_val)
        b_val, c_val = float(b_val), float(c_val)
        b_arr, c_arr = np.asarray(bv), np.asarray(cv)
        if spec.binary:
            b_bin, c_bin = b_arr >= 0.5, c_arr >= 0.5
            flips_down = int(np.count_nonzero(b_bin & ~c_bin))
            flips_up = int(np.count_nonzero(~b_bin & c_bin))
            p = _sided(exact_mcnemar(flips_down, flips_up), sides, flips_down != flips_up)
            test = "mcnemar"
            ci = mcnemar_interval(flips_down, flips_up, n, level, _two_sided(p, sides))
            better = {"higher": flips_up, "lower": flips_down}.get(spec.direction, min(flips_down, flips_up))
            power = PowerModel("mcnemar", spec.direction, alpha, n, base_rate=float(np.count_nonzero(b_bin)) / n,
                               benign_flip_rate=better / n, sides=sides)
        else:
            diffs = c_arr - b_arr
            p = _sided(sign_flip_p(diffs, n_resamples, seed), sides, float(diffs.sum()) != 0.0)
            test = "sign-flip permutation"
            in_unit = bool(np.all((b_arr >= 0) & (b_arr <= 1) & (c_arr >= 0) & (c_arr <= 1)))
            is_rate = spec.unit == "rate" and in_unit  # a [0, 1] rate: the mean can move at most 1
            ci = sign_flip_interval(diffs, level, _two_sided(p, sides), n_resamples=n_resamples, seed=seed,
                                    bounds=(-1.0, 1.0) if is_rate else (-math.inf, math.inf))
            power = PowerModel("normal", spec.direction, alpha, n, sd=_sd(diffs),
                               max_change=_rate_room(spec.direction, b_val) if is_rate else None, sides=sides)
    else:
        n = len(ids)
        if n == 0:
            return no_data(0, None, None)
        b_raw, c_raw = spec.compute(base_out), spec.compute(cur_out)
        _check_finite(spec.name, b_raw, "reference side")
        _check_finite(spec.name, c_raw, "candidate side")
        if b_raw is None or c_raw is None:
            return no_data(n, b_raw, c_raw)
        b_val, c_val = float(b_raw), float(c_raw)
        deltas = _paired_bootstrap(spec.compute, base_out, cur_out, n_resamples, seed)
        p_two = bootstrap_p(deltas, n)
        p = None if p_two is None else _sided(p_two, sides, c_val != b_val)
        test = "paired-bootstrap"
        ci = bootstrap_interval(deltas, level, n)
        # Rate aggregates (macro-F1, shares) move in whole-case steps of about 1/n: see power.py.
        power = PowerModel("normal", spec.direction, alpha, n, sd=_sd(deltas, ddof=0) * math.sqrt(n),
                           flip_unit=1.0 if spec.unit == "rate" else None, sides=sides)

    delta = c_val - b_val
    if test != "paired-bootstrap":
        ci = _hold_estimate(ci, delta)
    return Comparison(
        metric=spec.name,
        direction=spec.direction,
        baseline=b_val,
        current=c_val,
        delta=delta,
        n_paired=n,
        p_value=p,
        test=test,
        ci_delta=ci,
        tolerance=tol,
        alpha=alpha,
        min_detectable_change=None if p is None else min_detectable_change(power),
        power=None if p is None else power,
        informational=spec.informational,
        sides=sides,
    )


def _sided(p_two: float, sides: int, moved: bool) -> float:
    """The p reported: two-sided, or the one-sided p in the direction the metric moved (1.0 if it did not)."""
    if sides == 2:
        return p_two
    return min(1.0, p_two / 2.0) if moved else 1.0


def _two_sided(p: float, sides: int) -> float:
    """The two-sided p at the interval's level that agrees with the reported ``p`` (for the interval's null end)."""
    return p if sides == 2 else min(1.0, 2.0 * p)


def _check_finite(metric: str, value: float | None, where: str) -> None:
    """NaN/inf from a scorer would make every comparison with it false and the p-value 0: refuse it by name."""
    if value is not None and not math.isfinite(float(value)):
        raise ValueError(f"metric {metric!r}: {where} has the value {value!r}; a metric must return a finite "
                         "number, or None where it is undefined (fix the scorer that produced it)")


def _hold_estimate(ci: tuple[float, float], delta: float) -> tuple[float, float]:
    """Widen by round-off so ``delta`` sits inside, unless that would move 0 across an end (the test decides that)."""
    wider = (min(ci[0], delta), max(ci[1], delta))
    return wider if (wider[0] <= 0.0 <= wider[1]) == (ci[0] <= 0.0 <= ci[1]) else ci


def _sd(values: np.ndarray, ddof: int = 1) -> float:
    """Sample SD of the paired differences (0 for fewer than two), as in Miller's paired SE."""
    if values.size <= ddof:
        return 0.0
    return float(np.std(values, ddof=ddof))


def _rate_room(direction: str, reference: float) -> float:
    """How far a [0, 1] rate can move in its worse direction from ``reference``."""
    down, up = max(0.0, reference), max(0.0, 1.0 - reference)
    return {"higher": down, "lower": up}.get(direction, max(down, up))
