"""The example story on the real model: the narrow adapter forgets, the mixed one does not.

Runs the README's first command (all six suites, both committed adapters, against the committed
baselines recorded on the embedded base model), then the mixed adapter alone, which must exit 0.
The second run answers from the output cache the first one filled, so it costs no model work.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import with_shared_models
from pytest_forgetting.model.embedded import default_cache_dir

ROOT = Path(__file__).resolve().parents[1]
ADAPTERS = ROOT / "example_suite" / "adapters"

pytestmark = pytest.mark.slow


def _run(*args: str, report: Path, outputs: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTEST_FORGETTING_CACHE_DIR": str(default_cache_dir())}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "example_suite", "-p", "no:cacheprovider", "-q", *args,
         f"--forgetting-report={report}", f"--forgetting-cache-dir={outputs}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )


def test_narrow_is_not_ready_and_mixed_is(tmp_path: Path) -> None:
    cache = with_shared_models(tmp_path / "cache")  # fresh outputs, the model converted once per machine
    both = _run(f"--adapter={ADAPTERS / 'narrow'}", f"--adapter={ADAPTERS / 'mixed'}",
                report=tmp_path / "both.json", outputs=cache)
    assert both.returncode == 1, both.stdout[-3000:]
    record = json.loads((tmp_path / "both.json").read_text())
    verdicts = {v["candidate"]: v for v in record["verdicts"]}
    assert verdicts["narrow"]["status"] == "NOT READY"
    assert any(r.startswith("format_overuse_general (guardrail): overuse_rate regressed") for r in verdicts["narrow"]["reasons"])
    assert verdicts["mixed"]["status"] == "READY", verdicts["mixed"]
    # issue 29: the good adapter follows the demo's own rule (no inconclusive line), and the narrow one is
    # caught on every guardrail suite
    assert "inconclusive" not in " ".join(verdicts["mixed"]["reasons"]), verdicts["mixed"]
    guardrails = {s["suite"] for s in record["suites"] if s.get("role") == "guardrail"}
    assert len(guardrails) == 5, guardrails
    for suite in guardrails:
        assert any(r.startswith(f"{suite} (guardrail):") and "regressed" in r for r in verdicts["narrow"]["reasons"]), \
            (suite, verdicts["narrow"]["reasons"])
    target = {s["suite"]: s for s in record["suites"]}["ticket_extraction"]["comparisons"]
    for adapter, floor in (("narrow", 0.9), ("mixed", 0.6)):
        assert target[adapter]["metrics"]["format_rate"]["status"] == "improved"
        assert target[adapter]["metrics"]["format_rate"]["current"] > floor
    assert "forgetting verdict: narrow: NOT READY" in both.stdout
    assert "mixed: READY" in both.stdout

    alone = _run(f"--adapter={ADAPTERS / 'mixed'}", report=tmp_path / "mixed.json", outputs=cache)
    assert alone.returncode == 0, alone.stdout[-3000:]
    assert "forgetting verdict: mixed: READY" in alone.stdout
    timings = json.loads((tmp_path / "mixed.json").read_text())["timings"]
    assert timings["cache_misses"] == 0 and timings["cache_hits"] > 0, timings
