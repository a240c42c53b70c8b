"""Every bad suite file is a collection error naming the file, line, field and fix -- no traceback."""
from __future__ import annotations

import pytest

from conftest import write_suite

GOOD_CASE = "  - {id: a, prompt: 'Hi', answers: [hello]}\n"

BAD = {
    "malformed": ("family: helpfulness\ncases:\n  - id: a\n    prompt: 'unterminated\n",
                  ["*malformed YAML*", "*fix: fix the YAML syntax*"]),
    "list_top": ("- family: helpfulness\n", ["*top level must be a mapping*got a list*", "*field: $*"]),
    "scalar_top": ("just a string\n", ["*top level must be a mapping*got a str*"]),
    "empty": ("", ["*the file is empty*", "*fix: add 'family:' and 'cases:'*"]),
    "unknown_key": ("familly: helpfulness\nfamily: helpfulness\ncases:\n" + GOOD_CASE,
                    ["*unknown_key.forgetting.yaml:1: unknown key 'familly'*", "*field: $.familly*", "*fix: remove or rename it*"]),
    "unknown_case_key": ("family: helpfulness\ncases:\n  - {id: a, prompt: 'Hi', answers: [x], promt: 'typo'}\n",
                         ["*unknown key 'promt'*", "*field: $.cases[0].promt*"]),
    "wrong_type": ("family: helpfulness\nmax_new_tokens: lots\ncases:\n" + GOOD_CASE,
                   ["*wrong_type.forgetting.yaml:2: expected integer, got str 'lots'*", "*field: $.max_new_tokens*"]),
    "duplicate_ids": ("family: helpfulness\ncases:\n" + GOOD_CASE + GOOD_CASE,
                      ["*duplicate_ids.forgetting.yaml:4: duplicate case id 'a' (first used on line 3)*"]),
    "unknown_family": ("family: vibes\ncases:\n" + GOOD_CASE, ["*'vibes' is not one of*", "*field: $.family*"]),
    "labels_missing": ("family: label_collapse\ncases:\n  - {id: a, prompt: 'x', label: pos}\n",
                       ["*'labels' is a required property*"]),
    "gold_not_in_labels": ("family: label_collapse\nlabels: [pos, neg]\ncases:\n  - {id: a, prompt: 'x', label: neutral}\n",
                           ["*gold label 'neutral' is not among the suite's labels*", "*field: $.cases[0].label*"]),
    "bad_regex": ("family: helpfulness\ncases:\n  - {id: a, prompt: 'x', regex: '(unclosed'}\n",
                  ["*invalid regular expression '(unclosed'*", "*field: $.cases[0].regex*"]),
    "bad_schema": ("family: format_overuse\nformat:\n  json_schema: {type: 12}\ncases:\n  - {id: a, prompt: x, expect_format: true}\n",
                   ["*format.json_schema is not a valid JSON Schema*"]),
    "missing_training_data": ("family: tone\ntraining_data: nope.jsonl\ncases:\n  - {id: a, prompt: x}\n",
                              ["*training_data file 'nope.jsonl' not found*", "*resolved relative to the suite file*"]),
    "escaping_path": ("family: tone\ntraining_data: ../../../../etc/passwd\ncases:\n  - {id: a, prompt: x}\n",
                      ["*outside the project root*", "*--forgetting-allow-outside-paths*"]),
    "foreign_case_key": ("family: helpfulness\ncases:\n  - {id: a, prompt: x, answers: [y], should_refuse: true}\n",
                         ["*key 'should_refuse' belongs to family 'refusal'*"]),
    "no_prompt": ("family: helpfulness\ncases:\n  - {id: a, answers: [y]}\n", ["*exactly one of 'prompt' or 'messages'*"]),
    "expect_missing": ("family: format_overuse\nformat: {prefix: '{'}\ncases:\n  - {id: a, prompt: x}\n",
                       ["*'expect_format' is a required property*", "*field: $.cases[0]*"]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_suite_is_a_clear_collection_error(pytester: pytest.Pytester, name: str) -> None:
    body, expected = BAD[name]
    write_suite(pytester, name, body)
    result = pytester.runpytest("--collect-only")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    escaped = [e.replace("[", "[[]") for e in expected]  # fnmatch treats [...] as a character class
    result.stdout.fnmatch_lines([f"*ERROR collecting {name}.forgetting.yaml*", *escaped])
    text = result.stdout.str()
    assert "Traceback" not in text and "pytest_forgetting/" not in text


def test_training_data_not_jsonl(pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory) -> None:
    (pytester.path / "train.jsonl").write_text('{"messages": []}\nnot json\n')
    write_suite(pytester, "tone", "family: tone\ntraining_data: train.jsonl\ncases:\n  - {id: a, prompt: x}\n")
    from pytest_forgetting.suite.cases import load_suite
    from pytest_forgetting.errors import SuiteError

    # read at collection (issue 19), not at scoring after all model work
    with pytest.raises(SuiteError, match=r"train.jsonl line 2 is not JSON") as info:
        load_suite(pytester.path / "tone.forgetting.yaml")
    assert info.value.line == 2
