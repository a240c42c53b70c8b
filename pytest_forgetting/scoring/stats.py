"""Deterministic statistics behind the regression verdict.

A fine-tuned model "regressed" on a metric only when the change is in the
worse direction, larger than the metric's tolerance, *and* unlikely to be
noise. Noise is judged with a paired test on the cases both runs answered,
because the same cases were scored twice: pairing removes case difficulty
from the comparison and makes small suites usable.

Everything here is pure (numpy + stdlib) and seeded, so the same baseline and
candidate outcomes always produce the same verdict -- a CI gate that flips on
re-run is worse than none.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence, TypeVar

import numpy as np

from .base import CaseOutcome, MetricSpec

__all__ = [
    "Comparison",
    "bootstrap_ci",
    "compare_metric",
    "exact_mcnemar",
    "mean_ci",
    "wilson_interval",
]

T = TypeVar("T")

_DIRECTIONS = ("higher", "lower", "flat")
_EXACT_SIGN_FLIP_MAX = 16
"""Up to this many non-zero paired differences the sign-flip test enumerates all 2^m patterns."""
_MCNEMAR_EXACT_INT_MAX = 2000
"""Up to this many discordant pairs the McNemar tail is summed in exact integers."""
_CHUNK_CELLS = 1_000_000
"""Resample index matrices are generated in chunks of about this many cells (bounded memory)."""


# --------------------------------------------------------------------------- helpers


def _check_confidence(confidence: float, name: str = "confidence") -> None:
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"{name} must be strictly between 0 and 1, got {confidence!r}")


def _check_resamples(n_resamples: int) -> None:
    if int(n_resamples) < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples!r}")


def _resample_indices(rng: np.random.Generator, n: int, n_resamples: int) -> Iterator[np.ndarray]:
    """Yield ``(rows, n)`` blocks of bootstrap indices, ``n_resamples`` rows in all.

    Chunking keeps memory bounded for large suites; the chunk size depends only
    on ``n``, so the stream of indices is a pure function of (seed, n, n_resamples).
    """
    rows_per_chunk = max(1, _CHUNK_CELLS // max(n, 1))
    done = 0
    while done < n_resamples:
        rows = min(rows_per_chunk, n_resamples - done)
        yield rng.integers(0, n, size=(rows, n))
        done += rows


def _percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    if values.size == 0:
        return (math.nan, math.nan)
    tail = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(values, [tail, 1.0 - tail])
    return (float(lo), float(hi))


def _bootstrap_means(values: np.ndarray, n_resamples: int, seed: int) -> np.ndarray:
    """Vectorised bootstrap distribution of the mean (same index stream as :func:`bootstrap_ci`)."""
    rng = np.random.default_rng(seed)
    n = values.shape[0]
    out = np.empty(n_resamples, dtype=float)
    pos = 0
    for idx in _resample_indices(rng, n, n_resamples):
        out[pos : pos + idx.shape[0]] = values[idx].mean(axis=1)
        pos += idx.shape[0]
    return out


_MEAN_FUNCS: tuple[Callable[..., Any], ...] = (statistics.mean, statistics.fmean, np.mean, np.average)


def _is_real(x: object) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating))


# --------------------------------------------------------------------------- intervals


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a pass rate.

    Wilson rather than the normal (Wald) interval because suites are small and
    pass rates sit near 0 or 1, where Wald collapses to zero width. ``n == 0``
    means nothing is known: ``(0.0, 1.0)``.
    """
    _check_confidence(confidence)
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes!r}, n={n!r}")
    if n == 0:
        return (0.0, 1.0)
    z = statistics.NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = (z / denom) * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    # At 0/n and n/n the bound is exactly 0 or 1; pin it so round-off does not show.
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return (lo, hi)


def bootstrap_ci(
    items: Sequence[T],
    statistic: Callable[[Sequence[T]], float | None],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over resampled ``items``.

    Works for any statistic of a list (macro-F1, entropy, ...), so metrics with
    no closed-form variance still get an interval. Resamples where the
    statistic is ``None`` (undefined on that resample) are skipped; with no
    valid resample, or no items, the result is ``(nan, nan)``. A plain mean of
    numbers (``statistics.mean``/``fmean``, ``np.mean``/``np.average``) takes a
    vectorised path with the same seeded index stream.
    """
    _check_confidence(confidence)
    _check_resamples(n_resamples)
    n = len(items)
    if n == 0:
        return (math.nan, math.nan)
    if statistic in _MEAN_FUNCS and all(_is_real(x) for x in items):
        arr = np.asarray(items, dtype=float)
        return _percentile_interval(_bootstrap_means(arr, n_resamples, seed), confidence)
    pool = np.empty(n, dtype=object)
    pool[:] = list(items)
    rng = np.random.default_rng(seed)
    stats: list[float] = []
    for idx in _resample_indices(rng, n, n_resamples):
        for row in idx:
            value = statistic(pool[row].tolist())
            if value is not None:
                stats.append(float(value))
    return _percentile_interval(np.asarray(stats, dtype=float), confidence)


def mean_ci(
    values: Sequence[float],
    *,
    binary: bool = False,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> tuple[float, float]:
    """Interval for the mean of ``values``.

    ``binary`` (0/1 values, a pass rate) uses the Wilson interval, which is
    exact-ish and needs no resampling; otherwise a vectorised percentile
    bootstrap. Empty non-binary input gives ``(nan, nan)``.
    """
    _check_confidence(confidence)
    arr = np.asarray(list(values), dtype=float)
    if binary:
        if arr.size and not np.all((arr == 0.0) | (arr == 1.0)):
            raise ValueError("binary=True needs values that are all 0 or 1")
        return wilson_interval(int(arr.sum()), int(arr.size), confidence)
    _check_resamples(n_resamples)
    if arr.size == 0:
        return (math.nan, math.nan)
    return _percentile_interval(_bootstrap_means(arr, n_resamples, seed), confidence)


# --------------------------------------------------------------------------- tests


def exact_mcnemar(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pair counts.

    ``b``: cases that went pass -> fail, ``c``: fail -> pass. Under "no change"
    each discordant case is a fair coin, so the p-value is the two-sided
    binomial(b + c, 0.5) tail, ``min(1, 2 * P(X <= min(b, c)))``. Exact because
    the discordant counts in a small suite are far too small for the chi-square
    approximation. ``b == c == 0`` gives 1.0.
    """
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be non-negative, got b={b!r}, c={c!r}")
    n = int(b) + int(c)
    if n == 0:
        return 1.0
    k = min(int(b), int(c))
    if n <= _MCNEMAR_EXACT_INT_MAX:
        # Exact integer arithmetic: C(n, i+1) = C(n, i) * (n - i) / (i + 1).
        term = total = 1
        for i in range(k):
            term = term * (n - i) // (i + 1)
            total += term
        return min(1.0, 2 * total / 2**n)
    # Huge counts: the same sum in log space (relative error ~1e-12, no big integers).
    log_norm = math.lgamma(n + 1) - n * math.log(2.0)
    log_terms = np.array([log_norm - math.lgamma(x + 1) - math.lgamma(n - x + 1) for x in range(k + 1)])
    top = float(log_terms.max())
    log_tail = top + math.log(float(np.exp(log_terms - top).sum()))
    return min(1.0, 2.0 * math.exp(log_tail)) if log_tail < 0 else 1.0


def _sign_flip_p(diffs: np.ndarray, n_resamples: int, seed: int) -> float:
    """Two-sided paired sign-flip permutation p-value for ``sum(diffs) == 0``.

    Zero differences carry no information and are dropped. With at most
    ``_EXACT_SIGN_FLIP_MAX`` non-zero differences all 2^m sign patterns are
    enumerated (exact p); beyond that ``n_resamples`` random patterns are drawn
    and ``p = (1 + hits) / (1 + n_resamples)`` (never 0, valid for Monte Carlo).
    """
    d = diffs[diffs != 0.0]
    m = int(d.size)
    if m == 0:
        return 1.0
    observed = abs(float(d.sum()))
    # A relative slack so float round-off never drops the observed pattern itself.
    threshold = observed - 1e-9 * max(1.0, float(np.abs(d).sum()))
    if m <= _EXACT_SIGN_FLIP_MAX:
        patterns = np.arange(2**m, dtype=np.int64)[:, None] >> np.arange(m, dtype=np.int64)
        signs = 1.0 - 2.0 * (patterns & 1)
        sums = signs @ d
        return min(1.0, float(np.count_nonzero(np.abs(sums) >= threshold)) / 2**m)
    rng = np.random.default_rng(seed)
    hits = 0
    rows_per_chunk = max(1, _CHUNK_CELLS // m)
    done = 0
    while done < n_resamples:
        rows = min(rows_per_chunk, n_resamples - done)
        signs = 1.0 - 2.0 * rng.integers(0, 2, size=(rows, m))
        hits += int(np.count_nonzero(np.abs(signs @ d) >= threshold))
        done += rows
    return min(1.0, (1 + hits) / (1 + n_resamples))


def _paired_bootstrap(
    compute: Callable[[Sequence[CaseOutcome]], float | None],
    base: Sequence[CaseOutcome],
    cur: Sequence[CaseOutcome],
    n_resamples: int,
    seed: int,
) -> np.ndarray:
    """Deltas ``compute(cur[idx]) - compute(base[idx])`` over shared resampled case indices."""
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
            deltas.append(float(c) - float(b))
    return np.asarray(deltas, dtype=float)


def _bootstrap_p(deltas: np.ndarray, n_cases: int) -> float | None:
    """Two-sided p-value from a paired bootstrap distribution of deltas.

    ``p = min(1, 2 * min(1 + #{d <= 0}, 1 + #{d >= 0}) / (1 + B))``: twice the
    share of bootstrap deltas on the far side of zero. This inverts the
    percentile interval, so ``p < alpha`` exactly when the ``1 - alpha``
    percentile CI reported alongside excludes zero (up to the +1 Monte Carlo
    correction, which keeps p above 0). Deltas equal to zero count on both
    sides (conservative for discrete metrics; identical outputs give 1.0).

    The bootstrap cannot see variance it has no cases for (one case resamples
    to itself every time), so p is floored at ``2 / 2**n``, the smallest
    p-value an exact paired (sign-flip) test on ``n`` cases can reach.
    """
    total = int(deltas.size)
    if total == 0:
        return None
    le = int(np.count_nonzero(deltas <= 0.0))
    ge = int(np.count_nonzero(deltas >= 0.0))
    p = 2.0 * min(1 + le, 1 + ge) / (1 + total)
    floor = 2.0 ** (1 - n_cases) if n_cases < 1075 else 0.0
    return min(1.0, max(p, floor))


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Comparison:
    """Baseline vs candidate on one metric, with the paired test that decided the status.

    ``status``: ``regressed`` / ``improved`` need a change in that direction
    larger than ``tolerance`` with ``p_value < alpha`` (``flat`` metrics regress
    on a move either way and never improve); ``unchanged`` otherwise;
    ``no-data`` when a side has no value or there are no paired cases;
    ``info`` for an informational metric (``MetricSpec.informational``):
    shown with its test, never a regression or an improvement.
    ``ci_delta`` is a ``1 - alpha`` interval for ``delta``.
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
    status: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict with stable keys; floats rounded to 6 places, non-finite -> None."""
        return {
            "metric": self.metric,
            "direction": self.direction,
            "baseline": _round(self.baseline),
            "current": _round(self.current),
            "delta": _round(self.delta),
            "n_paired": int(self.n_paired),
            "p_value": _round(self.p_value),
            "test": self.test,
            "ci_delta": None if self.ci_delta is None else [_round(x) for x in self.ci_delta],
            "tolerance": _round(self.tolerance),
            "alpha": _round(self.alpha),
            "status": self.status,
        }


def _round(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    r = round(x, 6)
    return 0.0 if r == 0 else r  # no "-0.0" in reports


def _status(direction: str, delta: float, p_value: float | None, alpha: float, tolerance: float) -> str:
    if p_value is None or not (p_value < alpha) or not (abs(delta) > tolerance):
        return "unchanged"
    if direction == "flat":
        return "regressed"
    worse = delta < 0 if direction == "higher" else delta > 0
    return "regressed" if worse else "improved"


def compare_metric(
    spec: MetricSpec,
    baseline: Mapping[str, CaseOutcome],
    current: Mapping[str, CaseOutcome],
    *,
    alpha: float = 0.05,
    tolerance: float | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
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
      :func:`_bootstrap_p`), i.e. the inverted percentile interval.

    For per-case metrics the values, delta and test all use the cases where
    both per-case values are defined, so the reported delta is the mean paired
    difference that was tested. ``ci_delta`` is a ``1 - alpha`` percentile
    bootstrap interval of the delta. ``tolerance`` defaults to
    ``spec.tolerance``.
    """
    if spec.direction not in _DIRECTIONS:
        raise ValueError(f"metric {spec.name!r}: direction must be one of {_DIRECTIONS}, got {spec.direction!r}")
    if not (0.0 < alpha < 1.0):
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    _check_resamples(n_resamples)
    tol = float(spec.tolerance if tolerance is None else tolerance)
    if tol < 0:
        raise ValueError(f"tolerance must be non-negative, got {tol!r}")

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
            status="no-data",
        )

    base_out = [baseline[i] for i in ids]
    cur_out = [current[i] for i in ids]

    if spec.per_case is not None:
        keep_b: list[CaseOutcome] = []
        keep_c: list[CaseOutcome] = []
        bv: list[float] = []
        cv: list[float] = []
        for ob, oc in zip(base_out, cur_out):
            vb, vc = spec.per_case(ob), spec.per_case(oc)
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
            p = exact_mcnemar(flips_down, flips_up)
            test = "mcnemar"
            diffs = c_bin.astype(float) - b_bin.astype(float)
        else:
            diffs = c_arr - b_arr
            p = _sign_flip_p(diffs, n_resamples, seed)
            test = "sign-flip permutation"
        ci = _percentile_interval(_bootstrap_means(diffs, n_resamples, seed + 1), 1.0 - alpha)
    else:
        n = len(ids)
        if n == 0:
            return no_data(0, None, None)
        b_raw, c_raw = spec.compute(base_out), spec.compute(cur_out)
        if b_raw is None or c_raw is None:
            return no_data(n, b_raw, c_raw)
        b_val, c_val = float(b_raw), float(c_raw)
        deltas = _paired_bootstrap(spec.compute, base_out, cur_out, n_resamples, seed)
        p = _bootstrap_p(deltas, n)
        test = "paired-bootstrap"
        ci = _percentile_interval(deltas, 1.0 - alpha)

    delta = c_val - b_val
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
        status="info" if spec.informational else _status(spec.direction, delta, p, alpha, tol),
    )
