"""The run's state: which suites and cases are selected, the results, the decision, baseline writes.

How items reach the model: items are ``pytest.Function`` subclasses whose
function takes the session-scoped ``forgetting_model`` fixture, so a user can
override that fixture in ``conftest.py``. The first item to run hands the
backend to :meth:`ForgettingSession.ensure_results`, which answers every
selected case of the session in one batched pass, compares, and asks
:func:`~pytest_forgetting.decide.decider.decide` once; every item then looks up its own
failure there. The session lives in ``config.stash``.
"""
from __future__ import annotations

import datetime as _dt
import re
import time
import traceback
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ContextManager

import pytest

from ..version import __version__
from ..records.baseline import BaselineFile, CaseRecord, SuiteRecord, baseline_path, load_baseline, write_suites
from ..suite.cases import Suite
from ..decide.decider import ERROR as SUITE_ERROR
from ..decide.decider import Decision, ItemKey, Mode, SuiteEvidence, decide
from ..errors import BaselineError, ForgettingError
from ..run.evaluate import Compared, check_unique, compare_runs, generation_settings
from ..run.execute import metric_values, run_suites
from .messages import describe_update
from ..model.protocol import Backend
from .options import RunSettings
from .progress import Progress, for_terminal
from ..records.results import Side, SuiteRun
from ..scoring import family as get_family
from ..text import work_line


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

    def case_ids(self) -> list[str]:
        """Cases to run: all when a metric item is selected (a metric needs every case), else the selected."""
        wanted = {c.id for c in self.suite.cases} if self.metrics_selected else self.selected
        return [c.id for c in self.suite.cases if c.id in wanted]

    @property
    def record(self) -> SuiteRecord | None:
        return self.baseline.suites.get(self.suite.name) if self.baseline else None


class ForgettingSession:
    def __init__(self, config: pytest.Config, settings: RunSettings) -> None:
        self.config = config
        self.settings = settings
        self.mode = Mode(update=settings.update, absolute=settings.absolute, strict=settings.strict)
        self.suites: dict[str, SuiteState] = {}
        self.runs: dict[tuple[str, Side], SuiteRun] = {}
        self.compared = Compared()
        self.candidates: list[Side] = []
        self.decision: Decision | None = None
        self.error: str | None = None  # the run could not happen at all (model load, backend, internal)
        self.ran = False
        self.interrupted = False
        self.identities: dict[Side, dict[str, Any]] = {}
        self.current_identity: dict[str, Any] | None = None  # the base model's identity block (records/identity.py)
        self.model_check: dict[str, Any] = {}  # what the baseline identity check found, for the record
        self.update_lines: list[str] = []
        self.finish_error: str | None = None  # baseline or report writes that failed after the items ran
        self.timings: dict[str, float] = {}
        self.backend: Backend | None = None
        self._live: Progress | None | bool = False  # made on first use: the terminal reporter comes later

    # -- collection ---------------------------------------------------------------
    def add_suite(self, suite: Suite) -> None:
        check_unique([st.suite for st in self.suites.values()] + [suite])
        self.suites[suite.name] = SuiteState(suite)

    def select(self, cases: list[tuple[str, str]], metrics: list[tuple[str, str]]) -> None:
        """What the user selected (after ``-k``/``-m``/deselection): ``(suite, case_id)`` and ``(suite, metric)``."""
        for st in self.suites.values():
            st.selected.clear()
            st.metrics_selected.clear()
        for suite, case_id in cases:
            self.suites[suite].selected.add(case_id)
        for suite, metric in metrics:
            self.suites[suite].metrics_selected.add(metric)

    @property
    def active(self) -> list[SuiteState]:
        return [st for st in self.suites.values() if st.selected or st.metrics_selected]

    # -- the model run --------------------------------------------------------------
    def default_backend(self) -> Backend:
        """The backend the ``forgetting_model`` fixture returns unless a conftest overrides it."""
        from ..model.hf import HFBackend, LoadSettings

        s = self.settings
        if s.backend == "openai":
            from ..model.openai_backend import OpenAIBackend

            return OpenAIBackend.from_settings(s, progress=self.progress)
        with self._busy("preparing the model"):
            return HFBackend(
                LoadSettings(
                    model=s.model, adapters=s.adapters, device=s.device, dtype=s.dtype, batch_size=s.batch_size,
                    cache_dir=s.cache_dir, trust_remote_code=s.trust_remote_code, allow_pickle=s.allow_pickle,
                    merge_adapters=s.merge_adapters,
                ),
                progress=self.progress,
            )

    @property
    def live(self) -> Progress | None:
        if self._live is False:
            self._live = for_terminal(self.config)
        return self._live if isinstance(self._live, Progress) else None

    def progress(self, what: str, done: float, total: int) -> None:
        """The backends' progress callback: live lines past pytest's capture (see :mod:`.progress`)."""
        if self.live is not None:
            self.live(what, done, total)

    def _busy(self, what: str) -> ContextManager[None]:
        return self.live.active(what) if self.live is not None else nullcontext()

    def ensure_results(self, backend: Backend) -> None:
        """Run every selected case once, in one batched pass, then decide; later calls are free."""
        if self.ran:
            if self.error:
                raise ForgettingError(self.error)
            return
        self.ran = True
        t0 = time.perf_counter()
        try:
            with self._busy("loading the model"):
                self._run(backend)
        except ForgettingError as exc:
            self.error = str(exc)
        except Exception as exc:  # a bug or a broken backend: every item and the verdict say so
            frames = traceback.format_exception(type(exc), exc, exc.__traceback__)
            self.error = (f"internal error: {type(exc).__name__}: {exc}\n"
                          + "".join(frames[-3:]).rstrip() + "\n  please report this with the traceback above")
        finally:
            self.timings["model_and_scoring_s"] = time.perf_counter() - t0
            b: Any = self.backend or backend
            for attr, key in (("passes", "passes"), ("load_count", "load_count"), ("hits", "cache_hits"),
                              ("misses", "cache_misses")):
                value = getattr(b, attr, None)
                if isinstance(value, int):
                    self.timings[key] = value
            if self.live is not None:
                self.timings.update({f"pass: {what}": sec for what, sec in self.live.seconds.items()})
                self.live.finish(work_line(self.timings))
            self._junit_properties()
        self.decision = self.decide()
        if self.error:
            raise ForgettingError(self.error)

    def _junit_properties(self) -> None:
        """Say in the JUnit XML where the model time went: the first item's duration holds the whole
        session's model work, so the suite-level properties carry the totals and each pass."""
        from _pytest.junitxml import xml_key

        xml = self.config.stash.get(xml_key, None)
        if xml is None:
            return
        for key, value in self.timings.items():
            name = "forgetting_" + re.sub(r"[^0-9A-Za-z]+", "_", key).strip("_")
            xml.add_global_property(name, f"{value:.3f}" if isinstance(value, float) else str(value))
        xml.add_global_property("forgetting_model_work_note", "all model work runs once, inside the first "
                                "pytest-forgetting item; that item's time is the session's model work")

    def _run(self, backend: Backend) -> None:
        backend = self._with_cache(backend)
        self.backend = backend
        adapters = list(getattr(backend, "adapters", ()) or ())
        self.candidates = list(adapters) if adapters else [None]
        sides: list[Side] = list(self.candidates)
        if self.settings.compare_base and None not in sides:
            sides.insert(0, None)
        for st in self.active:
            self._load_baseline(st)
        self._check_identity(backend)
        work = [(st.suite, [st.suite.case(cid) for cid in st.case_ids()]) for st in self.active]
        self.runs = run_suites(backend, work, sides, self.settings.max_new_tokens,
                               notice=lambda msg: self.progress(msg, 0, 0))
        for side in sides:
            self.identities[side] = backend.identity(side).to_json()
        self.compared = compare_runs(
            [st.suite for st in self.active], self.runs, self.candidates, live_base=self.settings.compare_base,
            baselines={st.suite.name: st.record for st in self.active}, max_new_tokens=self.settings.max_new_tokens,
            seed=self.settings.seed)

    def _check_identity(self, backend: Backend) -> None:
        """Stop before any model work when a stored baseline was recorded with another model or other
        arithmetic (issue 29); ``--forgetting-allow-other-model`` compares anyway and the record says so."""
        from ..records.identity import current_identity, identity_differences, other_model_message, recorded_settings

        self.current_identity = current = current_identity(backend, generation_settings(self.settings.max_new_tokens))
        if self.settings.update or self.settings.absolute:
            return
        fingerprint = backend.identity(None).fingerprint
        found, options = {}, []
        for st in self.active:
            rec = st.record
            diffs = identity_differences(rec.identity, rec.model, current, fingerprint) if rec is not None else []
            if rec is not None and diffs:
                found[st.suite.name] = (str(baseline_path(st.suite.path)), str(rec.model.get("name") or "?"), diffs)
                options += recorded_settings(rec.identity, current)
        self.model_check = {"allowed_other_model": self.settings.allow_other_model,
                            "differences": {name: list(v[2]) for name, v in sorted(found.items())}}
        if found and not self.settings.allow_other_model:
            raise ForgettingError(other_model_message(found, str(current["model"].get("name")), options))
        if found:
            self.progress(f"comparing {len(found)} suite(s) with baselines recorded on another model or other "
                          "settings (--forgetting-allow-other-model); the report lists what differs", 0, 0)

    def output_cache_dir(self) -> Path:
        from ..model.embedded import default_cache_dir

        return (self.settings.cache_dir or default_cache_dir()) / "outputs"

    def _with_cache(self, backend: Backend) -> Backend:
        from ..model.cache import CachingBackend, clear_cache

        if self.settings.clear_cache:
            n = clear_cache(self.output_cache_dir())
            self.progress(f"cleared {n} cached output(s) from {self.output_cache_dir()}", 0, 0)
        if self.settings.cache == "off":
            return backend
        return CachingBackend(backend, self.output_cache_dir(), self.settings.cache, progress=self.progress)

    def _load_baseline(self, st: SuiteState) -> None:
        try:
            st.baseline = load_baseline(baseline_path(st.suite.path))
        except BaselineError as exc:
            st.baseline_error = str(exc)

    # -- the decision ---------------------------------------------------------------
    def evidence(self) -> list[SuiteEvidence]:
        out = []
        for st in self.active:
            name = st.suite.name
            out.append(SuiteEvidence(
                suite=st.suite, selected_cases=frozenset(st.selected), selected_metrics=frozenset(st.metrics_selected),
                runs={side: run for (n, side), run in self.runs.items() if n == name},
                comparisons={side: c for (n, side), c in self.compared.candidates.items() if n == name},
                reference_error=st.baseline_error, error=self.compared.errors.get(name),
            ))
        return out

    def decide(self) -> Decision:
        from ..model.loading import adapter_name_for

        fallback: list[Side] = []  # the load failed before the backend named its adapters
        for a in self.settings.adapters:
            fallback.append(adapter_name_for(Path(a), {f for f in fallback if f}))
        candidates = self.candidates or fallback or [None]
        return decide(self.evidence(), candidates, self.mode, run_error=self.error,
                      finish_error=self.finish_error)

    def item_failure(self, key: ItemKey) -> str | None:
        return self.decision.item_failure(key) if self.decision else None

    # -- end of session -------------------------------------------------------------
    def update_baselines(self) -> None:
        """Write baselines for the selected cases that ran; a failure turns the verdict to ERROR."""
        if not self.settings.update or not self.ran or self.error or self.interrupted:
            return
        if self.decision is not None and any(d.status == SUITE_ERROR for d in self.decision.suites.values()):
            self.finish_error = "baseline update skipped: a suite could not be scored; nothing was recorded"
            return
        cand = self.candidates[0] if self.candidates else None
        now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
        by_file: dict[Path, dict[str, Callable[[SuiteRecord | None], SuiteRecord | None]]] = {}
        for st in self.active:
            run = self.runs.get((st.suite.name, cand))
            if run is not None:
                by_file.setdefault(baseline_path(st.suite.path), {})[st.suite.name] = self._merger(st, run, cand, now)
        try:
            for path, records in by_file.items():
                write_suites(path, records)
        except (ForgettingError, OSError) as exc:
            self.finish_error = f"baseline update failed: {exc}"

    def _merger(self, st: SuiteState, run: SuiteRun, cand: Side,
                now: str) -> Callable[[SuiteRecord | None], SuiteRecord | None]:
        """Merge under the file lock: deselected cases keep their approved entries, removed cases go."""
        def merge(old: SuiteRecord | None) -> SuiteRecord:
            existing = {c.id for c in st.suite.cases}
            cases: dict[str, CaseRecord] = {}
            if old is not None:
                cases.update({k: v for k, v in old.cases.items() if k in existing})
            for cid, outcome in run.outcomes.items():
                if cid in st.selected:
                    cases[cid] = CaseRecord(hash=run.hashes[cid], outcome=outcome, output=run.outputs[cid])
            specs = get_family(st.suite.family).metrics(st.suite)
            values = metric_values(specs, [cases[k].outcome for k in sorted(cases)])
            rec = SuiteRecord(
                family=st.suite.family, role=st.suite.role, model=self.identities.get(cand, {}),
                generation=generation_settings(self.settings.max_new_tokens), plugin_version=__version__,
                recorded_at=now, reason=self.settings.reason,
                metrics={k: v.to_json() for k, v in values.items()}, cases=cases, identity=self.current_identity,
            )
            self.update_lines += describe_update(st.suite, old, rec)
            return rec

        return merge
