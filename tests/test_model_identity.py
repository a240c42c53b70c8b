"""A baseline belongs to the model and arithmetic it was recorded with (issue 29, part 1).

Recorded on one model and run on another, a comparison would measure the model change and call it
the fine-tune's: the run stops before any model work, names what differs and the fix, writes
nothing and exits non-zero. The hostile variants: a renamed copy of the same model is the same model
(must not stop); a changed chat template, dtype, batch size or generation setting must stop.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import tiny
from conftest import FORMAT_SUITE, runpytest_lean, write_suite

COMMON = ("--forgetting-cache=off", "--forgetting-device=cpu", "--forgetting-batch-size=4")


@pytest.fixture(scope="module")
def other_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Same architecture and tokenizer as ``tiny_model``, other weights."""
    return tiny.build_model(tmp_path_factory.mktemp("other") / "model", seed=1)


@pytest.fixture
def recorded(suite_dir: pytest.Pytester, tiny_model: Path) -> pytest.Pytester:
    """A project whose baseline was recorded on ``tiny_model``."""
    write_suite(suite_dir, "fmt", FORMAT_SUITE)
    rec = runpytest_lean(suite_dir, f"--model={tiny_model}", *COMMON, "--forgetting-update", "--forgetting-reason=tiny")
    assert rec.ret == 0, rec.stdout.str()[-2000:]
    return suite_dir


def _baseline(p: pytest.Pytester) -> Path:
    return p.path / "__baselines__" / "fmt.forgetting.json"


def _stops(p: pytest.Pytester, *args: str) -> tuple[str, dict]:  # type: ignore[type-arg]
    """Run, expect the identity stop; return the output and the JSON record."""
    before = _baseline(p).read_bytes()
    report = p.path / "report.json"
    result = runpytest_lean(p, *args, f"--forgetting-report={report}")
    out = result.stdout.str()
    assert result.ret != 0, out[-3000:]
    assert "was recorded with another model or other settings" in out, out[-3000:]
    assert "--forgetting-update" in out and "--forgetting-allow-other-model" in out
    assert _baseline(p).read_bytes() == before, "nothing may be written"
    record = json.loads(report.read_text())
    assert record["ok"] is False and record["timings"].get("load_count", 0) == 0, record["timings"]  # no model work
    assert record["timings"].get("passes", 0) == 0 and record["suites"][0]["runs"] == {}
    return out, record


def test_baseline_recorded_on_one_model_stops_a_run_on_another(recorded: pytest.Pytester, other_model: Path) -> None:
    out, _ = _stops(recorded, f"--model={other_model}", *COMMON)
    assert "weights: " in out and "recorded on model:" in out  # tiny models live in a folder named "model"
    assert "fix: run with --model pointing at the recorded model (model)" in out
    assert "tokenizer:" not in out and "chat template:" not in out, "only what differs is named"


def test_allow_other_model_compares_and_the_record_says_so(recorded: pytest.Pytester, other_model: Path) -> None:
    report = recorded.path / "allowed.json"
    result = runpytest_lean(recorded, f"--model={other_model}", *COMMON, "--forgetting-allow-other-model",
                            f"--forgetting-report={report}")
    record = json.loads(report.read_text())
    assert record["error"] is None, record["error"]
    assert record["model_check"]["allowed_other_model"] is True
    assert any(d.startswith("weights: ") for d in record["model_check"]["differences"]["fmt"])
    assert "was recorded with another model" not in result.stdout.str()


def test_hostile_renamed_copy_of_the_same_model_does_not_stop(recorded: pytest.Pytester, tiny_model: Path,
                                                              tmp_path: Path) -> None:
    copy = shutil.copytree(tiny_model, tmp_path / "a-renamed-copy")
    report = recorded.path / "copy.json"
    result = runpytest_lean(recorded, f"--model={copy}", *COMMON, f"--forgetting-report={report}")
    assert result.ret == 0, result.stdout.str()[-3000:]
    record = json.loads(report.read_text())
    assert record["model_check"] == {"allowed_other_model": False, "differences": {}}
    assert record["models"]["base"]["name"] == "a-renamed-copy"


def test_hostile_changed_chat_template_stops(recorded: pytest.Pytester, tiny_model: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(tiny_model, tmp_path / "model")  # even the same folder name
    cfg_path = copy / "tokenizer_config.json"
    if (copy / "chat_template.jinja").exists():
        (copy / "chat_template.jinja").write_text(tiny.CHATML.replace("'\n'", "'\n\n'"))
    else:
        cfg = json.loads(cfg_path.read_text())
        cfg["chat_template"] = tiny.CHATML.replace("'\n'", "'\n\n'")
        cfg_path.write_text(json.dumps(cfg))
    out, _ = _stops(recorded, f"--model={copy}", *COMMON)
    assert "chat template: " in out and "weights:" not in out and "tokenizer:" not in out


@pytest.mark.parametrize("option, named, fix", [
    ("--forgetting-dtype=bfloat16", "dtype: 'float32' recorded, 'bfloat16' now", "--forgetting-dtype=float32"),
    ("--forgetting-batch-size=3", "batch size (rows per batch): 4 recorded, 3 now", "--forgetting-batch-size=4"),
    ("--forgetting-max-new-tokens=16", "default max new tokens: 64 recorded, 16 now", "--forgetting-max-new-tokens=64"),
])
def test_hostile_changed_arithmetic_or_generation_stops(recorded: pytest.Pytester, tiny_model: Path, option: str,
                                                        named: str, fix: str) -> None:
    args = [a for a in COMMON if a.split("=")[0] != option.split("=")[0]]
    out, _ = _stops(recorded, f"--model={tiny_model}", *args, option)
    assert named in out, out[-3000:]
    assert f"fix: run with --model pointing at the recorded model (model) with {fix};" in out


def test_hostile_legacy_baseline_with_another_fingerprint_stops(recorded: pytest.Pytester, tiny_model: Path) -> None:
    """A baseline from before the identity block (the committed demo's) is checked by its whole fingerprint."""
    data = json.loads(_baseline(recorded).read_text())
    rec = data["suites"]["fmt"]
    del rec["identity"]
    rec["model"]["fingerprint"] = "0123456789abcdef"
    _baseline(recorded).write_text(json.dumps(data))
    out, _ = _stops(recorded, f"--model={tiny_model}", *COMMON)
    assert "model fingerprint: 0123456789abcdef recorded" in out


def test_identity_block_is_one_self_contained_line(recorded: pytest.Pytester) -> None:
    text = _baseline(recorded).read_text()
    line = next(x for x in text.splitlines() if x.strip().startswith('"identity"'))
    block = json.loads(line.strip().removeprefix('"identity":').rstrip(","))
    assert set(block) == {"model", "arithmetic", "generation"}
    assert set(block["model"]) == {"name", "backend", "weights", "tokenizer", "chat_template", "config"}
    assert block["arithmetic"] == {"device": "cpu", "dtype": "float32", "batch_rows": 4, "layout": "padded-1"}
