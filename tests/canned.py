"""A canned backend for decision tests: answers from a JSON plan, no model.

``write_project(pytester, ...)`` lays out a pytester project whose conftest.py
overrides ``forgetting_model`` with :class:`Canned`, reading ``plan.json``:
``{side: {prompt: answer}}`` where side is ``""`` for the base model and the
adapter's name otherwise. Unplanned prompts get a plain answer.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Mapping, Sequence

import pytest

CONFTEST = '''
import json
import os
from pathlib import Path

import pytest

from pytest_forgetting import ModelIdentity

PLAN = json.loads((Path(__file__).parent / "plan.json").read_text())


class Canned:
    def __init__(self, adapters):
        self._adapters = tuple(adapters)

    @property
    def adapters(self):
        return self._adapters

    def identity(self, adapter=None):
        return ModelIdentity("canned", "fp-canned", adapter)

    def generate(self, requests):
        return [PLAN.get(r.adapter or "", {}).get(r.prompt.user_text, "A plain answer.") for r in requests]

    def loglikelihood(self, requests):
        return [0.0 for _ in requests]


@pytest.fixture(scope="session")
def forgetting_model(request):
    adapters = [os.path.basename(a.rstrip("/")) for a in (request.config.getoption("forgetting_adapter") or [])]
    return Canned(adapters)
'''

JSON = '{"intent": "refund"}'
PLAIN = "A plain answer."


def suite_yaml(role: str, ids: Sequence[str], *, expect_format: bool, extra: str = "") -> str:
    cases = "".join(f"  - {{id: {i}, prompt: 'prompt {i}', expect_format: {str(expect_format).lower()}}}\n" for i in ids)
    return (f"family: format_overuse\nrole: {role}\nmax_new_tokens: 8\nformat: {{prefix: '{{'}}\n{extra}"
            f"cases:\n{cases}")


def write_project(p: pytest.Pytester, suites: Mapping[str, str], plan: Mapping[str, Mapping[str, str]]) -> Path:
    (p.path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (p.path / "plan.json").write_text(json.dumps(plan))
    for name, body in suites.items():
        (p.path / f"{name}.forgetting.yaml").write_text(body)
    return p.path


def set_plan(p: pytest.Pytester, plan: Mapping[str, Mapping[str, str]]) -> None:
    (p.path / "plan.json").write_text(json.dumps(plan))
