"""Markdown summary for a CI job summary or a PR comment, rendered from the JSON record only.

Everything that comes from a suite file or a model is escaped: no live links,
images or HTML from model text.
"""
from __future__ import annotations

from typing import Any

from ..text import markdown_inline as _esc
from .table import HEADER, metric_rows, sweep_table


def render_markdown(record: dict[str, Any]) -> str:
    out = ["# pytest-forgetting report", ""]
    if record.get("error"):
        out += ["**❌ the run could not be judged**", "", "```", *_fence(str(record["error"])), "```", ""]
    for v in record["verdicts"]:
        icon = "✅" if v["ok"] else "❌"
        out.append(f"**{icon} {_esc(v['candidate'])}: {v.get('headline', v['status'])}**")
        out += [f"- {_esc(r)}" for r in v["reasons"]]
        out += [f"- ⚠️ {_esc(n)}" for n in v.get("notes", [])]
        out.append("")
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
    out += _advice(record.get("extras") or {})
    for s in record["suites"]:
        for side, comp in s["comparisons"].items():
            worse = [f for f in comp["flips"] if f["worse"]]
            if not worse:
                continue
            note = "" if not comp["ok"] else ", not significant"
            out.append(f"<details><summary>{_esc(s['suite'])} ({_esc(side)}): {len(worse)} case(s) got worse{note}"
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


def _advice(extras: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if extras.get("sweep"):
        out += ["## Checkpoint sweep", "", "```", *_fence("\n".join(sweep_table(extras["sweep"]))), "```", "",
                f"**{_esc(str(extras.get('sweep_message', '')))}**", ""]
    if extras.get("routing"):
        out += ["## Routing", ""]
        out += [f"- {_esc(wf)}: **{_esc(route)}**" for wf, route in extras["routing"]["workflows"].items()]
        out.append("")
    return out
