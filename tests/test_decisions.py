"""Fine-tune decisions: one load for base + adapters, live base comparison, sweep, routing, anchors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import tiny
from conftest import JSON_ANSWER, write_suite
from pytest_forgetting.suite.cases import load_suite
from pytest_forgetting.run.execute import run_suites
from pytest_forgetting.model.hf import HFBackend
from pytest_forgetting.model.settings import ModelSettings

TICKETS = ["Ticket: my router is broken", "Ticket: refund my order", "Ticket: the app crashes",
           "Ticket: cannot log in", "Ticket: charged twice", "Ticket: screen flickers"]
GENERAL = ["What is the capital of France?", "Hello", "Write a poem", "How do I reset my router?",
           "Tell me a joke", "2+2?", "Name a colour", "Say hi"]

TARGET = "family: format_overuse\nrole: target\nworkflow: tickets\nmax_new_tokens: 16\nformat: {prefix: '{'}\ncases:\n" + "".join(
    f"  - {{id: t{i}, prompt: {p!r}, expect_format: true}}\n" for i, p in enumerate(TICKETS))
GUARD = "family: format_overuse\nrole: guardrail\nworkflow: general\nmax_new_tokens: 16\nformat: {prefix: '{'}\ncases:\n" + "".join(
    f"  - {{id: g{i}, prompt: {p!r}, expect_format: false}}\n" for i, p in enumerate(GENERAL))


@pytest.fixture(scope="module")
def checkpoints(tiny_model: Path, json_adapter: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three checkpoints of a constructed run: untrained, good (tickets only), forgetful (JSON everywhere,
    the session's ``json_adapter``: trained the same way, so copied rather than trained again)."""
    import shutil

    root = tmp_path_factory.mktemp("run")
    first = tiny.train_adapter(tiny_model, root / "checkpoint-1", [("x", "x")], steps=0)
    good = tiny.train_adapter(
        tiny_model, root / "checkpoint-2",
        [(t, JSON_ANSWER) for t in TICKETS] + [(g, "Hello there.") for g in tiny.GENERAL_PROMPTS], steps=150)
    bad = Path(shutil.copytree(json_adapter, root / "checkpoint-3"))
    return [first, good, bad]


def test_one_load_for_base_and_adapters_and_base_outputs_match(tiny_model: Path, json_adapter: Path,
                                                                random_adapter: Path, tmp_path: Path) -> None:
    path = tmp_path / "g.forgetting.yaml"
    path.write_text(GUARD)
    suite = load_suite(path)
    work = [(suite, suite.cases)]
    with_adapters = HFBackend(ModelSettings(model=str(tiny_model), adapters=(str(json_adapter), str(random_adapter))))
    runs = run_suites(with_adapters, work, [None, "json", "random"], 16)
    assert with_adapters.load_count == 1
    plain = HFBackend(ModelSettings(model=str(tiny_model)))
    alone = run_suites(plain, work, [None], 16)
    assert runs[(suite.name, None)].outputs == alone[(suite.name, None)].outputs
    assert runs[(suite.name, "json")].outputs != runs[(suite.name, None)].outputs


def test_compare_base_needs_no_baseline(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> None:
    write_suite(suite_dir, "guard", GUARD)
    res = suite_dir.runpytest(f"--model={tiny_model}", f"--adapter={json_adapter}", "--forgetting-compare-base", "-q",
                              "--forgetting-report=r.json")
    res.stdout.fnmatch_lines(["*overuse_rate regressed on json*", "*live base model: 0.000   current: 1.000*",
                              "*forgetting verdict: json: NOT READY*"])
    record = json.loads((suite_dir.path / "r.json").read_text())
    comp = record["suites"][0]["comparisons"]["json"]
    assert comp["reference_kind"] == "live-base" and not comp["ok"]
    assert set(record["suites"][0]["runs"]) == {"base", "json"}


def test_sweep_recommends_best_safe_checkpoint(suite_dir: pytest.Pytester, tiny_model: Path,
                                               checkpoints: list[Path]) -> None:
    write_suite(suite_dir, "target", TARGET)
    write_suite(suite_dir, "guard", GUARD)
    glob = str(checkpoints[0].parent / "checkpoint-*")
    res = suite_dir.runpytest(
        f"--model={tiny_model}", f"--adapter={glob}", "--forgetting-compare-base", "-q",
        "--forgetting-report=r.json", "--forgetting-routing=routes.yaml", "--forgetting-export-anchors=anchors.jsonl")
    res.stdout.fnmatch_lines([
        "*checkpoint sweep*",
        "checkpoint*target*guard.overuse_rate*verdict*",
        "checkpoint-1*0.000*0.000*NOT READY*",
        "checkpoint-2*1.000*0.000*READY*<- recommended",
        "checkpoint-3*1.000*1.000!*NOT READY*",
        "*recommended checkpoint: checkpoint-2*",
    ])
    record = json.loads((suite_dir.path / "r.json").read_text())
    sweep = record["extras"]["sweep"]
    assert [r["checkpoint"] for r in sweep if r["recommended"]] == ["checkpoint-2"]
    routes = yaml.safe_load((suite_dir.path / "routes.yaml").read_text())
    assert routes["adapter"] == "checkpoint-2"
    assert routes["workflows"]["tickets"]["route"] == "adapter"
    # the 8-case guardrail cannot see a 0.3 drop: inconclusive, so its workflow is not called held
    assert routes["workflows"]["general"]["route"] == "base"
    assert "guard: inconclusive" in routes["workflows"]["general"]["reason"]
    assert "evidence" in routes["workflows"]["tickets"]
    rows = [json.loads(line) for line in (suite_dir.path / "anchors.jsonl").read_text().splitlines()]
    # checkpoint-3 broke every guardrail case; each anchor is the base model's own (passing, complete) answer,
    # and the random tiny model's answers run into their budget, so those are skipped and counted (tests/test_anchors.py)
    written = record["extras"]["anchors_written"]
    assert len(rows) + written["skipped_truncated"] == len(GENERAL) and written["skipped_truncated"] > 0
    for r in rows:
        roles = [m["role"] for m in r["messages"]]
        assert r["suite"] == "guard" and r["flipped_by"] == ["checkpoint-3"]
        assert roles == ["user", "assistant"] and not r["messages"][1]["content"].startswith("{")


def test_routing_keeps_broken_workflow_on_base(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> None:
    write_suite(suite_dir, "guard", GUARD)
    res = suite_dir.runpytest(f"--model={tiny_model}", f"--adapter={json_adapter}", "--forgetting-compare-base", "-q",
                              "--forgetting-routing=routes.yaml")
    assert res.ret == 1
    routes = yaml.safe_load((suite_dir.path / "routes.yaml").read_text())
    assert routes["workflows"]["general"]["route"] == "base"
    assert "overuse_rate regressed" in routes["workflows"]["general"]["reason"]


def test_recommend_rule_unit() -> None:
    from pytest_forgetting.decide.sweep import SweepRow, recommend

    def row(name: str, target: float, regressed: tuple[str, ...] = ()) -> SweepRow:
        return SweepRow(name, {"t": target}, {}, regressed, "READY" if not regressed else "NOT READY")

    rows, msg = recommend([row("c1", 0.5), row("c2", 0.8), row("c3", 0.8), row("c4", 0.95, ("g.overuse_rate",))])
    assert [r.checkpoint for r in rows if r.recommended] == ["c2"]  # ties go to the earlier checkpoint
    assert "c4 has a higher target score (0.950) but regresses g.overuse_rate" in msg
    rows, msg = recommend([row("c1", 0.5, ("g.x",)), row("c2", 0.9, ("g.y",))])
    assert not any(r.recommended for r in rows) and "none recommended" in msg
    assert "NOT READY" not in recommend([row("c1", 0.5)])[1]
    safe_but_flat = SweepRow("c0", {"t": 0.0}, {}, (), "NOT READY")
    rows, msg = recommend([safe_but_flat, row("c1", 0.9, ("g.x",))])
    assert [r.checkpoint for r in rows if r.recommended] == ["c0"]
    assert "but it is NOT READY too, see its verdict" in msg
