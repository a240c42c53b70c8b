"""The checkpoint sweep as the HTML page and the Markdown summary show it, read from the JSON record.

One row per candidate, one column per suite's primary metric (targets first), and a
reference row. Every cell's status is the decider's word from the record (the
suite comparison's metric status; a cell is marked failing when the record says so
or the sweep row's ``regressed`` list names it); nothing is re-decided here. Checkpoints of one training run (``<dir>/checkpoint-N`` with
the same directory and stem) are grouped and ordered by N, so a chart can join
them with a line while unrelated adapters stay separate points.
"""
from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any, Mapping, Sequence

from ..decide.reasons import IMPROVED

_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def training_runs(labels: Sequence[str], models: Mapping[str, Any]) -> dict[str, tuple[str, int] | None]:
    """label -> (run key, step) for checkpoints that share a directory and a name stem; None for the rest."""
    found: dict[str, tuple[str, int]] = {}
    for label in labels:
        path = str((models.get(label) or {}).get("adapter") or label).replace("\\", "/").rstrip("/")
        m = _NUMBERED.match(PurePath(path).name)
        if m:
            found[label] = (f"{PurePath(path).parent}/{m.group(1)}", int(m.group(2)))
    sizes: dict[str, int] = {}
    for key, _ in found.values():
        sizes[key] = sizes.get(key, 0) + 1
    return {label: (found[label] if label in found and sizes[found[label][0]] > 1 else None) for label in labels}


def _order(labels: Sequence[str], runs: Mapping[str, tuple[str, int] | None]) -> list[str]:
    """Record order, except that a run's checkpoints sit together, by step, where its first one was."""
    out: list[str] = []
    for label in labels:
        run = runs.get(label)
        if label in out:
            continue
        if run is None:
            out.append(label)
        else:
            out += sorted((lab for lab in labels if (runs.get(lab) or ("", 0))[0] == run[0]),
                          key=lambda lab: (runs[lab] or ("", 0))[1])
    return out


def _metric(record: dict[str, Any], suite: str, side: str, metric: str) -> dict[str, Any]:
    for s in record.get("suites", []):
        if s.get("suite") == suite:
            return ((s.get("comparisons") or {}).get(side) or {}).get("metrics", {}).get(metric) or {}
    return {}


def _primary(record: dict[str, Any], suite: str, sides: Sequence[str]) -> str:
    for s in record.get("suites", []):
        if s.get("suite") == suite:
            for side in sides:
                pm = ((s.get("comparisons") or {}).get(side) or {}).get("primary_metric")
                if pm:
                    return str(pm)
    return ""


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def sweep_view(record: dict[str, Any]) -> dict[str, Any] | None:
    """Rows, columns and the reference row of the sweep; None when the record has no sweep."""
    extras = record.get("extras") or {}
    raw = [r for r in (extras.get("sweep") or []) if isinstance(r, dict)]
    if not raw:
        return None
    by_label = {str(r.get("checkpoint", "")): r for r in raw}
    labels = list(by_label)
    runs = training_runs(labels, record.get("models") or {})
    order = _order(labels, runs)
    columns: list[dict[str, Any]] = []
    for role, key in (("target", "target"), ("guardrail", "guardrails")):
        for r in raw:
            for suite, val in (r.get(key) or {}).items():
                metrics = [_primary(record, suite, labels)] if role == "target" else list(val or {})
                for m in metrics:
                    if not any(c["suite"] == suite and c["metric"] == m for c in columns):
                        columns.append({"role": role, "suite": suite, "metric": m})
    verdicts = {v.get("candidate"): v for v in record.get("verdicts", [])}
    rows = []
    for label in order:
        r = by_label[label]
        regressed = [str(x) for x in r.get("regressed") or []]
        cells = []
        for col in columns:
            su, m = col["suite"], col["metric"]
            value = (r.get("target") or {}).get(su) if col["role"] == "target" else ((r.get("guardrails") or {}).get(su) or {}).get(m)
            cm = _metric(record, su, label, m)
            status = str(cm.get("status") or "-")  # the decider's word, as the record has it
            failing = bool(cm.get("failing")) or f"{su}.{m}" in regressed
            cells.append({"value": value if _num(value) else None, "status": status, "failing": failing,
                          "improved": status == IMPROVED,
                          "text": ("-" if not _num(value) else f"{value:.3f}") + ("!" if failing else "")})
        shown = {f"{c['suite']}.{c['metric']}" for c in columns}
        v = verdicts.get(label) or {}
        rows.append({
            "checkpoint": label, "run": (runs.get(label) or ("", 0))[0] or None, "cells": cells,
            "verdict": str(r.get("verdict", v.get("status", "-"))), "ok": bool(v.get("ok")),
            "recommended": bool(r.get("recommended")), "regressed": regressed,
            "other_regressed": [x for x in regressed if x not in shown],
        })
    ref_cells, ref_labels = [], set()
    for col in columns:
        value = None
        for s in record.get("suites", []):
            if s.get("suite") != col["suite"]:
                continue
            for side in order:
                comp = (s.get("comparisons") or {}).get(side) or {}
                b = (comp.get("metrics", {}).get(col["metric"]) or {}).get("baseline")
                if _num(b):
                    value = b
                    ref_labels.add(str(comp.get("reference", "reference")))
                    break
        ref_cells.append({"value": value, "text": "-" if value is None else f"{value:.3f}"})
    reference = ref_labels.pop() if len(ref_labels) == 1 else "reference"
    message = extras.get("sweep_message")
    return {"columns": columns, "rows": rows, "reference": {"label": reference, "cells": ref_cells},
            "message": message if isinstance(message, str) else None,
            "runs": sorted({f"{row['run']}*" for row in rows if row["run"]})}
