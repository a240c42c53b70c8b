"""Tables shared by the terminal and Markdown reports, rendered from the JSON record only.

Every status shown is the decider's word from the record; failing ones are
upper-cased here, which is presentation, not a decision.
"""
from __future__ import annotations

from typing import Any

HEADER = ("suite", "role", "side", "metric", "baseline", "current", "delta", "p", "p adj", "mdc", "verdict")


def _f(x: Any, signed: bool = False) -> str:
    if x is None:
        return "-"
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def _p(x: Any) -> str:
    if x is None:
        return "-"
    if x == 0:
        return "<1e-06"  # the record keeps 6 decimals
    return f"{x:.1e}" if x < 0.001 else f"{x:.3f}"


def mdc_text(c: dict[str, Any]) -> str:
    """The minimum detectable change; ``inf``: no change this suite could show would be significant."""
    if c.get("min_detectable_change") is None:
        return "inf" if c.get("p_value") is not None and "min_detectable_change" in c else "-"
    return f"{c['min_detectable_change']:.2f}"


def shown_status(metric: dict[str, Any]) -> str:
    """A metric's status, upper-cased when it fails the run, so failures stand out in plain text."""
    return str(metric["status"]).upper() if metric.get("failing") else str(metric["status"])


def metric_rows(record: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per compared metric, from the record, shared by the terminal and Markdown reports."""
    rows: list[tuple[str, ...]] = []
    candidates = set(record["candidates"])
    for s in record["suites"]:
        status_of = s.get("statuses", {})
        for side, run in s["runs"].items():
            comp = s["comparisons"].get(side)
            if comp is None or record["mode"]["update"]:
                if side not in candidates:
                    continue  # the live base shows up as the reference column
                note = status_of.get(side, "-")
                for m, v in run["metrics"].items():
                    rows.append((s["suite"], s["role"], side, m, "-", _f(v["value"]), "-", "-", "-", "-", note))
                continue
            for m, c in comp["metrics"].items():
                if c["baseline"] is None and c["current"] is None:
                    continue  # the metric does not apply to this suite's cases
                adj = c.get("p_adjusted")
                rows.append((s["suite"], s["role"], side, m, _f(c["baseline"]), _f(c["current"]),
                             _f(c["delta"], True), _p(c["p_value"]), "=" if adj == c["p_value"] else _p(adj),
                             mdc_text(c), shown_status(c)))
            if not comp["metrics"]:
                for m, v in run["metrics"].items():
                    rows.append((s["suite"], s["role"], side, m, "-", _f(v["value"]), "-", "-", "-", "-", comp["status"]))
    return rows


def format_table(rows: list[tuple[str, ...]], header: tuple[str, ...] = HEADER) -> list[str]:
    """Left-aligned columns sized to their content: readable in a terminal and in a CI log."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [line(header), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)]


def sweep_table(rows: list[dict[str, Any]]) -> list[str]:
    """The checkpoint sweep (rows as in the record's ``extras.sweep``); ``!`` marks a regression."""
    gcols = sorted({f"{s}.{m}" for r in rows for s, ms in r["guardrails"].items() for m in ms})
    header = ("checkpoint", "target", *gcols, "verdict", "")
    body = []
    for r in rows:
        g = {f"{s}.{m}": v for s, ms in r["guardrails"].items() for m, v in ms.items()}
        cells = [str(r["checkpoint"]), _f(r["target_score"])]
        for col in gcols:
            v = g.get(col)
            cells.append("-" if v is None else f"{v:.3f}" + ("!" if col in r["regressed"] else ""))
        body.append((*cells, str(r["verdict"]), "<- recommended" if r["recommended"] else ""))
    return format_table(body, header)
