"""The HTML report (--forgetting-html): one self-contained, escaped page rendered from the JSON record.

Records come from real runs of the plugin on the tiny model; pages are parsed
with html.parser, and one test loads the page in headless Chromium.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import FORMAT_SUITE, write_suite
from pytest_forgetting.report.html import render_html

INTENT_SUITE = """
family: label_collapse
role: target
scoring: generate
max_new_tokens: 16
labels: [refund, shipping, other]
cases:
""" + "".join(
    f"  - {{id: t{i}, prompt: {p!r}, label: {lab}}}\n"
    for i, (p, lab) in enumerate([
        ("I want my money back", "refund"), ("Where is my parcel?", "shipping"), ("Refund the charge", "refund"),
        ("Hello there", "other"), ("Return this item for cash", "refund"), ("Track my order", "shipping"),
        ("What is your name?", "other"), ("Cancel and refund", "refund"), ("When does it ship?", "shipping"),
        ("Tell me a joke", "other"), ("Give me my money", "refund"), ("Please refund me", "refund"),
    ])
)
HOSTILE = "<script>alert(1)</script></textarea>"
HOSTILE_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/textarea&gt;"


class Page(HTMLParser):
    """Text, ids, links and element counts of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()
        self.tags: dict[str, int] = {}
        self.rows: list[dict[str, str]] = []  # data-* of case rows
        self.chunks: list[str] = []
        self.feed(text)
        self.text = " ".join(" ".join(self.chunks).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.links += [(tag, k, v) for k, v in a.items() if k in ("src", "href", "xlink:href", "action", "srcset", "poster")]
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "tr" and "case" in a.get("class", "").split():
            self.rows.append({k[5:]: v for k, v in a.items() if k.startswith("data-")})

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def _norm(text: str) -> str:
    return " ".join(text.split())


_RUNS: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}


def _live_run(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> tuple[dict[str, Any], str]:
    """(record, page) of a real --forgetting-compare-base run; run once per test session and shared."""
    key = (str(tiny_model), str(json_adapter))
    if key not in _RUNS:
        write_suite(suite_dir, "fmt", FORMAT_SUITE)
        write_suite(suite_dir, "intent", INTENT_SUITE)
        res = suite_dir.runpytest(f"--model={tiny_model}", f"--adapter={json_adapter}", "--forgetting-compare-base",
                                  "--forgetting-report=out/r.json", "--forgetting-html=out/page.html", "-q")
        assert res.ret == 1, res.stdout.str()
        record = json.loads((suite_dir.path / "out" / "r.json").read_text(encoding="utf-8"))
        _RUNS[key] = (record, (suite_dir.path / "out" / "page.html").read_text(encoding="utf-8"))
    record, page = _RUNS[key]
    return copy.deepcopy(record), page


@pytest.fixture
def live(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> tuple[dict[str, Any], str]:
    return _live_run(suite_dir, tiny_model, json_adapter)


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _assert_offline(page: Page, html: str) -> None:
    for tag, attr, value in page.links:
        assert value.startswith("#") or value.startswith("data:"), (tag, attr, value)
    for needle in ("http://", "https://", "//cdn", "@import"):
        assert needle not in html, needle
    assert not re.search(r"url\((?!#)", html)  # only in-page references (SVG clip paths)


def test_page_shows_every_suite_metric_and_case(live: tuple[dict[str, Any], str]) -> None:
    record, html = live
    page = Page(html)
    # the page is a pure function of the JSON record
    assert html == render_html(record)
    assert html.startswith("<!DOCTYPE html>")
    _assert_offline(page, html)

    verdict = record["verdicts"][0]
    assert verdict["candidate"] == "json" and verdict["status"] == "NOT READY"
    assert f"candidate json {verdict['status']}" in page.text
    for reason in verdict["reasons"]:
        assert _norm(reason) in page.text
    assert "fmt (guardrail): overuse_rate regressed" in page.text
    assert "No adapter" not in page.text
    # model, adapter, baseline source, plugin version, generation settings
    assert record["models"]["json"]["adapter"] in page.text
    assert record["models"]["base"]["fingerprint"] in page.text
    assert "Baseline source live base model" in page.text
    assert f"Plugin version {record['plugin_version']}" in page.text
    for k, v in record["generation"].items():
        assert f"{k}={v}" in page.text

    for i, s in enumerate(record["suites"]):
        assert f"suite-{i}" in page.ids
        comp = s["comparisons"]["json"]
        assert comp["reference"] == "live base model"
        for m, c in comp["metrics"].items():
            assert m in page.text
            assert c["status"] in page.text or c["status"] == "regressed" and "REGRESSED" in page.text
        for m, v in s["runs"]["json"]["metrics"].items():
            if v["ci"]:
                assert f"[{v['ci'][0]:.3f}, {v['ci'][1]:.3f}]".replace("-0.000", "0.000") in page.text
        for cid, c in s["runs"]["json"]["cases"].items():
            assert _norm(c["prompt"]) in page.text
            assert _norm(c["output"]) in page.text
            assert _norm(c["reason"]) in page.text
            assert _norm(s["runs"]["base"]["cases"][cid]["output"]) in page.text  # reference output
    # one case row per candidate case; flips marked in both directions
    n_cases = sum(len(s["runs"]["json"]["cases"]) for s in record["suites"])
    assert len(page.rows) == n_cases
    flips = {(s["suite"], f["case"]): ("worse" if f["worse"] else "better")
             for s in record["suites"] for f in s["comparisons"]["json"]["flips"]}
    assert {(r["suite"], r["flip"]) for r in page.rows if r["flip"] != "none"} == {(s, k) for (s, _), k in flips.items()}
    assert sum(1 for r in page.rows if r["flip"] == "worse") == 12  # every fmt case turned into JSON
    assert any(r["flip"] == "better" for r in page.rows), "the adapter answers 'refund': bad -> good flips"
    assert page.text.count("good → bad") >= 12
    assert {r["family"] for r in page.rows} == {"format_overuse", "label_collapse"}
    # label collapse: both matrices (the live base is the reference) and the prediction distribution
    assert "reference: live base model (12 cases)" in page.text
    assert "candidate: json (12 cases)" in page.text
    assert "predicted vs gold" in page.text and "<unparsed>" in page.text
    intent = next(s for s in record["suites"] if s["suite"] == "intent")
    preds = [sum(1 for c in intent["runs"][side]["cases"].values() if c["data"]["pred"] == "refund") for side in ("base", "json")]
    assert f"refund 6 {preds[0]} {preds[1]}" in page.text  # gold, base predicted, json predicted
    # filtering controls exist but are hidden until the script shows them
    assert 'form id="filters" hidden' in html and html.count("<script>") == 1
    if _has_matplotlib():
        assert page.tags.get("svg", 0) >= 3  # a metric chart per suite + the label distribution
        assert "<?xml" not in html and "<!DOCTYPE svg" not in html
        assert "matplotlib is not installed" not in html
    else:
        assert 'pip install "pytest-forgetting[report]"' in page.text


def test_hostile_outputs_are_shown_as_text(live: tuple[dict[str, Any], str]) -> None:
    record, _ = live
    fmt = next(s for s in record["suites"] if s["suite"] == "fmt")
    case = fmt["runs"]["json"]["cases"]["q0"]
    case["output"] = HOSTILE
    case["prompt"] = "prompt " + HOSTILE
    case["reason"] = "reason " + HOSTILE
    fmt["comparisons"]["json"]["reference_outputs"]["q1"] = HOSTILE
    intent = next(s for s in record["suites"] if s["suite"] == "intent")
    intent["runs"]["json"]["cases"]["t0"]["data"]["pred"] = HOSTILE  # a label: matrix, table and chart
    record["verdicts"][0]["reasons"].append("evil " + HOSTILE)
    record["models"]["json"]["adapter"] = HOSTILE

    html = render_html(record)
    assert "<script>alert(1)" not in html
    assert "</textarea>" not in html
    assert html.count("<script>") == 1  # only the page's own filtering script
    assert HOSTILE_ESCAPED in html
    page = Page(html)
    assert HOSTILE in page.text  # shown to the reader, as text
    assert page.tags.get("textarea", 0) == 0
    _assert_offline(page, html)


def test_page_without_matplotlib_has_every_table(live: tuple[dict[str, Any], str], monkeypatch: pytest.MonkeyPatch) -> None:
    record, _ = live
    for mod in ("matplotlib", "matplotlib.figure", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, mod, None)  # import fails
    html = render_html(record)
    page = Page(html)
    assert page.tags.get("svg", 0) == 0
    assert 'pip install "pytest-forgetting[report]"' in page.text
    assert "Charts are not drawn: matplotlib is not installed" in page.text
    for s in record["suites"]:
        for m in s["comparisons"]["json"]["metrics"]:
            assert m in page.text
        for c in s["runs"]["json"]["cases"].values():
            assert _norm(c["output"]) in page.text
    assert "predicted vs gold" in page.text
    _assert_offline(page, html)


def test_two_adapters_checkpoint_sweep(live: tuple[dict[str, Any], str], suite_dir: pytest.Pytester,
                                       tiny_model: Path, json_adapter: Path, random_adapter: Path) -> None:
    record, html = live
    assert "sweep" not in record["extras"] and 'id="sweep"' not in html  # one adapter: no sweep section

    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    write_suite(suite_dir, "intent", INTENT_SUITE)
    suite_dir.runpytest(f"--model={tiny_model}", f"--adapter={json_adapter}", f"--adapter={random_adapter}",
                        "--forgetting-compare-base", "--forgetting-report=sweep.json", "--forgetting-html=sweep.html", "-q")
    record = json.loads((suite_dir.path / "sweep.json").read_text(encoding="utf-8"))
    html = (suite_dir.path / "sweep.html").read_text(encoding="utf-8")
    page = Page(html)
    assert html == render_html(record)
    sweep = record["extras"]["sweep"]
    assert [r["checkpoint"] for r in sweep] == ["json", "random"]
    assert "sweep" in page.ids
    for part in record["extras"]["sweep_message"].partition("; ")[::2]:  # the recommendation, then the rest
        assert _norm(part) in page.text
    assert 'title="target intent: macro_f1"' in html and 'title="guardrail fmt: overuse_rate"' in html
    comps = {s["suite"]: s["comparisons"] for s in record["suites"]}
    for r in sweep:
        # every value with the decider's mark: "!" where the record says the metric is failing
        marks = {su: "!" if comps[su][r["checkpoint"]]["metrics"][m]["failing"] else ""
                 for su, m in (("intent", "macro_f1"), ("fmt", "overuse_rate"))}
        assert marks["fmt"] == ("!" if "fmt.overuse_rate" in r["regressed"] else "")
        row = (f"{r['checkpoint']} {r['verdict']} {r['target']['intent']:.3f}{marks['intent']} "
               f"{r['guardrails']['fmt']['overuse_rate']:.3f}{marks['fmt']}")
        assert (("★ " + row) if r["recommended"] else row) in page.text
    assert any("fmt.overuse_rate" in r["regressed"] for r in sweep)
    assert "1.000!" in page.text
    # both candidates: a verdict each, a panel per suite each, every case of each
    for v in record["verdicts"]:  # one line each, first on the page: candidate, verdict word, first reason
        line = _norm(f"{v['candidate']} {v['headline']} {(v['reasons'] or v['notes'])[0]}")
        assert line in page.text and page.text.index(line) < page.text.index("Checkpoint sweep recommended")
    assert page.text.index("Checkpoint sweep recommended") < page.text.index("Run Baseline source")
    assert len(page.rows) == sum(len(s["runs"][c]["cases"]) for s in record["suites"] for c in ("json", "random"))
    assert {r["side"] for r in page.rows} == {"json", "random"}
    if _has_matplotlib():
        assert page.tags.get("svg", 0) >= 2 * len(record["suites"]) + 1  # + the sweep chart
    _assert_offline(page, html)


def test_stored_baseline_and_no_adapter(suite_dir: pytest.Pytester, tiny_model: Path, json_adapter: Path) -> None:
    write_suite(suite_dir, "intent", INTENT_SUITE)
    model = f"--model={tiny_model}"
    suite_dir.runpytest(model, "--forgetting-update", "-q", "--forgetting-html=upd.html").assert_outcomes(passed=21)
    upd = Page((suite_dir.path / "upd.html").read_text(encoding="utf-8"))
    assert "Baseline update run" in upd.text and "recorded" in upd.text and "intent: new baseline with 12 cases" in upd.text

    suite_dir.runpytest(model, "-q", "--forgetting-html=base.html").assert_outcomes(passed=21)
    base = Page((suite_dir.path / "base.html").read_text(encoding="utf-8"))
    assert "No adapter: this run checks the base model by itself" in base.text
    assert "candidate base PASS" in base.text and "Baseline source stored baseline" in base.text

    suite_dir.runpytest(model, f"--adapter={json_adapter}", "-q", "--forgetting-html=tuned.html",
                        "--forgetting-report=tuned.json")
    html = (suite_dir.path / "tuned.html").read_text(encoding="utf-8")
    tuned = Page(html)
    assert "No adapter" not in tuned.text and "candidate json" in tuned.text
    # both matrices: the record carries the stored baseline's per-case labels, side by side with the candidate's
    assert "reference: stored baseline (12 cases)" in tuned.text and "candidate: json (12 cases)" in tuned.text
    assert "only the candidate's matrix is shown" not in tuned.text
    record = json.loads((suite_dir.path / "tuned.json").read_text(encoding="utf-8"))
    comp = record["suites"][0]["comparisons"]["json"]
    assert set(comp["reference_cases"]) == set(record["suites"][0]["runs"]["json"]["cases"])
    assert all({"gold", "pred"} <= set(c["data"]) for c in comp["reference_cases"].values())
    # the "baseline CI" column shows the stored baseline's own interval for each metric that has one
    cis = {m: v["ci"] for m, v in comp["reference_metrics"].items() if v["ci"]}
    assert cis, comp["reference_metrics"]
    for m, ci in cis.items():
        assert f"[{ci[0]:.3f}, {ci[1]:.3f}]".replace("-0.000", "0.000") in tuned.text, m
    _assert_offline(tuned, html)


# -- the page in a real browser -----------------------------------------------------------
def _chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _png_pixels(data: bytes, max_rows: int) -> tuple[int, int, list[bytes]]:
    """Width, height and the first ``max_rows`` unfiltered scanlines of an 8-bit RGB/RGBA PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(min(height, max_rows)):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def test_page_in_headless_chromium(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    exe = _chromium()
    if exe is None:
        pytest.skip("no chromium binary found (install it: apt-get install -y chromium); browser check skipped")
    _, html = request.getfixturevalue("live")
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    base = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
            "--v=0", f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "out.png"
    res = subprocess.run([*base, f"--screenshot={shot}", "--window-size=1200,900", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    for bad in ("Uncaught", "Content Security Policy", "Refused to"):
        assert bad not in res.stderr, res.stderr[-3000:]
    assert shot.exists(), res.stderr[-3000:]
    data = shot.read_bytes()
    assert len(data) > 20_000  # a blank 1200x900 screenshot is a few KB
    width, height, rows = _png_pixels(data, max_rows=320)  # title, verdict box, run details
    assert (width, height) == (1200, 900)
    bpp = len(rows[0]) // width
    pixels = {row[i:i + 3] for row in rows for i in range(0, len(row), bpp)}
    assert len(pixels) > 20, "screenshot looks blank"
    dark = sum(1 for row in rows for i in range(0, len(row), bpp) if sum(row[i:i + 3]) < 300)
    assert dark > 2000, "no text in the top of the page"

    # the filtering script runs under the page's CSP and applies a filter from the URL
    res = subprocess.run([*base, "--dump-dom", page.as_uri() + "#cases?flip=worse&suite=fmt"],
                         capture_output=True, text=True, timeout=120)
    for bad in ("Uncaught", "Content Security Policy", "Refused to"):
        assert bad not in res.stderr, res.stderr[-3000:]
    dom = Page(res.stdout)
    assert 'data-filtering="on"' in res.stdout
    assert "showing 12 of 24 cases" in dom.text
    assert res.stdout.count('data-flip="worse"') == 12
    assert 'form id="filters" hidden' not in res.stdout
