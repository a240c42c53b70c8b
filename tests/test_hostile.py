"""Hostile inputs: things a suite file or a model answer could do to fool or abuse the plugin."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import write_suite
from pytest_forgetting.cases import Suite, load_suite
from pytest_forgetting.errors import SuiteError
from pytest_forgetting.suite_data import derived_id

_REFUSAL_SUITE = """
family: refusal
refusal_classifier: '{spec}'
cases:
  - {{id: a, prompt: pwned_link, should_refuse: false}}
"""


@pytest.mark.parametrize("spec", ["os:symlink", "this:s"])
def test_refusal_classifier_code_does_not_run_without_opt_in(pytester: pytest.Pytester, spec: str) -> None:
    """A suite naming 'os:symlink' would call os.symlink(answer, prompt); 'this' prints the Zen of Python on import."""
    write_suite(pytester, "evil", _REFUSAL_SUITE.format(spec=spec))
    result = pytester.runpytest_subprocess("-q", "--model=/nonexistent/model")
    assert result.ret == pytest.ExitCode.INTERRUPTED  # a collection error, before any model work
    out = result.stdout.str()
    assert "evil.forgetting.yaml:2" in out and "$.refusal_classifier" in out
    assert f"refusal_classifier '{spec}' would import and run Python code" in out
    assert "--forgetting-allow-code" in out and "register_refusal_classifier" in out
    assert "Beautiful is better than ugly" not in out + result.stderr.str()
    assert not (pytester.path / "pwned_link").is_symlink() and not (pytester.path / "pwned_link").exists()
    assert "/nonexistent/model" not in out  # the model was never touched


# -- authoring (issue 20): templates, cases_from, derived ids ------------------------------------
TOPICS = "family: label_collapse\nlabels: [billing, technical]\ntemplate: '{text}'\n"


def _load(root: Path, body: str, sub: str = "") -> Suite:
    d = root / sub
    d.mkdir(parents=True, exist_ok=True)
    path = d / "s.forgetting.yaml"
    path.write_text(body)
    return load_suite(path, root=root)


def _err(root: Path, body: str, sub: str = "") -> SuiteError:
    with pytest.raises(SuiteError) as info:
        _load(root, body, sub)
    return info.value


def test_hostile_authoring_cases_from_cannot_leave_the_project(tmp_path: Path) -> None:
    (tmp_path / "outside.jsonl").write_text('{"text": "a", "label": "billing"}\n')
    root = tmp_path / "proj"
    err = _err(root, TOPICS + "cases_from: ../outside.jsonl\n")
    assert "outside the project root" in str(err) and "--forgetting-allow-outside-paths" in str(err)
    os.symlink(tmp_path / "outside.jsonl", root / "link.jsonl")  # a link inside pointing out is still outside
    assert "outside the project root" in str(_err(root, TOPICS + "cases_from: {path: link.jsonl}\n"))


def test_hostile_authoring_malformed_data_files(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text('["text", "billing"]\n')
    assert "line 1: expected a JSON object, got list" in str(_err(tmp_path, TOPICS + "cases_from: d.jsonl\n"))
    (tmp_path / "d.csv").write_text("text,label\nhello,billing,extra\n")
    assert "more fields than the header" in str(_err(tmp_path, TOPICS + "cases_from: d.csv\n"))
    (tmp_path / "d.json").write_text("[]")
    assert "must end in .jsonl or .csv" in str(_err(tmp_path, TOPICS + "cases_from: d.json\n"))
    (tmp_path / "e.jsonl").write_text("\n\n")
    assert "has no rows" in str(_err(tmp_path, TOPICS + "cases_from: e.jsonl\n"))
    (tmp_path / "bad.jsonl").write_text('{"id": "a/b", "text": "x", "label": "billing"}\n')
    err = _err(tmp_path, TOPICS + "cases_from: bad.jsonl\n")
    assert err.path.endswith("bad.jsonl") and err.line == 1 and "cases_from row" in (err.field or "")


def test_hostile_authoring_derived_id_cannot_take_an_explicit_id(tmp_path: Path) -> None:
    taken = derived_id({"vars": {"text": "x"}})
    suite = _load(tmp_path, TOPICS + f"cases:\n  - {{id: {taken}, vars: {{text: y}}, label: billing}}\n"
                  "  - {vars: {text: x}, label: technical}\n")
    assert [c.id for c in suite.cases] == [taken, taken + "-2"]


def test_hostile_authoring_braces_that_are_not_placeholders(tmp_path: Path) -> None:
    body = ("family: label_collapse\nlabels: [billing, technical]\n"
            "template: 'Fill {0} and { text } and {{text}} with {text}'\ncases:\n  - {vars: {text: T}, label: billing}\n")
    assert _load(tmp_path, body).cases[0].prompt.user_text == "Fill {0} and { text } and {text} with T"


def test_hostile_authoring_normalization_on_generate_scoring_is_refused(tmp_path: Path) -> None:
    err = _err(tmp_path, "family: label_collapse\nlabels: [a, b]\nscoring: generate\nnormalization: token\n"
               "cases:\n  - {id: x, prompt: q, label: a}\n")
    assert "scoring: generate" in str(err) and err.field == "$.normalization"


def test_hostile_authoring_row_keys_of_another_family(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text(json.dumps({"text": "x", "label": "billing", "should_refuse": True}) + "\n")
    err = _err(tmp_path, TOPICS + "cases_from: d.jsonl\n")
    assert "belongs to family 'refusal'" in str(err) and err.path.endswith("d.jsonl")
