"""Live progress (issue 21 item 1): lines past pytest's capture, at least every 10 s, with an ETA."""
from __future__ import annotations

import re
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pytest_forgetting.plugin.progress import Progress

from conftest import runpytest_lean, write_suite

SUITE = """\
family: format_overuse
role: guardrail
max_new_tokens: 6
format: {prefix: "{"}
cases:
""" + "".join(f"  - {{id: c{i}, prompt: 'question number {i}', expect_format: false}}\n" for i in range(10))


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_plain_lines_come_at_least_every_ten_seconds_with_an_eta() -> None:
    clock, lines = Clock(), []
    p = Progress(write=lines.append, clock=clock)
    p("generate (base)", 0, 40)
    assert lines == ["[forgetting] generate (base): 0/40, 0s, ETA estimating"]
    for step in range(1, 40):  # one callback a second, e.g. per decode step
        clock.t += 1.0
        p("generate (base)", step, 40)
        p.heartbeat()
    times = [0] + [int(m.group(1)) for m in (re.search(r", (\d+)s", x) for x in lines[1:]) if m]
    assert all(b - a <= 10 for a, b in zip(times, times[1:])), lines
    assert len(lines) == 1 + 39 // 10  # not a line per callback in a CI log
    assert all("ETA " in x for x in lines)
    assert "20/40, 20s, 1.00/s, ETA 20s" in lines[2]
    clock.t += 1.0
    p("generate (base)", 40, 40)
    assert lines[-1].endswith("40/40, 40s (done)")
    assert p.seconds == {"generate (base)": 40.0}


def test_heartbeat_covers_a_long_stretch_with_no_callback() -> None:
    """A model load or one long batch gives no callback: the heartbeat still writes every 10 s."""
    clock, lines = Clock(), []
    p = Progress(write=lines.append, clock=clock)
    with p.active("loading the model", interval_s=0.01):
        p._last_write = clock.t
        for _ in range(25):
            clock.t += 1.0
            time.sleep(0.03)  # the heartbeat thread sees each second go by
    assert [x for x in lines if "loading the model" in x] == [
        "[forgetting] loading the model ... 10s", "[forgetting] loading the model ... 20s"]


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    clock, lines, drawn = Clock(), [], []
    p = Progress(write=lines.append, rewrite=drawn.append, clock=clock)
    p("score labels (narrow)", 0, 8)
    for i in range(1, 8):
        clock.t += 0.5
        p("score labels (narrow)", i, 8)
    p("score labels (narrow)", 8, 8)
    assert len(drawn) == 9 and drawn[-1].endswith("8/8, 4s (done)")
    assert lines == [""]  # the finished line is ended once, not repeated
    p.finish("model work: 4.0 s")
    assert lines[-1] == "[forgetting] model work: 4.0 s"


def test_the_lock_keeps_thread_and_callbacks_apart() -> None:
    lines: list[str] = []
    p = Progress(write=lines.append, every_s=0.0)
    with p.active("loading the model", interval_s=0.001):
        threads = [threading.Thread(target=lambda: [p("generate (base)", i, 500) for i in range(500)])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert all(x.startswith("[forgetting] ") or x == "" for x in lines)


def test_progress_reaches_the_terminal_with_capture_on(suite_dir: pytest.Pytester, tiny_model: Path,
                                                      random_adapter: Path) -> None:
    """A real tiny model, pytest's default fd capture, a pipe: the pass lines appear live, before the
    summary, and never under 'Captured stdout'; JUnit says where the model time went."""
    write_suite(suite_dir, "guard", SUITE)
    res = runpytest_lean(
        suite_dir,
        f"--model={tiny_model}", f"--adapter={random_adapter}", "--forgetting-compare-base",
        "--forgetting-cache=off", "--forgetting-absolute", "--junitxml=j.xml", "-p", "no:cacheprovider")
    out = res.stdout.str()
    assert "Captured stdout" not in out
    live = [x for x in out.splitlines() if x.startswith("[forgetting] ")]
    assert any(re.match(r"\[forgetting\] generate \(base\): 0/10, 0s, ETA estimating", x) for x in live), live
    assert any(re.match(r"\[forgetting\] generate \(random\w*\): 10/10, \d+s \(done\)", x) for x in live), live
    final = [x for x in live if "model work:" in x]
    assert final and "batched pass" in final[0] and "generate (base)" in final[0]
    assert out.index(live[0]) < out.index("forgetting summary")
    root = ET.parse(suite_dir.path / "j.xml").getroot()
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert float(props["forgetting_model_and_scoring_s"]) > 0
    assert "forgetting_pass_generate_base" in props
    assert sum(1 for n in props if n == "forgetting_includes_session_model_work_s") == 1


def test_quiet_quiet_stays_quiet(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    write_suite(suite_dir, "guard", SUITE)
    res = suite_dir.runpytest_inprocess(f"--model={tiny_model}", "--forgetting-cache=off",
                                         "--forgetting-absolute", "-qq", "-p", "no:cacheprovider")
    assert "[forgetting]" not in res.stdout.str()
