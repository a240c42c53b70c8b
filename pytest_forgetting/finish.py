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
