"""--forgetting-export-anchors writes data you can train on (issue 21).

A scripted backend drives real pytest runs for the rules (it cuts answers at their token budget
as a model does, counts whitespace tokens, and logs every call); a tiny real model checks the
tokenizer's count; `datasets` and TRL check that the file loads and renders with a chat template.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import torch  # noqa: F401

import tiny

# Imported at collection, before any pytester snapshot: pytester drops the modules a test imported, and neither
# torch nor datasets (pyarrow extension types) survives a second import in one process.
try:
    import datasets
    import trl.data_utils as trl_data
    from trl import SFTConfig, SFTTrainer
except ImportError:  # the dev extra has them (pip install -e ".[dev]")
    datasets = trl_data = SFTConfig = SFTTrainer = None

CONFTEST = '''
import json
import os
from pathlib import Path

import pytest

from pytest_forgetting import ModelIdentity

HERE = Path(__file__).parent
PLAN = json.loads((HERE / "plan.json").read_text(encoding="utf-8"))


class Scripted:
    """Answers from plan.json: a text is cut at max_new_tokens words; a {budget: text} map picks by budget."""

    def __init__(self, adapters):
        self._adapters = tuple(adapters)

    @property
    def adapters(self):
        return self._adapters

    def identity(self, adapter=None):
        return ModelIdentity("scripted", "fp-scripted", adapter)

    def count_tokens(self, text):
        return len(text.split(" "))

    def _log(self, kind, requests):
        with open(HERE / "calls.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"kind": kind, "adapters": [r.adapter for r in requests],
                                 "budgets": [getattr(r, "settings", None) and r.settings.max_new_tokens
                                             for r in requests]}) + "\\n")

    def generate(self, requests):
        self._log("generate", requests)
        out = []
        for r in requests:
            full = PLAN["gen"].get(r.adapter or "", {}).get(r.prompt.user_text, "A plain answer.")
            if isinstance(full, dict):
                out.append(full[str(r.settings.max_new_tokens)])
            else:
                out.append(" ".join(full.split(" ")[: r.settings.max_new_tokens]))
        return out

    def loglikelihood(self, requests):
        self._log("loglikelihood", requests)
        return [PLAN["ll"].get(r.adapter or "", {}).get(r.prompt.user_text, {}).get(r.continuation, -3.0)
                for r in requests]


@pytest.fixture(scope="session")
def forgetting_model(request):
    return Scripted([os.path.basename(a) for a in request.config.getoption("forgetting_adapter") or []])
'''

JSON = '{"intent": "refund"}'
HOSTILE_PROMPT = 'line one\nline two\ttab \x07bell \x01ctl \u2028sep \u2029par \x85nel é 日本 🙂 "q" \\ {x} #: - [a]'
HOSTILE_ANSWER = "Sure:\nline\u2028two \x01 é 🙂 \\"
LONG = " ".join(f"w{i}" for i in range(20))  # 20 tokens: cut at 8, complete at 32
ENDLESS = " ".join(f"w{i}" for i in range(40))  # still cut at 32
FMT_IDS = [f"c{i}" for i in range(16)]
LAB_IDS = [f"l{i}" for i in range(16)]
CALM_IDS = [f"k{i}" for i in range(20)]


def _yaml_str(s: str) -> str:
    """A YAML double-quoted scalar: JSON escapes, plus the characters YAML would read as line breaks."""
    return json.dumps(s, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace(
        "\x85", "\\x85")


def _fmt_prompt(cid: str) -> str:
    return HOSTILE_PROMPT if cid == "c0" else f"fmt prompt {cid}"


def _project(p: pytest.Pytester) -> None:
    fmt = "family: format_overuse\nrole: guardrail\nmax_new_tokens: 8\nformat: {prefix: '{'}\ncases:\n" + "".join(
        f"  - {{id: {c}, prompt: {_yaml_str(_fmt_prompt(c))}, expect_format: false}}\n" for c in FMT_IDS)
    lab = ("family: label_collapse\nrole: guardrail\nsystem: \"You label sentiment.\"\nlabels: [positive, negative]\n"
           "cases:\n" + "".join(f"  - {{id: {c}, prompt: 'review {c}', label: {'negative' if i % 2 else 'positive'}}}\n"
                                for i, c in enumerate(LAB_IDS)))
    calm = "family: format_overuse\nrole: guardrail\nmax_new_tokens: 8\nformat: {prefix: '{'}\ncases:\n" + "".join(
        f"  - {{id: {c}, prompt: 'calm {c}', expect_format: false}}\n" for c in CALM_IDS)
    base_gen: dict[str, Any] = {"fmt prompt c1": LONG, "fmt prompt c2": ENDLESS, "fmt prompt c3": "Run: ```bash ls",
                                "fmt prompt c4": {"8": "one two three four five six seven eight", "32": JSON},
                                HOSTILE_PROMPT: HOSTILE_ANSWER}
    a1 = {**{_fmt_prompt(c): JSON for c in FMT_IDS}, "calm k0": JSON}
    a2 = {_fmt_prompt(c): JSON for c in FMT_IDS[:12]}
    gold = {f"review {c}": ("negative" if i % 2 else "positive") for i, c in enumerate(LAB_IDS)}
    base_ll = {t: {g: -1.0, ("positive" if g == "negative" else "negative"): -5.0} for t, g in gold.items()}
    collapsed = {t: {"positive": -1.0, "negative": -5.0} for t in gold}
    plan = {"gen": {"": base_gen, "a1": a1, "a2": a2}, "ll": {"": base_ll, "a1": collapsed, "a2": collapsed}}
    (p.path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (p.path / "plan.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    for name, body in {"fmt": fmt, "lab": lab, "calm": calm}.items():
        (p.path / f"{name}.forgetting.yaml").write_text(body, encoding="utf-8")


@pytest.fixture
def exported(pytester: pytest.Pytester) -> tuple[pytest.RunResult, dict[str, Any], list[dict[str, Any]], str]:
    _project(pytester)
    res = pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "--forgetting-cache=off", "--adapter=a1", "--adapter=a2",
        "--forgetting-compare-base", "--forgetting-report=r.json", "--forgetting-export-anchors=out/anchors.jsonl")
    text = (pytester.path / "out" / "anchors.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.split("\n") if line]
    return res, json.loads((pytester.path / "r.json").read_text(encoding="utf-8")), rows, text


def _statuses(record: dict[str, Any], suite: str, side: str) -> set[str]:
    s = next(s for s in record["suites"] if s["suite"] == suite)
    return {m["status"] for m in s["comparisons"][side]["metrics"].values()}


def test_one_row_per_case_with_every_adapter_that_flipped_it(exported: Any) -> None:
    res, record, rows, _ = exported
    assert res.ret == 1
    assert "regressed" in _statuses(record, "fmt", "a1") and "regressed" in _statuses(record, "fmt", "a2")
    keys = [(r["suite"], r["case"]) for r in rows]
    assert len(keys) == len(set(keys))
    fmt = {r["case"]: r for r in rows if r["suite"] == "fmt"}
    assert set(fmt) == set(FMT_IDS) - {"c2", "c3", "c4"}
    for cid, r in fmt.items():
        assert r["flipped_by"] == (["a1", "a2"] if int(cid[1:]) < 12 else ["a1"]), cid
        assert r["messages"][-1]["role"] == "assistant" and not r["messages"][-1]["content"].startswith("{")
    w = record["extras"]["anchors_written"]
    assert (w["rows"], w["duplicates_merged"]) == (len(rows), 12 + 8)
    assert record["extras"]["anchors"] == {"fmt": 13, "lab": 8}


def test_label_rows_answer_with_the_gold_label_and_keep_the_system_turn(exported: Any) -> None:
    _, _, rows, text = exported
    lab = [r for r in rows if r["suite"] == "lab"]
    assert [r["case"] for r in lab] == [c for i, c in enumerate(LAB_IDS) if i % 2]  # the negatives flipped
    for r in lab:
        assert r["messages"] == [{"role": "system", "content": "You label sentiment."},
                                 {"role": "user", "content": f"review {r['case']}"},
                                 {"role": "assistant", "content": "negative"}]
        assert r["answer_source"] == "gold label"
    assert "log-likelihood" not in text and "loglik" not in text


def test_cut_off_answers_are_regenerated_in_one_base_call_or_skipped_and_counted(pytester: pytest.Pytester,
                                                                                  exported: Any) -> None:
    res, record, rows, _ = exported
    fmt = {r["case"]: r for r in rows if r["suite"] == "fmt"}
    assert fmt["c1"]["messages"][-1]["content"] == LONG  # the whole answer, not its first 8 tokens
    assert fmt["c1"]["answer_source"] == "reference answer, regenerated with max_new_tokens=32"
    assert fmt["c5"]["answer_source"] == "reference answer"
    calls = [json.loads(line) for line in (pytester.path / "calls.jsonl").read_text().splitlines()]
    regen = [c for c in calls if c["kind"] == "generate" and 32 in c["budgets"]]
    assert regen == [{"kind": "generate", "adapters": [None] * 4, "budgets": [32] * 4}]  # c1..c4, batched
    w = record["extras"]["anchors_written"]
    # c2 still cut at 32, c3 leaves a code fence open; c4's longer answer fails the case
    assert (w["regenerated"], w["skipped_truncated"], w["skipped_failing_reference"], w["skipped_empty"]) == (1, 2, 1, 0)
    res.stdout.fnmatch_lines([
        "*anchor export*", "fmt: 13 example(s)", "lab: 8 example(s)",
        "21 example(s) written to out/anchors.jsonl; 1 regenerated with 4x the token budget; skipped: 2 possibly cut "
        "off at the token budget, 1 reference answer failing the case; 20 repeat flip(s) by other adapters merged*"])


def test_a_suite_that_did_not_regress_writes_nothing(pytester: pytest.Pytester, exported: Any) -> None:
    _, record, rows, _ = exported
    calm = next(s for s in record["suites"] if s["suite"] == "calm")["comparisons"]["a1"]
    assert [f["case"] for f in calm["flips"] if f["worse"]] == ["k0"]  # it did flip one case
    assert "regressed" not in _statuses(record, "calm", "a1")
    assert not [r for r in rows if r["suite"] == "calm"]
    # --forgetting-strict fails the inconclusive suite, but failing is not regressing: still nothing from it
    strict = pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "--forgetting-cache=off", "--adapter=a1", "--forgetting-compare-base",
        "--forgetting-strict", "--forgetting-report=s.json", "--forgetting-export-anchors=strict.jsonl", "calm.forgetting.yaml")
    record = json.loads((pytester.path / "s.json").read_text())
    assert strict.ret == 1 and not next(s for s in record["suites"] if s["suite"] == "calm")["comparisons"]["a1"]["ok"]
    assert (pytester.path / "strict.jsonl").read_text() == ""


def test_hostile_prompt_and_answer_round_trip_exactly(exported: Any) -> None:
    _, _, rows, text = exported
    (row,) = [r for r in rows if r["case"] == "c0"]
    assert row["messages"] == [{"role": "user", "content": HOSTILE_PROMPT},
                               {"role": "assistant", "content": HOSTILE_ANSWER}]
    assert len(text.splitlines()) == len(rows)  # U+2028, U+2029 and NEL are escaped: one row per line everywhere


def test_file_loads_with_datasets_and_renders_with_trl(exported: Any, tiny_model: Path, tmp_path: Path,  # its tokenizer
                                                       monkeypatch: pytest.MonkeyPatch, pytester: pytest.Pytester) -> None:
    if datasets is None or trl_data is None:
        pytest.skip("needs datasets and trl (the dev extra)")
    from transformers import AutoTokenizer

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf"))
    _, _, rows, _ = exported
    ds = datasets.load_dataset("json", data_files=str(pytester.path / "out" / "anchors.jsonl"), split="train",
                               cache_dir=str(tmp_path / "hf"))
    assert ds.num_rows == len(rows) and ds[0]["messages"] == rows[0]["messages"]
    tok = AutoTokenizer.from_pretrained(tiny_model)
    for example, row in zip(ds, rows):
        assert trl_data.is_conversational(example)
        rendered = trl_data.maybe_apply_chat_template(example, tok)["text"]  # raises on a TRL-reserved column
        assert rendered.endswith(f"<|im_start|>assistant\n{row['messages'][-1]['content']}<|im_end|>\n")


def test_exported_rows_train_one_sft_step(exported: Any, tiny_model: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, pytester: pytest.Pytester) -> None:
    """The file is a TRL SFT dataset as written: one optimizer step on the tiny model."""
    if datasets is None or SFTTrainer is None:
        pytest.skip("needs datasets and trl (the dev extra)")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("WANDB_DISABLED", "true")
    ds = datasets.load_dataset("json", data_files=str(pytester.path / "out" / "anchors.jsonl"), split="train",
                               cache_dir=str(tmp_path / "hf"))
    args = SFTConfig(output_dir=str(tmp_path / "sft"), max_steps=1, per_device_train_batch_size=4, report_to=[],
                     use_cpu=True, save_strategy="no", logging_steps=1, max_length=128)
    trainer = SFTTrainer(model=str(tiny_model), args=args, train_dataset=ds)
    out = trainer.train()
    assert out.global_step == 1 and out.training_loss > 0


GENERAL = ["What is the capital of France?", "Hello", "Write a poem", "How do I reset my router?", "Tell me a joke",
           "2+2?", "Name a colour", "Say hi", "Explain rain", "Who wrote Hamlet?", "Give me a tip", "What day is it?"]


def test_tiny_model_answers_cut_at_the_budget_never_reach_the_file(suite_dir: pytest.Pytester, tiny_model: Path,
                                                                    json_adapter: Path, tmp_path: Path) -> None:
    """Real transformers + peft: the tokenizer counts the base answers; cut ones are regenerated or skipped."""
    from transformers import AutoTokenizer

    other = tiny.train_constant_adapter(tiny_model, tmp_path / "json2", '{"intent": "cancel"}', seed=3)
    (suite_dir.path / "guard.forgetting.yaml").write_text(
        "family: format_overuse\nrole: guardrail\nmax_new_tokens: 16\nformat: {prefix: '{'}\ncases:\n" + "".join(
            f"  - {{id: g{i}, prompt: {p!r}, expect_format: false}}\n" for i, p in enumerate(GENERAL)))
    res = suite_dir.runpytest(f"--model={tiny_model}", f"--adapter={json_adapter}", f"--adapter={other}",
                              "--forgetting-compare-base", "-q", "--forgetting-report=r.json",
                              "--forgetting-export-anchors=anchors.jsonl")
    record = json.loads((suite_dir.path / "r.json").read_text())
    (suite,) = record["suites"]
    assert res.ret == 1 and all("regressed" in _statuses(record, "guard", a) for a in ("json", "json2"))
    flipped = {f["case"] for a in ("json", "json2") for f in suite["comparisons"][a]["flips"] if f["worse"]}
    rows = [json.loads(line) for line in (suite_dir.path / "anchors.jsonl").read_text().splitlines()]
    w = record["extras"]["anchors_written"]
    assert len(rows) + w["skipped_truncated"] + w["skipped_failing_reference"] + w["skipped_empty"] == len(flipped)
    tok = AutoTokenizer.from_pretrained(tiny_model)
    base = suite["comparisons"]["json"]["reference_outputs"]
    cut = {c for c in flipped if len(tok(base[c], add_special_tokens=False)["input_ids"]) >= 12}
    assert cut, "the random base model should run into its 16-token budget somewhere"
    assert w["skipped_truncated"] + w["regenerated"] >= len(cut)
    for r in rows:
        answer = r["messages"][-1]["content"]
        assert r["flipped_by"] == ["json", "json2"] or r["flipped_by"] in (["json"], ["json2"])
        if r["case"] in cut:  # only a longer, complete answer may stand in for a cut one
            assert answer != base[r["case"]] and len(tok(answer, add_special_tokens=False)["input_ids"]) < 48


def test_backend_without_a_token_count_keeps_only_answers_that_come_back_unchanged(pytester: pytest.Pytester) -> None:
    _project(pytester)
    conftest = pytester.path / "conftest.py"
    conftest.write_text(conftest.read_text().replace("def count_tokens(self, text):", "def _no_count(self, text):"))
    res = pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "--forgetting-cache=off", "--adapter=a1", "--adapter=a2",
        "--forgetting-compare-base", "--forgetting-report=r.json", "--forgetting-export-anchors=a.jsonl", "fmt.forgetting.yaml")
    assert res.ret == 1
    rows = [json.loads(line) for line in (pytester.path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    w = json.loads((pytester.path / "r.json").read_text())["extras"]["anchors_written"]
    calls = [json.loads(line) for line in (pytester.path / "calls.jsonl").read_text().splitlines()]
    assert calls[-1] == {"kind": "generate", "adapters": [None] * 16, "budgets": [32] * 16}  # every answer, once
    # c1 and c4 came back different (so they were cut), c2 too, c3 leaves its fence open: none is written
    assert {r["case"] for r in rows} == set(FMT_IDS) - {"c1", "c2", "c3", "c4"}
    assert (w["rows"], w["regenerated"], w["skipped_truncated"], w["skipped_failing_reference"]) == (12, 0, 4, 0)
    assert all(r["answer_source"] == "reference answer" for r in rows)


def test_jsonl_keeps_one_row_per_line_and_survives_a_lone_surrogate() -> None:
    from pytest_forgetting.run.anchors import to_jsonl

    rows = [{"messages": [{"role": "user", "content": "a\u2028b\u2029c\x85d\ud800e"}]},
            {"messages": [{"role": "user", "content": "é\n日本 🙂"}]}]
    text = to_jsonl(rows)
    text.encode("utf-8")  # writable as UTF-8
    assert len(text.splitlines()) == 2 and [json.loads(line) for line in text.splitlines()] == rows
    assert "é\\n日本 🙂" in text  # readable unicode where it is safe


def test_who_may_be_asked_again() -> None:
    from pytest_forgetting.run.anchors import can_regenerate
    from pytest_forgetting.records.results import SuiteComparison

    def comp(candidate: str | None, kind: str, is_base: bool) -> SuiteComparison:
        return SuiteComparison("s", "s.forgetting.yaml", "guardrail", "tone", candidate, kind, kind,
                               reference_is_base=is_base)

    assert can_regenerate(comp("a1", "live-base", True))
    assert can_regenerate(comp("a1", "baseline", True))  # recorded on the base model (any copy of it)
    assert not can_regenerate(comp("a1", "baseline", False))  # recorded with an adapter: the base is not the reference
    assert not can_regenerate(comp(None, "baseline", True))  # the base model is the candidate that regressed
