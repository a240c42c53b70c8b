"""End of session: write baselines (update runs only) and the requested report files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .baseline import atomic_write
from .errors import ForgettingError
from .stash import session_of


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)


def finish_session(session: pytest.Session, exitstatus: int) -> None:
    fs = session_of(session.config)
    if not fs.ran:
        return
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        fs.interrupted = True
    if exitstatus == pytest.ExitCode.INTERNAL_ERROR:
        fs.internal_error = True
    try:
        fs.update_baselines()
    except ForgettingError as exc:
        fs.update_summary = [f"baseline update FAILED: {exc}"]
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if fs.error:
        return
    try:
        add_decisions(fs)
    except ForgettingError as exc:
        fs.extras.setdefault("terminal", {})["decisions"] = [f"FAILED: {exc}"]
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    from .report.record import build_record

    record = build_record(fs)
    fs.last_record = record
    s = fs.settings
    if s.report_json:
        _write(s.report_json, json.dumps(record, indent=2, sort_keys=False, ensure_ascii=False) + "\n")
    if s.report_markdown:
        from .report.markdown import render_markdown

        _write(s.report_markdown, render_markdown(record))
    if s.report_html:
        from .report.html import render_html

        _write(s.report_html, render_html(record))


def add_decisions(fs) -> None:  # type: ignore[no-untyped-def]
    """Checkpoint sweep, routing file and anchor export: stops on the same road, after scoring."""
    from . import decide

    if fs.settings.update or fs.settings.absolute:
        return
    adapters = [c for c in fs.candidates if c is not None]
    terminal = fs.extras.setdefault("terminal", {})
    if len(adapters) > 1:
        values = {(name, side or "base"): {m: v.value for m, v in run.metrics.items()}
                  for (name, side), run in fs.runs.items()}
        rows = decide.sweep_rows(adapters, fs.comparisons, values)
        rows, message = decide.recommend(rows)
        fs.extras["sweep"] = [r.to_json() for r in rows]
        fs.extras["sweep_message"] = message
        terminal["checkpoint sweep"] = decide.sweep_table(rows) + [message]
    workflows = {st.suite.name: st.suite.workflow for st in fs.active}
    if fs.settings.routing:
        import yaml

        chosen = next((r["checkpoint"] for r in fs.extras.get("sweep", []) if r["recommended"]), adapters[0] if adapters else None)
        if chosen is None:
            raise ForgettingError("--forgetting-routing needs an --adapter to route to")
        comps = [c for (n, side), c in fs.comparisons.items() if side == chosen]
        doc = {"adapter": chosen, "adapter_path": fs.identities.get(chosen, {}).get("adapter"),
               "workflows": decide.routing(chosen, comps, workflows)}
        _write(fs.settings.routing, yaml.safe_dump(doc, sort_keys=True, allow_unicode=True))
        terminal["routing"] = [f"{wf}: {v['route']}" for wf, v in doc["workflows"].items()] + [f"written to {fs.settings.routing}"]
    if fs.settings.export_anchors:
        prompts = {}
        for st in fs.active:
            for case in st.suite.cases:
                msgs = list(case.prompt.messages) if case.prompt.chat else [("user", case.prompt.text)]
                prompts[(st.suite.name, case.id)] = msgs
        comps = [c for (n, side), c in fs.comparisons.items() if side != "base" and c.reference_kind != "none"]
        rows, counts = decide.anchor_examples(comps, prompts)
        _write(fs.settings.export_anchors, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        fs.extras["anchors"] = counts
        terminal["anchor export"] = [f"{suite}: {n} example(s)" for suite, n in sorted(counts.items())] + [
            f"{len(rows)} example(s) written to {fs.settings.export_anchors}"]
