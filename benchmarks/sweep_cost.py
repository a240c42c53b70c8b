"""A checkpoint sweep's cost per checkpoint after the first, against separate runs (issue 22).

    python benchmarks/sweep_cost.py --json /tmp/sweep.json            # N = 1, 2, 4, 8
    python benchmarks/sweep_cost.py --json /tmp/sweep.json --merge    # the same with --forgetting-merge-adapters

Checkpoints: the narrow run's (``example_suite/adapters/narrow-checkpoints/checkpoint-{12,24,36,48}``
and the final ``narrow`` at step 60), and, for N = 8, three more made by averaging the LoRA weights
of neighbouring checkpoints (steps "6", "18", "30": checkpoint-12 scaled by 1/2, and the means of
12+24 and 24+36; real enough to cost exactly what a checkpoint costs, and named for what they are).

Whole processes, model load included, output cache off, suites ``--suites`` (default: the
generation suite ``neighbour_helpfulness`` and the label suite ``sentiment_labels``, 62 cases):

* sweep(N): ``pytest SUITES --adapter=c1 ... --adapter=cN --forgetting-compare-base``
* separate(N): the sum of N single-checkpoint runs ``pytest SUITES --adapter=ci --forgetting-compare-base``

Where the time goes (in-process, one loaded model with the eight checkpoints): model + adapter
loading, the base side, each adapter side unmerged and merged.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _procs import PYTEST, plugin_env  # noqa: E402
from _util import (  # noqa: E402
    DEFAULT_CACHE, EXAMPLE, REPO, dump_json, example_suites, load_average, measure_process, median,
    wait_for_quiet,
)

REAL = ["checkpoint-12", "checkpoint-24", "checkpoint-36", "checkpoint-48"]


def make_checkpoints(out: Path) -> list[tuple[str, Path]]:
    """Eight checkpoint directories in training order: five real ones and three averaged between them."""
    import torch
    from safetensors.torch import load_file, save_file

    ck = EXAMPLE / "adapters" / "narrow-checkpoints"
    real = {name: ck / name for name in REAL} | {"checkpoint-60": EXAMPLE / "adapters" / "narrow"}

    def mix(name: str, parts: list[tuple[Path, float]]) -> Path:
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        shutil.copy(parts[0][0] / "adapter_config.json", d / "adapter_config.json")
        tensors = [load_file(str(p / "adapter_model.safetensors")) for p, _ in parts]
        merged = {k: sum(w * t[k].to(torch.float32) for t, (_, w) in zip(tensors, parts)) for k in tensors[0]}
        save_file({k: v.contiguous() for k, v in merged.items()}, str(d / "adapter_model.safetensors"))
        return d

    made = {
        "mix-6": mix("mix-6", [(real["checkpoint-12"], 0.5)]),
        "mix-18": mix("mix-18", [(real["checkpoint-12"], 0.5), (real["checkpoint-24"], 0.5)]),
        "mix-30": mix("mix-30", [(real["checkpoint-24"], 0.5), (real["checkpoint-36"], 0.5)]),
    }
    order = ["mix-6", "checkpoint-12", "mix-18", "checkpoint-24", "mix-30", "checkpoint-36", "checkpoint-48",
             "checkpoint-60"]
    every = {**real, **made}
    # N=1,2,4 take the real checkpoints first, so small sweeps are the narrow run's own
    first = ["checkpoint-12", "checkpoint-36", "checkpoint-60", "checkpoint-24"]
    return [(n, every[n]) for n in first + [n for n in order if n not in first]]


def breakdown(checkpoints: list[tuple[str, Path]], suites: list[Any], cache: Path) -> dict[str, Any]:
    """In one process: load, base side, each adapter side unmerged and merged (output cache off)."""
    import dataclasses

    from pytest_forgetting.run.execute import run_suites
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.model.settings import ModelSettings

    work = [(s, list(s.cases)) for s in suites]
    t0 = time.perf_counter()
    b = HFBackend(ModelSettings(adapters=tuple(str(p) for _, p in checkpoints), device="cpu", cache_dir=cache))
    b.model  # noqa: B018
    load = time.perf_counter() - t0
    run_suites(b, [(s, list(s.cases)[:2]) for s in suites], [None], 64)  # warm-up
    t0 = time.perf_counter()
    run_suites(b, work, [None], 64)
    base = time.perf_counter() - t0
    sides: dict[str, dict[str, float]] = {}
    for (name, _), side in zip(checkpoints, b.adapters):
        sides[name] = {}
        for merged in (False, True):
            b.settings = dataclasses.replace(b.settings, merge_adapters=merged)
            t0 = time.perf_counter()
            run_suites(b, work, [side], 64)
            sides[name]["merged" if merged else "unmerged"] = round(time.perf_counter() - t0, 2)
    un = median([v["unmerged"] for v in sides.values()])
    me = median([v["merged"] for v in sides.values()])
    return {"load_model_and_8_adapters_s": round(load, 2), "base_side_s": round(base, 2), "adapter_sides_s": sides,
            "adapter_unmerged_median_s": un, "adapter_merged_median_s": me,
            "unmerged_over_base": round(un / base, 3), "merged_over_base": round(me / base, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, required=True)
    ap.add_argument("--suites", default="neighbour_helpfulness,sentiment_labels")
    ap.add_argument("--sizes", default="1,2,4,8")
    ap.add_argument("--merge", action="store_true", help="pass --forgetting-merge-adapters to every run")
    ap.add_argument("--no-breakdown", action="store_true")
    ap.add_argument("--cache-dir", default=str(DEFAULT_CACHE))
    ap.add_argument("--max-load", type=float, default=1.5)
    ap.add_argument("--max-wait", type=float, default=60)
    args = ap.parse_args(argv)
    cache = Path(args.cache_dir)
    names = [n.strip() for n in args.suites.split(",") if n.strip()]
    suites = example_suites(names)
    files = [str(EXAMPLE / f"{s.name}.forgetting.yaml") for s in suites]
    sizes = [int(x) for x in args.sizes.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="pfbench-sweep-"))
    checkpoints = make_checkpoints(tmp)[: max(sizes)]
    env = plugin_env(cache)
    extra = ["--forgetting-cache=off", "--forgetting-compare-base"] + (["--forgetting-merge-adapters"] if args.merge else [])
    quiet, load = wait_for_quiet(args.max_load, args.max_wait)
    result: dict[str, Any] = {"suites": names, "cases": sum(len(s.cases) for s in suites), "merge": args.merge,
                              "checkpoints": [n for n, _ in checkpoints], "load_at_start": round(load, 2),
                              "under_load": not quiet}
    single: dict[str, float] = {}
    for name, path in checkpoints:
        res = measure_process(PYTEST + files + extra + [f"--adapter={path}"], env=env, cwd=REPO, ok_codes=(0, 1))
        single[name] = res["wall_s"]
        print(f"single {name}: {res['wall_s']:.1f}s", flush=True)
    sweep: dict[int, float] = {}
    for n in sizes:
        if n == 1:
            sweep[1] = single[checkpoints[0][0]]
            continue
        cmd = PYTEST + files + extra + [f"--adapter={p}" for _, p in checkpoints[:n]]
        sweep[n] = measure_process(cmd, env=env, cwd=REPO, ok_codes=(0, 1))["wall_s"]
        print(f"sweep N={n}: {sweep[n]:.1f}s", flush=True)
    curve = []
    for n in sizes:
        separate = sum(single[name] for name, _ in checkpoints[:n])
        after_first = (sweep[n] - sweep[1]) / (n - 1) if n > 1 else None
        curve.append({"n": n, "sweep_s": round(sweep[n], 2), "separate_s": round(separate, 2),
                      "separate_over_sweep": round(separate / sweep[n], 3),
                      "per_checkpoint_after_first_s": None if after_first is None else round(after_first, 2),
                      "after_first_over_single": None if after_first is None else round(after_first / sweep[1], 3)})
    result["single_run_s"] = single
    result["curve"] = curve
    if not args.no_breakdown:
        result["breakdown"] = breakdown(checkpoints, suites, cache)
    result["load_at_end"] = round(load_average(), 2)
    shutil.rmtree(tmp, ignore_errors=True)
    for row in curve:
        print(row)
    print(result.get("breakdown"))
    dump_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
