"""Markdown summary for a CI job summary or a PR comment, rendered from the JSON record."""
from __future__ import annotations

from typing import Any

from .table import HEADER, metric_rows


def render_markdown(record: dict[str, Any]) -> str:
    out = ["# pytest-forgetting report", ""]
    for v in record["verdicts"]:
        icon = "✅" if v["status"] in ("READY", "PASS") else "❌"
        out.append(f"**{icon} {v['candidate']}: {v['status']}**")
        out += [f"- {r}" for r in v["reasons"]]
        out.append("")
    models = ", ".join(f"`{k}` = {m.get('adapter') or m.get('name')}" for k, m in record["models"].items())
    out += [f"Models: {models}  ", f"Plugin {record['plugin_version']}, generation {record['generation']}", ""]
    rows = metric_rows(record)
    out.append("| " + " | ".join(HEADER) + " |")
    out.append("|" + "---|" * len(HEADER))
    for r in rows:
        cells = [c.replace("|", "\\|") for c in r]
        if r[-1] in ("REGRESSED", "TARGET MISSED"):
            cells[-1] = f"**{cells[-1]}**"
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    for s in record["suites"]:
        for side, comp in s["comparisons"].items():
            worse = [f for f in comp["flips"] if f["worse"]]
            if not worse:
                continue
            out.append(f"<details><summary>{s['suite']} ({side}): {len(worse)} case(s) got worse</summary>\n")
            cases = s["runs"][side]["cases"]
            for f in worse[:20]:
                c = cases.get(f["case"], {})
                prompt = " ".join(str(c.get("prompt", "")).split())[:160]
                output = " ".join(str(c.get("output", "")).split())[:200]
                out.append(f"- `{f['case']}`: {f['before']} → {f['after']}<br>prompt: {_esc(prompt)}<br>output: {_esc(output)}")
            out.append("\n</details>\n")
    if record["update"]:
        out += ["## Baseline changes", "", "```", *record["update"], "```", ""]
    return "\n".join(out)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
