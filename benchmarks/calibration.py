"""Calibration of the verdict: how often a fine-tune that changed nothing real is NOT READY, and how
often a real regression of the sizes the README's demo shows is caught.

    python benchmarks/calibration.py --json benchmarks/calibration.json [--reps 400] [--seed 0]

The model (stated, so the numbers can be judged):

* The suites are the example suite's: the same suite names, roles, metrics, primary metrics,
  directions, numbers of cases and base-model rates (read from ``example_suite/__baselines__``).
  Every metric is simulated as a per-case binary outcome at its base rate (metrics that are not
  rates, such as ``mean_words``, at 0.5), scored by the plugin's own paired test
  (:func:`~pytest_forgetting.stats.comparison.compare_metric`) and judged by the plugin's own decider
  through the last step of its one road (:func:`~pytest_forgetting.run.evaluate.judge`: primary
  metrics confirmatory, secondary metrics Holm-adjusted within the candidate). Metrics are drawn independently of each other, which is
  the worst case for family-wise error (real metrics of one suite are correlated).
* The target suite (``ticket_extraction``) really improves (0.00 -> 0.90) in every scenario, so a
  NOT READY verdict can only come from the guardrails.
* **No change**: a benign fine-tune shuffles a few cases both ways: per guardrail metric,
  ``k_down`` and ``k_up`` cases flip, each ``Binomial(min(#passing, #failing), q)``, so the rate does
  not move in expectation (``q`` = 0.10 by default).
* **Regression**: on top of the shuffle, a metric moves by the stated amount in its worse direction
  (cases chosen at random flip the bad way). The sizes are those the demo's narrow adapter shows.
* **Improvement**: the refusal guardrail's primary moves 0.20 the *better* way: it must read
  ``improved`` or ``unchanged``, never ``inconclusive`` (issue 29).
* Guardrails are tested one-sided ("did it get worse?"), as ``run/compare.py`` does.
* ``plan_predicted_power``: the power ``--forgetting-plan``'s model (``run/plan.py``: exact McNemar on
  the suite's cases, one-sided, at the baseline rate, with this simulation's default churn as a per-case
  flip rate) gives each regression. The plan draws the drop's worse flips at random (binomial) where the
  simulation moves exactly the stated number of cases, so the simulated power is expected at or above it.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pytest_forgetting.suite.cases import Suite  # noqa: E402
from pytest_forgetting.decide.reasons import Mode  # noqa: E402
from pytest_forgetting.run.evaluate import Compared, Selection, judge  # noqa: E402
from pytest_forgetting.records.results import SuiteComparison, SuiteRun  # noqa: E402
from pytest_forgetting.scoring import family as get_family  # noqa: E402
from pytest_forgetting.scoring.base import CaseOutcome, mean_metric  # noqa: E402
from pytest_forgetting.stats.comparison import compare_metric  # noqa: E402
from pytest_forgetting.run.plan import PLAN_CHURN, plan_model  # noqa: E402
from pytest_forgetting.stats.power import detection_power  # noqa: E402

# the regressions the demo's narrow adapter shows (README "The demo"), each alone
DEMO_REGRESSIONS: list[tuple[str, str, float]] = [
    ("format_overuse_general", "overuse_rate", 1.0),  # 0.000 -> 1.000
    ("neighbour_helpfulness", "accuracy", 0.969),  # 0.969 -> 0.000
    ("refusal_balance", "refusal_accuracy", 0.20),  # 0.700 -> 0.500
    ("sentiment_labels", "macro_f1", 0.41),  # 0.580 -> 0.167
    ("support_tone", "expectation_pass_rate", 1.0),  # 1.000 -> 0.000
]


def example_suites() -> list[dict[str, Any]]:
    """Name, role, primary and (metric, direction, n, rate) for every example suite, from its baseline."""
    import yaml

    out = []
    for f in sorted((ROOT / "example_suite" / "__baselines__").glob("*.json")):
        for name, rec in json.loads(f.read_text())["suites"].items():
            doc = yaml.safe_load((ROOT / "example_suite" / f"{name}.forgetting.yaml").read_text())
            fam = get_family(rec["family"])
            primary = doc.get("primary_metric") or fam.primary(rec["role"])
            metrics = []
            for m, v in rec["metrics"].items():
                if not v.get("n") or v.get("value") is None:
                    continue
                rate = float(v["value"]) if 0.0 <= float(v["value"]) <= 1.0 else 0.5
                metrics.append((m, v["direction"], int(v["n"]), rate))
            out.append({"name": name, "role": rec["role"], "family": rec["family"], "primary": primary,
                        "alpha": float(doc.get("alpha", 0.05)), "tolerance": float(doc.get("tolerance", 0.05)),
                        "metrics": metrics})
    return out


def _bits(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    ones = int(round(rate * n))
    b = np.zeros(n, dtype=bool)
    b[rng.choice(n, ones, replace=False)] = True
    return b


def _shuffle(rng: np.random.Generator, base: np.ndarray, q: float) -> np.ndarray:
    cur = base.copy()
    ones, zeros = np.flatnonzero(base), np.flatnonzero(~base)
    k = min(len(ones), len(zeros))
    if k:
        cur[rng.choice(ones, rng.binomial(k, q), replace=False)] = False
        cur[rng.choice(zeros, rng.binomial(k, q), replace=False)] = True
    return cur


def _worsen(rng: np.random.Generator, cur: np.ndarray, direction: str, size: float) -> np.ndarray:
    """Move the rate by ``size`` in the metric's worse direction."""
    out = cur.copy()
    k = int(round(size * len(cur)))
    bad_is_one = direction == "lower"
    pool = np.flatnonzero(out != bad_is_one)
    out[rng.choice(pool, min(k, len(pool)), replace=False)] = bad_is_one
    return out


def _outcomes(bits: np.ndarray) -> dict[str, CaseOutcome]:
    return {f"c{i:03d}": CaseOutcome(bool(b), "1" if b else "0", "") for i, b in enumerate(bits)}


IMPROVEMENT = ("refusal_balance", "refusal_accuracy", 0.20)


def _better(rng: np.random.Generator, cur: np.ndarray, direction: str, size: float) -> np.ndarray:
    """Move the rate by ``size`` in the metric's better direction."""
    return ~_worsen(rng, ~cur, direction, size)


def one_verdict(rng: np.random.Generator, suites: list[dict[str, Any]], q: float,
                regressions: list[tuple[str, str, float]], seed: int,
                improvements: tuple[tuple[str, str, float], ...] = ()) -> tuple[str, bool, dict[str, str]]:
    selections, runs, compared = [], {}, Compared()
    for s in suites:
        comp = SuiteComparison(suite=s["name"], path=s["name"], role=s["role"], family=s["family"],
                               candidate="cand", reference_kind="baseline", reference_label="stored baseline",
                               primary_metric=s["primary"], reference_is_base=True,
                               must_improve=s["role"] == "target")
        for m, direction, n, rate in s["metrics"]:
            if s["role"] == "target" and m == s["primary"]:
                base, cur = _bits(rng, n, 0.0), _bits(rng, n, 0.9)
            else:
                base = _bits(rng, n, rate)
                cur = _shuffle(rng, base, q)
                for reg in regressions:
                    if reg[:2] == (s["name"], m):
                        cur = _worsen(rng, cur, direction, reg[2])
                for imp in improvements:
                    if imp[:2] == (s["name"], m):
                        cur = _better(rng, cur, direction, imp[2])
            spec = mean_metric(m, direction, "", lambda o: float(o.passed), binary=True)
            comp.comparisons[m] = compare_metric(spec, _outcomes(base), _outcomes(cur), alpha=s["alpha"],
                                                 tolerance=s["tolerance"], seed=seed,
                                                 one_sided=s["role"] == "guardrail")
            comp.units[m] = "rate"
        suite = Suite(name=s["name"], path=Path(s["name"]), family=s["family"], role=s["role"], cases=())
        run = SuiteRun(suite=s["name"], path=s["name"], family=s["family"], role=s["role"], adapter="cand",
                       outcomes={}, outputs={}, prompts={}, hashes={}, metrics={})
        selections.append(Selection(suite, frozenset()))
        runs[(s["name"], "cand")] = run
        compared.candidates[(s["name"], "cand")] = comp
    decision = judge(selections, ["cand"], Mode(), runs, compared).decision
    (v,) = decision.verdicts
    statuses = {f"{name}.{m}": st for (name, _), d in decision.suites.items() for m, st in d.metrics.items()}
    return v.status, bool(v.notes), statuses


def plan_power(suites: list[dict[str, Any]], reg: tuple[str, str, float]) -> float:
    """The power --forgetting-plan's model predicts for one regression (``run/plan.plan_model``: its churn
    assumption is this simulation's default ``--q``)."""
    s = next(x for x in suites if x["name"] == reg[0])
    _, direction, n, rate = next(x for x in s["metrics"] if x[0] == reg[1])
    model = plan_model(direction, s["alpha"], n, rate, guardrail=s["role"] == "guardrail")
    room = rate if direction == "higher" else 1.0 - rate  # the simulation caps a move at what the rate allows
    return detection_power(model, min(reg[2], room))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, required=True)
    ap.add_argument("--reps", type=int, default=400, help="replicates per scenario (default 400)")
    ap.add_argument("--q", type=float, default=PLAN_CHURN,
                    help=f"benign flip rate per direction (default {PLAN_CHURN}, what --forgetting-plan assumes)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    suites = example_suites()
    t0 = time.perf_counter()
    null = [one_verdict(rng, suites, args.q, [], args.seed + i) for i in range(args.reps)]
    far = sum(st != "READY" for st, _, _ in null) / len(null)
    scenarios, flagged, predicted, family = {}, {}, {}, {}
    runs = [("the demo's narrow adapter: all five at once", DEMO_REGRESSIONS)]
    runs += [(f"{reg[0]}.{reg[1]} -{reg[2]:.2f} alone", [reg]) for reg in DEMO_REGRESSIONS]
    for name, regs in runs:
        res = [one_verdict(rng, suites, args.q, regs, args.seed + i) for i in range(args.reps)]
        scenarios[name] = sum(st == "NOT READY" for st, _, _ in res) / len(res)
        flagged[name] = sum(st == "NOT READY" or unsure for st, unsure, _ in res) / len(res)
        if len(regs) == 1:
            predicted[name] = round(plan_power(suites, regs[0]), 3)
            family[next(s["family"] for s in suites if s["name"] == regs[0][0])] = scenarios[name]
    key = f"{IMPROVEMENT[0]}.{IMPROVEMENT[1]}"
    better = [one_verdict(rng, suites, args.q, [], args.seed + i, (IMPROVEMENT,)) for i in range(args.reps)]
    improvement = {
        "scenario": f"{key} +{IMPROVEMENT[2]:.2f} (the better way)",
        "share_improved": sum(m[key] == "improved" for _, _, m in better) / len(better),
        "share_unchanged": sum(m[key] == "unchanged" for _, _, m in better) / len(better),
        "share_inconclusive": sum(m[key] == "inconclusive" for _, _, m in better) / len(better),
        "share_not_ready": sum(st != "READY" for st, _, _ in better) / len(better),
    }
    by_metric: dict[str, float] = {}
    for _, _, m in null:
        for k, st in m.items():
            by_metric[k] = by_metric.get(k, 0.0) + (st == "inconclusive") / len(null)
    out = {
        "command": f"python benchmarks/calibration.py --json {args.json} --reps {args.reps} --q {args.q} --seed {args.seed}",
        "settings": {"reps": args.reps, "benign_flip_rate_per_direction": args.q, "seed": args.seed,
                     "suites": [{"suite": s["name"], "role": s["role"], "primary": s["primary"],
                                 "metrics": [{"metric": m, "direction": d, "n": n, "rate": r} for m, d, n, r in s["metrics"]]}
                                for s in suites],
                     "target": "ticket_extraction format_rate 0.00 -> 0.90 in every scenario"},
        "verdict_false_alarm_rate": far,
        "verdict_false_alarm_goal": 0.05,
        "inconclusive_rate_under_no_change": sum(n for _, n, _ in null) / len(null),
        "inconclusive_rate_under_no_change_by_metric": {k: round(v, 3) for k, v in sorted(by_metric.items()) if v},
        "power_by_regression": scenarios,
        "power_by_family": family,
        "plan_predicted_power_by_regression": predicted,
        "improvement": improvement,
        "not_ready_or_inconclusive_by_regression": flagged,
        "power": scenarios[runs[0][0]],
        "power_smallest_single_regression": min(scenarios.values()),
        "power_goal": 0.8,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    args.json.write_text(json.dumps(out, indent=2) + "\n")
    print(f"verdict_false_alarm_rate {far:.3f} (goal <= 0.05); power (the demo's narrow adapter) "
          f"{out['power']:.3f} (goal >= 0.8)")
    for k, v in scenarios.items():
        plan = f"; plan predicts {predicted[k]:.3f}" if k in predicted else ""
        print(f"  power {k}: {v:.3f} (NOT READY or inconclusive: {flagged[k]:.3f}{plan})")
    print(f"  improvement {improvement}")
    print(f"  inconclusive under no change: {out['inconclusive_rate_under_no_change']:.3f}; {out['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
