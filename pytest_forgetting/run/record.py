"""The run's record: built once at session finish, the one structure every report renders.

Schema (``schema_version`` 2), stable key order:
``plugin_version``, ``created_at``, ``ok`` (every verdict acceptable; the exit
code follows it), ``error`` (the run could not happen), ``mode``, ``verdicts``
(one per candidate: side, candidate, status, ok, reasons), ``models`` (side
label -> identity), ``model_check`` (the baseline identity check: ``allowed_other_model``, and per suite
what differs from the model the baseline was recorded on), ``sides`` (side -> label; ``side`` is ``null`` for the base
model, so an adapter may be called ``base``), ``generation``, ``candidates``,
``suites`` (list: suite, path, family, role, workflow, error, ``runs`` label ->
{side, metrics, cases}, ``comparisons`` label -> {side, reference, status, ok,
reasons, primary_metric, must_improve, metrics (each with the decider's
``status``), flips, reference_metrics (the reference's value, n, ci),
reference_cases (a stored baseline's per-case outcomes), ...}), ``failures`` (each failing item and its message),
``update`` (lines), ``finish_error``, ``extras`` (sweep, routing, anchors),
``timings``. Every status in it comes from :mod:`.decide`.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..version import __version__
from ..decide.decider import FAILING_METRIC_STATUSES, Decision, Mode, SuiteEvidence, drift_status, metric_statuses
from .execute import effective_generation
from ..records.results import Side, SuiteComparison, SuiteRun, side_labels
from ..stats.comparison import json_float

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class RunData:
    """Everything a record is built from; frozen so reports cannot reach back into the session."""

    mode: Mode
    compare_base: bool
    candidates: tuple[Side, ...]
    evidence: tuple[SuiteEvidence, ...]
    decision: Decision
    base_drift: Mapping[str, SuiteComparison] = field(default_factory=dict)
    identities: Mapping[Side, Mapping[str, Any]] = field(default_factory=dict)
    generation: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    update_lines: tuple[str, ...] = ()
    finish_error: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    model_check: Mapping[str, Any] = field(default_factory=dict)


def _run_json(run: SuiteRun, side: Side) -> dict[str, Any]:
    return {
        "side": side,
        "metrics": {m: v.to_json() for m, v in run.metrics.items()},
        "cases": {cid: {"prompt": run.prompts[cid], "output": run.outputs[cid], **run.outcomes[cid].to_json()}
                  for cid in run.outcomes},
    }


def _comparison_json(c: SuiteComparison, statuses: Mapping[str, str], status: str, ok: bool,
                     reasons: Sequence[str], shown: set[str], p_adjusted: Mapping[str, float | None] | None = None,
                     notes: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "side": c.candidate,
        "reference": c.reference_label,
        "reference_kind": c.reference_kind,
        "status": status,
        "ok": ok,
        "reason": "; ".join(reasons) or status,
        "reasons": list(reasons),
        "notes": list(notes),
        "primary_metric": c.primary_metric,
        "must_improve": c.must_improve,
        "metrics": {m: {**cmp.to_json(), "p_adjusted": json_float((p_adjusted or {}).get(m, cmp.p_value)),
                        "status": statuses.get(m, "-"),
                        "failing": ok is not True and statuses.get(m) in FAILING_METRIC_STATUSES}
                    for m, cmp in c.comparisons.items()},
        "flips": [
            {"case": f.case, "before": f.before.decision, "after": f.after.decision,
             "before_passed": f.before.passed, "after_passed": f.after.passed, "worse": f.worse}
            for f in c.flips
        ],
        "reference_outputs": {k: v for k, v in sorted(c.reference_outputs.items()) if k in shown},
        # a stored baseline's own intervals and per-case outcomes (a live base has them under ``runs``)
        "reference_metrics": {m: {k: v.get(k) for k in ("value", "n", "ci")} for m, v in sorted(c.reference_metrics.items())},
        "reference_cases": {k: o.to_json() for k, o in sorted(c.reference_outcomes.items())
                            if k in shown and c.reference_kind == "baseline"},
        "changed_cases": list(c.changed_cases),
        "new_cases": list(c.new_cases),
        "stale_cases": list(c.stale_cases),
        "needs_approval": list(c.needs_approval),
    }


def build_record(data: RunData, *, timestamps: bool = True) -> dict[str, Any]:
    labels = side_labels([None, *data.candidates])
    d = data.decision
    suites = []
    for ev in data.evidence:
        s = ev.suite
        runs = {labels[side]: _run_json(run, side)
                for side, run in sorted(ev.runs.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))}
        comps: dict[str, Any] = {}
        drift = data.base_drift.get(s.name)
        if drift is not None and None not in data.candidates:
            st = drift_status(drift)
            comps[labels[None]] = _comparison_json(drift, metric_statuses(drift), st, True, [],
                                                   set(ev.runs[None].outcomes) if None in ev.runs else set())
        for side in data.candidates:
            c = ev.comparisons.get(side)
            sd = d.suite(s.name, side)
            if c is None or sd is None:
                continue
            shown = set(ev.runs[side].outcomes) if side in ev.runs else set()
            comps[labels[side]] = _comparison_json(c, sd.metrics, sd.status, sd.ok, sd.reasons, shown, sd.p_adjusted,
                                                   sd.notes)
        suites.append({
            "suite": s.name, "path": str(s.path), "family": s.family, "role": s.role, "workflow": s.workflow,
            "generation": effective_generation(s, int(data.generation.get("default_max_new_tokens", 64))),
            "error": ev.error, "selected": {"cases": sorted(ev.selected_cases), "metrics": sorted(ev.selected_metrics)},
            "statuses": {labels[side]: sd.status for (name, side), sd in d.suites.items() if name == s.name},
            "runs": runs, "comparisons": comps,
        })
    return {
        "schema_version": SCHEMA_VERSION,
        "plugin_version": __version__,
        "created_at": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat() if timestamps else None,
        "ok": d.ok,
        "error": data.error,
        "mode": {"update": data.mode.update, "absolute": data.mode.absolute, "strict": data.mode.strict,
                 "compare_base": data.compare_base},
        "verdicts": [{"side": v.side, "candidate": v.label, "status": v.status, "ok": v.ok, "reasons": list(v.reasons),
                      "headline": v.headline, "notes": list(v.notes), "info": list(v.info)}
                     for v in d.verdicts],
        "models": {labels[side]: dict(ident) for side, ident in data.identities.items() if side in labels},
        "model_check": dict(data.model_check),
        "sides": [{"side": side, "label": label} for side, label in labels.items()
                  if side in data.candidates or side in data.identities],
        "generation": dict(data.generation),
        "candidates": [labels[c] for c in data.candidates],
        "absolute": data.mode.absolute,
        "suites": suites,
        "failures": [{"suite": k[0], "kind": k[1], "name": k[2], "message": "\n\n".join(msgs)}
                     for k, msgs in sorted(d.failures.items())],
        "update": list(data.update_lines),
        "finish_error": data.finish_error,
        "extras": dict(data.extras),
        "timings": {k: round(v, 3) for k, v in data.timings.items()} if timestamps else {},
    }
