"""A case's answer does not depend on what else runs (issue 29, part 2).

The invariant: a case's output and score are byte-identical under any ``-k``, file selection and
suite order at the same settings. Deselected cases are never sent to the model, so this must come
from the computation itself (fixed batch shapes, :mod:`pytest_forgetting.model.generation`). The
tiny random model has near-tied logits, so any change of padding or batch composition shows up in
the raw log-likelihoods and usually flips a greedy token.
"""
from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import runpytest_lean

WORDS = "the router keeps dropping my connection every evening after dinner please help me fix it today".split()


def _prompt(i: int) -> str:
    """Prompts of many lengths (2 to 40 words), so selections change any batch's widest row."""
    n = 2 + (i * 7) % 39
    return " ".join(WORDS[(i + j) % len(WORDS)] for j in range(n))


GEN_SUITE = "family: format_overuse\nrole: guardrail\nmax_new_tokens: 12\nformat: {json_schema: {type: object}}\ncases:\n" + "".join(
    f"  - {{id: g{i:02d}, prompt: {_prompt(i)!r}, expect_format: false}}\n" for i in range(14))
LABEL_SUITE = ("family: label_collapse\nrole: guardrail\nlabels: [positive, negative, not sure]\nscoring: loglikelihood\n"
               "cases:\n" + "".join(f"  - {{id: l{i:02d}, prompt: {_prompt(3 * i + 1)!r}, label: positive}}\n"
                                    for i in range(10)))
CHAT_OFF_SUITE = "family: format_overuse\nrole: guardrail\nchat: false\nmax_new_tokens: 8\nformat: {json_schema: {type: object}}\ncases:\n" + "".join(
    f"  - {{id: r{i:02d}, prompt: {_prompt(5 * i + 2)!r}, expect_format: false}}\n" for i in range(8))
SUITES = {"gen": GEN_SUITE, "labels": LABEL_SUITE, "raw": CHAT_OFF_SUITE}


class Recorder:
    """A pass-through around the real backend that keeps each request's raw answer (floats unrounded)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.raw: dict[Any, str] = {}

    @property
    def adapters(self) -> tuple[str, ...]:
        return self.inner.adapters

    def identity(self, adapter: str | None = None) -> Any:
        return self.inner.identity(adapter)

    def generate(self, requests: Sequence[Any]) -> list[str]:
        out = self.inner.generate(requests)
        self.raw.update({r: repr(o) for r, o in zip(requests, out)})
        return out

    def loglikelihood(self, requests: Sequence[Any]) -> list[float]:
        out = self.inner.loglikelihood(requests)
        self.raw.update({r: repr(float(o)) for r, o in zip(requests, out)})
        return out


@pytest.fixture(scope="module", params=["padded", "fixed"])
def loaded(request: pytest.FixtureRequest, tiny_model: Path,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    """The CPU layout, and the fixed-shape layout accelerators use (forced here, on CPU)."""
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.model.settings import ModelSettings
    from pytest_forgetting.suite.cases import load_suite

    root = tmp_path_factory.mktemp("invariance")
    suites = {}
    for name, body in SUITES.items():
        path = root / f"{name}.forgetting.yaml"
        path.write_text(body, encoding="utf-8")
        suites[name] = load_suite(path, root=root)
    return HFBackend(ModelSettings(model=str(tiny_model), device="cpu", batch_size=4, layout=request.param)), suites


def _answers(backend: Any, work: list[tuple[Any, list[Any]]]) -> dict[tuple[str, str], str]:
    """Each selected case's output, outcome and raw model answers, as JSON text."""
    from pytest_forgetting.run.execute import run_suites
    from pytest_forgetting.scoring import family

    rec = Recorder(backend)
    runs = run_suites(rec, work, [None], 16)
    out = {}
    for suite, cases in work:
        run = runs[(suite.name, None)]
        for case in cases:
            raw = [rec.raw[r] for r in family(suite.family).requests(suite, case, None)]
            out[(suite.name, case.id)] = json.dumps(
                [run.outputs[case.id], run.outcomes[case.id].to_json(), raw], sort_keys=True)
    return out


@pytest.fixture(scope="module")
def reference(loaded: tuple[Any, dict[str, Any]]) -> dict[tuple[str, str], str]:
    backend, suites = loaded
    return _answers(backend, [(s, list(s.cases)) for s in suites.values()])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_case_answers_the_same_in_any_selection_and_order(loaded: tuple[Any, dict[str, Any]],
                                                             reference: dict[tuple[str, str], str], data: Any) -> None:
    backend, suites = loaded
    order = data.draw(st.permutations(sorted(suites)), label="suite order")
    work = []
    for name in order:
        cases = list(suites[name].cases)
        keep = data.draw(st.lists(st.sampled_from(cases), unique_by=lambda c: c.id, max_size=len(cases)),
                         label=f"{name} cases")
        if keep:
            work.append((suites[name], keep))
    if not work:
        return
    got = _answers(backend, work)
    differ = {k: (reference[k], v) for k, v in got.items() if v != reference[k]}
    assert not differ, f"{len(differ)} of {len(got)} case(s) answered differently in this selection: {differ}"


def test_batch_shape_is_a_function_of_the_row_alone() -> None:
    """Fixed layout: the width bucket never equals the row (an unpadded batch takes another kernel path) and
    depends on nothing but the row's length; short batches are filled with copies. Both layouts share a
    head only between rows whose own head it is."""
    from pytest_forgetting.model.batching import head_len, plan, width_bucket

    assert all(width_bucket(n) > n and width_bucket(n) % 16 == 0 for n in range(1, 300))
    assert width_bucket(15) == 16 and width_bucket(16) == 32
    ids = {1: [7] * 9 + [1, 2], 2: [7] * 9 + [3], 3: [5, 5, 5]}
    heads = {1: 9, 2: 9, 3: 0}
    fixed = plan([3, 2, 1], ids.__getitem__, heads.__getitem__, layout="fixed", rows=lambda n: 3, order=lambda k: k)
    assert [(b.head, b.width, b.real, b.rows) for b in fixed] == [((), 16, [3], [3, 3, 3]),
                                                                  ((7,) * 9, 16, [1, 2], [1, 2, 1])]
    padded = plan([3, 2, 1], ids.__getitem__, heads.__getitem__, layout="padded", rows=lambda n: 3, order=lambda k: k)
    assert [(b.width, b.real, len(b.rows)) for b in padded] == [(16, [3], 8), (16, [1, 2], 8)]  # a pad column, 8 rows
    assert head_len([7] * 9 + [1], [7] * 9 + [9]) == 9 and head_len([7] * 5 + [1], [7] * 5) == 0


def _write(pytester: pytest.Pytester, name: str, body: str) -> None:
    (pytester.path / f"{name}.forgetting.yaml").write_text(textwrap.dedent(body), encoding="utf-8")


def test_stored_baseline_equals_a_fresh_subset_run(suite_dir: pytest.Pytester, tiny_model: Path) -> None:
    """Record every suite, then run two of the files with a ``-k`` subset: each case's output and outcome
    equal the stored ones byte for byte (the output cache is off, so the subset is really computed again).
    ``l03`` runs alone in its batch: before fixed shapes that batch had no padding, so the attention took
    another kernel path and its log-likelihoods moved in the 6th decimal."""
    for name, body in SUITES.items():
        _write(suite_dir, name, body)
    common = (f"--model={tiny_model}", "--forgetting-cache=off", "--forgetting-device=cpu", "--forgetting-batch-size=4")
    first = runpytest_lean(suite_dir, *common, "--forgetting-update", "--forgetting-reason=all suites")
    assert first.ret == 0, first.stdout.str()[-2000:]
    report = suite_dir.path / "subset.json"
    sub = runpytest_lean(suite_dir, "gen.forgetting.yaml", "labels.forgetting.yaml", *common, "-k",
                         "g05 or g09 or l03", f"--forgetting-report={report}")
    record = json.loads(report.read_text())
    compared = 0
    for suite in record["suites"]:
        stored = json.loads((suite_dir.path / "__baselines__" / f"{suite['suite']}.forgetting.json").read_text())
        cases = stored["suites"][suite["suite"]]["cases"]
        for cid, got in suite["runs"]["base"]["cases"].items():
            want = {k: v for k, v in cases[cid].items() if k != "hash"}
            assert {k: v for k, v in got.items() if k != "prompt"} == want, (suite["suite"], cid)
            compared += 1
    assert compared == 3, sub.stdout.str()[-2000:]
