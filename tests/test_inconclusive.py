"""Verdicts that know what they cannot tell: inconclusive guardrails, family-wise control, routing.

Canned backend (tests/canned.py): decision logic, no model.
"""
from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
import yaml

from canned import JSON, PLAIN, suite_yaml, write_project
from pytest_forgetting.decide.decider import inconclusive_reason
from pytest_forgetting.decide.decider import (IMPROVED, INCONCLUSIVE, REGRESSED, UNCHANGED, Verdict, adjusted_p_values,
                                              metric_status)
from pytest_forgetting.plugin.messages import inconclusive_note
from pytest_forgetting.records.results import SuiteComparison
from pytest_forgetting.scoring.base import CaseOutcome, mean_metric
from pytest_forgetting.stats.comparison import compare_metric

TARGET_IDS = [f"t{i}" for i in range(8)]
REFUSE = "I'm sorry, but I can't help with that."
COMPLY = "Sure. First, open the settings page, then follow the steps in order."


def _run(p: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    res = p.runpytest_inprocess("-q", "-p", "no:cacheprovider", "--forgetting-cache=off", "--forgetting-report=r.json",
                                "--adapter=tuned", "--forgetting-compare-base", *args)
    return res, json.loads((p.path / "r.json").read_text())


def _target() -> str:
    return suite_yaml("target", TARGET_IDS, expect_format=True, extra="workflow: tickets\n")


def test_two_case_guardrail_that_broke_is_inconclusive_not_unchanged(pytester: pytest.Pytester) -> None:
    suites = {"target": _target(), "tiny_guard": suite_yaml("guardrail", ["g0", "g1"], expect_format=False)}
    base = {f"prompt {i}": PLAIN for i in TARGET_IDS + ["g0", "g1"]}
    tuned = {**{f"prompt {i}": JSON for i in TARGET_IDS}, "prompt g0": JSON, "prompt g1": JSON}
    write_project(pytester, suites, {"": base, "tuned": tuned})
    res, record = _run(pytester)
    assert res.ret == 0
    (v,) = record["verdicts"]
    assert v["status"] == "READY" and v["headline"] == "READY, 1 metric inconclusive"
    (note,) = v["notes"]
    assert note.startswith("tiny_guard: inconclusive, overuse_rate 0.000 -> 1.000 on 2 case(s) (p=0.250, one-sided)")
    assert "about 5 cases would detect the observed rise of 1;" in note
    assert note.endswith("2 case(s) cannot detect a 0.3 rise (the declared one; smallest detectable: none at this size): "
                         "about 21 cases would")
    metric = next(s for s in record["suites"] if s["suite"] == "tiny_guard")["comparisons"]["tuned"]["metrics"]
    assert metric["overuse_rate"]["status"] == INCONCLUSIVE and metric["overuse_rate"]["min_detectable_change"] is None
    res.stdout.fnmatch_lines(["*forgetting verdict: tuned: READY, 1 metric inconclusive*",
                              "*tiny_guard: inconclusive, overuse_rate 0.000 -> 1.000 on 2 case(s)*"])
    assert "unchanged" not in next(line for line in res.stdout.lines if line.startswith("tiny_guard") and "overuse" in line)
    strict, record = _run(pytester, "--forgetting-strict")
    assert strict.ret == 1 and record["verdicts"][0]["status"] == "NOT READY"
    strict.stdout.fnmatch_lines(["*overuse_rate is inconclusive on tuned*", "*--forgetting-strict makes inconclusive fail*"])


def test_under_refusal_on_eight_harmful_prompts_is_inconclusive_and_not_routed(pytester: pytest.Pytester) -> None:
    harmful = [f"h{i}" for i in range(8)]
    benign = [f"b{i}" for i in range(4)]
    cases = "".join(f"  - {{id: {i}, prompt: 'prompt {i}', should_refuse: true}}\n" for i in harmful)
    cases += "".join(f"  - {{id: {i}, prompt: 'prompt {i}', should_refuse: false}}\n" for i in benign)
    refusal = f"family: refusal\nrole: guardrail\nworkflow: tickets\nmax_new_tokens: 8\ncases:\n{cases}"
    base = {**{f"prompt {i}": PLAIN for i in TARGET_IDS}, **{f"prompt {h}": REFUSE if k < 4 else COMPLY
                                                              for k, h in enumerate(harmful)},
            **{f"prompt {b}": COMPLY for b in benign}}
    tuned = {**base, **{f"prompt {i}": JSON for i in TARGET_IDS}, **{f"prompt {h}": COMPLY for h in harmful}}
    write_project(pytester, {"target": _target(), "refusal_balance": refusal}, {"": base, "tuned": tuned})
    res, record = _run(pytester, "--forgetting-routing=routes.yaml")
    metrics = next(s for s in record["suites"] if s["suite"] == "refusal_balance")["comparisons"]["tuned"]["metrics"]
    under = metrics["under_refusal_rate"]
    assert (under["baseline"], under["current"], under["p_value"]) == (0.5, 1.0, 0.0625)  # one-sided
    assert under["status"] == INCONCLUSIVE and under["p_adjusted"] >= under["p_value"]
    assert res.ret == 0 and record["verdicts"][0]["headline"] == "READY, 2 metrics inconclusive"  # one per line
    under_note, acc_note = record["verdicts"][0]["notes"]
    shown = [line for line in res.stdout.lines if ": inconclusive, " in line]
    assert [line.strip() for line in shown] == [under_note, acc_note]  # the count matches the lines that follow
    assert under_note.endswith("on 8 case(s) (p=0.062, one-sided; Holm-adjusted p=0.125); about 12 cases would detect "
                               "the observed rise of 0.5")  # a secondary: inconclusive because it moved >= the 0.3 drop
    assert acc_note.endswith("12 case(s) cannot detect a 0.3 drop (the declared one; smallest detectable: 0.5): "
                             "about 21 cases would")  # two-sided said 25
    routes = yaml.safe_load((pytester.path / "routes.yaml").read_text())["workflows"]["tickets"]
    assert routes["route"] == "base" and "inconclusive" in routes["reason"]
    assert "held" not in routes["reason"]
    md = (pytester.path / "r.json").read_text()
    assert "unchanged" not in json.dumps(under)
    assert md  # the record is what every report renders


def _outcomes(bits: list[int]) -> dict[str, CaseOutcome]:
    return {f"c{i:02d}": CaseOutcome(bool(b), "ok" if b else "bad", "") for i, b in enumerate(bits)}


def test_secondary_metric_is_inconclusive_only_when_it_would_fail_alone_or_moved_the_declared_drop() -> None:
    """Rule (a) for the ~40 Holm-adjusted secondary metrics: a worse move past tolerance that its own test
    does not confirm is what benign churn produces in almost every run, so it is not "inconclusive"."""
    spec = mean_metric("acc", "higher", "", lambda o: float(o.passed), binary=True)
    small = compare_metric(spec, _outcomes([1] * 40), _outcomes([0] * 3 + [1] * 37), alpha=0.05, tolerance=0.05)
    assert small.p_value is not None and small.p_value > 0.05  # 0.075 worse, not significant alone
    assert metric_status(small, detect=0.3) == INCONCLUSIVE  # a primary: could have got worse
    assert metric_status(small, detect=0.3, secondary=True) == UNCHANGED  # a secondary: noise-sized, unconfirmed
    alone = compare_metric(spec, _outcomes([1] * 40), _outcomes([0] * 6 + [1] * 34), alpha=0.05, tolerance=0.05)
    assert alone.p_value is not None and alone.p_value < 0.05
    assert metric_status(alone, p_value=0.4, detect=0.3, secondary=True) == INCONCLUSIVE  # fails alone, not adjusted
    assert metric_status(alone, p_value=0.01, detect=0.3, secondary=True) == REGRESSED
    wide = compare_metric(spec, _outcomes([1] * 4), _outcomes([0] * 2 + [1] * 2), alpha=0.05, tolerance=0.05)
    assert wide.p_value is not None and wide.p_value > 0.05  # a 0.5 drop on 4 cases
    assert metric_status(wide, detect=0.3, secondary=True) == INCONCLUSIVE  # as large as the drop it exists to catch
    assert metric_status(wide, detect=None, secondary=True) == UNCHANGED  # no declared drop for this unit
    better = compare_metric(spec, _outcomes([0] * 2 + [1] * 2), _outcomes([1] * 4), alpha=0.05, tolerance=0.05)
    assert metric_status(better, detect=0.3, secondary=True) == UNCHANGED  # the better way is never inconclusive


def test_metric_status_rules() -> None:
    spec = mean_metric("acc", "higher", "", lambda o: float(o.passed), binary=True)
    big = compare_metric(spec, _outcomes([1] * 40), _outcomes([0] * 12 + [1] * 28), alpha=0.05, tolerance=0.05)
    assert metric_status(big, confirmatory=True, detect=0.3) == REGRESSED
    small = compare_metric(spec, _outcomes([1] * 40), _outcomes([0] * 3 + [1] * 37), alpha=0.05, tolerance=0.05)
    assert small.p_value is not None and small.p_value > 0.05
    assert metric_status(small) == INCONCLUSIVE  # 0.075 worse, beyond tolerance, not significant
    same = compare_metric(spec, _outcomes([1] * 200), _outcomes([1] * 200), alpha=0.05, tolerance=0.05)
    assert metric_status(same, confirmatory=True, detect=0.3) == UNCHANGED  # 200 cases see a 0.3 drop
    few = compare_metric(spec, _outcomes([1] * 4), _outcomes([1] * 4), alpha=0.05, tolerance=0.05)
    assert metric_status(few, confirmatory=True, detect=0.3) == INCONCLUSIVE  # 4 cases cannot see any drop
    assert metric_status(few, confirmatory=False, detect=0.3) == UNCHANGED  # secondary metrics: no power rule
    # a secondary regression that does not survive Holm's adjustment is not a regression
    assert metric_status(big, p_value=0.2) == INCONCLUSIVE


def test_holm_adjusts_secondaries_not_primaries() -> None:
    spec = mean_metric("m", "higher", "", lambda o: float(o.passed), binary=True)
    c = compare_metric(spec, _outcomes([1] * 20), _outcomes([0] * 6 + [1] * 14))
    comps = []
    for name in ("a", "b"):
        comp = SuiteComparison(suite=name, path="x", role="guardrail", family="f", candidate="x",
                               reference_kind="baseline", reference_label="stored", primary_metric="p")
        comp.comparisons = {"p": c, "s1": c, "s2": c}
        comps.append(comp)
    adj = adjusted_p_values(comps)
    assert adj[("a", "p")] == adj[("b", "p")] == c.p_value
    assert all(adj[(n, m)] == pytest.approx(min(1.0, 4 * c.p_value)) for n in "ab" for m in ("s1", "s2"))


def test_collapsed_reference_warns_in_every_report(pytester: pytest.Pytester) -> None:
    """A label guardrail whose reference predicts one label for everything cannot detect collapse."""
    cases = "".join(f"  - {{id: r{i}, prompt: 'review {i}', label: {lab}}}\n"
                    for i, lab in enumerate(["good", "bad", "meh"] * 3))
    labels = f"family: label_collapse\nrole: guardrail\nlabels: [good, bad, meh]\ncases:\n{cases}"
    write_project(pytester, {"labels": labels}, {"": {}})  # the canned backend scores every label 0.0: a tie
    args = ("-q", "-p", "no:cacheprovider", "--forgetting-cache=off")
    assert pytester.runpytest_inprocess(*args, "--forgetting-update").ret == 0
    res = pytester.runpytest_inprocess(*args, "--forgetting-report=r.json", "--forgetting-html=r.html",
                                       "--forgetting-markdown=r.md")
    record = json.loads((pytester.path / "r.json").read_text())
    (warn,) = record["verdicts"][0]["info"]
    assert warn.startswith("labels: warning: reference predictions already collapsed (majority share 1.00")
    assert "try normalization: calibrated or rebalance the cases" in warn
    res.stdout.fnmatch_lines(["*labels: warning: reference predictions already collapsed*"])
    assert "cannot detect label collapse" in (pytester.path / "r.html").read_text()
    assert "cannot detect label collapse" in (pytester.path / "r.md").read_text()
    assert record["suites"][0]["generation"]  # the settings this suite actually ran with


# --------------------------------------------------------------------------- issue 29: what "inconclusive" means

BIN = mean_metric("acc", "higher", "", lambda o: float(o.passed), binary=True)


def test_improvement_at_two_sided_p_006_reads_improved_on_a_guardrail() -> None:
    """Hostile: 5 cases fixed, two-sided p = 0.0625 -- the guardrail's one-sided test in the better
    direction says improved; it must never read inconclusive."""
    base, cur = _outcomes([0] * 5 + [1] * 35), _outcomes([1] * 40)
    c = compare_metric(BIN, base, cur, alpha=0.05, tolerance=0.05, one_sided=True)
    assert c.p_value == 0.03125
    assert metric_status(c, confirmatory=True, detect=0.3) == IMPROVED
    assert metric_status(c, confirmatory=False) == IMPROVED


def test_improvement_that_rules_out_the_declared_drop_is_not_inconclusive() -> None:
    """12 cases cannot see a 0.3 drop, but 2 fixed cases and none broken put the interval's worse end at
    -0.11: a 0.3 drop is ruled out, so the suite is unchanged (the old rule said inconclusive)."""
    base, cur = _outcomes([1] * 8 + [0] * 4), _outcomes([1] * 10 + [0] * 2)
    c = compare_metric(BIN, base, cur, alpha=0.05, tolerance=0.05)
    assert c.p_value == 0.5 and c.min_detectable_change is not None and c.min_detectable_change > 0.3
    assert c.ci_delta is not None and -0.3 < c.ci_delta[0] < 0
    assert metric_status(c, confirmatory=True, detect=0.3) == UNCHANGED


def test_improvement_on_two_cases_rules_nothing_out() -> None:
    """Hostile to the rule above: on 2 cases a fixed one cannot exclude any drop: still inconclusive."""
    c = compare_metric(BIN, _outcomes([1, 0]), _outcomes([1, 1]), alpha=0.05, tolerance=0.05, one_sided=True)
    assert c.delta == 0.5 and c.ci_delta is not None and c.ci_delta[0] <= -0.3
    assert metric_status(c, confirmatory=True, detect=0.3) == INCONCLUSIVE


def test_no_change_on_too_few_cases_names_the_declared_drop_and_more_cases() -> None:
    c = compare_metric(BIN, _outcomes([1] * 20), _outcomes([1] * 20), alpha=0.05, tolerance=0.05, one_sided=True)
    assert metric_status(c, confirmatory=True, detect=0.3) == INCONCLUSIVE
    note = inconclusive_note(inconclusive_reason("support_tone", "acc", c, 0.3))
    assert note == ("support_tone: inconclusive, acc 1.000 -> 1.000 on 20 case(s) (p=1.000, one-sided); "
                    "20 case(s) cannot detect a 0.3 drop (the declared one; smallest detectable: 0.31): "
                    "about 21 cases would")


def test_hint_for_an_observed_drop_never_suggests_fewer_cases_than_the_suite_has() -> None:
    """The demo printed 'question_rate 0.273 -> 0.153 on 20 case(s) (p=0.059); about 6 cases would detect a
    0.3 drop': a number below the suite's size, for a drop nobody observed."""
    c = compare_metric(BIN, _outcomes([1] * 6 + [0] * 14), _outcomes([0] * 3 + [1] * 3 + [0] * 14),
                       alpha=0.05, tolerance=0.05, one_sided=True)
    assert metric_status(c) == INCONCLUSIVE  # 0.15 worse, beyond tolerance, p = 0.125
    note = inconclusive_note(inconclusive_reason("support_tone", "acc", c, None))
    assert "the observed drop of 0.15" in note and "a 0.3 drop" not in note
    counts = [int(x) for x in re.findall(r"about (\d+) cases", note)]
    assert counts and all(k > 20 for k in counts)
    big = dataclasses.replace(c, n_paired=500)  # a suite already larger than the observed drop needs
    note = inconclusive_note(inconclusive_reason("support_tone", "acc", big, None))
    assert "about" not in note and "these 500 cases detect a drop of 0.15 4 times in 5" in note


def test_headline_counts_the_lines_it_announces() -> None:
    notes = ("support_tone: inconclusive, a ...", "support_tone: inconclusive, b ...", "refusal: inconclusive, c ...")
    v = Verdict("tuned", "tuned", "READY", notes=notes)
    assert v.headline == "READY, 3 metrics inconclusive"  # was "2 guardrails" above three lines
    assert Verdict("tuned", "tuned", "READY", notes=notes[:1]).headline == "READY, 1 metric inconclusive"
