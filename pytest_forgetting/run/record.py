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
``timings``. Every status in it comes from the decider's :class:`~pytest_forgetting.decide.reasons.Decision`
and every reason's words from a :class:`~pytest_forgetting.decide.reasons.Wording` (the plugin's
messages render them): nothing here decides or words a reason.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..version import __version__
from ..decide.reasons import Decision, Mode, SuiteDecision, SuiteEvidence, Wording
from .execute import effective_generation
from ..records.results import Side, SuiteComparison, SuiteRun, side_labels
from ..stats.comparison import json_float
from ..text import DEFAULT_STORED_CHARS, cap_stored

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class RunData:
    """Everything a record is built from; frozen so reports cannot reach back into the session."""

    mode: Mode
    compare_base: bool
    candidates: tuple[Side, ...]
    evidence: tuple[SuiteEvidence, ...]
    decision: Decision
    wording: Wording
    base_drift: Mapping[str, SuiteComparison] = field(default_factory=dict)
    identities: Mapping[Side, Mapping[str, Any]] = field(default_factory=dict)
    generation: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    update_lines: tuple[str, ...] = ()
    finish_error: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    max_stored_chars: int | None = DEFAULT_STORED_CHARS
    """Answers are stored cut to this many characters, with a marker (``--forgetting-max-stored-chars``)."""
    model_check: Mapping[str, Any] = field(default_factory=dict)


def _run_json(run: SuiteRun, side: Side, cap: int | None) -> dict[str, Any]:
    return {
        "side": side,
        "metrics": {m: v.to_json() for m, v in run.metrics.items()},
        "cases": {cid: {"prompt": run.prompts[cid], "output": cap_stored(run.outputs[cid], cap),
                        **run.outcomes[cid].to_json()}
                  for cid in run.outcomes},
    }


def _with_status(numbers: dict[str, Any], status: str) -> dict[str, Any]:
    """A comparison's numbers with the decider's status after ``alpha`` (where the record has always had it)."""
    out: dict[str, Any] = {}
    for k, v in numbers.items():
        out[k] = v
        if k == "alpha":
            out["status"] = status
    return out


def _comparison_json(c: SuiteComparison, d: SuiteDecision, w: Wording, shown: set[str],
                     cap: int | None = DEFAULT_STORED_CHARS) -> dict[str, Any]:
    reasons = w.of(d.reasons)
    return {
        "side": c.candidate,
        "reference": c.reference_label,
        "reference_kind": c.reference_kind,
        "status": d.status,
        "ok": d.ok,
        "reason": w.suite_reason(d),
        "reasons": reasons,
        "notes": w.of(d.notes),
        "primary_metric": c.primary_metric,
        "must_improve": c.must_improve,
        "metrics": {m: {**_with_status(cmp.to_json(), d.metrics.get(m, "-")),
                        "p_adjusted": json_float(d.p_adjusted.get(m, cmp.p_value)), "failing": m in d.failing_metrics}
                    for m, cmp in c.comparisons.items()},
        "flips": [
            {"case": f.case, "before": f.before.decision, "after": f.after.decision,
             "before_passed": f.before.passed, "after_passed": f.after.passed, "worse": f.case in d.worse_cases}
            for f in c.flips
        ],
        "reference_outputs": {k: cap_stored(v, cap) for k, v in sorted(c.reference_outputs.items()) if k in shown},
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
    """The run's record (see the module docstring for its schema)."""
    labels = side_labels([None, *data.candidates])
    d, w = data.decision, data.wording
    suites = []
    for ev in data.evidence:
        s = ev.suite
        cap = data.max_stored_chars
        runs = {labels[side]: _run_json(run, side, cap)
                for side, run in sorted(ev.runs.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))}
        comps: dict[str, Any] = {}
        drift, dd = data.base_drift.get(s.name), d.drift.get(s.name)
        if drift is not None and dd is not None and None not in data.candidates:
            comps[labels[None]] = _comparison_json(drift, dd, w, set(ev.runs[None].outcomes) if None in ev.runs else set(), cap)
        for side in data.candidates:
            c = ev.comparisons.get(side)
            sd = d.suite(s.name, side)
            if c is None or sd is None:
                continue
            shown = set(ev.runs[side].outcomes) if side in ev.runs else set()
            comps[labels[side]] = _comparison_json(c, sd, w, shown, cap)
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
        "verdicts": [{"side": v.side, "candidate": v.label, "status": v.status, "ok": v.ok,
                      "reasons": list(w.verdict_reasons.get(v.side, ())), "headline": v.headline,
                      "notes": w.of(v.notes), "info": w.of(v.info)}
                     for v in d.verdicts],
        "models": {labels[side]: dict(ident) for side, ident in data.identities.items() if side in labels},
        "model_check": dict(data.model_check),
        "sides": [{"side": side, "label": label} for side, label in labels.items()
                  if side in data.candidates or side in data.identities],
        "generation": dict(data.generation),
        "candidates": [labels[c] for c in data.candidates],
        "absolute": data.mode.absolute,
        "suites": suites,
        "failures": [{"suite": k[0], "kind": k[1], "name": k[2], "message": msg}
                     for k, msg in sorted(w.failures.items())],
        "update": list(data.update_lines),
        "finish_error": data.finish_error,
        "extras": dict(data.extras),
        "timings": {k: round(v, 3) for k, v in data.timings.items()} if timestamps else {},
    }
