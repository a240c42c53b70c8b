"""Records every family scorer produces, and the shape of a family.

A scorer is pure: ``(suite, case, answer) -> CaseOutcome``. Metrics are pure
functions of a list of outcomes, so a stored baseline (which keeps outcomes as
JSON) can be re-scored, resampled for paired statistics, and compared without
re-running a model.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping, Sequence, Union

if TYPE_CHECKING:
    from ..suite.cases import Case, Suite
    from ..suite.requests import GenerateRequest, LoglikelihoodRequest

Direction = Literal["higher", "lower", "flat"]
"""Which way is better. ``flat``: any significant move beyond tolerance is a regression (tone)."""

Answer = Union[str, Mapping[str, float]]
"""A generated text, or label -> log-likelihood for loglikelihood scoring."""


@dataclass(frozen=True)
class CaseOutcome:
    """What a scorer decided about one case's answer, and why."""

    passed: bool
    decision: str
    reason: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The outcome as baselines and records store it."""
        return {"passed": self.passed, "decision": self.decision, "reason": self.reason, "data": dict(self.data)}

    @staticmethod
    def from_json(obj: Mapping[str, Any]) -> "CaseOutcome":
        """Read a stored outcome, so baselines can be re-scored without a model."""
        return CaseOutcome(
            passed=bool(obj["passed"]),
            decision=str(obj["decision"]),
            reason=str(obj.get("reason", "")),
            data=dict(obj.get("data", {})),
        )


@dataclass(frozen=True)
class MetricSpec:
    """A suite-level metric: how to compute it from outcomes and which way is better.

    ``per_case`` marks a metric that is the mean of per-case values over the
    cases where it is not ``None``; paired tests then work per case (exact
    McNemar when ``binary``). Other metrics (macro-F1, entropy, ...) are
    compared with a paired bootstrap that re-computes ``compute``.
    """

    name: str
    direction: Direction
    description: str
    compute: Callable[[Sequence[CaseOutcome]], float | None]
    per_case: Callable[[CaseOutcome], float | None] | None = None
    binary: bool = False
    tolerance: float = 0.0
    unit: str = "rate"
    """``rate`` metrics live in [0, 1] and take the suite-wide ``tolerance``; others only per-metric ones."""
    informational: bool = False
    """Shown and compared, but its comparison status is always ``info``: it never regresses or improves a suite."""


def mean_metric(
    name: str,
    direction: Direction,
    description: str,
    per_case: Callable[[CaseOutcome], float | None],
    *,
    binary: bool = False,
    tolerance: float = 0.0,
    unit: str = "rate",
    informational: bool = False,
) -> MetricSpec:
    """A metric that is the mean of per-case values (a rate when ``binary``)."""

    def compute(outcomes: Sequence[CaseOutcome]) -> float | None:
        vals = [v for v in (per_case(o) for o in outcomes) if v is not None]
        return sum(vals) / len(vals) if vals else None

    return MetricSpec(name, direction, description, compute, per_case, binary, tolerance, unit, informational)


Request = Union["GenerateRequest", "LoglikelihoodRequest"]


class Family:
    """A behaviour family: which requests a case needs, how to score it, which metrics."""

    name: str = ""
    primary_metric: str = ""

    def primary(self, role: str) -> str:
        """The metric that stands for the suite in verdicts and sweeps."""
        return self.primary_metric

    def prepare(self, config: dict[str, Any], user_texts: Sequence[str], *, suite_path: str) -> None:
        """Derive what scoring needs from the suite's fields at load time, into ``config`` (hashed
        with every case); raise :class:`~pytest_forgetting.errors.SuiteError` naming the field."""

    def metric_names(self, suite: "Suite") -> list[str]:
        """The names ``primary_metric:`` and ``metrics:`` may use, checked when the suite loads."""
        return [m.name for m in self.metrics(suite)]

    def validate(self, suite: "Suite", *, allow_code: bool = False) -> None:
        """Family-specific checks of a loaded suite, run at load time (before any model work).

        Raise :class:`~pytest_forgetting.errors.SuiteError` naming the field and the fix.
        ``allow_code``: the run opted in (``--forgetting-allow-code``) to suite files naming Python code.
        """

    def requests(self, suite: "Suite", case: "Case", adapter: str | None) -> list[Request]:
        """What the model must answer for this case on one side."""
        raise NotImplementedError

    def answer(self, suite: "Suite", case: "Case", results: Sequence[Any]) -> Answer:
        """Turn this case's request results (in order) into the scorer's answer."""
        return str(results[0])

    def score(self, suite: "Suite", case: "Case", answer: Answer) -> CaseOutcome:
        """Judge one answer against the case's expectation (pure: no model, no I/O)."""
        raise NotImplementedError

    def metrics(self, suite: "Suite") -> list[MetricSpec]:
        """The suite-level metrics, as pure functions of the outcomes."""
        raise NotImplementedError
