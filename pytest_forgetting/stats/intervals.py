"""Intervals for one side's metric value (a pass rate, a macro-F1): Wilson and seeded bootstrap.

These describe a single run's uncertainty in reports; the paired comparison
between two runs lives in :mod:`.stats` and :mod:`.paired_tests`.
"""
from __future__ import annotations

import math
import statistics
from typing import Any, Callable, Iterator, Sequence, TypeVar

import numpy as np

__all__ = ["bootstrap_ci", "mean_ci", "wilson_interval"]

T = TypeVar("T")

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
