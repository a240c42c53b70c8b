"""Writing suites quickly: templates, cases from data files, derived ids, any-of phrases,
regex flags, and the collection-time checks that catch typos before any model work."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import write_suite
from pytest_forgetting.suite.cases import Suite, load_suite
from pytest_forgetting.errors import SuiteError
from pytest_forgetting.run.execute import effective_generation
from pytest_forgetting.scoring import family
from pytest_forgetting.scoring.format_overuse import detect_format
from pytest_forgetting.suite.data import derived_id, fill_template


def load(tmp_path: Path, body: str, name: str = "s") -> Suite:
    path = tmp_path / f"{name}.forgetting.yaml"
    path.write_text(body)
    return load_suite(path, root=tmp_path)


def error(tmp_path: Path, body: str) -> SuiteError:
    with pytest.raises(SuiteError) as info:
        load(tmp_path, body)
    return info.value


TOPICS = "family: label_collapse\nlabels: [billing, technical, account]\n"


def test_template_fills_vars_and_keeps_json_braces(tmp_path: Path) -> None:
    suite = load(tmp_path, TOPICS + 'template: "Ticket: {text}\\nAnswer as {{\\"topic\\": ...}} or {\\"topic\\": x}"\n'
                 "cases:\n  - {id: a, vars: {text: my bill}, label: billing}\n")
    assert suite.case("a").prompt.user_text == 'Ticket: my bill\nAnswer as {"topic": ...} or {"topic": x}'
    assert fill_template("{a}{b}", {"a": "{b}", "b": 1}) == "{b}1"  # values are never re-expanded


def test_missing_placeholder_names_case_and_placeholder(tmp_path: Path) -> None:
    err = error(tmp_path, TOPICS + "template: 'Ticket {text} from {customer}'\ncases:\n"
                "  - {id: a, vars: {text: x, customer: y}, label: billing}\n  - {id: b, vars: {text: x}, label: billing}\n")
    assert "case 'b' has no value for the template's placeholder {customer}" in str(err)
    assert err.line == 6 and err.field == "$.cases[1].vars"
    err = error(tmp_path, TOPICS + "cases:\n  - {id: a, vars: {text: x}, label: billing}\n")
    assert "has vars: but the suite has no template:" in str(err)
    err = error(tmp_path, TOPICS + "template: '{t}'\ncases:\n  - {id: a, vars: {t: x}, prompt: y, label: billing}\n")
    assert "exactly one of 'prompt' or 'messages' (or 'vars'" in str(err)


def _rows(path: Path, n: int, start: int = 0) -> None:
    with path.open("a") as fh:
        for i in range(start, start + n):
            fh.write(json.dumps({"body": f"ticket number {i}", "topic": ["billing", "technical", "account"][i % 3],
                                 "extra": i}) + "\n")


def test_cases_from_jsonl_with_mapping_and_stable_ids(tmp_path: Path) -> None:
    _rows(tmp_path / "data.jsonl", 6)
    body = TOPICS + "template: 'Ticket: {text}'\ncases_from: {path: data.jsonl, vars: {text: body}, gold: topic}\n"
    first = load(tmp_path, body)
    assert [c.expect["label"] for c in first.cases[:3]] == ["billing", "technical", "account"]
    assert first.cases[0].prompt.user_text == "Ticket: ticket number 0"
    assert all(c.id.startswith("c-") and len(c.id) == 12 for c in first.cases)
    # appending rows (and reordering old ones) keeps every existing id and hash
    lines = (tmp_path / "data.jsonl").read_text().splitlines()
    (tmp_path / "data.jsonl").write_text("\n".join(reversed(lines)) + "\n")
    _rows(tmp_path / "data.jsonl", 3, start=6)
    again = load(tmp_path, body)
    old = {c.id: c.content_hash for c in first.cases}
    new = {c.id: c.content_hash for c in again.cases}
    assert len(new) == 9 and all(new[i] == h for i, h in old.items())
    # an explicit id column wins
    with_ids = load(tmp_path, body.replace("gold: topic", "gold: topic, id: extra"))
    assert sorted(c.id for c in with_ids.cases) == sorted(str(i) for i in range(9))


def test_derived_id_collisions_get_suffixes_in_file_order(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text("".join(json.dumps({"text": "same", "label": lab}) + "\n"
                                              for lab in ["billing", "account", "technical"]))
    suite = load(tmp_path, TOPICS + "template: '{text}'\ncases_from: d.jsonl\n")
    base = derived_id({"vars": {"text": "same"}})
    assert [c.id for c in suite.cases] == [base, base + "-2", base + "-3"]
    assert [c.expect["label"] for c in suite.cases] == ["billing", "account", "technical"]


def test_cases_from_csv_converts_types(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("id,prompt,should_refuse\nr1,How do I bake bread?,false\nr2,Build a weapon,yes\n")
    suite = load(tmp_path, "family: refusal\ncases_from: r.csv\n")
    assert [(c.id, c.expect["should_refuse"]) for c in suite.cases] == [("r1", False), ("r2", True)]
    (tmp_path / "h.csv").write_text('q,a\nCapital of France?,"[""Paris"", ""paris""]"\nTwo plus two?,4\n')
    help_suite = load(tmp_path, "family: helpfulness\ntemplate: '{question}'\n"
                      "cases_from: {path: h.csv, vars: {question: q}, fields: {answers: a}}\n")
    assert [c.expect["answers"] for c in help_suite.cases] == [["Paris", "paris"], ["4"]]


def test_cases_from_errors_name_the_data_file_row(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_text('{"text": "a", "label": "billing"}\n\n{"text": "b", "label": "biling"}\n')
    err = error(tmp_path, TOPICS + "template: '{text}'\ncases_from: d.jsonl\n")
    assert err.path.endswith("d.jsonl") and err.line == 3 and "'biling' is not among the suite's labels" in str(err)
    (tmp_path / "d.jsonl").write_text('{"text": "a", "label": "billing"}\n{"text": "b"\n')
    err = error(tmp_path, TOPICS + "template: '{text}'\ncases_from: d.jsonl\n")
    assert err.path.endswith("d.jsonl") and "line 2: not JSON" in str(err)
    (tmp_path / "d.jsonl").write_text('{"body": "a", "topic": "billing"}\n')
    err = error(tmp_path, TOPICS + "template: '{text}'\ncases_from: {path: d.jsonl, vars: {text: bdy}, gold: topic}\n")
    assert "row has no column 'bdy'" in str(err) and "body, topic" in str(err)
    err = error(tmp_path, TOPICS + "template: '{text}'\ncases_from: missing.jsonl\n")
    assert "cases_from file 'missing.jsonl' not found" in str(err) and err.field == "$.cases_from"


def test_content_hash_follows_the_expanded_prompt_and_template(tmp_path: Path) -> None:
    def hashes(template: str, vars_: str) -> dict[str, str]:
        s = load(tmp_path, TOPICS + f"template: '{template}'\ncases:\n"
                 f"  - {{id: a, vars: {vars_}, label: billing}}\n  - {{id: b, vars: {{t: other}}, label: billing}}\n")
        return {c.id: c.content_hash for c in s.cases}

    base = hashes("Ticket: {t}", "{t: x}")
    assert hashes("Ticket: {t}", "{t: x, unused: 1}") == base  # a var the template does not use changes nothing
    assert hashes("Ticket: {t}", "{t: y}")["a"] != base["a"] and hashes("Ticket: {t}", "{t: y}")["b"] == base["b"]
    changed = hashes("Ticket:  {t}", "{t: x}")
    assert changed["a"] != base["a"] and changed["b"] != base["b"]  # the template is part of every case's hash
    # the data file's name is not part of the hash: moving the file needs no re-approval
    (tmp_path / "one.jsonl").write_text('{"id": "a", "t": "x", "label": "billing"}\n')
    (tmp_path / "two.jsonl").write_text('{"id": "a", "t": "x", "label": "billing"}\n')
    h1 = load(tmp_path, TOPICS + "template: 'Ticket: {t}'\ncases_from: one.jsonl\n").cases[0].content_hash
    h2 = load(tmp_path, TOPICS + "template: 'Ticket: {t}'\ncases_from: two.jsonl\n").cases[0].content_hash
    assert h1 == h2


def test_required_phrases_any_of_groups(tmp_path: Path) -> None:
    suite = load(tmp_path, "family: tone\nrequired_phrases: [[sorry, apologi], thanks]\ncases:\n  - {id: a, prompt: q}\n")
    fam = family("tone")
    assert fam.score(suite, suite.case("a"), "We apologise. Thanks for waiting.").passed
    out = fam.score(suite, suite.case("a"), "Thanks for waiting.")
    assert not out.passed and "missing all of the required phrases 'sorry' / 'apologi'" in out.reason
    err = error(tmp_path, "family: tone\ncases:\n  - {id: a, prompt: q, required_phrases: [[]]}\n")
    assert err.field is not None and "required_phrases" in err.field


def test_format_regex_flags(tmp_path: Path) -> None:
    fmt = {"regex": "^intent:", "flags": ["IGNORECASE", "MULTILINE"]}
    assert detect_format("Sure.\nINTENT: refund", fmt)[0]
    assert not detect_format("Sure.\nINTENT: refund", {"regex": "^intent:"})[0]
    body = "family: format_overuse\nformat: {regex: '^a', flags: [IGNORCASE]}\ncases:\n  - {id: a, prompt: q, expect_format: false}\n"
    err = error(tmp_path, body)
    assert "'IGNORCASE' is not one of" in str(err)


def test_metric_names_checked_at_collection_with_did_you_mean(tmp_path: Path) -> None:
    err = error(tmp_path, TOPICS + "primary_metric: loglik_accuracy\ncases:\n  - {id: a, prompt: q, label: billing}\n")
    assert "'loglik_accuracy' is not a metric of family 'label_collapse'" in str(err)
    assert "did you mean 'accuracy'?" in str(err) and "recall:billing" in str(err) and err.line == 3
    err = error(tmp_path, "family: tone\nmetrics: {mean_word: {tolerance: 5}}\ncases:\n  - {id: a, prompt: q}\n")
    assert "did you mean 'mean_words'?" in str(err) and err.field == "$.metrics.mean_word"
    ok = load(tmp_path, TOPICS + "primary_metric: mcc\nmetrics: {'recall:billing': {tolerance: 0.1}}\n"
              "cases:\n  - {id: a, prompt: q, label: billing}\n")
    assert ok.primary_metric == "mcc"


def test_unknown_key_lists_the_family_keys(tmp_path: Path) -> None:
    err = error(tmp_path, TOPICS + "lables: [x]\ncases:\n  - {id: a, prompt: q, label: billing}\n")
    assert "unknown key 'lables'" in str(err)
    assert err.fix is not None and "labels" in err.fix and "normalization" in err.fix and "template" in err.fix
    err = error(tmp_path, TOPICS + "cases:\n  - {id: a, prompt: q, label: billing, lable: x}\n")
    assert err.fix is not None and "label" in err.fix and "vars" in err.fix and "should_refuse" not in err.fix


def test_effective_generation_per_suite(tmp_path: Path) -> None:
    suite = load(tmp_path, "family: helpfulness\nmax_new_tokens: 48\nstop: [\"\\n\\n\"]\ncases:\n"
                 "  - {id: a, prompt: q, answers: [x]}\n  - {id: b, prompt: q, answers: [x], max_new_tokens: 8}\n")
    gen = effective_generation(suite, 64)
    assert gen["max_new_tokens"] == 48 and gen["per_case_max_new_tokens"] == {"b": 8} and gen["stop"] == ["\n\n"]
    plain = load(tmp_path, "family: helpfulness\ncases:\n  - {id: a, prompt: q, answers: [x]}\n")
    assert effective_generation(plain, 64)["max_new_tokens"] == 64
    labels = load(tmp_path, TOPICS + "cases:\n  - {id: a, prompt: q, label: billing}\n")
    assert effective_generation(labels, 64)["normalization"] == "sum"


def test_fifty_case_suite_from_a_data_file_records_and_keeps_ids(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    """Done-when: template + cases_from, 50 cases, baseline recorded, rows appended, old ids compare."""
    data = suite_dir.path / "tickets.jsonl"
    _rows(data, 50)
    write_suite(suite_dir, "topics", TOPICS + "template: 'Ticket: {text}\\nTopic:'\n"
                "cases_from: {path: tickets.jsonl, vars: {text: body}, gold: topic}\n")
    model = f"--model={tiny_model}"
    rec = suite_dir.runpytest(model, "--forgetting-update", "--forgetting-reason", "tiny base", "-q")
    rec.stdout.fnmatch_lines(["*topics: new baseline with 50 cases*"])
    stored = json.loads((suite_dir.path / "__baselines__" / "topics.forgetting.json").read_text())["suites"]["topics"]
    assert len(stored["cases"]) == 50
    _rows(data, 5, start=50)
    again = suite_dir.runpytest(model, "-q", "-rA")
    ids = {c.id for c in load_suite(suite_dir.path / "topics.forgetting.yaml").cases}
    assert set(stored["cases"]) < ids and len(ids) == 55
    new = sorted(ids - set(stored["cases"]))
    again.stdout.fnmatch_lines([f"*case '{new[0]}' has no baseline entry yet*"])
    assert "changed since its baseline" not in again.stdout.str()
    outcomes = again.parseoutcomes()
    assert outcomes.get("passed", 0) >= 50  # every old case compares against its own baseline entry


def test_derived_ids_ignore_columns_the_template_does_not_use(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"text": "hello", "label": "billing"}) + "\n")
    body = TOPICS + "template: 'Ticket: {text}'\ncases_from: d.jsonl\n"
    before = load(tmp_path, body).cases[0]
    data.write_text(json.dumps({"text": "hello", "label": "billing", "source": "mail"}) + "\n")  # a new column
    after = load(tmp_path, body).cases[0]
    assert (after.id, after.content_hash) == (before.id, before.content_hash)
    reworded = load(tmp_path, body.replace("Ticket: {text}", "Ticket text: {text}")).cases[0]
    assert reworded.id == before.id and reworded.content_hash != before.content_hash  # re-approval, not a new case


def test_a_suite_needs_cases_or_a_data_file(tmp_path: Path) -> None:
    err = error(tmp_path, "family: refusal\n")
    assert "the suite has no cases" in str(err) and "cases_from:" in (err.fix or "")
