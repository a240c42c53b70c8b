"""What ``ForgettingCallback`` costs against the training it watches (issue 22).

    python benchmarks/callback_cost.py --json /tmp/cb.json                       # every 6 steps, merged
    python benchmarks/callback_cost.py --json /tmp/cb.json --every 30 --no-merge
    python benchmarks/callback_cost.py --json /tmp/cold.json --every 60 --cache-dir /tmp/cbcache   # fills it
    python benchmarks/callback_cost.py --json /tmp/warm.json --every 60 --cache-dir /tmp/cbcache   # base cached

Trains the example's narrow run (``example_suite/train_adapters.py``: SmolLM2-135M, LoRA r=8,
60 steps, nothing written to the example's folders) with the callback over the six example
suites (172 cases), evaluating at the Trainer's checkpoint saves every ``--every`` steps (the
worked example's cadence is 6), and reports training seconds (wall time less the callback's
evaluations), each evaluation's seconds, their ratio, and the callback's own cadence hint.
``--max-steps`` cuts the run short while developing. The callback's output cache is a fresh
temporary folder (a first training run: the base side is answered) unless ``--cache-dir`` names one
a previous run filled (a later run over the same base and suites: the base side is read back).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import EXAMPLE, REPO, dump_json, load_average  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, required=True)
    ap.add_argument("--every", type=int, default=6, help="evaluate at checkpoint saves every N steps (default 6)")
    ap.add_argument("--no-merge", action="store_true", help="run the adapter side unmerged")
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--cache-dir", type=Path, default=None, help="the callback's output cache (default: a fresh one)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(EXAMPLE))
    import train_adapters as ta

    from pytest_forgetting import ForgettingCallback

    cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="pfbench-cbcache-")) / "cache"
    cb = ForgettingCallback(sorted(EXAMPLE.glob("*.forgetting.yaml")), evaluate_on="save",
                            merge_adapters=not args.no_merge, cache_dir=cache)
    out = Path(tempfile.mkdtemp(prefix="pfbench-cb-"))
    trainer = ta.build_trainer("narrow", out_dir=out, callbacks=[cb], watch_every=args.every, checkpoint_every=0)
    if args.max_steps:
        trainer.args.max_steps = args.max_steps
    from pytest_forgetting.model.live import base_digest

    t_digest = time.perf_counter()
    base_digest(trainer.model, trainer.processing_class, "default")  # what the first evaluation pays to key the cache
    digest_s = time.perf_counter() - t_digest
    load0 = load_average()
    t0 = time.perf_counter()
    trainer.train()
    wall = time.perf_counter() - t0
    steps = trainer.state.global_step
    evals = sum(cb.eval_seconds)
    train = wall - evals
    res: dict[str, Any] = {
        "every": args.every, "merged": not args.no_merge, "steps": steps, "cases": sum(len(s.cases) for s in cb.suites),
        "wall_s": round(wall, 1), "training_s": round(train, 1), "evaluations": len(cb.eval_seconds),
        "eval_seconds": [round(x, 2) for x in cb.eval_seconds], "eval_total_s": round(evals, 1),
        "eval_over_training": round(evals / train, 3), "reused_steps": cb.reused,
        "first_eval_s": round(cb.eval_seconds[0], 2) if cb.eval_seconds else None,
        "later_eval_median_s": round(sorted(cb.eval_seconds[1:])[len(cb.eval_seconds[1:]) // 2], 2)
        if len(cb.eval_seconds) > 1 else None,
        "cadence_hint": cb.cadence_hint(steps), "cache_dir": str(cache),
        "base_cache_hits": cb.base_cache_hits, "base_cache_misses": cb.base_cache_misses,
        "base_digest_s": round(digest_s, 2), "load_at_start": round(load0, 2), "load_at_end": round(load_average(), 2),
    }
    print(res)
    dump_json(args.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
