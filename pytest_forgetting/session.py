"""The run's state: which suites and cases are selected, the results, queued baseline writes.

How items reach the model: items are ``pytest.Function`` subclasses whose
function takes the session-scoped ``forgetting_model`` fixture, so a user can
override that fixture in ``conftest.py``. The first item to run hands the
backend to :meth:`ForgettingSession.ensure_results`, which answers every
selected case of the session in one batched pass; every item then reads its
own verdict from here. The session lives in ``config.stash``.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from . import __version__
from .baseline import BaselineFile, CaseRecord, SuiteRecord, baseline_path, load_baseline, write_suites
from .cases import Suite
from .compare import compare_suite
from .errors import BaselineError, ForgettingError
from .execute import metric_values, run_suites
from .model.protocol import Backend
from .options import RunSettings
from .results import SuiteComparison, SuiteRun
from .scoring import family as get_family

UPDATE_HINT = "pytest {path} --forgetting-update"


class UnavailableBackend:
    """Stands in for a model that could not be loaded, so the error reaches the user as a failure."""

    adapters: tuple[str, ...] = ()

    def __init__(self, message: str) -> None:
        self.message = message

    def _fail(self, *_: Any) -> Any:
        raise ForgettingError(self.message)

    generate = loglikelihood = identity = _fail


@dataclass
class SuiteState:
    suite: Suite
    selected: set[str] = field(default_factory=set)
    metrics_selected: set[str] = field(default_factory=set)
    baseline: BaselineFile | None = None
    baseline_error: str | None = None

    @property
    def full(self) -> bool:
        return bool(self.metrics_selected) or self.selected == {c.id for c in self.suite.cases}

    def case_ids(self) -> list[str]:
        wanted = {c.id for c in self.suite.cases} if self.metrics_selected else self.selected
        return [c.id for c in self.suite.cases if c.id in wanted]


class ForgettingSession:
    def __init__(self, config: pytest.Config, settings: RunSettings) -> None:
        self.config = config
        self.settings = settings
        self.suites: dict[str, SuiteState] = {}
        self.runs: dict[tuple[str, str | None], SuiteRun] = {}
        self.comparisons: dict[tuple[str, str], SuiteComparison] = {}
        self.candidates: list[str | None] = []
        self.error: str | None = None
        self.ran = False
        self.interrupted = False
        self.internal_error = False
        self.identities: dict[str, dict[str, Any]] = {}
        self.update_summary: list[str] = []
        self.timings: dict[str, float] = {}
        self.backend: Backend | None = None
        self.extras: dict[str, Any] = {}
        self.last_record: dict[str, Any] | None = None

    # -- collection ---------------------------------------------------------------
    def add_suite(self, suite: Suite) -> None:
        other = self.suites.get(suite.name)
        if other is not None and other.suite.path != suite.path:
            from .errors import SuiteError

            raise SuiteError(
                str(suite.path), f"suite name {suite.name!r} is already used by {other.suite.path}",
                field="$.suite", fix="give one of them a different 'suite:' name",
            )
        self.suites[suite.name] = SuiteState(suite)

    def select(self, items: list[pytest.Item]) -> None:
        from .collect import CaseItem, MetricItem

        for st in self.suites.values():
            st.selected.clear()
            st.metrics_selected.clear()
        for item in items:
            if isinstance(item, CaseItem):
                self.suites[item.suite.name].selected.add(item.case.id)
            elif isinstance(item, MetricItem):
                self.suites[item.suite.name].metrics_selected.add(item.metric)

    @property
    def active(self) -> list[SuiteState]:
        return [st for st in self.suites.values() if st.selected or st.metrics_selected]

    # -- the model run --------------------------------------------------------------
    def default_backend(self) -> Backend:
        """The backend the ``forgetting_model`` fixture returns unless a conftest overrides it."""
        from .model.hf import HFBackend, LoadSettings

        s = self.settings
        if s.backend == "openai":
            from .model.openai_backend import OpenAIBackend

            return OpenAIBackend.from_settings(s, progress=self._progress)
        return HFBackend(
            LoadSettings(
                model=s.model, adapters=s.adapters, device=s.device, dtype=s.dtype, batch_size=s.batch_size,
                cache_dir=s.cache_dir, trust_remote_code=s.trust_remote_code, allow_pickle=s.allow_pickle,
            ),
            progress=self._progress,
        )

    def _progress(self, what: str, done: int, total: int) -> None:
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        if tr is None or self.config.option.verbose < -1:
            return
        line = f"[forgetting] {what}" + (f": {done}/{total}" if total else "")
        tr.write_line(line)

    def generation_settings(self) -> dict[str, Any]:
        """Settings that change outputs; a baseline recorded with others needs re-approval."""
        return {"decoding": "greedy", "default_max_new_tokens": self.settings.max_new_tokens}

    def ensure_results(self, backend: Backend) -> None:
        """Run every selected case once, in one batched pass; later calls are free."""
        if self.ran:
            if self.error:
                raise ForgettingError(self.error)
            return
        self.ran = True
        import time

        t0 = time.perf_counter()
        try:
            backend = self._with_cache(backend)
            self.backend = backend
            adapters = list(getattr(backend, "adapters", ()) or ())
            self.candidates = list(adapters) if adapters else [None]
            sides: list[str | None] = list(self.candidates)
            if self.settings.compare_base and None not in sides:
                sides = [None] + sides
            for st in self.active:
                self._load_baseline(st)
            work = [(st.suite, [st.suite.case(cid) for cid in st.case_ids()]) for st in self.active]
            self.runs = run_suites(backend, work, sides, self.settings.max_new_tokens,
                                   notice=lambda msg: self._progress(msg, 0, 0))
            for side in sides:
                self.identities[side or "base"] = backend.identity(side).to_json()
            self._compare()
        except ForgettingError as exc:
            self.error = str(exc)
            raise
        except Exception:
            self.internal_error = True
            raise
        finally:
            self.timings["model_and_scoring_s"] = time.perf_counter() - t0
            for attr in ("passes", "load_count", "hits", "misses"):
                value = getattr(backend, attr, None)
                if isinstance(value, int):
                    self.timings[{"hits": "cache_hits", "misses": "cache_misses"}.get(attr, attr)] = value

    def output_cache_dir(self) -> Path:
        from .model.embedded import default_cache_dir

        return (self.settings.cache_dir or default_cache_dir()) / "outputs"

    def _with_cache(self, backend: Backend) -> Backend:
        from .model.cache import CachingBackend, clear_cache

        if self.settings.clear_cache:
            n = clear_cache(self.output_cache_dir())
            self._progress(f"cleared {n} cached output(s) from {self.output_cache_dir()}", 0, 0)
        if self.settings.cache == "off":
            return backend
        return CachingBackend(backend, self.output_cache_dir(), self.settings.cache, progress=self._progress)

    def _load_baseline(self, st: SuiteState) -> None:
        try:
            st.baseline = load_baseline(baseline_path(st.suite.path))
        except BaselineError as exc:
            st.baseline_error = str(exc)

    def _compare(self) -> None:
        """Pick each candidate's reference: the live base run when --compare-base, else the stored baseline.

        With --compare-base and a stored baseline, the base run itself is also compared with the
        stored baseline, so the report shows both and a drifting environment is caught.
        """
        major = __version__.split(".")[0]
        for st in self.active:
            rec = st.baseline.suites.get(st.suite.name) if st.baseline else None
            live = self.runs.get((st.suite.name, None)) if self.settings.compare_base else None
            pairs: list[tuple[SuiteRun, Any, str]] = []
            for cand in self.candidates:
                run = self.runs.get((st.suite.name, cand))
                if run is None:
                    continue
                if cand is not None and live is not None:
                    pairs.append((run, live, "live base model"))
                else:
                    pairs.append((run, rec, "stored baseline" if rec is not None else "none"))
            if live is not None and rec is not None:
                pairs.append((live, rec, "stored baseline"))
            for run, ref, label in pairs:
                self.comparisons[(st.suite.name, run.side)] = compare_suite(
                    st.suite, run, reference=ref, reference_label=label,
                    generation=self.generation_settings(), plugin_major=major, seed=self.settings.seed,
                )

    # -- verdicts for items ------------------------------------------------------------
    def case_failure(self, suite: Suite, case_id: str) -> str | None:
        """None when the case passes for every candidate, else the failure message."""
        from .verdict import case_message

        st = self.suites[suite.name]
        msgs = [case_message(self, st, suite, case_id, cand) for cand in self.candidates]
        msgs = [m for m in msgs if m]
        return "\n\n".join(msgs) if msgs else None

    def metric_failure(self, suite: Suite, metric: str) -> str | None:
        from .verdict import metric_message

        st = self.suites[suite.name]
        msgs = [metric_message(self, st, suite, metric, cand) for cand in self.candidates]
        msgs = [m for m in msgs if m]
        return "\n\n".join(msgs) if msgs else None

    # -- end of session -------------------------------------------------------------
    def update_baselines(self) -> list[str]:
        """Write baselines for what ran; returns the lines describing what changed."""
        if not self.settings.update or not self.ran or self.error or self.internal_error or self.interrupted:
            return []
        from .verdict import describe_update

        cand = self.candidates[0] if self.candidates else None
        lines: list[str] = []
        by_file: dict[Path, dict[str, SuiteRecord | None]] = {}
        now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
        for st in self.active:
            run = self.runs.get((st.suite.name, cand))
            if run is None:
                continue
            old = st.baseline.suites.get(st.suite.name) if st.baseline else None
            existing = {c.id for c in st.suite.cases}
            cases: dict[str, CaseRecord] = {}
            if old is not None:
                cases.update({k: v for k, v in old.cases.items() if k in existing})
            for cid, outcome in run.outcomes.items():
                cases[cid] = CaseRecord(hash=run.hashes[cid], outcome=outcome, output=run.outputs[cid])
            specs = get_family(st.suite.family).metrics(st.suite)
            values = metric_values(specs, [cases[k].outcome for k in sorted(cases)])
            rec = SuiteRecord(
                family=st.suite.family, role=st.suite.role, model=self.identities.get(run.side, {}),
                generation=self.generation_settings(), plugin_version=__version__, recorded_at=now,
                reason=self.settings.reason, metrics={k: v.to_json() for k, v in values.items()}, cases=cases,
            )
            lines += describe_update(st.suite, old, rec)
            by_file.setdefault(baseline_path(st.suite.path), {})[st.suite.name] = rec
        for path, records in by_file.items():
            write_suites(path, records)
        self.update_summary = lines
        return lines
