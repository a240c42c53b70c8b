"""The baseline workflow as a team uses it: record, pass, regress, accept; plus significance."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FORMAT_SUITE, write_suite


def _baseline(p: pytest.Pytester, name: str = "fmt") -> Path:
    return p.path / "__baselines__" / f"{name}.forgetting.json"


def test_record_pass_regress_accept(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    model = f"--model={tiny_model}"

    first = suite_dir.runpytest(model, "-q")
    first.assert_outcomes(failed=14)
    first.stdout.fnmatch_lines(["*no baseline for suite 'fmt'*"])
    assert not _baseline(suite_dir).exists()

    rec = suite_dir.runpytest(model, "--forgetting-update", "--forgetting-reason", "base model", "-q")
    rec.assert_outcomes(passed=14)
    rec.stdout.fnmatch_lines(["*fmt: new baseline with 12 cases*"])
    data = json.loads(_baseline(suite_dir).read_text())
    assert data["format_version"] == 1
    suite = data["suites"]["fmt"]
    assert suite["reason"] == "base model" and suite["model"]["adapter"] is None
    assert set(suite["cases"]) == {f"q{i}" for i in range(12)}
    assert suite["metrics"]["overuse_rate"]["value"] == 0.0
    # one case per line: reviewable diffs
    assert sum(1 for line in _baseline(suite_dir).read_text().splitlines() if line.strip().startswith('"q')) == 12

    again = suite_dir.runpytest(model, "-q")
    again.assert_outcomes(passed=14)

    tuned = suite_dir.runpytest(model, f"--adapter={json_adapter}", "-q")
    tuned.assert_outcomes(failed=14)  # against the base with no target suite: every item says so
    tuned.stdout.fnmatch_lines([
        "*overuse_rate regressed on json*",
        "*stored baseline: 0.000   current: 1.000*",
        "*paired test: mcnemar (one-sided) on 12 cases, p=0.00024*",  # a guardrail asks only "worse?"
        "*forgetting verdict: json: NOT READY*",
        "*no target suite ran*",
    ])

    accept = suite_dir.runpytest(model, f"--adapter={json_adapter}", "--forgetting-update", "-q")
    accept.assert_outcomes(passed=14)
    accept.stdout.fnmatch_lines(["*overuse_rate: 0.000 -> 1.000*", "*flipped: q0, q1, q10*"])
    after = suite_dir.runpytest(model, f"--adapter={json_adapter}", "-q")
    after.assert_outcomes(passed=14)


def test_one_flipped_case_is_not_significant(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    """Baseline passed q3, the model now fails it: one discordant pair, p = 1.0, the suite stays green."""
    from pytest_forgetting.records.baseline import content_digest
    from pytest_forgetting.suite.cases import load_suite

    model = f"--model={tiny_model}"
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    suite_dir.runpytest(model, "--forgetting-update", "-q").assert_outcomes(passed=14)
    # q3 now expects the format, which the base model never produces: it fails.
    path = write_suite(suite_dir, "fmt", FORMAT_SUITE.replace("'How do I reset my router?', expect_format: false",
                                                             "'How do I reset my router?', expect_format: true"))
    # ... and we approve the new case content as if the baseline model had passed it.
    new_hash = load_suite(path).case("q3").content_hash
    bpath = _baseline(suite_dir)
    data = json.loads(bpath.read_text())
    data["suites"]["fmt"]["cases"]["q3"].update(
        hash=new_hash, passed=True, decision="in format", data={"expect_format": True, "in_format": True})
    fmt = data["suites"]["fmt"]  # approved: sealed with a fresh digest, as --forgetting-update would
    fmt["digest"] = content_digest(fmt["cases"], fmt["metrics"], fmt.get("identity"))
    bpath.write_text(json.dumps(data))

    res = suite_dir.runpytest(model, "-q")
    res.assert_outcomes(passed=14)
    res.stdout.fnmatch_lines(["*fmt (base): 1 case(s) flipped to fail, not significant: q3*"])
    strict = suite_dir.runpytest(model, "-q", "--forgetting-strict")
    # strict: the flipped case fails, and so does the metric it moved (1/12 is beyond tolerance, not significant)
    strict.assert_outcomes(passed=11, failed=3)
    strict.stdout.fnmatch_lines(["*case 'q3' got worse on base than on the stored baseline*--forgetting-strict*"])
    strict.stdout.fnmatch_lines(["*is inconclusive on base*", "*--forgetting-strict makes inconclusive fail*"])


def test_tolerance_and_alpha_from_yaml(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> None:
    body = FORMAT_SUITE.replace("role: guardrail", "role: guardrail\nmetrics:\n  overuse_rate: {tolerance: 1.0}")
    write_suite(suite_dir, "fmt", body)
    model = f"--model={tiny_model}"
    suite_dir.runpytest(model, "--forgetting-update", "-q").assert_outcomes(passed=14)
    res = suite_dir.runpytest(model, f"--adapter={json_adapter}", "-q", "-k", "metric", "--forgetting-report=r.json")
    # a change of 1.0 is not larger than a tolerance of 1.0: unchanged; the adapter fails only for want of a target
    record = json.loads((suite_dir.path / "r.json").read_text())
    assert record["suites"][0]["comparisons"]["json"]["metrics"]["overuse_rate"]["status"] == "unchanged"
    assert record["verdicts"][0]["reasons"] == ["no target suite ran: nothing showed that the fine-tune improved "
                                                "what it was trained for"]
    res.assert_outcomes(failed=2, deselected=12)


def test_corrupt_baseline_is_reported_and_left_alone(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    path = _baseline(suite_dir)
    path.parent.mkdir()
    path.write_text('{"format_version": 1, "suites": {"fmt": {"family": "form')
    before = path.read_bytes()
    res = suite_dir.runpytest(f"--model={tiny_model}", "-q")
    res.assert_outcomes(failed=14)
    res.stdout.fnmatch_lines([f"*baseline {path} is truncated*", "*fix: restore it from version control*"])
    assert path.read_bytes() == before


def test_future_version_baseline(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    path = _baseline(suite_dir)
    path.parent.mkdir()
    path.write_text('{"format_version": 99, "suites": {}}')
    res = suite_dir.runpytest(f"--model={tiny_model}", "-q", "-k", "q0")
    res.stdout.fnmatch_lines(["*format_version 99, newer than this plugin understands*", "*pip install -U*"])


def test_k_update_keeps_deselected_and_drops_removed(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    model = f"--model={tiny_model}"
    suite_dir.runpytest(model, "--forgetting-update", "-q").assert_outcomes(passed=14)
    # remove q11 from the file, add a new case, re-record only q0 and the new one
    body = FORMAT_SUITE.replace("  - {id: q11, prompt: 'Give me a tip', expect_format: false}\n", "")
    body += "  - {id: fresh, prompt: 'A new question', expect_format: false}\n"
    write_suite(suite_dir, "fmt", body)
    plain = suite_dir.runpytest(model, "-q")
    plain.stdout.fnmatch_lines(["*case 'fresh' has no baseline entry yet*", "*1 stale baseline entr*q11*"])
    upd = suite_dir.runpytest(model, "--forgetting-update", "-q", "-k", "q0 or fresh")
    upd.assert_outcomes(passed=2, deselected=12)
    cases = json.loads(_baseline(suite_dir).read_text())["suites"]["fmt"]["cases"]
    assert "q11" not in cases and "fresh" in cases and "q5" in cases
    suite_dir.runpytest(model, "-q").assert_outcomes(passed=14)


def test_changed_case_needs_reapproval(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    model = f"--model={tiny_model}"
    suite_dir.runpytest(model, "--forgetting-update", "-q").assert_outcomes(passed=14)
    write_suite(suite_dir, "fmt", FORMAT_SUITE.replace("'Hello'", "'Hello there'"))
    res = suite_dir.runpytest(model, "-q", "fmt.forgetting.yaml::fmt::q1")
    res.assert_outcomes(failed=1)
    res.stdout.fnmatch_lines(["*case 'q1' changed since its baseline was recorded*"])


def test_generation_settings_mismatch_needs_reapproval(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    write_suite(suite_dir, "fmt", FORMAT_SUITE.replace("max_new_tokens: 24\n", ""))
    model = f"--model={tiny_model}"
    suite_dir.runpytest(model, "--forgetting-update", "-q").assert_outcomes(passed=14)
    res = suite_dir.runpytest(model, "--forgetting-max-new-tokens=8", "-q", "-k", "overuse_rate")
    res.assert_outcomes(failed=1, deselected=13)
    # generation settings are part of the baseline identity (issue 29): the run stops before model work
    res.stdout.fnmatch_lines(["*default max new tokens: 64 recorded, 8 now*",
                              "*fix: run with --model pointing at the recorded model (model) with --forgetting-max-new-tokens=64;*"])
