"""A self-contained HTML page rendered from the JSON record (``--forgetting-html``).

The page reads only the record: every number comes from it and nothing is
re-scored. Counting the per-case ``gold``/``pred`` of label-collapse suites into
confusion matrices is rendering. Model outputs are untrusted, so the template
is autoescaped; the only markup inserted unescaped is the SVG that
:mod:`.charts` draws (matplotlib escapes its text). The page fetches nothing:
CSS, charts and the filtering script are inline, a Content-Security-Policy
forbids any network load, and the script (allowed by its hash) only hides
rows: with scripts off everything is shown.
"""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any, Iterable

from ..decide.reasons import FAILING, IMPROVED, RECORDED
from . import charts
from .sweep_view import sweep_view
from .table import mdc_text, shown_status

UNPARSED = "<unparsed>"


# -- formatting (Jinja filters) --------------------------------------------------------
def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def fmt(x: Any, signed: bool = False) -> str:
    """A number for the page (signed for deltas); anything else as it is."""
    if not _num(x):
        return "-" if x is None else str(x)
    x = round(x, 3) or 0.0  # no "-0.000"
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def fmt_p(x: Any) -> str:
    """A p-value for the page: tiny ones in scientific notation."""
    if not _num(x):
        return "-"
    return f"{x:.1e}" if 0 < x < 0.001 else f"{x:.3f}"


def fmt_ci(ci: Any, signed: bool = False) -> str:
    """An interval for the page, or a dash when the record has none."""
    if not ci or len(ci) != 2 or not all(_num(v) for v in ci):
        return "-"
    return f"[{fmt(ci[0], signed)}, {fmt(ci[1], signed)}]"


# -- view model ---------------------------------------------------------------------------
def _sides(record: dict[str, Any], s: dict[str, Any]) -> list[str]:
    """Candidate sides shown for a suite; the live base is only a reference unless it is a candidate."""
    sides = list(s["comparisons"])
    for side in s["runs"]:
        if side not in sides and (side != "base" or "base" in record.get("candidates", [])):
            sides.append(side)
    return sides


def _metric_rows(s: dict[str, Any], side: str, comp: dict[str, Any] | None) -> list[dict[str, Any]]:
    run_metrics = s["runs"].get(side, {}).get("metrics", {})
    live_ref = comp is not None and comp.get("reference_kind") == "live-base"
    ref_metrics = s["runs"].get("base", {}).get("metrics", {}) if live_ref else {}
    rows = []
    compared = comp["metrics"] if comp else {}
    for m in list(compared) + [m for m in run_metrics if m not in compared]:
        c = compared.get(m)
        cur = run_metrics.get(m, {})
        raw = c["status"] if c else (comp["reason"] if comp else "no comparison")
        status = shown_status(c) if c else raw
        rows.append({
            "name": m,
            "direction": (c if c else cur).get("direction", ""),
            "primary": comp is not None and m == comp.get("primary_metric"),
            "baseline": c["baseline"] if c else None,
            "baseline_ci": ((comp or {}).get("reference_metrics", {}).get(m) or ref_metrics.get(m) or {}).get("ci"),
            "current": c["current"] if c else cur.get("value"),
            "current_ci": cur.get("ci"),
            "n": cur.get("n"),
            "delta": c["delta"] if c else None,
            "ci_delta": c["ci_delta"] if c else None,
            "p_value": c["p_value"] if c else None,
            "p_adjusted": c.get("p_adjusted") if c else None,
            "mdc": mdc_text(c) if c else "-",
            "test": c["test"] if c else "",
            "n_paired": c["n_paired"] if c else None,
            "tolerance": c["tolerance"] if c else None,
            "status": status,
            "status_class": "bad" if c and c.get("failing") else ("good" if raw == IMPROVED else ""),
            "chart_status": raw,
        })
    return rows


def _label_order(case_sets: Iterable[dict[str, Any]]) -> list[str]:
    labels: list[str] = []
    seen_unparsed = False
    for cases in case_sets:
        for c in cases.values():
            d = c.get("data") or {}
            for lab in [*(d.get("scores") or {}), d.get("gold"), d.get("pred")]:
                if lab == UNPARSED:
                    seen_unparsed = True
                elif isinstance(lab, str) and lab not in labels:
                    labels.append(lab)
    return labels + ([UNPARSED] if seen_unparsed else [])


def _confusion(cases: dict[str, Any], labels: list[str]) -> dict[str, Any]:
    counts = {g: dict.fromkeys(labels, 0) for g in labels}
    pred_totals = dict.fromkeys(labels, 0)
    gold_totals = dict.fromkeys(labels, 0)
    for c in cases.values():
        d = c.get("data") or {}
        g, p = d.get("gold"), d.get("pred")
        if g in counts and p in pred_totals:
            counts[g][p] += 1
            gold_totals[g] += 1
            pred_totals[p] += 1
    top = max((v for row in counts.values() for v in row.values()), default=0) or 1
    rows = [{"gold": g, "cells": [{"pred": p, "count": counts[g][p], "shade": round(0.08 + 0.72 * counts[g][p] / top, 3)
                                   if counts[g][p] else 0, "diag": g == p} for p in labels],
             "total": gold_totals[g]} for g in labels if g != UNPARSED]
    return {"rows": rows, "gold": gold_totals, "pred": pred_totals, "n": sum(gold_totals.values())}


def _reference_cases(s: dict[str, Any], comp: dict[str, Any] | None) -> dict[str, Any]:
    """Per-case outcomes of the reference: the live base's run, or what the stored baseline recorded."""
    if comp and comp.get("reference_kind") == "live-base":
        return dict(s["runs"].get("base", {}).get("cases") or {})
    return dict((comp or {}).get("reference_cases") or {})


def _label_view(s: dict[str, Any], side: str, comp: dict[str, Any] | None, salt: str, draw: bool) -> dict[str, Any] | None:
    cand = s["runs"].get(side, {}).get("cases", {})
    if not any("gold" in (c.get("data") or {}) for c in cand.values()):
        return None
    ref_cases = _reference_cases(s, comp) or None
    labels = _label_order([cand] + ([ref_cases] if ref_cases else []))
    mats: list[dict[str, Any]] = []
    if ref_cases:
        mats.append({"title": f"reference: {(comp or {}).get('reference')}", "m": _confusion(ref_cases, labels)})
    mats.append({"title": f"candidate: {side}", "m": _confusion(cand, labels)})
    note = None
    if comp and comp.get("reference_kind") == "baseline" and not ref_cases:
        note = "This record keeps no per-case labels of the stored baseline, so only the candidate's matrix is shown."
    gold = mats[-1]["m"]["gold"]
    dist = [{"label": lab, "gold": gold[lab], "preds": [m["m"]["pred"][lab] for m in mats]} for lab in labels]
    chart = charts.distribution_chart(labels, [("gold", [gold[lab] for lab in labels])]
                                      + [(m["title"].split(": ", 1)[1] + " predicted", [m["m"]["pred"][lab] for lab in labels])
                                         for m in mats], salt=salt) if draw else None
    return {"labels": labels, "matrices": mats, "note": note, "dist": dist, "chart": chart}


def _state(record: dict[str, Any], s: dict[str, Any], side: str, comp: dict[str, Any] | None) -> tuple[str, str]:
    """(badge text, class) for one suite on one side: the decider's status word from the record."""
    status = (comp or {}).get("status") or s.get("statuses", {}).get(side) or "no comparison"
    if comp is not None:  # ok with notes (e.g. inconclusive) is amber, not green
        return status, ("warn" if comp.get("notes") else "good") if comp["ok"] else "bad"
    return status, "good" if status == RECORDED else "warn"


def _suite_view(record: dict[str, Any], i: int, s: dict[str, Any], draw: bool) -> dict[str, Any]:
    panels = []
    for j, side in enumerate(_sides(record, s)):
        comp = s["comparisons"].get(side)
        rows = _metric_rows(s, side, comp)
        ref = comp["reference"] if comp else "none"
        chart = charts.metric_chart(rows, ref, side, salt=f"s{i}p{j}m") if draw else None
        panels.append({
            "side": side, "comp": comp, "reference": ref, "rows": rows, "chart": chart,
            "state": _state(record, s, side, comp),
            "labels": _label_view(s, side, comp, f"s{i}p{j}d", draw),
            "quiet_flips": [f["case"] for f in (comp or {}).get("flips", []) if f["worse"]] if comp and comp["ok"] else [],
        })
    return {"anchor": f"suite-{i}", "s": s, "panels": panels}


def _flip_kind(flip: dict[str, Any] | None) -> str:
    if not flip:
        return ""
    return "worse" if flip["worse"] else ("better" if flip["after_passed"] and not flip["before_passed"] else "changed")


def _case_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for i, s in enumerate(record["suites"]):
        for side in _sides(record, s):
            comp = s["comparisons"].get(side) or {}
            flips = {f["case"]: f for f in comp.get("flips", [])}
            live = _reference_cases(s, comp or None)
            refs = comp.get("reference_outputs", {})
            for cid, c in s["runs"].get(side, {}).get("cases", {}).items():
                flip = flips.get(cid)
                ref = live.get(cid)
                if ref is None and flip:
                    ref = {"passed": flip["before_passed"], "decision": flip["before"], "reason": ""}
                note = ("new: not in the baseline" if cid in comp.get("new_cases", [])
                        else "changed since the baseline" if cid in comp.get("changed_cases", []) else "")
                out.append({
                    "suite": s["suite"], "anchor": f"suite-{i}", "family": s["family"], "role": s["role"], "side": side,
                    "id": cid, "prompt": c.get("prompt", ""), "output": c.get("output", ""),
                    "passed": c.get("passed"), "decision": c.get("decision", ""), "reason": c.get("reason", ""),
                    "ref_output": refs.get(cid) if cid in refs else (ref or {}).get("output"),
                    "ref": ref, "flip": _flip_kind(flip), "note": note, "reference": comp.get("reference", ""),
                })
    return out


def _sweep(record: dict[str, Any], draw: bool) -> dict[str, Any] | None:
    view = sweep_view(record)
    if view is None:
        return None
    rows = view["rows"]
    panels = [{"title": f"{'target' if c['role'] == 'target' else 'guardrail'} {c['suite']}: {c['metric']}",
               "values": [row["cells"][k]["value"] for row in rows],
               "statuses": [FAILING if row["cells"][k]["failing"] else IMPROVED if row["cells"][k]["improved"] else "-"
                            for row in rows],
               "reference": view["reference"]["cells"][k]["value"]} for k, c in enumerate(view["columns"])]
    view["chart"] = charts.sweep_chart([row["checkpoint"] for row in rows], [row["run"] for row in rows], panels,
                                       [k for k, row in enumerate(rows) if row["recommended"]],
                                       reference_label=view["reference"]["label"], salt="sweep") if draw else None
    return view


def build_context(record: dict[str, Any]) -> dict[str, Any]:
    """Everything the template shows, read from the record only, so a saved JSON renders the same page."""
    missing = charts.missing()
    draw = missing is None
    models = record.get("models") or {}
    extras = record.get("extras") or {}
    references = sorted({c["reference"] for s in record["suites"] for c in s["comparisons"].values()})
    cases = _case_rows(record)
    sweep = _sweep(record, draw)
    verdicts = list(record.get("verdicts", []))
    if sweep is not None:  # the verdict lines in the sweep table's order
        order = {row["checkpoint"]: k for k, row in enumerate(sweep["rows"])}
        verdicts.sort(key=lambda v: order.get(v.get("candidate"), len(order)))
    return {
        "r": record,
        "verdicts": [{**v, "cls": "good" if v["ok"] else "bad", "headline": v.get("headline", v["status"]),
                      "line": (v.get("reasons") or v.get("notes") or ["no suite failed"])[0],
                      "notes": v.get("notes", []), "info": v.get("info", [])} for v in verdicts],
        "no_adapter": not any(m.get("adapter") for m in models.values()),
        "models": models,
        "references": references,
        "suites": [_suite_view(record, i, s, draw) for i, s in enumerate(record["suites"])],
        "sweep": sweep,
        "routing": extras.get("routing") if isinstance(extras.get("routing"), dict) else None,
        "cases": cases,
        "filters": {
            "suite": sorted({c["suite"] for c in cases}), "family": sorted({c["family"] for c in cases}),
            "side": sorted({c["side"] for c in cases}),
        },
        "charts_missing": missing,
        "install_hint": charts.INSTALL_HINT,
    }


def _wbr(text: Any) -> Any:
    """Escaped text with break chances after ``_`` ``.`` ``/`` and ``-``: long suite names wrap in narrow headers."""
    from markupsafe import Markup, escape

    return Markup(re.sub(r"([_./-])", r"\1<wbr>", str(escape(str(text)))))


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,  # always: select_autoescape would not match a .j2 name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(fmt=fmt, fmt_p=fmt_p, fmt_ci=fmt_ci, wbr=_wbr)
    env.filters["csp_hash"] = lambda text: "sha256-" + base64.b64encode(hashlib.sha256(str(text).encode()).digest()).decode()
    return env


def render_html(record: dict[str, Any]) -> str:
    """The page for one run's record (see :mod:`.record`)."""
    return _env().get_template("report.html.j2").render(**build_context(record))


def main(argv: list[str] | None = None) -> int:
    """``python -m pytest_forgetting.report.html REPORT.json > page.html``: re-render a saved record."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pytest_forgetting.report.html REPORT.json > page.html", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        sys.stdout.write(render_html(json.load(fh)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
