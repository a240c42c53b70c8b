"""The plugin as users run it: collection, node ids, markers, options, a real tiny model."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FORMAT_SUITE, write_suite


def test_help_lists_options(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--model=MODEL*", "*--adapter=ADAPTER*", "*--forgetting-update*"])


def test_collect_only_node_ids_and_markers(suite_dir: pytest.Pytester) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    result = suite_dir.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["fmt.forgetting.yaml::fmt::q0", "fmt.forgetting.yaml::fmt::metric[overuse_rate]"])
    assert result.ret == 0
    result = suite_dir.runpytest("--collect-only", "-q", "-m", "guardrail and metric")
    result.stdout.fnmatch_lines(["*2/14 tests collected (12 deselected)*"])
    result = suite_dir.runpytest("--collect-only", "-q", "-k", "q3 or q4")
    result.stdout.fnmatch_lines(["*::q3", "*::q4", "*2/14 tests collected*"])


def test_absolute_mode_runs_tiny_model(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    base = suite_dir.runpytest(f"--model={tiny_model}", "--forgetting-absolute", "-q")
    base.assert_outcomes(passed=14)
    tuned = suite_dir.runpytest(f"--model={tiny_model}", f"--adapter={json_adapter}", "--forgetting-absolute", "-q")
    # every case now answers with JSON: each per-case item fails on its own expectation
    tuned.assert_outcomes(passed=2, failed=12)
    tuned.stdout.fnmatch_lines(["*case 'q0' (json) failed its own expectation*", "*decided:  in format*"])


def test_no_baseline_fails_with_hint(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    result = suite_dir.runpytest(f"--model={tiny_model}", "-q", "-k", "q0")
    result.assert_outcomes(failed=1, deselected=13)
    result.stdout.fnmatch_lines(["*no baseline for suite 'fmt'*", "*--forgetting-update*"])
