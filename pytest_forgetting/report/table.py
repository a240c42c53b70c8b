"""The metric table shared by the terminal and Markdown reports (rows from the JSON record)."""
from __future__ import annotations

from typing import Any

HEADER = ("suite", "role", "side", "metric", "baseline", "current", "delta", "p", "verdict")


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


def metric_rows(record: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for s in record["suites"]:
        for side, run in s["runs"].items():
            comp = s["comparisons"].get(side)
            if record["update"] and side in record["candidates"]:
                comp = None  # an update run records; nothing is compared
            if comp is None:
                if side == "base" and "base" not in record["candidates"]:
                    continue  # the live base shows up as the reference column
                note = "recorded" if record["update"] else ("absolute" if record.get("absolute") else "no baseline")
                for m, v in run["metrics"].items():
                    rows.append((s["suite"], s["role"], side, m, "-", _f(v["value"]), "-", "-", note))
                continue
            for m, c in comp["metrics"].items():
                if c["baseline"] is None and c["current"] is None:
                    continue  # the metric does not apply to this suite's cases
                status = c["status"]
                if m == comp["primary_metric"] and comp["must_improve"] and status != "improved":
                    status = "TARGET MISSED"
                elif status == "regressed":
                    status = "REGRESSED"
                rows.append((s["suite"], s["role"], side, m, _f(c["baseline"]), _f(c["current"]),
                             _f(c["delta"], True), _p(c["p_value"]), status))
            if not comp["metrics"]:
                for m, v in run["metrics"].items():
                    rows.append((s["suite"], s["role"], side, m, "-", _f(v["value"]), "-", "-", comp["reason"]))
    return rows


def format_table(rows: list[tuple[str, ...]], header: tuple[str, ...] = HEADER) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [line(header), line(tuple("-" * w for w in widths)), *(line(r) for r in rows)]
