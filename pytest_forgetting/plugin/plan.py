"""``--forgetting-plan``: print what each selected suite could see, run no item, load no model.

Hooked into ``pytest_runtestloop`` (returning True, so pytest runs nothing)
after collection and ``-k``/``-m`` selection; the exit code is folded in at
session finish: 1 with ``--forgetting-strict`` when a guardrail is
underpowered, else 0.
"""
from __future__ import annotations

from typing import Any

import pytest

from ..errors import ForgettingError
from ..records.baseline import baseline_path, load_baseline
from ..run.plan import PlanRow, plan_lines, plan_suite
from .stash import session_of


def run_plan(session: pytest.Session) -> bool:
    """Write the plan table; remember whether ``--forgetting-strict`` must fail the run."""
    fs = session_of(session.config)
    rows: list[PlanRow] = []
    for st in fs.active:
        try:
            book = load_baseline(baseline_path(st.suite.path))
            record = book.suites.get(st.suite.name) if book else None
        except ForgettingError:  # an unreadable baseline: plan from the best case, the run will say why
            record = None
        rows.append(plan_suite(st.suite, len(st.selection().cases_to_run()), record))
    fs.plan_failed = fs.settings.strict and any(r.underpowered for r in rows)
    tr: Any = session.config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None:
        tr.write_sep("=", "forgetting plan (no model loaded, no item run)")
        for line in plan_lines(rows) if rows else ["no pytest-forgetting suite selected"]:
            tr.write_line(line)
        if fs.plan_failed:
            tr.write_line("exit 1: --forgetting-strict fails on an underpowered guardrail; add the cases named above")
    return True
