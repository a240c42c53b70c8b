"""Baseline snapshots: versioned read, atomic locked write, reviewable JSON.

One file per suite file, in ``__baselines__/`` beside it (like syrupy's
``__snapshots__``). The JSON is written with stable key order and one case per
line so a pull request shows exactly which cases changed. Writes go to a temp
file in the same folder, are fsynced and renamed over the old one, all under an
exclusive lock on the folder held across read, merge and write: a crash or
Ctrl-C leaves the previous file intact, two writers never interleave and
neither loses the other's suites. The file keeps its permission bits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from ..errors import BaselineError
from ..fileio import atomic_write, locked
from ..scoring.base import CaseOutcome
from .identity import IDENTITY_KEY

FORMAT_VERSION = 1
BASELINE_DIR = "__baselines__"


def baseline_path(suite_file: Path) -> Path:
    name = suite_file.name
    for suffix in (".yaml", ".yml"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return suite_file.parent / BASELINE_DIR / f"{name}.json"


@dataclass
class CaseRecord:
    hash: str
    outcome: CaseOutcome
    output: str

    def to_json(self) -> dict[str, Any]:
        return {"hash": self.hash, "output": self.output, **self.outcome.to_json()}

    @staticmethod
    def from_json(obj: Mapping[str, Any]) -> "CaseRecord":
        return CaseRecord(hash=str(obj["hash"]), outcome=CaseOutcome.from_json(obj), output=str(obj.get("output", "")))


@dataclass
class SuiteRecord:
    """A suite's approved results."""

    family: str
    role: str
    model: dict[str, Any]
    generation: dict[str, Any]
    plugin_version: str
    recorded_at: str
    reason: str | None
    metrics: dict[str, Any]
    cases: dict[str, CaseRecord] = field(default_factory=dict)
    identity: dict[str, Any] | None = None  # the model and arithmetic it was recorded with (:mod:`.identity`)

    def to_json(self) -> dict[str, Any]:
        extra = {IDENTITY_KEY: self.identity} if self.identity is not None else {}
        return {**extra,
            "family": self.family,
            "role": self.role,
            "model": self.model,
            "generation": self.generation,
            "plugin_version": self.plugin_version,
            "recorded_at": self.recorded_at,
            "reason": self.reason,
            "metrics": self.metrics,
            "cases": {k: self.cases[k].to_json() for k in sorted(self.cases)},
        }

    @staticmethod
    def from_json(obj: Mapping[str, Any]) -> "SuiteRecord":
        return SuiteRecord(
            family=str(obj["family"]),
            role=str(obj["role"]),
            model=dict(obj.get("model", {})),
            generation=dict(obj.get("generation", {})),
            plugin_version=str(obj.get("plugin_version", "0")),
            recorded_at=str(obj.get("recorded_at", "")),
            reason=obj.get("reason"),
            metrics=dict(obj.get("metrics", {})),
            cases={k: CaseRecord.from_json(v) for k, v in obj.get("cases", {}).items()},
            identity=dict(obj[IDENTITY_KEY]) if isinstance(obj.get(IDENTITY_KEY), Mapping) else None,
        )


@dataclass
class BaselineFile:
    path: Path
    suites: dict[str, SuiteRecord] = field(default_factory=dict)


def _fix(path: Path) -> str:
    return (
        f"  fix: restore it from version control (git checkout -- {path}), "
        f"or delete it and record a new one with --forgetting-update"
    )


def load_baseline(path: Path) -> BaselineFile | None:
    """Read a baseline file; ``None`` when there is none. Never modifies the file."""
    if not path.exists():
        return None
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} cannot be read: {exc}\n{_fix(path)}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        what = "is truncated" if text.strip() and not text.rstrip().endswith("}") else "is not valid JSON"
        raise BaselineError(f"baseline {path} {what} ({exc})\n{_fix(path)}") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise BaselineError(f"baseline {path} is not a pytest-forgetting baseline (no format_version)\n{_fix(path)}")
    version = data["format_version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BaselineError(
            f"baseline {path} has format_version {version!r}, newer than this plugin understands ({FORMAT_VERSION}).\n"
            "  fix: upgrade pytest-forgetting (pip install -U pytest-forgetting), or re-record with --forgetting-update"
        )
    if version < FORMAT_VERSION:
        raise BaselineError(
            f"baseline {path} has the old format_version {version}.\n"
            "  fix: re-record it with --forgetting-update (review the diff before committing)"
        )
    try:
        suites = {name: SuiteRecord.from_json(obj) for name, obj in data.get("suites", {}).items()}
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise BaselineError(f"baseline {path} has a malformed entry ({exc!r})\n{_fix(path)}") from None
    return BaselineFile(path=path, suites=suites)


def render(bf: BaselineFile) -> str:
    """Stable, reviewable JSON: sorted keys, one case per line."""
    lines = ["{", f'  "format_version": {FORMAT_VERSION},', '  "suites": {']
    names = sorted(bf.suites)
    for si, name in enumerate(names):
        rec = bf.suites[name].to_json()
        cases = rec.pop("cases")
        lines.append(f"    {json.dumps(name)}: {{")
        for key in sorted(rec):
            lines.append(f"      {json.dumps(key)}: {json.dumps(rec[key], sort_keys=True, ensure_ascii=False)},")
        lines.append('      "cases": {')
        ids = sorted(cases)
        for ci, cid in enumerate(ids):
            comma = "," if ci < len(ids) - 1 else ""
            lines.append(f"        {json.dumps(cid)}: {json.dumps(cases[cid], sort_keys=True, ensure_ascii=False)}{comma}")
        lines.append("      }")
        lines.append("    }" + ("," if si < len(names) - 1 else ""))
    lines += ["  }", "}", ""]
    return "\n".join(lines)


Merge = Callable[[Optional[SuiteRecord]], Optional[SuiteRecord]]


def write_suites(path: Path, records: Mapping[str, SuiteRecord | None | Merge]) -> None:
    """Merge suite records into the file under one lock held across read-merge-write, and write atomically.

    A value is the new record, ``None`` (remove the suite), or a function of the record on disk
    *now* (read under the lock), so two concurrent updates of one suite both land.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BaselineError(f"cannot create {path.parent}: {exc}\n  fix: make the folder writable") from None
    try:
        with locked(path):
            current = load_baseline(path) or BaselineFile(path=path)
            for name, value in records.items():
                rec = value(current.suites.get(name)) if callable(value) else value
                if rec is None:
                    current.suites.pop(name, None)
                else:
                    current.suites[name] = rec
            if current.suites:
                atomic_write(path, render(current))
            elif path.exists():
                path.unlink()
    except PermissionError as exc:
        raise BaselineError(
            f"cannot write baseline {path}: {exc}\n  fix: make {path.parent} writable, then run --forgetting-update again"
        ) from None

