"""Baseline files: concurrent writers never corrupt or lose each other's suites; render is stable."""
from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from pytest_forgetting.records.baseline import (BaselineFile, CaseRecord, SuiteRecord, load_baseline, render,
                                        write_suites)
from pytest_forgetting.scoring.base import CaseOutcome


def _record(n: int) -> SuiteRecord:
    cases = {f"c{i}": CaseRecord(hash="h", outcome=CaseOutcome(True, "ok", "why", {"x": i}), output="out " * 50)
             for i in range(n)}
    return SuiteRecord("helpfulness", "guardrail", {"name": "m"}, {"decoding": "greedy"}, "0.1.0", "now", None,
                       {"accuracy": {"value": 1.0}}, cases)


def _writer(path: str, name: str) -> None:
    for _ in range(5):
        write_suites(Path(path), {name: _record(200)})


def test_concurrent_writers_keep_every_suite(tmp_path: Path) -> None:
    path = tmp_path / "__baselines__" / "x.forgetting.json"
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(path), f"suite{i}")) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    bf = load_baseline(path)
    assert bf is not None and sorted(bf.suites) == [f"suite{i}" for i in range(4)]
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_render_is_stable_and_one_case_per_line(tmp_path: Path) -> None:
    bf = BaselineFile(tmp_path / "b.json", {"b": _record(3), "a": _record(2)})
    text = render(bf)
    assert text == render(BaselineFile(tmp_path / "b.json", {"a": _record(2), "b": _record(3)}))
    assert sum(1 for line in text.splitlines() if line.lstrip()[:2] == '"c' and line.lstrip()[2].isdigit()) == 5
    (tmp_path / "b.json").write_text(text)
    again = load_baseline(tmp_path / "b.json")
    assert again is not None and render(again) == text
