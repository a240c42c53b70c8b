"""The example story on the real model: the narrow adapter wins the target and forgets the rest.

Runs the target and the format-overuse guardrail against the committed baselines (recorded on the
embedded base model) with the committed narrow adapter, as the README's first command does for all
suites.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_forgetting.model.embedded import default_cache_dir

ROOT = Path(__file__).resolve().parents[1]
ADAPTERS = ROOT / "example_suite" / "adapters"

pytestmark = pytest.mark.slow


def test_narrow_adapter_is_not_ready(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    env = {**os.environ, "PYTEST_FORGETTING_CACHE_DIR": str(default_cache_dir())}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "example_suite", "-p", "no:cacheprovider", "-q",
         "-k", "ticket_extraction or format_overuse_general",
         f"--adapter={ADAPTERS / 'narrow'}",
         f"--forgetting-report={report}", f"--forgetting-cache-dir={tmp_path / 'cache'}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 1, proc.stdout[-3000:]
    record = json.loads(report.read_text())
    verdicts = {v["candidate"]: v for v in record["verdicts"]}
    assert verdicts["narrow"]["status"] == "NOT READY"
    assert any(r.startswith("format_overuse_general (guardrail): overuse_rate regressed") for r in verdicts["narrow"]["reasons"])
    target = {s["suite"]: s for s in record["suites"]}["ticket_extraction"]["comparisons"]
    assert target["narrow"]["metrics"]["format_rate"]["status"] == "improved"
    assert target["narrow"]["metrics"]["format_rate"]["current"] > 0.9
    assert "forgetting verdict: narrow: NOT READY" in proc.stdout
