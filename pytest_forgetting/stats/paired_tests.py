"""The paired tests, and intervals that agree with them.

Each interval here is the set of paired differences its own test does not
reject at ``alpha`` (test inversion), so "the interval excludes 0" and
"p < alpha" are the same statement, never two verdicts that can disagree
(a percentile bootstrap next to an exact McNemar test did: 8 cases, 4 flips,
p = 0.125 with an interval excluding 0). Where the two could differ only by
float round-off or by a Monte Carlo stream, the reported p decides the side
of 0 the interval ends on (:func:`_invert`).

An interval end that the test cannot bound at this n is ``-inf``/``inf``
(e.g. a sign-flip test on 4 cases rejects nothing at 0.05).
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable

import numpy as np

__all__ = [
    "bootstrap_interval",
    "bootstrap_p",
    "exact_mcnemar",
    "mcnemar_interval",
    "min_cases_for",
    "sign_flip_interval",
    "sign_flip_p",
]

EXACT_SIGN_FLIP_MAX = 16
"""Up to this many paired differences the sign-flip test enumerates all 2^m sign patterns."""
_MCNEMAR_EXACT_INT_MAX = 2000
"""Up to this many discordant pairs the McNemar tail is summed in exact integers."""
_CHUNK_CELLS = 1_000_000
"""Random sign matrices are generated in chunks of about this many cells (bounded memory)."""
_BISECT_STEPS = 52
"""Halvings per interval end: 2**-52 of the search span, float resolution for practical purposes."""


def min_cases_for(alpha: float, sides: int = 2) -> int:
    """Fewest paired cases (or discordant pairs) on which an exact paired test can reach ``p < alpha``.

    With k informative cases the smallest p is ``sides / 2**k`` (two-sided:
    ``2 / 2**k``, one-sided: ``1 / 2**k``); below this many the test cannot
    call anything significant, whatever happens.
    """
    if not (0.0 < alpha < 1.0):
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    if sides not in (1, 2):
        raise ValueError(f"sides must be 1 or 2, got {sides!r}")
    k = 1
    while sides * 2.0 ** (-k) >= alpha:
        k += 1
    return k


# --------------------------------------------------------------------------- McNemar


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


def _log_binom_coefs(m: int) -> np.ndarray:
    """``log C(m, x)`` for x = 0..m."""
    lf = np.array([math.lgamma(i + 1) for i in range(m + 1)])
    return lf[m] - lf - lf[::-1]


def _binom_tails(k: int, m: int, theta: float, log_coefs: np.ndarray) -> tuple[float, float]:
    """``(P(X <= k), P(X >= k))`` for X ~ Binomial(m, theta), summed in log space."""
    if theta <= 0.0:
        return (1.0, 1.0 if k == 0 else 0.0)
    if theta >= 1.0:
        return (1.0 if k == m else 0.0, 1.0)
    x = np.arange(m + 1, dtype=float)
    logpmf = log_coefs + x * math.log(theta) + (m - x) * math.log1p(-theta)
    top = float(logpmf.max())
    pmf = np.exp(logpmf - top)
    total = float(pmf.sum())  # renormalise: the pmf sums to 1 up to round-off
    return (min(1.0, float(pmf[: k + 1].sum()) / total), min(1.0, float(pmf[k:].sum()) / total))


def mcnemar_interval(b: int, c: int, n: int, alpha: float, p_value: float) -> tuple[float, float]:
    """``1 - alpha`` interval for the change in pass rate (current - reference) by inverting exact McNemar.

    Conditional on the m = b + c discordant cases (as the test is), the share
    theta of them that went pass -> fail gets the exact (Clopper-Pearson-style
    central) interval: the thetas whose two binomial tails at ``b`` are both
    >= alpha/2. The change is ``(m / n) * (1 - 2 * theta)``, so the interval
    maps across; theta = 1/2 is the McNemar null, hence 0 is inside exactly
    when ``p_value >= alpha``. It treats the discordance rate m/n as fixed,
    like the conditional test does.
    """
    m = int(b) + int(c)
    if m == 0 or n <= 0:
        return (0.0, 0.0)
    half = alpha / 2.0
    log_coefs = _log_binom_coefs(m)

    def accept(theta: float) -> bool:
        lower_tail, upper_tail = _binom_tails(int(b), m, theta, log_coefs)
        return lower_tail >= half and upper_tail >= half

    t_lo, t_hi = _invert(accept, b / m, 0.5, p_value >= alpha, (0.0, 0.0), (1.0, 1.0))
    scale = m / n
    return (scale * (1.0 - 2.0 * t_hi), scale * (1.0 - 2.0 * t_lo))


# --------------------------------------------------------------------------- sign-flip


def sign_flip_p(diffs: np.ndarray, n_resamples: int, seed: int) -> float:
    """Two-sided paired sign-flip permutation p-value for ``sum(diffs) == 0``.

    Zero differences carry no information and are dropped. With at most
    ``EXACT_SIGN_FLIP_MAX`` non-zero differences all 2^m sign patterns are
    enumerated (exact p); beyond that ``n_resamples`` random patterns are drawn
    and ``p = (1 + hits) / (1 + n_resamples)`` (never 0, valid for Monte Carlo).
    """
    d = diffs[diffs != 0.0]
    m = int(d.size)
    if m == 0:
        return 1.0
    return _SignFlip(d, n_resamples, seed).p(0.0)


@lru_cache(maxsize=EXACT_SIGN_FLIP_MAX + 1)
def _all_sign_patterns(m: int) -> tuple[np.ndarray, np.ndarray]:
    """All 2^m sign vectors (rows) and their sums; cached, read-only."""
    patterns = np.arange(2**m, dtype=np.int64)[:, None] >> np.arange(m, dtype=np.int64)
    signs = 1.0 - 2.0 * (patterns & 1)
    sums = signs.sum(axis=1)
    signs.flags.writeable = False
    sums.flags.writeable = False
    return signs, sums


class _SignFlip:
    """Sign-flip null distribution of ``sum(d - shift)`` for any shift, from one fixed set of sign patterns.

    ``sum(s * (d - shift)) = s.d - shift * sum(s)``, so two numbers per pattern
    serve every shift; the same patterns for every shift make p(shift) a
    deterministic function, which test inversion needs.
    """

    def __init__(self, d: np.ndarray, n_resamples: int, seed: int) -> None:
        self.d = d
        m = int(d.size)
        self.exact = m <= EXACT_SIGN_FLIP_MAX
        dots: list[np.ndarray] = []
        sums: list[np.ndarray] = []
        if self.exact:
            signs, sign_sums = _all_sign_patterns(m)
            dots.append(signs @ d)
            sums.append(sign_sums)
        else:
            rng = np.random.default_rng(seed)
            rows_per_chunk = max(1, _CHUNK_CELLS // m)
            done = 0
            while done < n_resamples:
                rows = min(rows_per_chunk, n_resamples - done)
                signs = 1.0 - 2.0 * rng.integers(0, 2, size=(rows, m))
                dots.append(signs @ d)
                sums.append(signs.sum(axis=1))
                done += rows
        self.dot = np.concatenate(dots)
        self.sign_sum = np.concatenate(sums)

    def p(self, shift: float) -> float:
        shifted = self.d - shift
        observed = abs(float(shifted.sum()))
        # A relative slack so float round-off never drops the observed pattern itself.
        threshold = observed - 1e-9 * max(1.0, float(np.abs(shifted).sum()))
        hits = int(np.count_nonzero(np.abs(self.dot - shift * self.sign_sum) >= threshold))
        if self.exact:
            return min(1.0, hits / self.dot.size)
        return min(1.0, (1 + hits) / (1 + self.dot.size))


def sign_flip_interval(
    diffs: np.ndarray,
    alpha: float,
    p_value: float,
    *,
    n_resamples: int,
    seed: int,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> tuple[float, float]:
    """``1 - alpha`` interval for the mean paired difference by inverting the sign-flip test over shifts.

    A shift t is inside when the sign-flip test of ``diffs - t`` gives
    ``p >= alpha``. At t = 0 the reported ``p_value`` is used, so the interval
    excludes 0 exactly when ``p_value < alpha``. ``bounds`` is the range the
    mean difference can take (``(-1, 1)`` for a per-case rate); an end the test
    cannot bound at this n is that bound.
    """
    d = np.asarray(diffs, dtype=float)
    if d.size == 0:
        return (math.nan, math.nan)
    centre = float(d.mean())
    if float(d.min()) == float(d.max()) == 0.0:
        return (0.0, 0.0)
    flip = _SignFlip(d, n_resamples, seed)
    accept: Callable[[float], bool] = lambda t: flip.p(t) >= alpha  # noqa: E731
    span = max(1.0, float(np.abs(d).max()))
    far_lo = min(float(d.min()), 0.0) - span  # below every difference: the test's p is constant there
    far_hi = max(float(d.max()), 0.0) + span
    lo, hi = _invert(accept, centre, 0.0, p_value >= alpha, (far_lo, bounds[0]), (far_hi, bounds[1]))
    return (max(lo, bounds[0]), min(hi, bounds[1]))


# --------------------------------------------------------------------------- paired bootstrap


def _bootstrap_p_from_count(k: int, total: int, n_cases: int) -> float:
    """The bootstrap p when ``k`` deltas lie on the far side of the tested value (see :func:`bootstrap_p`)."""
    p = 2.0 * (1 + k) / (1 + total)
    floor = 2.0 ** (1 - n_cases) if n_cases < 1075 else 0.0
    return min(1.0, max(p, floor))


def bootstrap_p(deltas: np.ndarray, n_cases: int) -> float | None:
    """Two-sided p-value from a paired bootstrap distribution of deltas.

    ``p = min(1, 2 * min(1 + #{d <= 0}, 1 + #{d >= 0}) / (1 + B))``: twice the
    share of bootstrap deltas on the far side of zero. :func:`bootstrap_interval`
    inverts the same rule, so they agree exactly. Deltas equal to zero count on
    both sides (conservative for discrete metrics; identical outputs give 1.0).

    The bootstrap cannot see variance it has no cases for (one case resamples
    to itself every time), so p is floored at ``2 / 2**n``, the smallest
    p-value an exact paired (sign-flip) test on ``n`` cases can reach.
    """
    total = int(deltas.size)
    if total == 0:
        return None
    k = min(int(np.count_nonzero(deltas <= 0.0)), int(np.count_nonzero(deltas >= 0.0)))
    return _bootstrap_p_from_count(k, total, n_cases)


def bootstrap_interval(deltas: np.ndarray, alpha: float, n_cases: int) -> tuple[float, float]:
    """The values t that the rule of :func:`bootstrap_p` (with t in place of 0) does not reject at ``alpha``.

    That set is ``[sorted[k - 1], sorted[B - k]]`` for the smallest count k
    whose p reaches alpha: a percentile interval, cut where the test cuts.
    When even k = 0 is not rejected (the floor on few cases) it is unbounded.
    """
    total = int(deltas.size)
    if total == 0:
        return (math.nan, math.nan)
    k = 0
    while _bootstrap_p_from_count(k, total, n_cases) < alpha:
        k += 1
    if k == 0:
        return (-math.inf, math.inf)
    ordered = np.sort(deltas)
    return (float(ordered[k - 1]), float(ordered[total - k]))


# --------------------------------------------------------------------------- inversion


def _invert(
    accept: Callable[[float], bool],
    centre: float,
    null: float,
    null_accepted: bool,
    low: tuple[float, float],
    high: tuple[float, float],
) -> tuple[float, float]:
    """Ends of the accepted set around ``centre`` (accepted), found by bisection.

    ``low``/``high`` are ``(far point, value if the far point is accepted)``;
    the far points lie beyond ``null`` and beyond where acceptance changes.
    The null's status is not re-evaluated but taken from the test's own p, so
    the interval contains ``null`` exactly when ``null_accepted``.
    """

    def edge(far: float, unbounded: float) -> float:
        null_this_side = (null - centre) * (far - centre) > 0
        if null_this_side and not null_accepted:
            return _bisect(accept, centre, null)
        inside = null if null_this_side else centre
        if accept(far):
            return unbounded
        return _bisect(accept, inside, far)

    return (edge(*low), edge(*high))


def _bisect(accept: Callable[[float], bool], inside: float, outside: float) -> float:
    """Last accepted point between an accepted ``inside`` and a rejected ``outside``."""
    for _ in range(_BISECT_STEPS):
        mid = (inside + outside) / 2.0
        if mid == inside or mid == outside:
            break
        if accept(mid):
            inside = mid
        else:
            outside = mid
    return inside
