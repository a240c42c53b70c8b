"""The suite loader asks families registered in ``suite.families``; it imports no scorer (issue 28)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

import pytest

from pytest_forgetting.errors import SuiteError
from pytest_forgetting.suite import families
from pytest_forgetting.suite.cases import load_suite

HELPFUL = "family: helpfulness\ncases:\n  - {id: a, prompt: 'Hi', answers: [hello]}\n"


def _write(tmp_path: Path, body: str, name: str = "s") -> Path:
    path = tmp_path / f"{name}.forgetting.yaml"
    path.write_text(body)
    return path


def test_every_built_in_family_is_registered() -> None:
    from pytest_forgetting.scoring import FAMILIES
    from pytest_forgetting.suite.cases import FAMILIES as SCHEMA_FAMILIES

    assert set(families.registered()) == set(SCHEMA_FAMILIES) == set(FAMILIES)
    assert all(families.hooks_for(n, "x") is FAMILIES[n] for n in FAMILIES)


def test_a_family_with_no_registered_scorer_is_a_suite_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(families._REGISTRY, "helpfulness")
    path = _write(tmp_path, HELPFUL)
    with pytest.raises(SuiteError) as info:  # not a KeyError from deep inside the loader
        load_suite(path)
    err = info.value
    assert err.path == str(path) and err.line == 1 and err.field == "$.family"
    assert "'helpfulness' has no registered scorer" in err.message and "register" in (err.fix or "")


class _Strict:
    """A family's hooks that derive a config value and reject a field: the loader must use both."""

    name = "helpfulness"

    def prepare(self, config: dict[str, Any], user_texts: Sequence[str], *, suite_path: str) -> None:
        config["derived"] = list(user_texts)

    def validate(self, suite: Any, *, allow_code: bool = False) -> None:
        if suite.config.get("derived") == ["Hi"]:
            raise SuiteError(str(suite.path), "no greetings here", field="$.cases", fix="ask a question")

    def metric_names(self, suite: Any) -> list[str]:
        return ["only_this"]


def test_the_loader_uses_the_registered_hooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(families._REGISTRY, "helpfulness", _Strict())
    with pytest.raises(SuiteError, match="no greetings here") as info:
        load_suite(_write(tmp_path, HELPFUL))
    assert info.value.line == 2  # the family named the field; the loader found its line
    ok = load_suite(_write(tmp_path, HELPFUL.replace("'Hi'", "'Why?'"), "ok"))
    assert ok.config["derived"] == ["Why?"]
    with pytest.raises(SuiteError, match="'exact_match' is not a metric") as typo:
        load_suite(_write(tmp_path, "primary_metric: exact_match\n" + HELPFUL.replace("'Hi'", "'Why?'"), "typo"))
    assert "only_this" in (typo.value.fix or "")


def test_loading_a_suite_in_a_fresh_interpreter_finds_the_families(tmp_path: Path) -> None:
    """Importing only the loader still registers the families (the package's ``__init__`` imports
    scoring), so the derived label-collapse config is there."""
    path = _write(tmp_path, "family: label_collapse\nlabels: [pos, neg]\nnormalization: calibrated\n"
                            "template: 'Is {t} good?'\ncases:\n  - {id: a, vars: {t: x}, label: pos}\n")
    code = ("import sys; from pytest_forgetting.suite.cases import load_suite; "
            "s = load_suite(__import__('pathlib').Path(sys.argv[1])); print(s.config['_content_free_texts'])")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PATH": ""})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['Is N/A good?']"
