"""The decider's words and data: status words, reasons, decisions. Nothing here decides.

:mod:`.decider` fills these types; the plugin's messages, the record and every
report read them (reports, the record and the messages may import this module,
never :mod:`.decider`). A :class:`Reason` is data (its kind and the numbers
behind it); :class:`Wording` holds the text a renderer made of a decision's
reasons, so the record and the routing file carry words without making them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Mapping

from ..records.results import Side, SuiteComparison, SuiteRun
from ..suite.cases import Suite

# -- the words ------------------------------------------------------------------------------
# metric statuses
IMPROVED = "improved"
REGRESSED = "regressed"
UNCHANGED = "unchanged"
NO_DATA = "no-data"
TARGET_MISSED = "target missed"
INCONCLUSIVE = "inconclusive"
INFO = "info"
"""An informational metric (``MetricSpec.informational``, e.g. refusal's empty_rate): shown, never decides."""
# suite statuses
OK = "ok"
FAILING = "failing"
NEEDS_APPROVAL = "needs approval"
NO_BASELINE = "no baseline"
ERROR = "error"
RECORDED = "recorded"
ABSOLUTE = "absolute"
DRIFTED = "drifted"
# candidate verdicts
READY = "READY"
NOT_READY = "NOT READY"
PASS = "PASS"
FAIL = "FAIL"
V_ERROR = "ERROR"
V_RECORDED = "RECORDED"
V_NO_BASELINE = "NO BASELINE"

OK_VERDICTS = frozenset({READY, PASS, V_RECORDED})
FAILING_METRIC_STATUSES = frozenset({REGRESSED, TARGET_MISSED})
EXIT_OK = 0
EXIT_NOT_OK = 1
"""The exit code of a run whose verdicts are not all acceptable (pytest's ``TESTS_FAILED``)."""


def exit_code(ok: bool) -> int:
    """The one mapping from a run's verdicts (the record's ``ok``) to a process exit code."""
    return EXIT_OK if ok else EXIT_NOT_OK


# -- reason kinds ---------------------------------------------------------------------------
# a metric reason's kind is its status word: REGRESSED, TARGET_MISSED or INCONCLUSIVE
SUITE_ERROR = "suite error"  # detail: the error
NO_RESULTS = "no results"
CASES_FAILED = "cases failed"  # absolute mode: count of total
CASE_FAILED = "case failed"  # absolute mode: one case
MISSING_BASELINE = "missing baseline"  # detail: why it could not be read (None: there is none)
REAPPROVAL = "needs re-approval"  # ids: why
FLIPPED = "flipped"  # case: flipped pass -> fail; because: the rule that makes it fail
STRICT_FLIPS = "strict flips"  # count of cases flipped to fail, failing only under --forgetting-strict
CHANGED_CASE = "changed case"
NEW_CASE = "new case"
CHANGED_CASES = "changed cases"  # ids
NEW_CASES = "new cases"  # ids
EMPTY_ANSWERS = "empty answers"  # informational metric moved
COLLAPSED_REFERENCE = "collapsed reference"  # detail: the warning
RUN_ERROR = "run error"  # detail: the whole error
FINISH_ERROR = "finish error"  # detail
NO_TARGET = "no target"
NO_BASELINE_HINT = "no baseline hint"
STRICT = "strict"  # a FLIPPED reason's ``because`` when only --forgetting-strict makes it fail

NO_TARGET_TEXT = "no target suite ran: nothing showed that the fine-tune improved what it was trained for"

ItemKey = tuple[str, str, str]
"""``(suite, "case", case_id)`` or ``(suite, "metric", metric_name)``."""


def case_key(suite: str, case_id: str) -> ItemKey:
    """The key of a case item."""
    return (suite, "case", case_id)


def metric_key(suite: str, metric: str) -> ItemKey:
    """The key of a metric item."""
    return (suite, "metric", metric)


@dataclass(frozen=True)
class Mode:
    """How the run judges: record (update), each case on its own (absolute), or against a reference."""

    update: bool = False
    absolute: bool = False
    strict: bool = False


@dataclass(frozen=True)
class SuiteEvidence:
    """Everything the decider knows about one selected suite."""

    suite: Suite
    selected_cases: frozenset[str]
    selected_metrics: frozenset[str]
    runs: Mapping[Side, SuiteRun] = field(default_factory=dict)
    comparisons: Mapping[Side, SuiteComparison] = field(default_factory=dict)
    reference_error: str | None = None  # the baseline file could not be read
    error: str | None = None  # an unexpected error while scoring or comparing this suite

    @cached_property
    def item_set(self) -> frozenset[ItemKey]:
        """The selected items, as a set."""
        return frozenset(self.items)

    @cached_property
    def items(self) -> list[ItemKey]:
        """The selected items: cases in file order, then metrics by name."""
        name = self.suite.name
        return ([case_key(name, c.id) for c in self.suite.cases if c.id in self.selected_cases]
                + [metric_key(name, m) for m in sorted(self.selected_metrics)])


@dataclass(frozen=True)
class Reason:
    """Why something fails, is inconclusive or is worth a line: its kind and the numbers behind it.

    Only the fields a kind needs are set. ``p`` is the raw p-value, ``p_adjusted``
    the one the decision used; ``size`` the drop an inconclusive metric could not
    rule out and ``cases`` about how many cases would (``None``: no number would).
    """

    kind: str
    suite: str | None = None
    side: Side = None
    metric: str | None = None
    case: str | None = None
    baseline: float | None = None
    current: float | None = None
    delta: float | None = None
    p: float | None = None
    p_adjusted: float | None = None
    alpha: float | None = None
    tolerance: float | None = None
    n: int | None = None
    size: float | None = None
    cases: int | None = None
    count: int | None = None
    total: int | None = None
    ids: tuple[str, ...] = ()
    detail: str | None = None
    because: str | None = None
    flips_in: str | None = None  # the metric whose message lists the cases that got worse
    strict: bool = False  # failing only because --forgetting-strict makes inconclusive fail
    unseen: float | None = None  # the declared drop an underpowered guardrail cannot detect
    unseen_cases: int | None = None  # about how many cases would detect ``unseen`` (None: no number would)
    direction: str | None = None  # the metric's better direction: higher, lower or flat
    sides: int = 2  # 1: the paired test was one-sided (a guardrail asks only "did it get worse?")
    mdc: float | None = None  # the smallest change the test detects with 80 % power


@dataclass(frozen=True)
class SuiteDecision:
    """One suite judged for one side: its status, metric statuses and the reasons behind them."""

    suite: str
    side: Side
    status: str
    reasons: tuple[Reason, ...] = ()
    metrics: Mapping[str, str] = field(default_factory=dict)  # metric -> status word
    ok: bool = False
    notes: tuple[Reason, ...] = ()  # inconclusive metrics, with the cases that would settle them
    info: tuple[Reason, ...] = ()  # informational remarks (e.g. empty answers); never decide
    p_adjusted: Mapping[str, float | None] = field(default_factory=dict)
    role: str = ""
    failing_metrics: frozenset[str] = frozenset()  # metrics shown as failing (regressed or target missed)
    worse_cases: frozenset[str] = frozenset()  # cases that flipped pass -> fail

    @property
    def regressed(self) -> tuple[str, ...]:
        """Metrics the decider marked regressed, sorted."""
        return tuple(sorted(m for m, st in self.metrics.items() if st == REGRESSED))


@dataclass(frozen=True)
class Verdict:
    """One candidate's verdict: the status word and the reasons (run-level, then suite by suite)."""

    side: Side
    label: str
    status: str
    reasons: tuple[Reason, ...] = ()
    notes: tuple[Reason, ...] = ()  # inconclusive guardrails: shown, failing only with --forgetting-strict
    info: tuple[Reason, ...] = ()  # informational remarks (empty answers): shown, never deciding

    @property
    def ok(self) -> bool:
        """Whether the verdict lets the run pass."""
        return self.status in OK_VERDICTS

    @property
    def headline(self) -> str:
        """``READY, 2 metrics inconclusive``: the status word and what it cannot vouch for, one note line each."""
        n = len(self.notes)
        return self.status + (f", {n} metric{'s' if n != 1 else ''} inconclusive" if n else "")


@dataclass(frozen=True)
class Decision:
    """Every verdict, suite decision, base-drift status and failing item of a run."""

    verdicts: tuple[Verdict, ...]
    suites: Mapping[tuple[str, Side], SuiteDecision]
    failures: Mapping[ItemKey, tuple[Reason, ...]]
    labels: Mapping[Side, str] = field(default_factory=dict)
    drift: Mapping[str, SuiteDecision] = field(default_factory=dict)  # the live base against its stored baseline

    @property
    def ok(self) -> bool:
        """Every verdict acceptable: the run passes."""
        return all(v.ok for v in self.verdicts)

    @property
    def exit_code(self) -> int:
        """The process exit code the verdicts call for."""
        return exit_code(self.ok)

    def suite(self, name: str, side: Side) -> SuiteDecision | None:
        """The decision for one suite and side, if it was judged."""
        return self.suites.get((name, side))

    def verdict(self, side: Side) -> Verdict | None:
        """The verdict of one candidate."""
        return next((v for v in self.verdicts if v.side == side), None)

    def regressed_guardrails(self, side: Side) -> tuple[str, ...]:
        """``suite.metric`` of every guardrail metric the decider marked regressed for ``side``, sorted."""
        return tuple(f"{d.suite}.{m}" for (name, s), d in sorted(self.suites.items(), key=lambda kv: kv[0][0])
                     if s == side and d.role == "guardrail" for m in d.regressed)


@dataclass(frozen=True)
class Wording:
    """The text of a decision, made by a renderer (the plugin's messages) for whoever writes words down."""

    text: Mapping[Reason, str]  # each reason's short form (a suite reason, a note or an info line)
    verdict_reasons: Mapping[Side, tuple[str, ...]]  # each verdict's reason lines
    failures: Mapping[ItemKey, str]  # each failing item's message

    def of(self, reasons: Iterable[Reason]) -> list[str]:
        """The short texts of ``reasons``, in order."""
        return [self.text[r] for r in reasons]

    def suite_reason(self, d: SuiteDecision) -> str:
        """``reason; reason`` (the status word when there is none)."""
        return "; ".join(self.of(d.reasons)) or d.status
