"""JSON, Markdown and JUnit outputs, read the way CI tools read them."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import FORMAT_SUITE, write_suite


@pytest.fixture
def regressed_run(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> pytest.Pytester:
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    suite_dir.runpytest(f"--model={tiny_model}", "--forgetting-update", "-q").assert_outcomes(passed=14)
    res = suite_dir.runpytest(
        f"--model={tiny_model}", f"--adapter={json_adapter}", "-q", "--forgetting-report=out/r.json",
        "--forgetting-markdown=out/r.md", "--junitxml=out/junit.xml", "--forgetting-cache=off")
    assert res.ret == 1
    return suite_dir


def test_json_report_schema(regressed_run: pytest.Pytester) -> None:
    record = json.loads((regressed_run.path / "out/r.json").read_text())
    assert record["schema_version"] == 2
    assert list(record)[:5] == ["schema_version", "plugin_version", "created_at", "ok", "error"]
    assert record["ok"] is False and record["error"] is None
    assert record["verdicts"] == [{"side": "json", "candidate": "json", "status": "NOT READY", "ok": False, "reasons": [
        "fmt (guardrail): overuse_rate regressed 0.000 -> 1.000 (p=0.00024)",  # one-sided
        "no target suite ran: nothing showed that the fine-tune improved what it was trained for"],
        "headline": "NOT READY", "notes": [], "info": []}]
    suite = record["suites"][0]
    assert suite["suite"] == "fmt" and suite["role"] == "guardrail" and suite["family"] == "format_overuse"
    cmp = suite["comparisons"]["json"]["metrics"]["overuse_rate"]
    assert cmp["status"] == "regressed" and cmp["test"] == "mcnemar" and cmp["n_paired"] == 12
    assert cmp["baseline"] == 0.0 and cmp["current"] == 1.0 and cmp["p_value"] < 0.001
    case = suite["runs"]["json"]["cases"]["q0"]
    assert set(case) == {"prompt", "output", "passed", "decision", "reason", "data"}
    assert case["output"].startswith("{") and case["passed"] is False
    assert record["models"]["json"]["adapter"].endswith("json")
    assert len(suite["comparisons"]["json"]["flips"]) == 12


def test_record_carries_the_stored_baselines_intervals_and_cases(regressed_run: pytest.Pytester) -> None:
    """The page's "baseline CI" column and reference confusion matrix read these; nothing is recomputed."""
    record = json.loads((regressed_run.path / "out/r.json").read_text())
    comp = record["suites"][0]["comparisons"]["json"]
    stored = json.loads((regressed_run.path / "__baselines__" / "fmt.forgetting.json").read_text())["suites"]["fmt"]
    assert comp["reference_kind"] == "baseline"
    assert comp["reference_metrics"] == {m: {k: v[k] for k in ("value", "n", "ci")} for m, v in stored["metrics"].items()}
    assert any(v["ci"] for v in comp["reference_metrics"].values())
    assert set(comp["reference_cases"]) == set(record["suites"][0]["runs"]["json"]["cases"])
    for cid, c in comp["reference_cases"].items():
        assert {k: c[k] for k in ("passed", "decision")} == {k: stored["cases"][cid][k] for k in ("passed", "decision")}


def test_markdown_report(regressed_run: pytest.Pytester) -> None:
    md = (regressed_run.path / "out/r.md").read_text()
    assert "**❌ json: NOT READY**" in md
    assert "| fmt | guardrail | json | overuse\\_rate | 0.000 | 1.000 | +1.000 | 2.4e-04 | = | 0.50 | **REGRESSED** |" in md  # one-sided
    assert "<details><summary>fmt (json): 12 case(s) got worse</summary>" in md


def test_junit_properties(regressed_run: pytest.Pytester) -> None:
    root = ET.parse(regressed_run.path / "out/junit.xml").getroot()
    cases = {tc.get("name"): tc for tc in root.iter("testcase")}
    metric = cases["metric[overuse_rate]"]
    props = {p.get("name"): p.get("value") for p in metric.iter("property")}
    assert props["forgetting.json.status"] == "regressed"
    assert props["forgetting.json.value"] == "1.0"
    assert metric.find("failure") is not None
    q0 = {p.get("name"): p.get("value") for p in cases["q0"].iter("property")}
    assert q0["forgetting.json.decision"] == "in format"


def test_two_runs_give_identical_reports(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> None:
    """Determinism: greedy decoding and seeded statistics; only timestamps and timings may differ."""
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    args = [f"--model={tiny_model}", f"--adapter={json_adapter}", "--forgetting-compare-base", "--forgetting-cache=off"]
    suite_dir.runpytest(*args, "--forgetting-report=a.json")
    suite_dir.runpytest(*args, "--forgetting-report=b.json", "--forgetting-batch-size=3")

    def load(name: str) -> dict:
        r = json.loads((suite_dir.path / name).read_text())
        r.pop("created_at"), r.pop("timings")
        return r

    assert load("a.json") == load("b.json")
