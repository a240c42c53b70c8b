"""Compare a candidate ``SuiteRun`` with its reference: a stored baseline or the live base run.

The reference is paired per case id. Cases whose content changed since the
baseline, and suites recorded with other generation settings or another
plugin major version, are flagged for re-approval instead of compared.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..records.baseline import SuiteRecord
from ..suite.cases import Suite
from ..records.results import Flip, SuiteComparison, SuiteRun
from ..scoring import family as get_family
from ..scoring.base import CaseOutcome
from ..stats.comparison import compare_metric
from ..decide.rules import tolerance_for


def compare_suite(
    suite: Suite,
    run: SuiteRun,
    *,
    reference: SuiteRecord | SuiteRun | None,
    reference_label: str,
    generation: Mapping[str, Any],
    plugin_major: str,
    seed: int = 0,
) -> SuiteComparison:
    """Pair the run with its reference by case id and compare every metric (numbers; the decider judges)."""
    fam = get_family(suite.family)
    primary = suite.primary_metric or fam.primary(suite.role)
    comp = SuiteComparison(
        suite=suite.name, path=str(suite.path), role=suite.role, family=suite.family, candidate=run.adapter,
        reference_kind="none", reference_label=reference_label, primary_metric=primary,
    )
    if reference is None:
        return comp
    if isinstance(reference, SuiteRun):
        comp.reference_kind = "live-base"
        ref_out: dict[str, CaseOutcome] = dict(reference.outcomes)
        ref_hash = dict(reference.hashes)
        comp.reference_outputs = dict(reference.outputs)
        comp.reference_metrics = {m: v.to_json() for m, v in reference.metrics.items()}
        ref_is_base = True
    else:
        comp.reference_kind = "baseline"
        ref_out = {k: c.outcome for k, c in reference.cases.items()}
        ref_hash = {k: c.hash for k, c in reference.cases.items()}
        comp.reference_outputs = {k: c.output for k, c in reference.cases.items()}
        comp.reference_metrics = {m: dict(v) for m, v in reference.metrics.items() if isinstance(v, Mapping)}
        ref_is_base = reference.model.get("adapter") is None
        for key in sorted(set(generation) | set(reference.generation)):
            if generation.get(key) != reference.generation.get(key):
                comp.needs_approval.append(
                    f"generation setting {key!r} was {reference.generation.get(key)!r}, now {generation.get(key)!r}"
                )
        if reference.plugin_version.split(".")[0] != plugin_major:
            comp.needs_approval.append(f"recorded with plugin version {reference.plugin_version}")
        if reference.family != suite.family:
            comp.needs_approval.append(f"recorded as family {reference.family!r}")
    comp.reference_outcomes = ref_out
    comp.reference_is_base = ref_is_base
    comp.must_improve = suite.role == "target" and run.adapter is not None and ref_is_base
    suite_ids = {c.id for c in suite.cases}
    comp.stale_cases = sorted(set(ref_out) - suite_ids)
    paired_ref: dict[str, CaseOutcome] = {}
    paired_cur: dict[str, CaseOutcome] = {}
    for cid, outcome in run.outcomes.items():
        if cid not in ref_out:
            comp.new_cases.append(cid)
        elif ref_hash.get(cid) != run.hashes.get(cid):
            comp.changed_cases.append(cid)
        else:
            paired_ref[cid], paired_cur[cid] = ref_out[cid], outcome
            if ref_out[cid].passed != outcome.passed:
                comp.flips.append(Flip(cid, ref_out[cid], outcome))
    if comp.needs_approval:
        return comp
    # A guardrail asks only "did it get worse?": one-sided. A target keeps its two-sided tests (its
    # primary must improve, its other metrics must not regress, both claims judged at alpha together).
    one_sided = suite.role == "guardrail"
    for spec in fam.metrics(suite):
        tol = tolerance_for(suite, spec.name, spec.unit, spec.tolerance)
        comp.units[spec.name] = spec.unit
        comp.comparisons[spec.name] = compare_metric(
            spec, paired_ref, paired_cur, alpha=suite.alpha, tolerance=tol, seed=seed, one_sided=one_sided
        )
    return comp
