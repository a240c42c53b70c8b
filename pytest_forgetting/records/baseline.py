"""Baseline snapshots: versioned read, atomic locked write, reviewable JSON.

One file per suite file, in ``__baselines__/`` beside it (like syrupy's
``__snapshots__``). The JSON is written with stable key order and one case per
line so a pull request shows exactly which cases changed. Writes go to a temp
file in the same folder, are fsynced and renamed over the old one, all under an
exclusive lock on the folder held across read, merge and write: a crash or
Ctrl-C leaves the previous file intact, two writers never interleave and
neither loses the other's suites. The file keeps its permission bits.

Integrity: each suite entry carries ``digest``, a sha256 of its ``cases`` and
``metrics`` (see :func:`digest_payload`), written when the entry is recorded.
A hand edit is still read (a reviewer may edit a baseline), but never silently:
:attr:`SuiteRecord.integrity` says "edited since recorded" and the session
warns, or fails under ``--forgetting-strict``. An entry re-written unchanged
(another suite of the file was updated) keeps the digest it had, so an update
never launders someone's edit.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from ..errors import BaselineError
from ..fileio import atomic_write, loads_bounded, locked
from ..scoring.base import CaseOutcome
from .identity import IDENTITY_KEY

FORMAT_VERSION = 1
BASELINE_DIR = "__baselines__"


def baseline_path(suite_file: Path) -> Path:
    """Where a suite's baseline lives: beside the suite, in ``__baselines__/``, so it is reviewed with it."""
    name = suite_file.name
    for suffix in (".yaml", ".yml"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return suite_file.parent / BASELINE_DIR / f"{name}.json"


@dataclass
class CaseRecord:
    """A case's recorded answer and outcome, with the hash that says whether the case changed since."""

    hash: str
    outcome: CaseOutcome
    output: str

    def to_json(self) -> dict[str, Any]:
        """The record as the baseline file stores it."""
        return {"hash": self.hash, "output": self.output, **self.outcome.to_json()}

    @staticmethod
    def from_json(obj: Mapping[str, Any]) -> "CaseRecord":
        """Read a stored record; optional fields default, so older files still load."""
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
    stored_digest: str | None = field(default=None, compare=False)
    """The digest the file held (``None``: none); only meaningful when ``loaded``."""
    loaded: bool = field(default=False, compare=False)
    """Read from a file (its digest is kept as it was) rather than recorded by this run (a fresh one)."""
    integrity: str | None = field(default=None, compare=False)
    """Why this entry cannot be trusted as recorded (edited by hand, or no digest), else ``None``."""

    identity: dict[str, Any] | None = None
    """The model and arithmetic it was recorded with (:mod:`.identity`); covered by the digest."""

    def to_json(self) -> dict[str, Any]:
        """The suite's baseline entry as stored."""
        body = self._body()
        if not self.loaded:
            body["digest"] = content_digest(body["cases"], body["metrics"], body.get(IDENTITY_KEY))
        elif self.stored_digest is not None:
            body["digest"] = self.stored_digest
        return body

    def _body(self) -> dict[str, Any]:
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
        """Read a stored entry; fields added later default, so older files still load."""
        stored = obj.get("digest")
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
            stored_digest=stored if isinstance(stored, str) else None, loaded=True,
            identity=dict(obj[IDENTITY_KEY]) if isinstance(obj.get(IDENTITY_KEY), Mapping) else None,
        )


DIGEST_FIELDS = ("cases", "metrics")
"""What an entry's ``digest`` covers: every case's stored data (hash, output, outcome) and the metrics."""


def digest_payload(cases: Any, metrics: Any, identity: Any = None) -> dict[str, Any]:
    """The data an entry's digest is computed over (add a field here to cover it too): the cases, the
    metrics and, when the entry has one, the model identity (so a hand-edited identity is seen too)."""
    return {"cases": cases, "metrics": metrics, **({"identity": identity} if identity is not None else {})}


def content_digest(cases: Any, metrics: Any, identity: Any = None) -> str:
    """``sha256:<hex>`` of :func:`digest_payload` in canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(digest_payload(cases, metrics, identity), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def integrity_problem(path: Path, name: str, obj: Mapping[str, Any]) -> str | None:
    """Why a suite entry as read does not match its digest (``None`` when it does)."""
    stored = obj.get("digest")
    fix = (f"  fix: review the change (git diff -- {path}); to approve new results re-record it with "
           f"--forgetting-update --forgetting-reason '<why>', or restore it with git checkout -- {path}")
    if not isinstance(stored, str):
        return (f"baseline {path}: suite {name!r} has no digest (recorded by an older pytest-forgetting, or the "
                f"digest was removed by hand), so edits to it cannot be told apart from results\n{fix}")
    if stored != content_digest(obj.get("cases", {}), obj.get("metrics", {}), obj.get(IDENTITY_KEY)):
        return (f"baseline {path}: suite {name!r} was edited since recorded (its digest does not match its "
                f"cases and metrics)\n{fix}")
    return None


def location_problem(suite_file: Path, root: Path | None) -> str | None:
    """Why the baseline of ``suite_file`` may not be read or written where it resolves (``None``: it may).

    ``__baselines__`` or the file may be links, but they must resolve inside the project root
    (``root``): a link to a folder elsewhere would have updates write there without a word.
    """
    path = baseline_path(suite_file)
    for p in (path.parent, path):
        if not p.is_symlink():
            continue
        try:
            real = p.resolve(strict=False)
        except (OSError, RuntimeError):
            return f"{p} is a symbolic link that cannot be resolved (a loop?)"
        if root is not None:
            try:
                real.relative_to(root.resolve())
            except ValueError:
                return f"{p} is a symbolic link to {os.readlink(p)}, outside the project root {root}"
    if path.exists() and not path.is_file():
        return f"{path} is not a regular file"
    return None


@dataclass
class BaselineFile:
    """One baseline file: the suites of one suite file, keyed by suite name."""

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
        data = loads_bounded(text)
    except ValueError as exc:
        if "levels" in str(exc):
            raise BaselineError(f"baseline {path} is not a pytest-forgetting baseline: {exc}\n{_fix(path)}") from None
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
        for name, rec in suites.items():
            rec.integrity = integrity_problem(path, name, data["suites"][name])
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

