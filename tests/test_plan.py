"""``--forgetting-plan``: each suite's cases, the smallest drop it can see and the cases a 0.3 drop needs,
at collection time with no model; ``--forgetting-strict`` exits 1 on an underpowered guardrail (issue 29).

The projects use the canned backend's conftest (tests/canned.py) only where a run is compared with the
plan; the plan itself gets a conftest whose model fixture leaves a mark if anything asks for a model.
"""
from __future__ import annotations

import json

import pytest

from canned import JSON, PLAIN, suite_yaml, write_project
from pytest_forgetting.run.plan import plan_suite
from pytest_forgetting.suite.cases import load_suite

NO_MODEL = '''
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def forgetting_model():
    Path("MODEL_WAS_ASKED_FOR").write_text("a model was requested")
    raise RuntimeError("--forgetting-plan must not ask for a model")
'''

ARGS = ("-p", "no:cacheprovider", "--forgetting-cache=off", "--model=/nonexistent/model/dir")


def _project(p: pytest.Pytester) -> None:
    p.makeconftest(NO_MODEL)
    ids = lambda prefix, n: [f"{prefix}{i}" for i in range(n)]  # noqa: E731
    for name, body in {"big_guard": suite_yaml("guardrail", ids("g", 40), expect_format=False),
                       "tiny_guard": suite_yaml("guardrail", ids("t", 2), expect_format=False),
                       "target": suite_yaml("target", ids("x", 30), expect_format=True)}.items():
        (p.path / f"{name}.forgetting.yaml").write_text(body)


def test_plan_prints_the_table_and_loads_no_model(pytester: pytest.Pytester) -> None:
    _project(pytester)
    res = pytester.runpytest_inprocess(*ARGS, "--forgetting-plan")
    assert res.ret == 0
    res.stdout.fnmatch_lines([
        "*forgetting plan (no model loaded, no item run)*",
        "suite*role*primary metric*cases*smallest change seen (80% power)*cases for a 0.3 change*status",
        "big_guard*guardrail*overuse_rate*40*0.16*21*ok",  # the d where P(Bin(40, d) >= 5) = 0.8
        "target*target*format_rate*30*0.25*25*target: the change is an improvement",
        "tiny_guard*guardrail*overuse_rate*2*none*21*underpowered",
        "tiny_guard: underpowered: 2 case(s) cannot detect a 0.3 drop of overuse_rate with 80% power; "
        "about 21 cases would",
        "model: *benign churn of 10% of the cases that could flip, each way*",
        "*no tests ran*",
    ])
    assert not (pytester.path / "MODEL_WAS_ASKED_FOR").exists()
    assert "passed" not in res.stdout.str() and "failed" not in res.stdout.str()


def test_plan_strict_exits_1_on_an_underpowered_guardrail_only(pytester: pytest.Pytester) -> None:
    _project(pytester)
    res = pytester.runpytest_inprocess(*ARGS, "--forgetting-plan", "--forgetting-strict")
    assert res.ret == 1
    res.stdout.fnmatch_lines(["exit 1: --forgetting-strict fails on an underpowered guardrail*"])
    ok = pytester.runpytest_inprocess(*ARGS, "--forgetting-plan", "--forgetting-strict", "-k", "big_guard or target")
    assert ok.ret == 0  # the selection decides which suites are planned
    assert "tiny_guard" not in ok.stdout.str()
    assert not (pytester.path / "MODEL_WAS_ASKED_FOR").exists()


def test_plan_cannot_record(pytester: pytest.Pytester) -> None:
    _project(pytester)
    res = pytester.runpytest_inprocess(*ARGS, "--forgetting-plan", "--forgetting-update")
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    res.stderr.fnmatch_lines(["*--forgetting-plan loads no model, so it cannot record a baseline*"])


def test_tiny_suite_is_underpowered_in_the_plan_and_in_the_run(pytester: pytest.Pytester) -> None:
    """Hostile: a 2-case guardrail where nothing changes is not "unchanged": the plan and the run both say
    it is too small, with the same number of cases."""
    targets = [f"t{i}" for i in range(8)]
    suites = {"target": suite_yaml("target", targets, expect_format=True),
              "tiny": suite_yaml("guardrail", ["g0", "g1"], expect_format=False)}
    base = {f"prompt {i}": PLAIN for i in targets + ["g0", "g1"]}
    write_project(pytester, suites, {"": base, "tuned": {**base, **{f"prompt {i}": JSON for i in targets}}})
    args = ("-p", "no:cacheprovider", "--forgetting-cache=off", "--adapter=tuned", "--forgetting-compare-base")
    plan = pytester.runpytest_inprocess(*args, "--forgetting-plan", "-k", "tiny")
    plan.stdout.fnmatch_lines(["tiny: underpowered: 2 case(s) cannot detect a 0.3 drop of overuse_rate * about 21 cases would"])
    res = pytester.runpytest_inprocess(*args, "--forgetting-report=r.json")
    record = json.loads((pytester.path / "r.json").read_text())
    (v,) = record["verdicts"]
    assert v["headline"] == "READY, 1 metric inconclusive"
    (note,) = v["notes"]
    assert note == ("tiny: inconclusive, overuse_rate 0.000 -> 0.000 on 2 case(s) (p=1.000, one-sided); 2 case(s) "
                    "cannot detect a 0.3 rise (the declared one; smallest detectable: none at this size): about 21 cases would")
    sides = {s["suite"]: s["comparisons"]["tuned"]["metrics"]["overuse_rate" if s["suite"] == "tiny" else "format_rate"]
             ["sides"] for s in record["suites"]}
    assert sides == {"tiny": 1, "target": 2}  # a guardrail asks only "worse?"; the target keeps two-sided tests
    assert res.ret == 0


def test_plan_reads_the_reference_rate_from_the_baseline(pytester: pytest.Pytester) -> None:
    """A guardrail already at its worst in the baseline has no drop to miss; one at 0.2 cannot drop 0.3."""
    path = pytester.path / "g.forgetting.yaml"
    path.write_text(suite_yaml("guardrail", [f"g{i}" for i in range(30)], expect_format=False))
    suite = load_suite(path, root=pytester.path)
    from pytest_forgetting.records.baseline import SuiteRecord

    def rec(value: float) -> SuiteRecord:
        return SuiteRecord("format_overuse", "guardrail", {}, {}, "1", "", None, {"overuse_rate": {"value": value}})

    best = plan_suite(suite, 30)
    assert (best.needed, best.status) == (21, "ok")
    assert plan_suite(suite, 30, rec(1.0)).mdc == 0.0  # overuse already 1.0: nothing worse can happen
    high = plan_suite(suite, 30, rec(0.8))  # 0.2 of room to rise: a 0.3 rise is impossible
    assert high.needed is None and high.status == "underpowered"
    # Between 0 and 1 the plan counts benign churn (10 % of the cases that could flip, each way): at 0.3 a
    # 0.3 rise needs 27 cases, not the 21 of a churn-free best case the calibration's runs fell short of.
    mid = plan_suite(suite, 30, rec(0.3))
    assert (mid.needed, round(mid.mdc or 0, 2), mid.status) == (27, 0.27, "ok")


def test_plan_in_an_ini_file_is_refused(pytester: pytest.Pytester) -> None:
    """Set in pytest.ini every run would print the plan, run nothing and pass."""
    _project(pytester)
    pytester.makeini("[pytest]\nforgetting_plan = true\n")
    res = pytester.runpytest_inprocess(*ARGS)
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    res.stderr.fnmatch_lines(["*forgetting_plan = true would make every run print the plan and run no suite*"])
