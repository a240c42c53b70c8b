"""What fixed batch shapes (issue 29: a case's answer does not depend on what else runs) cost.

Times the base side of example-suite files on the embedded SmolLM2-135M-Instruct (CPU, fp32, the
automatic batch size) with the old batching (sorted across every selected suite, batches cut at
the automatic size, a shared prefix, finished rows dropped: the code at ``--old``, e.g. a checkout
of the main branch) and with this checkout's fixed shapes. Each timing runs in its own process
(model load excluded, outputs cache off), the two variants alternate ABBA so a load change on the
shared machine hits both, and the script prints one JSON line per timing and a summary.

    python benchmarks/selection_invariance.py --old /work/main --variants old,new,new:8
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITES = ("format_overuse_general", "support_tone", "sentiment_labels")


def worker(suites: list[str], rows: int | None) -> None:
    """Build the suites' base requests, load the model, time one generate and one loglikelihood call."""
    import torch

    torch.set_num_threads(1)  # two threads on a shared, loaded 2-core box spin against each other (tests/conftest.py)
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.model.settings import ModelSettings
    from pytest_forgetting.model.protocol import GenerateRequest
    from pytest_forgetting.run.execute import effective_case
    from pytest_forgetting.scoring import family
    from pytest_forgetting.suite.cases import load_suite

    gen: dict[GenerateRequest, None] = {}
    ll: dict[object, None] = {}
    for name in suites:
        suite = load_suite(ROOT / "example_suite" / f"{name}.forgetting.yaml", root=ROOT)
        for case in suite.cases:
            for r in family(suite.family).requests(suite, effective_case(case, 64), None):
                (gen if isinstance(r, GenerateRequest) else ll)[r] = None  # type: ignore[index]
    backend = HFBackend(ModelSettings(device="cpu", dtype="float32", batch_size=rows))
    backend.model, backend.tokenizer  # load outside the timing
    t0 = time.perf_counter()
    outs = backend.generate(list(gen))
    t1 = time.perf_counter()
    backend.loglikelihood(list(ll))  # type: ignore[arg-type]
    t2 = time.perf_counter()
    print(json.dumps({"generate_s": round(t1 - t0, 2), "loglik_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2),
                      "generate_requests": len(gen), "loglik_requests": len(ll), "passes": backend.passes,
                      "new_tokens_chars": sum(len(o) for o in outs)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", type=Path, required=True, help="a checkout with the old batching (e.g. the main branch)")
    ap.add_argument("--suites", default=",".join(SUITES))
    ap.add_argument("--rows", type=int, default=None, help=argparse.SUPPRESS)  # a worker's batch size
    ap.add_argument("--variants", default="old,new", help="old or new[:ROWS] (ROWS: batch size, default auto), comma-separated")
    ap.add_argument("--worker", action="store_true")
    args = ap.parse_args()
    suites = args.suites.split(",")
    if args.worker:
        worker(suites, args.rows)
        return
    variants = args.variants.split(",")
    times: dict[str, list[float]] = {v: [] for v in variants}
    for variant in variants + variants[::-1]:  # ABBA: a load change on the shared machine hits every variant
        kind, _, rows = variant.partition(":")
        env = {**os.environ, "PYTHONPATH": str(args.old if kind == "old" else ROOT)}
        cmd = [sys.executable, __file__, "--worker", "--old", str(args.old), "--suites", args.suites]
        cmd += ["--rows", rows] if rows else []
        line = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip().splitlines()[-1]
        row = json.loads(line)
        times[variant].append(row["total_s"])
        print(json.dumps({"variant": variant, **row, "load_avg_1min": round(os.getloadavg()[0], 1)}), flush=True)
    base = statistics.mean(times[variants[0]])
    print(json.dumps({v: {"mean_s": round(statistics.mean(t), 2), "vs_first": round(statistics.mean(t) / base - 1, 3)}
                      for v, t in times.items()}))


if __name__ == "__main__":
    main()
