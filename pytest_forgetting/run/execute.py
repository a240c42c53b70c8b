"""Plan -> execute -> score: one road from cases to ``SuiteRun`` records.

All requests of the session (every suite, case and model side) are gathered
first, de-duplicated, and handed to the backend in one ``generate`` and one
``loglikelihood`` call, so the backend can batch across suites. The pytest
plugin, the checkpoint sweep and the training callback all call
:func:`run_suites`; none has its own scoring.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

from ..suite.cases import Case, Suite, with_default_tokens
from ..model.protocol import Backend, GenerateRequest, LoglikelihoodRequest
from ..records.results import MetricValue, SuiteRun
from ..scoring import family as get_family
from ..scoring.base import Answer, CaseOutcome, MetricSpec
from ..stats.comparison import bootstrap_ci, wilson_interval

Work = Sequence[tuple[Suite, Sequence[Case]]]


def effective_case(case: Case, default_tokens: int) -> Case:
    """The case with the run's default token budget filled in, unchanged when it sets its own."""
    settings = with_default_tokens(case, default_tokens)
    return case if settings is case.settings else dataclasses.replace(case, settings=settings)


def effective_generation(suite: Suite, default_max_new_tokens: int) -> dict[str, Any]:
    """The generation settings a suite's cases actually ran with, for the record.

    ``max_new_tokens`` is the suite's own, else the run's default;
    ``per_case_max_new_tokens`` lists the cases that set another. Label suites
    scored by log-likelihood generate nothing and say how they scored instead.
    """
    tokens = [with_default_tokens(c, default_max_new_tokens).max_new_tokens for c in suite.cases]
    main = int(suite.config.get("max_new_tokens") or default_max_new_tokens)
    out: dict[str, Any] = {"decoding": "greedy", "max_new_tokens": main,
                           "stop": sorted({s for c in suite.cases for s in c.settings.stop}),
                           "chat": bool(suite.config.get("chat", True))}
    overrides = {c.id: t for c, t in zip(suite.cases, tokens) if t != main}
    if overrides:
        out["per_case_max_new_tokens"] = dict(sorted(overrides.items()))
    if suite.family == "label_collapse":
        scoring = str(suite.config.get("scoring", "loglikelihood"))
        out["scoring"] = scoring
        if scoring == "loglikelihood":
            out["normalization"] = str(suite.config.get("normalization", ""))
            del out["max_new_tokens"], out["stop"]
            out["decoding"] = "none (label log-likelihoods)"
            if "_content_free_texts" in suite.config:
                out["content_free_inputs"] = list(suite.config["_content_free_texts"])
    return out


def metric_values(specs: Sequence[MetricSpec], outcomes: Sequence[CaseOutcome]) -> dict[str, MetricValue]:
    """Each metric's value with its n and a 95% interval (Wilson for rates, bootstrap otherwise)."""
    out: dict[str, MetricValue] = {}
    for spec in specs:
        value = spec.compute(outcomes)
        if spec.per_case is not None:
            vals = [v for v in (spec.per_case(o) for o in outcomes) if v is not None]
            n = len(vals)
            if n and spec.binary:
                ci: tuple[float, float] | None = wilson_interval(int(round(sum(vals))), n)
            elif n:
                ci = bootstrap_ci(vals, lambda xs: sum(xs) / len(xs) if xs else None, n_resamples=500)
            else:
                ci = None
        else:
            n = len(outcomes)
            ci = bootstrap_ci(list(outcomes), spec.compute, n_resamples=500) if n and value is not None else None
        out[spec.name] = MetricValue(spec.name, spec.direction, value, n, ci, spec.description)
    return out


def _answer_text(answer: Answer) -> str:
    if isinstance(answer, str):
        return answer
    return "label log-likelihoods: " + ", ".join(f"{k}={v:.3f}" for k, v in answer.items())


def _loglik_ok(backend: Backend, chat: bool) -> tuple[bool, str]:
    """Ask the backend (only when a label suite needs it: probing a server costs requests)."""
    per_kind = getattr(backend, "supports_loglikelihood_for", None)
    ok = per_kind(chat) if callable(per_kind) else bool(getattr(backend, "supports_loglikelihood", True))
    why = getattr(backend, "loglikelihood_unsupported_reason", None)
    return ok, (why() if callable(why) and not ok else "") or ""


def fallback_scoring(backend: Backend, work: Work, notice: Callable[[str], None] | None = None) -> list[tuple[Suite, Sequence[Case]]]:
    """Label-collapse suites fall back to generate scoring on backends without log-likelihoods.

    Said once per suite, never silent: the two scorings give different numbers.
    """
    out = []
    for suite, cases in work:
        if suite.family == "label_collapse" and suite.config.get("scoring", "loglikelihood") == "loglikelihood":
            ok, why = _loglik_ok(backend, bool(suite.config.get("chat", True)))
            if not ok:
                suite = dataclasses.replace(suite, config={**suite.config, "scoring": "generate"})
                if notice:
                    notice(f"{suite.name}: this backend gives no usable log-likelihoods"
                           + (f" ({why})" if why else "") + "; scoring labels by generation instead")
        out.append((suite, cases))
    return out


def run_suites(backend: Backend, work: Work, sides: Sequence[str | None], default_tokens: int,
               notice: Callable[[str], None] | None = None) -> dict[tuple[str, str | None], SuiteRun]:
    """Answer and score every (suite, case) for every side; keyed by (suite name, side)."""
    work = fallback_scoring(backend, work, notice)
    plan: list[tuple[Suite, Case, str | None, list[Any]]] = []
    gen: dict[GenerateRequest, int] = {}
    ll: dict[LoglikelihoodRequest, int] = {}
    for suite, cases in work:
        fam = get_family(suite.family)
        for case in cases:
            case = effective_case(case, default_tokens)
            for side in sides:
                reqs = fam.requests(suite, case, side)
                for r in reqs:
                    bucket: dict[Any, int] = gen if isinstance(r, GenerateRequest) else ll  # type: ignore[assignment]
                    bucket.setdefault(r, len(bucket))
                plan.append((suite, case, side, reqs))
    gen_out = backend.generate(list(gen)) if gen else []
    ll_out = backend.loglikelihood(list(ll)) if ll else []

    runs: dict[tuple[str, str | None], SuiteRun] = {}
    for suite, case, side, reqs in plan:
        fam = get_family(suite.family)
        results = [gen_out[gen[r]] if isinstance(r, GenerateRequest) else ll_out[ll[r]] for r in reqs]
        answer = fam.answer(suite, case, results)
        outcome = fam.score(suite, case, answer)
        run = runs.get((suite.name, side))
        if run is None:
            run = runs[(suite.name, side)] = SuiteRun(
                suite=suite.name, path=str(suite.path), family=suite.family, role=suite.role, adapter=side,
                outcomes={}, outputs={}, prompts={}, hashes={}, metrics={}, workflow=suite.workflow,
            )
        run.outcomes[case.id] = outcome
        run.outputs[case.id] = _answer_text(answer)
        run.prompts[case.id] = case.prompt.user_text
        run.hashes[case.id] = case.content_hash
    by_name = {s.name: s for s, _ in work}
    for (name, _side), run in runs.items():
        specs = get_family(by_name[name].family).metrics(by_name[name])
        run.metrics = metric_values(specs, list(run.outcomes.values()))
    return runs
