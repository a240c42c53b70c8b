"""Markdown summary for a CI job summary or a PR comment, rendered from the JSON record only.

Everything that comes from a suite file or a model is escaped: no live links,
images or HTML from model text.
"""
from __future__ import annotations

from typing import Any

from ..text import markdown_inline as _esc
from .sweep_view import sweep_view
from .table import HEADER, metric_rows


def render_markdown(record: dict[str, Any]) -> str:
    """The record as Markdown for a CI job summary or a PR comment: verdicts first, then the table."""
    out = ["# pytest-forgetting report", ""]
    if record.get("error"):
        out += ["**❌ the run could not be judged**", "", "```", *_fence(str(record["error"])), "```", ""]
    sweep = sweep_view(record)
    if sweep is not None and len(record["verdicts"]) > 1:
        # a sweep leads with one line per candidate, then the table that compares them
        order = {row["checkpoint"]: k for k, row in enumerate(sweep["rows"])}
        for v in sorted(record["verdicts"], key=lambda v: order.get(v["candidate"], len(order))):
            why = (v["reasons"] or v.get("notes") or ["no suite failed"])[0]
            more = len(v["reasons"]) + len(v.get("notes", [])) - 1
            out.append(f"- {'✅' if v['ok'] else '❌'} **{_esc(v['candidate'])}: {_esc(v.get('headline', v['status']))}**"
                       f" — {_esc(why)}{f' (+{more} more below)' if more > 0 else ''}")
        out.append("")
        out += _sweep(sweep, record.get("extras") or {})
    for v in record["verdicts"]:
        icon = "✅" if v["ok"] else "❌"
        out.append(f"**{icon} {_esc(v['candidate'])}: {v.get('headline', v['status'])}**")
        out += [f"- {_esc(r)}" for r in v["reasons"]]
        out += [f"- ⚠️ {_esc(n)}" for n in v.get("notes", [])]
        out += [f"- ℹ️ {_esc(n)}" for n in v.get("info", [])]
        out.append("")
    if sweep is None:
        out += _routing(record.get("extras") or {})
    models = ", ".join(f"{_esc(k)} = {_esc(str(m.get('adapter') or m.get('name')))}" for k, m in record["models"].items())
    out += [f"Models: {models}  ", f"Plugin {record['plugin_version']}, generation {_esc(str(record['generation']))}", ""]
    rows = metric_rows(record)
    out.append("| " + " | ".join(HEADER) + " |")
    out.append("|" + "---|" * len(HEADER))
    for r in rows:
        cells = [_esc(c) for c in r]
        if r[-1] != r[-1].lower():
            cells[-1] = f"**{cells[-1]}**"
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for s in record["suites"]:
        for side, comp in s["comparisons"].items():
            worse = [f for f in comp["flips"] if f["worse"]]
            if not worse:
                continue
            what = "got worse" if not comp["ok"] else "flipped to fail, not significant"
            out.append(f"<details><summary>{_esc(s['suite'])} ({_esc(side)}): {len(worse)} case(s) {what}"
                       "</summary>\n")
            cases = s["runs"].get(side, {}).get("cases", {})
            for f in worse[:20]:
                c = cases.get(f["case"], {})
                prompt = " ".join(str(c.get("prompt", "")).split())[:160]
                output = " ".join(str(c.get("output", "")).split())[:200] or "(empty output)"
                out.append(f"- {_esc(f['case'])}: {_esc(f['before'])} → {_esc(f['after'])}<br>"
                           f"prompt: {_esc(prompt)}<br>output: {_esc(output)}")
            out.append("\n</details>\n")
    if record["update"]:
        out += ["## Baseline changes", "", "```", *_fence("\n".join(record["update"])), "```", ""]
    if record.get("finish_error"):
        out += [f"**❌ {_esc(record['finish_error'])}**", ""]
    return "\n".join(out)


def _fence(text: str) -> list[str]:
    """Lines safe inside a ``` block (a line of backticks would close it)."""
    return [line.replace("```", "``\u200b`") for line in text.splitlines()]


def _sweep(view: dict[str, Any], extras: dict[str, Any]) -> list[str]:
    """The sweep as a Markdown table; ``!`` and bold mark what the decider called regressed or missed."""
    cols = view["columns"]
    head = ["candidate", "verdict", *(f"{c['role']} {c['suite']}: {c['metric']}" for c in cols), "other regressed"]
    out = ["## Checkpoint sweep", ""]
    if view.get("message"):
        first, _, rest = view["message"].partition("; ")
        out += [f"**{_esc(first)}**" + (f"; {_esc(rest)}" if rest else ""), ""]
    out += ["| " + " | ".join(_esc(h) for h in head) + " |", "|---|---|" + "---:|" * len(cols) + "---:|"]
    ref = view["reference"]
    out.append(f"| {_esc(ref['label'])} | reference | " + " | ".join(c["text"] for c in ref["cells"]) + " | |")
    for row in view["rows"]:
        cells = [f"**{c['text']}**" if c["failing"] else c["text"] for c in row["cells"]]
        name = ("★ " if row["recommended"] else "") + _esc(row["checkpoint"])
        verdict = _esc(row["verdict"]) if row["ok"] else f"**{_esc(row['verdict'])}**"
        out.append(f"| {name} | {verdict} | " + " | ".join(cells) + f" | {len(row['other_regressed']) or '-'} |")
    out += ["", "`!`: regressed (guardrail) or target missed; ★: recommended.", ""]
    return out + _routing(extras)


def _routing(extras: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if extras.get("routing"):
        out += ["## Routing", ""]
        out += [f"- {_esc(wf)}: **{_esc(route)}**" for wf, route in extras["routing"]["workflows"].items()]
        out += ["", f"Written to `{_esc(str(extras['routing'].get('path', '')))}`.", ""]
    return out
