"""The JSON record of a run: the one structure every report renders.

Schema (``schema_version`` 1), stable key order:
``plugin_version``, ``created_at``, ``verdicts`` (one per candidate: candidate,
status, reasons), ``models`` (side -> identity), ``generation``,
``candidates``, ``suites`` (list: suite, path, family, role, workflow,
``runs`` side -> {metrics, cases}, ``comparisons`` side -> {reference, ok,
reason, primary_metric, must_improve, metrics, flips, changed_cases,
new_cases, stale_cases, needs_approval}), ``update`` (lines), ``timings``.
"""
from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..decide import verdict_for

if TYPE_CHECKING:
    from ..session import ForgettingSession

SCHEMA_VERSION = 1


def _r(x: Any) -> Any:
    return round(float(x), 6) if isinstance(x, float) else x


def build_record(fs: "ForgettingSession", *, timestamps: bool = True) -> dict[str, Any]:
    suites = []
    for st in fs.active:
        s = st.suite
        runs = {}
        for (name, side), run in sorted(fs.runs.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            if name != s.name:
                continue
            runs[run.side] = {
                "metrics": {m: v.to_json() for m, v in run.metrics.items()},
                "cases": {
                    cid: {"prompt": run.prompts[cid], "output": run.outputs[cid], **run.outcomes[cid].to_json()}
                    for cid in run.outcomes
                },
            }
        comps = {}
        for (name, side), c in sorted(fs.comparisons.items()):
            if name != s.name:
                continue
            comps[side] = {
                "reference": c.reference_label,
                "reference_kind": c.reference_kind,
                "ok": c.ok,
                "reason": c.reason(),
                "primary_metric": c.primary_metric,
                "must_improve": c.must_improve,
                "metrics": {m: cmp.to_json() for m, cmp in c.comparisons.items()},
                "flips": [
                    {"case": f.case, "before": f.before.decision, "after": f.after.decision,
                     "before_passed": f.before.passed, "after_passed": f.after.passed, "worse": f.worse}
                    for f in c.flips
                ],
                "reference_outputs": {k: v for k, v in sorted(c.reference_outputs.items()) if k in runs.get(side, {}).get("cases", {})},
                "changed_cases": c.changed_cases,
                "new_cases": c.new_cases,
                "stale_cases": c.stale_cases,
                "needs_approval": c.needs_approval,
            }
        suites.append({
            "suite": s.name, "path": str(s.path), "family": s.family, "role": s.role, "workflow": s.workflow,
            "runs": runs, "comparisons": comps,
        })
    verdicts = []
    if not fs.settings.update and not fs.settings.absolute:
        for cand in fs.candidates:
            side = cand or "base"
            comps = [c for (n, sd), c in fs.comparisons.items() if sd == side]
            v = verdict_for(side, comps, is_adapter=cand is not None)
            verdicts.append({"candidate": v.candidate, "status": v.status, "reasons": list(v.reasons)})
    rec: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "plugin_version": __version__,
        "created_at": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat() if timestamps else None,
        "verdicts": verdicts,
        "models": fs.identities,
        "generation": fs.generation_settings(),
        "candidates": [c or "base" for c in fs.candidates],
        "absolute": fs.settings.absolute,
        "suites": suites,
        "update": fs.update_summary,
        "extras": {k: v for k, v in fs.extras.items() if k != "terminal"},
        "timings": {k: round(v, 3) for k, v in fs.timings.items()} if timestamps else {},
    }
    return rec
