"""One road for every caller: :func:`evaluate` runs the suites, compares each candidate and decides.

The pytest plugin, the checkpoint sweep, :class:`~pytest_forgetting.training.ForgettingCallback`
and the benchmarks load suites, choose each candidate's reference, fix the
generation settings and the statistics' seed, and ask the decider here, so
their numbers and verdicts cannot drift apart. The record is built from an
:class:`Evaluation` after the decision (:mod:`.record`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..version import __version__
from ..records.baseline import SuiteRecord
from ..suite.cases import Case, Suite, is_suite_file, load_suite
from .compare import compare_suite
from .execute import run_suites
from ..decide.decider import Decision, Mode, SuiteEvidence, decide
from ..errors import SuiteError
from ..model.protocol import Backend
from ..records.results import Side, SuiteComparison, SuiteRun

LIVE_BASE = "live base model"
STORED = "stored baseline"


def generation_settings(max_new_tokens: int) -> dict[str, Any]:
    """Settings that change outputs; a baseline recorded with others needs re-approval."""
    return {"decoding": "greedy", "default_max_new_tokens": max_new_tokens}


def plugin_major() -> str:
    """The plugin's major version: a baseline recorded under another needs re-approval."""
    return __version__.split(".")[0]


def check_unique(suites: Sequence[Suite]) -> None:
    """Suite names key baselines and reports: two files may not share one."""
    seen: dict[str, Path] = {}
    for s in suites:
        other = seen.get(s.name)
        if other is not None and Path(other) != Path(s.path):
            raise SuiteError(str(s.path), f"suite name {s.name!r} is already used by {other}",
                             field="$.suite", fix="give one of them a different 'suite:' name")
        seen[s.name] = Path(s.path)


def suite_files(paths: Sequence[str | Path]) -> list[Path]:
    """The suite files under ``paths``, each real file once (two spellings or a symbolic link to it are one)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and is_suite_file(f))
        else:
            files.append(p)
    seen: dict[Path, Path] = {}
    for f in files:
        try:
            real = f.resolve()
        except (OSError, RuntimeError):  # a link loop: load_suite names it
            real = f.absolute()
        seen.setdefault(real, f)
    return list(seen.values())


def load_suites(paths: Sequence[str | Path], *, root: Path | None = None, allow_outside: bool = False) -> list[Suite]:
    """Suite files (or folders of them), validated with the project-root check, names unique."""
    suites = [load_suite(p, root=root if root is not None else Path.cwd(), allow_outside=allow_outside)
              for p in suite_files(paths)]
    check_unique(suites)
    return suites


@dataclass
class Compared:
    """Each candidate's comparison, plus the live base against the stored baseline (drift)."""

    candidates: dict[tuple[str, Side], SuiteComparison] = field(default_factory=dict)
    base_drift: dict[str, SuiteComparison] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def compare_runs(suites: Sequence[Suite], runs: Mapping[tuple[str, Side], SuiteRun], candidates: Sequence[Side], *,
                 live_base: bool, baselines: Mapping[str, SuiteRecord | None], max_new_tokens: int,
                 seed: int = 0, reference_label: str = LIVE_BASE) -> Compared:
    """The reference rule: an adapter is compared with the live base run when there is one
    (``live_base``), otherwise with the stored baseline. An error in one suite stays in that suite."""
    out = Compared()
    generation = generation_settings(max_new_tokens)
    for s in suites:
        rec = baselines.get(s.name)
        live = runs.get((s.name, None)) if live_base else None
        try:
            for cand in candidates:
                run = runs.get((s.name, cand))
                if run is None:
                    continue
                if cand is not None and live is not None:
                    ref: SuiteRecord | SuiteRun | None = live
                    label = reference_label
                else:
                    ref, label = rec, (STORED if rec is not None else "none")
                out.candidates[(s.name, cand)] = compare_suite(
                    s, run, reference=ref, reference_label=label, generation=generation,
                    plugin_major=plugin_major(), seed=seed)
            if live is not None and rec is not None:
                out.base_drift[s.name] = compare_suite(s, live, reference=rec, reference_label=STORED,
                                                       generation=generation, plugin_major=plugin_major(), seed=seed)
        except Exception as exc:  # a bad suite must not take the others down, nor pass
            out.errors[s.name] = f"{type(exc).__name__}: {exc}"
    return out


@dataclass(frozen=True)
class Selection:
    """One suite to evaluate: the case and metric items selected, and its stored baseline (if any)."""

    suite: Suite
    cases: frozenset[str]
    metrics: frozenset[str] = frozenset()
    baseline: SuiteRecord | None = None
    baseline_error: str | None = None  # the baseline file could not be read

    @classmethod
    def whole(cls, suite: Suite, baseline: SuiteRecord | None = None) -> "Selection":
        """Every case of the suite, no metric items (the callback's and the benchmarks' selection)."""
        return cls(suite, frozenset(c.id for c in suite.cases), baseline=baseline)

    def cases_to_run(self) -> list[Case]:
        """The selected cases. A deselected case is never sent to a model, so a metric item next to
        selected cases is computed over those; only a suite with no case selected at all (``-k metric``)
        runs every case for its metric items."""
        if not self.cases and self.metrics:
            return list(self.suite.cases)
        return [c for c in self.suite.cases if c.id in self.cases]


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate` found: the runs, each candidate's comparison, and the decision on them."""

    selections: tuple[Selection, ...]
    candidates: tuple[Side, ...]
    sides: tuple[Side, ...]  # the candidates, and the base when it was answered as the live reference
    mode: Mode
    runs: Mapping[tuple[str, Side], SuiteRun]
    compared: Compared
    evidence: tuple[SuiteEvidence, ...]
    decision: Decision

    def decided_again(self, *, run_error: str | None = None, finish_error: str | None = None) -> "Evaluation":
        """The same evidence decided again, with what went wrong around it (the verdict turns ERROR)."""
        return replace(self, decision=decide(self.evidence, self.candidates, self.mode, run_error=run_error,
                                             finish_error=finish_error, drift=self.compared.base_drift))


def gather(selections: Sequence[Selection], runs: Mapping[tuple[str, Side], SuiteRun],
           compared: Compared) -> tuple[SuiteEvidence, ...]:
    """The decider's evidence for each selected suite."""
    return tuple(SuiteEvidence(
        suite=sel.suite, selected_cases=sel.cases, selected_metrics=sel.metrics,
        runs={side: run for (n, side), run in runs.items() if n == sel.suite.name},
        comparisons={side: c for (n, side), c in compared.candidates.items() if n == sel.suite.name},
        reference_error=sel.baseline_error, error=compared.errors.get(sel.suite.name),
    ) for sel in selections)


def evaluate(selections: Sequence[Selection], backend: Backend | None, candidates: Sequence[Side], *,
             mode: Mode = Mode(), live_base: bool = False, max_new_tokens: int = 64, seed: int = 0,
             reference_label: str = LIVE_BASE, answered: Mapping[tuple[str, Side], SuiteRun] | None = None,
             notice: Callable[[str], None] | None = None) -> Evaluation:
    """Run, compare and decide: the one road for the plugin, the training callback and the benchmarks.

    Each candidate (and, with ``live_base``, the base model as the reference) answers the
    selected cases through ``backend`` in one batched pass; runs in ``answered`` are reused
    instead (a side every suite has there is not asked again; ``backend`` may then be
    ``None``). Each candidate is compared with the live base run when there is one, else
    with the suite's stored baseline, and the decider judges the lot.
    """
    cands = tuple(candidates)
    sides = ((None,) if live_base and None not in cands else ()) + cands
    runs: dict[tuple[str, Side], SuiteRun] = dict(answered or {})
    missing = [side for side in sides if any((sel.suite.name, side) not in runs for sel in selections)]
    if missing:
        if backend is None:
            raise ValueError(f"evaluate: no backend to answer {missing}")
        work = [(sel.suite, sel.cases_to_run()) for sel in selections]
        runs.update({k: v for k, v in run_suites(backend, work, missing, max_new_tokens, notice=notice).items()
                     if k not in runs})
    compared = compare_runs([sel.suite for sel in selections], runs, cands, live_base=live_base,
                            baselines={sel.suite.name: sel.baseline for sel in selections},
                            max_new_tokens=max_new_tokens, seed=seed, reference_label=reference_label)
    return judge(selections, cands, mode, runs, compared, sides)


def judge(selections: Sequence[Selection], candidates: Sequence[Side], mode: Mode,
          runs: Mapping[tuple[str, Side], SuiteRun], compared: Compared, sides: Sequence[Side] = (), *,
          run_error: str | None = None, finish_error: str | None = None) -> Evaluation:
    """The road's last step: gather the evidence and decide (``run_error``: the run could not happen,
    every verdict says so). :func:`evaluate` ends here; so does a run that failed part way, and a
    benchmark that simulates its comparisons."""
    evidence = gather(selections, runs, compared)
    decision = decide(evidence, candidates, mode, run_error=run_error, finish_error=finish_error,
                      drift=compared.base_drift)
    return Evaluation(tuple(selections), tuple(candidates), tuple(sides), mode, runs, compared, evidence, decision)
