"""Power of the paired tests: the smallest change a suite can see, and how many cases would see a given one.

A suite that cannot detect the drop it exists to catch should say so rather
than print "unchanged" (E. Miller, "Adding Error Bars to Evals", 2024: power
analysis and minimum detectable effects on paired differences). Each
comparison carries a :class:`PowerModel` -- the test, its alpha and the noise
observed -- and the functions here answer two questions from it:

* :func:`min_detectable_change`: the smallest true change in the metric's worse
  direction that the test would call significant (at its alpha, one- or
  two-sided as the comparison was)
  with probability >= 80 %, at the suite's n;
* :func:`cases_needed`: the n at which a given change would be detected with
  80 % power ("about 25 cases would detect a 0.3 drop").

Two models:

``mcnemar`` (binary per-case metrics, exact McNemar test). Each paired case
independently flips in the *better* direction with the benign rate r (the
observed rate of better-direction flips: churn a fine-tune causes without a
real change) and in the worse direction with rate r + d, where d is the true
change; worse flips can only come from reference cases that sit on the good
value (share p0 for higher-is-better, 1 - p0 for lower). The power is the
exact probability, under that multinomial, that McNemar's exact test gives
p < alpha with more worse than better flips (exact sum up to
``_EXACT_POWER_MAX`` cases, Connor's normal approximation above).

``normal`` (non-binary per-case metrics with the sign-flip test, and
aggregate metrics with the paired bootstrap). A normal approximation with the
paired standard error: ``MDC = (z_{1-alpha/2} + z_{power}) * sd / sqrt(n)``
(``z_{1-alpha}`` for a one-sided test),
where sd is the SD of one case's paired difference (per-case metrics) or the
bootstrap SE of the delta times sqrt(n) (aggregates). A per-case score can
shift every case a little, so with no paired variation observed its MDC is 0.
An aggregate of discrete outcomes (macro-F1, majority share, ...) cannot: a
change d is carried by whole cases flipping, each moving the metric by about
``flip_unit / n``, which adds ``flip_unit * d - d**2`` to the per-case
variance under the alternative (``flip_unit * d`` under the conditional
null), as in Connor's (1987) approximation for McNemar; ``flip_unit`` = 1
for rate-valued aggregates. It is exact neither for the permutation test nor
for the bootstrap. Both models call nothing detectable below the fewest cases
on which the exact test can reach alpha at all (6 at alpha = 0.05 two-sided,
5 one-sided).
"""
from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Mapping, Protocol

import numpy as np

from .paired_tests import exact_mcnemar, min_cases_for

__all__ = ["DEFAULT_POWER", "PowerModel", "cases_needed", "detection_power", "min_detectable_change"]

DEFAULT_POWER = 0.8
_EXACT_POWER_MAX = 300
"""Up to this many cases the McNemar power is an exact sum; above, Connor's normal approximation."""
_MAX_CASES = 1_000_000


@dataclass(frozen=True)
class PowerModel:
    """What power calculations need to know about one comparison (see the module docstring).

    ``test``: ``"mcnemar"`` or ``"normal"``. ``n``: paired cases compared.
    ``base_rate`` / ``benign_flip_rate`` (mcnemar): share of reference cases
    at 1, and the per-case rate of flips in the better direction.
    ``sd`` (normal): SD of one case's paired difference. ``max_change``
    (normal): the largest change the metric can make in its worse direction
    from the reference value, ``None`` when unbounded. ``flip_unit``
    (normal): n times the metric's move when one case flips, for metrics
    whose changes come in whole cases; ``None`` for per-case scores.
    ``sides``: 1 for a guardrail's one-sided test ("did it get worse?"), 2
    for a two-sided test.
    """

    test: str
    direction: str
    alpha: float
    n: int
    base_rate: float | None = None
    benign_flip_rate: float | None = None
    sd: float | None = None
    max_change: float | None = None
    flip_unit: float | None = None
    sides: int = 2

    @property
    def level(self) -> float:
        """The two-sided level the test works at: ``alpha``, or ``2 * alpha`` for a one-sided test.

        The paired tests have symmetric null distributions, so a one-sided test
        at alpha rejects exactly where the two-sided one at ``2 * alpha`` does
        in the direction it looks (see ``compare_metric``).
        """
        return self.alpha * (3 - self.sides)

    def __post_init__(self) -> None:
        if self.test not in ("mcnemar", "normal"):
            raise ValueError(f"PowerModel.test must be 'mcnemar' or 'normal', got {self.test!r}")
        if self.direction not in ("higher", "lower", "flat"):
            raise ValueError(f"PowerModel.direction must be higher, lower or flat, got {self.direction!r}")
        if self.sides not in (1, 2):
            raise ValueError(f"PowerModel.sides must be 1 or 2, got {self.sides!r}")
        if not (0.0 < self.alpha < 1.0):
            raise ValueError(f"PowerModel.alpha must be strictly between 0 and 1, got {self.alpha!r}")
        if self.test == "mcnemar" and (self.base_rate is None or self.benign_flip_rate is None):
            raise ValueError("a mcnemar PowerModel needs base_rate and benign_flip_rate")
        if self.test == "normal" and self.sd is None:
            raise ValueError("a normal PowerModel needs sd")

    def to_json(self) -> dict[str, Any]:
        """The model as records store it, rounded for readable files."""
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    @staticmethod
    def from_json(obj: Mapping[str, Any]) -> "PowerModel":
        """Read a stored model back from a record, so power is known without re-running."""
        def opt(key: str) -> float | None:
            value = obj.get(key)
            return None if value is None else float(value)

        return PowerModel(str(obj["test"]), str(obj["direction"]), float(obj["alpha"]), int(obj["n"]),
                          base_rate=opt("base_rate"), benign_flip_rate=opt("benign_flip_rate"),
                          sd=opt("sd"), max_change=opt("max_change"), flip_unit=opt("flip_unit"),
                          sides=int(obj.get("sides", 2)))


# --------------------------------------------------------------------------- public API


def detection_power(model: PowerModel, change: float, *, n: int | None = None) -> float:
    """Probability that the test detects a true ``change`` (> 0, in the worse direction) on ``n`` cases.

    For ``flat`` metrics (both directions are worse) the smaller of the two
    directions' powers. A change the metric cannot make has power 0.
    """
    size = model.n if n is None else int(n)
    if change <= 0 or size <= 0:
        return 0.0
    powers = [_power_one_way(model, way, change, size) for way in _ways(model)]
    return min(powers) if powers else 0.0


def min_detectable_change(model: PowerModel, *, power: float = DEFAULT_POWER, n: int | None = None) -> float:
    """Smallest true change in the worse direction detected with probability >= ``power``.

    ``math.inf`` when no change the metric can make would be (too few cases);
    ``0.0`` when the reference already sits at the worst value, so no worse
    change exists to miss. ``flat``: the larger of the two directions' values.
    """
    _check_power(power)
    size = model.n if n is None else int(n)
    ways = _ways(model)
    if not ways:
        return 0.0
    if size < min_cases_for(model.alpha, model.sides):
        return math.inf
    return max(_mdc_one_way(model, way, power, size) for way in ways)


class HasPower(Protocol):
    """A comparison, as far as power goes: its observed rates (None when it has none)."""

    @property
    def power(self) -> "PowerModel | None":
        """The observed rates power is computed from, or None."""


def cases_needed(source: "HasPower | PowerModel", change: float, *, power: float = DEFAULT_POWER) -> int | None:
    """About how many paired cases would detect a true ``change`` in the worse direction with ``power``.

    Uses the rates observed in ``source`` (a comparison, or its
    :class:`PowerModel`). ``None`` when no number of cases would (the metric
    cannot change that much, or the comparison has no power model). The McNemar
    power is slightly saw-toothed in n, hence "about".
    """
    _check_power(power)
    model = source if isinstance(source, PowerModel) else getattr(source, "power", None)
    if model is None or not (change > 0):
        return None
    ways = _ways(model)
    if not ways:
        return None
    needed = [_cases_one_way(model, way, change, power) for way in ways]
    if any(x is None for x in needed):
        return None
    return max(x for x in needed if x is not None)


# --------------------------------------------------------------------------- per direction


def _check_power(power: float) -> None:
    if not (0.0 < power < 1.0):
        raise ValueError(f"power must be strictly between 0 and 1, got {power!r}")


def _ways(model: PowerModel) -> list[str]:
    """The worse directions ("down"/"up") in which the metric can still move."""
    ways = {"higher": ["down"], "lower": ["up"], "flat": ["down", "up"]}[model.direction]
    return [w for w in ways if _capacity(model, w) > 0]


def _capacity(model: PowerModel, way: str) -> float:
    """Largest change possible in ``way`` (inf when unbounded)."""
    if model.test == "mcnemar":
        p0 = float(model.base_rate or 0.0)
        return p0 if way == "down" else 1.0 - p0
    return math.inf if model.max_change is None else float(model.max_change)


def _z(power: float, alpha: float) -> float:
    nd = statistics.NormalDist()
    return nd.inv_cdf(1.0 - alpha / 2.0) + nd.inv_cdf(power)


def _power_one_way(model: PowerModel, way: str, change: float, n: int) -> float:
    cap = _capacity(model, way)
    if change > cap + 1e-12 or n < min_cases_for(model.alpha, model.sides):
        return 0.0
    if model.test == "mcnemar":
        r = float(model.benign_flip_rate or 0.0)
        return _mcnemar_power(n, min(r + change, cap), r, model.level)
    null_sd, alt_sd = _normal_sds(model, change)
    reach = change * math.sqrt(n) - statistics.NormalDist().inv_cdf(1.0 - model.level / 2.0) * null_sd
    if alt_sd == 0.0:
        return 1.0 if reach > 0 else 0.0
    return statistics.NormalDist().cdf(reach / alt_sd)


def _normal_sds(model: PowerModel, change: float) -> tuple[float, float]:
    """Per-case SD of the paired difference under the null and under a true ``change`` (see module docstring)."""
    var = float(model.sd or 0.0) ** 2
    unit = float(model.flip_unit or 0.0)
    return math.sqrt(var + unit * change), math.sqrt(max(var, var + unit * change - change * change))


def _normal_cases(model: PowerModel, change: float, power: float) -> float:
    """The (real-valued) n at which ``change`` reaches ``power``: sqrt(n) * change = z_a * sd0 + z_b * sd1."""
    nd = statistics.NormalDist()
    null_sd, alt_sd = _normal_sds(model, change)
    root = (nd.inv_cdf(1.0 - model.level / 2.0) * null_sd + nd.inv_cdf(power) * alt_sd) / change
    return root * root


def _mdc_one_way(model: PowerModel, way: str, power: float, n: int) -> float:
    cap = _capacity(model, way)
    if model.test == "normal" and not model.flip_unit:
        mdc = _z(power, model.level) * float(model.sd or 0.0) / math.sqrt(n)
        return mdc if mdc <= cap else math.inf
    if model.test == "normal" and not math.isfinite(cap):
        cap = 1.0
        while _normal_cases(model, cap, power) > n:  # grow until a change this size is detectable
            cap *= 2.0
    if _power_one_way(model, way, cap, n) < power:
        return math.inf
    lo, hi = 0.0, cap  # power(lo) < power <= power(hi); power rises with the change
    for _ in range(50):
        mid = (lo + hi) / 2.0
        if _power_one_way(model, way, mid, n) >= power:
            hi = mid
        else:
            lo = mid
    return hi


def _cases_one_way(model: PowerModel, way: str, change: float, power: float) -> int | None:
    if change > _capacity(model, way) + 1e-12:
        return None
    floor = min_cases_for(model.alpha, model.sides)
    if model.test == "normal":
        return max(floor, math.ceil(_normal_cases(model, change, power) - 1e-9))
    hi = floor
    while _power_one_way(model, way, change, hi) < power:
        hi *= 2
        if hi > _MAX_CASES:
            return None
    lo = hi // 2  # power(lo) < power (or lo below the floor)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _power_one_way(model, way, change, mid) >= power:
            hi = mid
        else:
            lo = mid
    return hi


# --------------------------------------------------------------------------- McNemar power


@lru_cache(maxsize=4096)
def _worse_critical(m: int, alpha: float) -> int:
    """Fewest worse flips among ``m`` discordant cases that exact McNemar calls significant (m + 1: none)."""
    lo, hi = m // 2, m + 1  # exact_mcnemar(w, m - w) falls as w rises above m / 2
    if exact_mcnemar(m, 0) >= alpha:
        return m + 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid > m - mid and exact_mcnemar(mid, m - mid) < alpha:
            hi = mid
        else:
            lo = mid
    return hi


def _xlogy(k: np.ndarray, p: float) -> np.ndarray:
    if p <= 0.0:
        return np.where(k == 0, 0.0, -np.inf)
    return k * math.log(p)


def _mcnemar_power(n: int, p_worse: float, p_better: float, alpha: float) -> float:
    """P(exact McNemar p < alpha, worse flips > better flips) when each case flips worse / better with these rates."""
    q = p_worse + p_better
    if q <= 0.0:
        return 0.0
    if n > _EXACT_POWER_MAX:
        delta = p_worse - p_better
        if delta <= 0:
            return 0.0
        nd = statistics.NormalDist()
        spread = math.sqrt(max(q - delta * delta, 1e-15))
        return nd.cdf((math.sqrt(n) * delta - nd.inv_cdf(1.0 - alpha / 2.0) * math.sqrt(q)) / spread)
    theta = min(1.0, p_worse / q)
    lf = np.array([math.lgamma(i + 1) for i in range(n + 1)])
    m = np.arange(n + 1)
    log_pm = lf[n] - lf - lf[::-1] + _xlogy(m.astype(float), min(q, 1.0)) + _xlogy((n - m).astype(float), max(0.0, 1.0 - q))
    w = m[None, :]
    mm = m[:, None]
    valid = w <= mm
    crit = np.array([_worse_critical(int(k), alpha) for k in range(n + 1)])[:, None]
    with np.errstate(invalid="ignore", over="ignore"):
        log_w = (lf[mm] - lf[np.minimum(w, mm)] - lf[np.maximum(mm - w, 0)]
                 + _xlogy(w.astype(float), theta) + _xlogy(np.maximum(mm - w, 0).astype(float), 1.0 - theta))
        joint = np.where(valid & (w >= crit), np.exp(log_pm[:, None] + log_w), 0.0)
    return float(min(1.0, np.nansum(joint)))
