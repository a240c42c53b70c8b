"""The end-of-session terminal summary: metric table, flips, stale entries, one-line verdict."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .record import build_record
from .table import format_table, metric_rows

if TYPE_CHECKING:
    from ..session import ForgettingSession


def write_summary(fs: "ForgettingSession", tr: Any) -> None:
    if not fs.ran:
        return
    if fs.error:
        tr.write_sep("=", "forgetting: no verdict", red=True)
        tr.write_line(fs.error)
        return
    record = fs.last_record or build_record(fs)
    tr.write_sep("=", "forgetting summary")
    rows = metric_rows(record)
    if fs.settings.update or fs.settings.absolute:
        rows = [r for r in rows]
    for line in format_table(rows):
        tr.write_line(line)
    for s in record["suites"]:
        for side, comp in s["comparisons"].items():
            better = [f["case"] for f in comp["flips"] if not f["worse"]]
            worse = [f["case"] for f in comp["flips"] if f["worse"]]
            if worse and comp["ok"]:
                tr.write_line(f"{s['suite']} ({side}): {len(worse)} case(s) flipped to fail, not significant: {', '.join(worse[:8])}")
            if better:
                tr.write_line(f"{s['suite']} ({side}): {len(better)} case(s) got better: {', '.join(better[:8])}")
            if comp["stale_cases"]:
                tr.write_line(
                    f"{s['suite']}: {len(comp['stale_cases'])} stale baseline entr(y/ies) for removed cases "
                    f"({', '.join(comp['stale_cases'][:5])}); remove with: pytest {s['path']} --forgetting-update"
                )
    t = record["timings"]
    if t:
        tr.write_line(
            f"model work: {t.get('model_and_scoring_s', 0):.1f} s, {t.get('passes', '?')} batched pass(es), "
            f"{t.get('load_count', 0)} model load(s), cache {t.get('cache_hits', 0)} hit(s) / {t.get('cache_misses', 0)} miss(es)"
        )
    for line in record["update"]:
        tr.write_line(("baseline updated: " if not line.startswith(" ") else "") + line)
    for key, lines in fs.extras.get("terminal", {}).items():
        tr.write_sep("-", key)
        for line in lines:
            tr.write_line(line)
    for v in record["verdicts"]:
        ok = v["status"] in ("READY", "PASS")
        tr.write_sep("=", f"forgetting verdict: {v['candidate']}: {v['status']}", green=ok, red=not ok, bold=True)
        for reason in v["reasons"]:
            tr.write_line(f"  {reason}")
    if fs.settings.update and record["update"]:
        tr.write_sep("=", "forgetting: baselines recorded", green=True)
