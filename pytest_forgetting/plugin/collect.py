"""``*.forgetting.yaml`` files -> pytest nodes (pytest's "non-python tests" pattern).

``SuiteFile`` -> ``SuiteNode`` (one per suite) -> ``CaseItem`` per case and
``MetricItem`` per suite metric. Items subclass ``pytest.Function`` so they
receive the session-scoped ``forgetting_model`` fixture (overridable in a
``conftest.py``); they never call the model themselves: the session answers
all selected cases in one batched pass and each item reads its verdict.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from _pytest._code.code import ReprExceptionInfo, ReprFileLocation, ReprTraceback

from ..suite.cases import Case, Suite, load_suite
from ..decide.decider import case_key, metric_key
from ..errors import ForgettingError
from ..records.baseline import BASELINE_DIR, location_problem
from ..records.results import side_labels
from ..scoring import family as get_family
from .stash import session_of


def _uses_model(forgetting_model: Any) -> None:  # pragma: no cover - never called, gives items the fixture
    """Lets pytest's fixture machinery resolve ``forgetting_model`` for our items."""


class ForgettingFailure(Exception):
    """An item's verdict: shown as plain text, never as a traceback."""


class SuiteFile(pytest.File):
    """A suite file: loaded and validated at collection, so bad YAML fails before the model loads."""

    def collect(self) -> Iterator[pytest.Collector]:
        """One node per suite; a load error becomes a collection error naming file, line and fix."""
        fs = session_of(self.config)
        try:
            suite = load_suite(
                self.path, root=fs.settings.rootdir, allow_outside=fs.settings.allow_outside_paths,
                allow_code=fs.settings.allow_code,
            )
            problem = None if fs.settings.allow_outside_paths else location_problem(self.path, fs.settings.rootdir)
            if problem:
                raise ForgettingError(
                    f"{self.path}: its baseline cannot live there: {problem}.\n  fix: make {BASELINE_DIR} beside the "
                    "suite a real folder inside the project, or pass --forgetting-allow-outside-paths")
            if not fs.add_suite(suite):
                return  # the same file as a suite already collected (a symbolic link to it): it runs once
        except ForgettingError as exc:
            raise self.CollectError(str(exc)) from None
        yield SuiteNode.from_parent(self, name=suite.name, suite=suite)


class XdistRefusal(pytest.File):
    """Under pytest-xdist each worker would load its own model and write baselines on its own."""

    def collect(self) -> Iterator[pytest.Item]:
        """Refuse at collection with the fix: the batched session cannot be split across workers."""
        raise self.CollectError(
            f"{self.path}: pytest-forgetting suites cannot run under pytest-xdist (-n): the model work is "
            "batched across the whole session and baselines are written once by one process.\n"
            "  fix: run the suites without -n (e.g. `pytest -n 0 example_suite`, or `-p no:xdist`); "
            "other tests can keep using -n in a separate pytest call."
        )


class SuiteNode(pytest.Collector):
    """A suite: its cases and metrics as items, so ``-k`` can pick either."""

    def __init__(self, *, suite: Suite, **kw: Any) -> None:
        super().__init__(**kw)
        self.suite = suite

    def collect(self) -> Iterator[pytest.Item]:
        """Case items in file order, then one item per family metric."""
        for case in self.suite.cases:
            yield CaseItem.from_parent(self, name=case.id, callobj=_uses_model, suite=self.suite, case=case)
        for spec in get_family(self.suite.family).metrics(self.suite):
            yield MetricItem.from_parent(
                self, name=f"metric[{spec.name}]", callobj=_uses_model, suite=self.suite, metric=spec.name
            )


class _ForgettingItem(pytest.Function):
    suite: Suite

    def _add_markers(self) -> None:
        self.add_marker("forgetting")
        self.add_marker(self.suite.family)
        self.add_marker(self.suite.role)

    def verdict(self) -> str | None:
        raise NotImplementedError

    def runtest(self) -> None:
        fs = session_of(self.config)
        first = not fs.ran
        try:
            fs.ensure_results(self.funcargs["forgetting_model"])  # type: ignore[arg-type]
        except ForgettingError as exc:
            # One clear failure, then stop: every other item would repeat the same message.
            self.session.shouldfail = "pytest-forgetting could not run the model (see the failure above)"
            raise ForgettingFailure(str(exc)) from None
        if first:  # this item's duration is the whole session's model work: say so in the JUnit XML
            self.user_properties.append(("forgetting_includes_session_model_work_s",
                                         f"{fs.timings.get('model_and_scoring_s', 0.0):.3f}"))
        self.add_properties()
        msg = self.verdict()
        if msg:
            raise ForgettingFailure(msg)

    def add_properties(self) -> None:
        """JUnit XML properties (``--junitxml``) via ``user_properties``."""

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, (ForgettingFailure, ForgettingError)):
            return plain_failure(str(excinfo.value), str(self.path), self.reportinfo()[1],
                                 whole=self.config.getoption("tbstyle", "auto") != "line")
        return super().repr_failure(excinfo)


def plain_failure(text: str, path: str, line: int | None, whole: bool = True) -> ReprExceptionInfo:
    """The whole verdict as plain text, with its first line as the one-line "crash" message.

    A bare string would do for the failure section, but pytest uses a string longrepr whole as the
    short-summary message, and on CI (``$CI`` set) or with ``-vv`` it prints it untrimmed: every
    multi-line verdict would be shown twice. This shape (no traceback entries, the text as the
    trailing line) also survives xdist's report serialization and gives JUnit a one-line message.
    ``whole=False`` (``--tb=line``): only that line, as pytest prints it, ``path:line: message``.
    """
    first = text.split("\n", 1)[0]
    return ReprExceptionInfo(reprtraceback=ReprTraceback([], text if whole else None, "short"),
                             reprcrash=ReprFileLocation(path, (line or 0) + 1, first))


class CaseItem(_ForgettingItem):
    """One case: fails when the decision names a reason for it, and says which."""

    def __init__(self, *, suite: Suite, case: Case, **kw: Any) -> None:
        super().__init__(**kw)
        self.suite, self.case = suite, case
        self._add_markers()

    def reportinfo(self) -> tuple[Any, int | None, str]:
        """Point at the case's line in the suite file, so failures are clickable."""
        return self.path, (self.case.line or 1) - 1, f"{self.suite.name}::{self.case.id}"

    def verdict(self) -> str | None:
        """Why this case fails, from the decision (None: it passes)."""
        return session_of(self.config).item_failure(case_key(self.suite.name, self.case.id))

    def add_properties(self) -> None:
        """Each candidate's decision and pass/fail as JUnit properties, for CI dashboards."""
        fs = session_of(self.config)
        labels = side_labels([None, *fs.candidates])
        for cand in fs.candidates:
            run = fs.runs.get((self.suite.name, cand))
            if run and self.case.id in run.outcomes:
                o = run.outcomes[self.case.id]
                self.user_properties.append((f"forgetting.{labels[cand]}.decision", o.decision))
                self.user_properties.append((f"forgetting.{labels[cand]}.passed", str(o.passed).lower()))


class MetricItem(_ForgettingItem):
    """One suite metric: fails when the decision names a reason for it."""

    def __init__(self, *, suite: Suite, metric: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.suite, self.metric = suite, metric
        self._add_markers()
        self.add_marker("metric")

    def reportinfo(self) -> tuple[Any, int | None, str]:
        """Point at the suite file, and name the metric in the report line."""
        return self.path, 0, f"{self.suite.name}::{self.metric}"

    def verdict(self) -> str | None:
        """Why this metric fails, from the decision (None: it passes)."""
        return session_of(self.config).item_failure(metric_key(self.suite.name, self.metric))

    def add_properties(self) -> None:
        """Each candidate's value, baseline, delta, p-value and status as JUnit properties, for CI dashboards."""
        fs = session_of(self.config)
        labels = side_labels([None, *fs.candidates])
        for cand in fs.candidates:
            side = labels[cand]
            run = fs.runs.get((self.suite.name, cand))
            if run and self.metric in run.metrics:
                self.user_properties.append((f"forgetting.{side}.value", str(run.metrics[self.metric].value)))
            comp = fs.compared.candidates.get((self.suite.name, cand))
            c = comp.comparisons.get(self.metric) if comp else None
            if c is not None:
                for key in ("baseline", "delta", "p_value"):
                    self.user_properties.append((f"forgetting.{side}.{key}", str(getattr(c, key))))
            d = fs.decision.suite(self.suite.name, cand) if fs.decision else None
            if d is not None and self.metric in d.metrics:
                self.user_properties.append((f"forgetting.{side}.status", d.metrics[self.metric]))


def selected(items: list[pytest.Item]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The selected cases and metric items as ``(suite, id)`` pairs, for :meth:`ForgettingSession.select`."""
    cases = [(i.suite.name, i.case.id) for i in items if isinstance(i, CaseItem)]
    metrics = [(i.suite.name, i.metric) for i in items if isinstance(i, MetricItem)]
    return cases, metrics
