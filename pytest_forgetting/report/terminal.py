"""The end-of-session terminal summary, rendered from the JSON record alone.

``python -m pytest_forgetting.report.terminal report.json`` prints the same
summary from a saved ``--forgetting-report`` file.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from ..text import clean as _clean
from ..text import work_line
from ..decide.reasons import exit_code
from .table import format_table, metric_rows, sweep_table


@dataclass(frozen=True)
class Line:
    """One line of the summary, with how pytest should draw it, so the text renderer can reuse it."""

    text: str
    sep: str = ""  # "=" or "-": a pytest section line titled ``text``
    color: str = ""  # "green" | "red" | ""


def summary(record: dict[str, Any]) -> list[Line]:
    """The terminal summary as lines, from the record only."""
    out: list[Line] = []
    if record.get("error"):
        out.append(Line("forgetting: the run could not be judged", "=", "red"))
        out += [Line(x) for x in str(record["error"]).splitlines()]
    else:
        out.append(Line("forgetting summary", "="))
        out += [Line(x) for x in format_table(metric_rows(record))]
        out += _notes(record)
    t = record.get("timings") or {}
    if t:
        out.append(Line(work_line(t)))
    for line in record.get("update") or []:
        out.append(Line(("baseline updated: " if not line.startswith(" ") else "") + line))
    out += _advice(record.get("extras") or {})
    for v in record["verdicts"]:
        out.append(Line(f"forgetting verdict: {v['candidate']}: {v.get('headline', v['status'])}", "=",
                        "green" if v["ok"] else "red"))
        out += [Line(f"  {_clean(r)}") for r in v["reasons"]]
        out += [Line(f"  {_clean(n)}") for n in v.get("notes", [])]
        out += [Line(f"  {_clean(n)}") for n in v.get("info", [])]
    if record["mode"]["update"]:
        if record["ok"] and record.get("update"):
            out.append(Line("forgetting: baselines recorded", "=", "green"))
        elif not record["ok"]:
            out.append(Line("forgetting: baselines NOT recorded", "=", "red"))
    return out


def _notes(record: dict[str, Any]) -> list[Line]:
    out = []
    for s in record["suites"]:
        for side, comp in s["comparisons"].items():
            better = [f["case"] for f in comp["flips"] if not f["worse"] and f["after_passed"]]
            worse = [f["case"] for f in comp["flips"] if f["worse"]]
            if worse and comp["ok"]:
                out.append(Line(f"{s['suite']} ({side}): {len(worse)} case(s) flipped to fail, not significant: "
                                f"{', '.join(worse[:8])}"))
            if better:
                out.append(Line(f"{s['suite']} ({side}): {len(better)} case(s) got better: {', '.join(better[:8])}"))
            if comp["stale_cases"] and side in record["candidates"]:
                out.append(Line(
                    f"{s['suite']}: {len(comp['stale_cases'])} stale baseline entr(y/ies) for removed cases "
                    f"({', '.join(comp['stale_cases'][:5])}); remove with: pytest {s['path']} --forgetting-update"))
        if s.get("error"):
            out.append(Line(f"{s['suite']}: ERROR: {_clean(s['error'])}", color="red"))
    if record.get("finish_error"):
        out.append(Line(_clean(record["finish_error"]), color="red"))
    return out


def _advice(extras: dict[str, Any]) -> list[Line]:
    out: list[Line] = []
    if extras.get("sweep"):
        out.append(Line("checkpoint sweep", "-"))
        out += [Line(x) for x in sweep_table(extras["sweep"])]
        out.append(Line(str(extras.get("sweep_message", ""))))
    if extras.get("routing"):
        out.append(Line("routing", "-"))
        out += [Line(f"{wf}: {route}") for wf, route in extras["routing"]["workflows"].items()]
        out.append(Line(f"written to {extras['routing']['path']}"))
    if "anchors" in extras:
        out.append(Line("anchor export", "-"))
        out += [Line(f"{suite}: {n} example(s)") for suite, n in sorted(extras["anchors"].items())]
        w = extras.get("anchors_written") or {}
        out.append(Line(w.get("message") or f"{w.get('rows', 0)} example(s) written to {w.get('path', '?')}"))
    return out


def write_summary(record: dict[str, Any] | None, tr: Any) -> None:
    """Print the summary through pytest's terminal reporter (colors, section lines)."""
    if record is None:
        return
    for line in summary(record):
        if line.sep:
            kw = {line.color: True} if line.color else {}
            tr.write_sep(line.sep, line.text, bold=line.sep == "=" and bool(line.color), **kw)
        else:
            tr.write_line(line.text, **({line.color: True} if line.color else {}))


def render_text(record: dict[str, Any], width: int = 100) -> str:
    """The summary as plain text, for re-rendering a saved record without pytest."""
    lines = []
    for line in summary(record):
        if line.sep:
            lines.append(f" {line.text} ".center(width, line.sep))
        else:
            lines.append(line.text)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m pytest_forgetting.report.terminal REPORT.json``: re-print a saved run's summary."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pytest_forgetting.report.terminal REPORT.json", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        record = json.load(fh)
    sys.stdout.write(render_text(record))
    return exit_code(bool(record.get("ok")))


if __name__ == "__main__":
    raise SystemExit(main())
