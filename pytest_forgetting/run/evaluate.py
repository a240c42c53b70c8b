"""One road for every caller: suites in, comparisons out.

The pytest plugin, the checkpoint sweep and :class:`~pytest_forgetting.training.ForgettingCallback`
load suites, choose each candidate's reference, fix the generation settings
and the statistics' seed here, so their numbers cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..version import __version__
from ..records.baseline import SuiteRecord
from ..suite.cases import Suite, is_suite_file, load_suite
from .compare import compare_suite
from ..errors import SuiteError
from ..records.results import Side, SuiteComparison, SuiteRun

LIVE_BASE = "live base model"
STORED = "stored baseline"


def generation_settings(max_new_tokens: int) -> dict[str, Any]:
    """Settings that change outputs; a baseline recorded with others needs re-approval."""
    return {"decoding": "greedy", "default_max_new_tokens": max_new_tokens}


def plugin_major() -> str:
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
