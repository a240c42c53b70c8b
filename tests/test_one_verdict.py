"""One verdict, decided once: items, exit code, banner, JSON, Markdown and HTML always agree.

Every run here uses a canned backend (tests/canned.py): decision logic, no model.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canned import JSON, PLAIN, set_plan, suite_yaml, write_project

TARGET_IDS = ["t0", "t1", "t2", "t3", "t4", "t5"]
GUARD_IDS = ["g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7"]


def _suites(**extra: str) -> dict[str, str]:
    return {"target": suite_yaml("target", TARGET_IDS, expect_format=True, extra=extra.get("target", "")),
            "guard": suite_yaml("guardrail", GUARD_IDS, expect_format=False, extra=extra.get("guard", ""))}


def _answers(target: str, guard: str) -> dict[str, str]:
    return {**{f"prompt {i}": target for i in TARGET_IDS}, **{f"prompt {i}": guard for i in GUARD_IDS}}


BASE = _answers(PLAIN, PLAIN)  # target not learnt, guardrail fine
GOOD = _answers(JSON, PLAIN)  # target learnt, guardrail fine
WRONG = _answers(PLAIN, JSON)  # target not learnt, guardrail broken


def _run(p: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    res = p.runpytest_inprocess("-q", "-p", "no:cacheprovider", "--forgetting-cache=off", "--forgetting-report=r.json",
                                *args)
    record = json.loads((p.path / "r.json").read_text())
    return res, record


def _outcomes(res: pytest.RunResult) -> dict[str, int]:
    return res.parseoutcomes()


def test_case_added_after_the_baseline_needs_approval(pytester: pytest.Pytester) -> None:
    suites = {"guard": suite_yaml("guardrail", ["c1", "c2", "c3", "c4"], expect_format=False)}
    write_project(pytester, suites, {"": {}})
    rec, _ = _run(pytester, "--forgetting-update")
    assert rec.ret == 0
    (pytester.path / "guard.forgetting.yaml").write_text(
        suite_yaml("guardrail", ["c1", "c2", "c3", "c4", "c5"], expect_format=False))
    res, record = _run(pytester)
    assert res.ret == 1
    res.assert_outcomes(failed=1, passed=6)
    res.stdout.fnmatch_lines(["*case 'c5' has no baseline entry yet: it needs approval*",
                              "*forgetting verdict: base: FAIL*", "*needs approval: 1 new case(s)*(c5)*"])
    assert record["verdicts"][0]["status"] == "FAIL" and not record["ok"]
    assert record["suites"][0]["comparisons"]["base"]["status"] == "needs approval"
    assert "PASS" not in res.stdout.str()


def test_an_adapter_may_be_called_base(pytester: pytest.Pytester) -> None:
    write_project(pytester, _suites(), {"": BASE})
    assert _run(pytester, "--forgetting-update")[0].ret == 0  # the stored baseline: the base model
    set_plan(pytester, {"": BASE, "base": WRONG})
    res, record = _run(pytester, "--adapter=base", "--forgetting-compare-base")
    assert res.ret == 1
    assert _outcomes(res)["failed"] >= 9  # the broken guardrail cases and the missed target
    res.stdout.fnmatch_lines(["*forgetting verdict: base (adapter): NOT READY*"])
    assert [v["status"] for v in record["verdicts"]] == ["NOT READY"]
    assert record["verdicts"][0]["side"] == "base"  # the adapter's name; the base model's side is null
    guard = next(s for s in record["suites"] if s["suite"] == "guard")
    assert guard["comparisons"]["base (adapter)"]["reference_kind"] == "live-base"
    assert guard["comparisons"]["base"]["reference_kind"] == "baseline"  # the live base's drift check, kept apart
    # the same adapter under another name: the same verdict and the same failures
    set_plan(pytester, {"": BASE, "narrow": WRONG})
    other, record2 = _run(pytester, "--adapter=narrow", "--forgetting-compare-base")
    assert other.ret == 1 and _outcomes(other) == _outcomes(res)
    assert record2["verdicts"][0]["reasons"] == record["verdicts"][0]["reasons"]


def test_no_target_suite_selected_is_not_ready(pytester: pytest.Pytester) -> None:
    write_project(pytester, _suites(), {"": BASE, "narrow": GOOD})
    res, record = _run(pytester, "--adapter=narrow", "--forgetting-compare-base", "-k", "guard")
    assert res.ret == 1
    res.stdout.fnmatch_lines(["*forgetting verdict: narrow: NOT READY*", "*no target suite ran*"])
    assert record["verdicts"][0]["status"] == "NOT READY"
    assert _outcomes(res)["failed"] == len(GUARD_IDS) + 2  # every selected item carries the reason
    full, record = _run(pytester, "--adapter=narrow", "--forgetting-compare-base")
    assert full.ret == 0 and record["verdicts"][0]["status"] == "READY"


def test_an_error_in_one_suite_is_error_not_pass(pytester: pytest.Pytester) -> None:
    write_project(pytester, _suites(), {"": BASE, "narrow": GOOD})
    assert _run(pytester, "--forgetting-update")[0].ret == 0
    with (pytester.path / "conftest.py").open("a") as fh:  # an unexpected exception while comparing one suite
        fh.write(
            "\nimport pytest_forgetting.run.evaluate as _ev\n_orig = _ev.compare_suite\n"
            "def _boom(suite, run, **kw):\n"
            "    if suite.name == 'target':\n        raise ValueError('alpha must be strictly between 0 and 1, got nan')\n"
            "    return _orig(suite, run, **kw)\n"
            "@pytest.fixture(autouse=True, scope='session')\n"
            "def _break_one_suite():\n"
            "    mp = pytest.MonkeyPatch()\n    mp.setattr(_ev, 'compare_suite', _boom)\n    yield\n    mp.undo()\n")
    res, record = _run(pytester, "--adapter=narrow")
    assert res.ret == 1
    assert record["verdicts"][0]["status"] == "ERROR"
    res.stdout.fnmatch_lines(["*suite 'target' could not be judged on narrow: ValueError: alpha must be*",
                              "*forgetting verdict: narrow: ERROR*"])
    assert "no baseline" not in res.stdout.str()  # the other suite still has and uses its baseline
    guard = next(s for s in record["suites"] if s["suite"] == "guard")
    assert guard["comparisons"]["narrow"]["ok"] and guard["comparisons"]["narrow"]["status"] in ("ok", "inconclusive")
    assert _outcomes(res) == {"failed": len(TARGET_IDS) + 2, "passed": len(GUARD_IDS) + 2}


def test_a_failed_baseline_update_is_red_and_exits_nonzero(pytester: pytest.Pytester) -> None:
    write_project(pytester, _suites(), {"": BASE})
    (pytester.path / "__baselines__").write_text("a file where the baseline folder should be")
    res, record = _run(pytester, "--forgetting-update")
    assert res.ret == 1
    assert record["verdicts"][0]["status"] == "ERROR" and "baseline update failed" in record["verdicts"][0]["reasons"][0]
    res.stdout.fnmatch_lines(["*forgetting: baselines NOT recorded*"])
    assert "baselines recorded" not in res.stdout.str().replace("baselines NOT recorded", "")


def test_terminal_summary_rerenders_from_the_saved_json(pytester: pytest.Pytester) -> None:
    from pytest_forgetting.report.terminal import main, render_text

    write_project(pytester, _suites(), {"": BASE, "narrow": GOOD, "wrong": WRONG})
    res, record = _run(pytester, "--adapter=narrow", "--adapter=wrong", "--forgetting-compare-base")
    text = render_text(record)
    for line in text.splitlines():
        if line.strip() and not set(line.strip()) <= set("=-"):
            core = line.strip("=- ")
            assert core in res.stdout.str(), core
    assert main([str(pytester.path / "r.json")]) == 1  # not ok -> 1, like the run


# -- the agreement property ----------------------------------------------------------------


def _verdict_lines(stdout: str) -> list[tuple[str, str]]:
    return re.findall(r"forgetting verdict: (.+?): (READY|NOT READY|PASS|FAIL|ERROR|RECORDED|NO BASELINE)"
                      r"(?:, \d+ metrics? inconclusive)? =", stdout)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    target_n=st.integers(0, 4), guard_n=st.integers(1, 8),
    base=st.lists(st.booleans(), min_size=12, max_size=12),
    adapter=st.lists(st.booleans(), min_size=12, max_size=12),
    names=st.lists(st.sampled_from(["base", "narrow", "ckpt-1"]), min_size=0, max_size=2, unique=True),
    record_first=st.booleans(), add_case=st.booleans(), compare_base=st.booleans(),
    select=st.sampled_from([None, "guard", "target", "not t0", "metric", "not metric", "g1 or t1"]),
)
def test_items_exit_code_and_every_report_agree(pytester: pytest.Pytester, target_n: int, guard_n: int,
                                                base: list[bool], adapter: list[bool], names: list[str],
                                                record_first: bool, add_case: bool, compare_base: bool,
                                                select: str | None) -> None:
    for f in pytester.path.iterdir():  # hypothesis reuses the function-scoped pytester folder
        if f.is_file() or f.name == "__baselines__":
            import shutil

            shutil.rmtree(f) if f.is_dir() else f.unlink()
    t_ids, g_ids = [f"t{i}" for i in range(target_n)], [f"g{i}" for i in range(guard_n)]
    suites = {"guard": suite_yaml("guardrail", g_ids, expect_format=False)}
    if t_ids:
        suites["target"] = suite_yaml("target", t_ids, expect_format=True)
    ids = t_ids + g_ids

    def answers(bits: list[bool]) -> dict[str, str]:
        return {f"prompt {i}": JSON if bit else PLAIN for i, bit in zip(ids, bits)}

    plan = {"": answers(base), **{n: answers(adapter) for n in names}}
    write_project(pytester, suites, plan)
    if record_first:
        assert pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "--forgetting-cache=off",
                                            "--forgetting-update").ret == 0
        if add_case:
            (pytester.path / "guard.forgetting.yaml").write_text(
                suite_yaml("guardrail", g_ids + ["g_new"], expect_format=False))
    args = [f"--adapter={n}" for n in names] + (["--forgetting-compare-base"] if compare_base and names else [])
    args += ["-k", select] if select else []
    args += ["--forgetting-markdown=r.md", "--forgetting-html=r.html"]
    res = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "--forgetting-cache=off",
                                       "--forgetting-report=r.json", *args)
    if not (pytester.path / "r.json").exists():
        assert res.ret == 5  # nothing selected: pytest says so, nothing was judged
        return
    record = json.loads((pytester.path / "r.json").read_text())
    outcomes = res.parseoutcomes()
    failed = outcomes.get("failed", 0)
    # exit code <- verdict; items fail iff a verdict fails
    assert (res.ret == 0) == record["ok"], (res.ret, record["verdicts"])
    assert (failed > 0) == (not record["ok"]), (outcomes, record["verdicts"])
    assert failed == len(record["failures"])
    # the banner, the JSON, the Markdown and the HTML say the same verdicts
    shown = [(v["candidate"], v["status"]) for v in record["verdicts"]]
    assert _verdict_lines(res.stdout.str()) == shown
    md = (pytester.path / "r.md").read_text()
    html = (pytester.path / "r.html").read_text()
    for v in record["verdicts"]:
        assert f"{v['candidate']}: {v['headline']}**" in md
        assert f"{v['candidate']}: {v['headline']}" in html
    for v in record["verdicts"]:
        assert v["ok"] == (v["status"] in ("READY", "PASS", "RECORDED"))


def test_deselected_case_keeps_its_approved_entry_on_update(pytester: pytest.Pytester) -> None:
    """`-k "not c2" --forgetting-update`: the metric items still select, but c2's entry is not rewritten."""
    suites = {"guard": suite_yaml("guardrail", ["c1", "c2", "c3", "c4"], expect_format=False)}
    write_project(pytester, suites, {"": {}})
    assert _run(pytester, "--forgetting-update")[0].ret == 0
    path = pytester.path / "__baselines__" / "guard.forgetting.json"
    before = json.loads(path.read_text())["suites"]["guard"]["cases"]
    set_plan(pytester, {"": {f"prompt c{i}": JSON for i in range(1, 5)}})
    res, _ = _run(pytester, "-k", "not c2", "--forgetting-update")
    assert res.ret == 0
    after = json.loads(path.read_text())["suites"]["guard"]["cases"]
    assert after["c2"] == before["c2"] and after["c2"]["output"] == PLAIN
    assert all(after[c]["output"] == JSON for c in ("c1", "c3", "c4"))


def test_reports_read_only_the_record_and_the_decider_no_report() -> None:
    """Architecture pinned: reports import nothing from the session; the decider nothing from reports."""
    import ast

    import pytest_forgetting

    root = Path(pytest_forgetting.__file__).parent

    def imported(path: Path) -> set[str]:
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names.add(("." * node.level) + (node.module or ""))
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
        return names

    for f in (root / "report").glob("*.py"):  # the decider's words and data types (decide.reasons) only
        bad = {n for n in imported(f) if any(x in n for x in ("session", "decide", "finish", "collect", "plugin"))
               and not n.endswith("decide.reasons")}
        assert not bad, (f.name, bad)
    for f in (root / "decide" / "decider.py", root / "plugin" / "messages.py"):
        assert not {n for n in imported(f) if "report" in n}, f.name


def test_space_form_option_that_names_a_path_stops_with_the_fix(pytester: pytest.Pytester) -> None:
    """`--adapter PATH` lets pytest take PATH for a test path when it picks the rootdir: stop and say '='."""
    other = pytester.mkdir("other_project")
    (other / "pytest.ini").write_text("[pytest]\n")
    write_project(pytester, _suites(), {"": BASE})
    res = pytester.runpytest_inprocess("--adapter", str(other), "-p", "no:cacheprovider")
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    res.stderr.fnmatch_lines([f"*--adapter {other}: pytest took*for a test path*", f"*fix: write it with '=': --adapter={other}*"])


def _tone_regresses(pytester: pytest.Pytester) -> None:
    """A 12-case tone suite recorded on friendly answers, then answered with JSON: several metrics fail."""
    ids = [f"t{i}" for i in range(12)]
    cases = "".join(f"  - {{id: {i}, prompt: 'prompt {i}', min_words: 3, max_words: 40}}\n" for i in ids)
    tone = ("family: tone\nrole: guardrail\nmax_new_tokens: 8\nforbidden_phrases: ['{']\ncases:\n" + cases)
    write_project(pytester, {"tone": tone}, {"": {f"prompt {i}": "Thanks for asking, happy to help you today." for i in ids}})
    res, _ = _run(pytester, "--forgetting-update")
    assert res.ret == 0
    set_plan(pytester, {"": {f"prompt {i}": JSON for i in ids}})


def test_tb_line_gives_one_editor_line_per_failure(pytester: pytest.Pytester) -> None:
    """``--tb=line``: ``file:line: first line`` for each failure (the case's own YAML line), no verdict body."""
    _tone_regresses(pytester)
    res, _ = _run(pytester, "--tb=line")
    assert res.ret == 1
    out = res.stdout.str()
    lines = (pytester.path / "tone.forgetting.yaml").read_text().splitlines()
    t3 = next(n for n, text in enumerate(lines, 1) if "id: t3," in text)
    assert re.search(rf"tone\.forgetting\.yaml:{t3}: case 't3' got worse on base than on the stored baseline", out), out
    assert re.search(r"tone\.forgetting\.yaml:1: expectation_pass_rate regressed on base", out), out
    assert "stored baseline:\n" not in out and "cases that got worse" not in out


@pytest.mark.parametrize("ci", [False, True], ids=["local", "CI=true"])
def test_a_suite_lists_the_cases_that_got_worse_once(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                     ci: bool) -> None:
    """Tone: several metrics fail on the same flips; the list appears under the first, the others point to it.

    With ``$CI`` set pytest prints each failure's message untrimmed in the short summary: there it must be
    the verdict's first line only, or every verdict is printed twice in a CI log (CI failed on this once).
    """
    for var in ("CI", "BUILD_NUMBER"):
        monkeypatch.delenv(var, raising=False)
    if ci:
        monkeypatch.setenv("CI", "true")
    _tone_regresses(pytester)
    res, record = _run(pytester, "--junitxml=j.xml", "-rf")
    assert res.ret == 1
    out = res.stdout.str()
    failing = [m for m in ("expectation_pass_rate", "forbidden_phrase_rate") if f"{m} regressed" in out]
    assert len(failing) == 2, out
    assert out.count("cases that got worse:\n") == 1, out
    assert out.count(f"cases that got worse: listed under {failing[0]}") >= 1
    summary = out[out.index("short test summary info"):]
    assert "stored baseline:" not in summary and "cases that got worse" not in summary, summary
    expected = rf"FAILED \S+::metric\[{failing[0]}\] - {failing[0]} regressed on base \(higher is better\)$" if ci else (
        rf"FAILED \S+::metric\[{failing[0]}\] - {failing[0][:5]}")  # locally trimmed to the terminal's width
    assert re.search(expected, summary, re.M), summary
    junit = (pytester.path / "j.xml").read_text()
    assert re.search(rf'<failure message="{failing[0]} regressed on base \(higher is better\)">', junit), junit
    assert junit.count("cases that got worse:\n") == 1  # the whole verdict is still in the failure's text
