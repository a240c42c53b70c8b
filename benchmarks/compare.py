"""Performance benchmarks for pytest-forgetting ("as fast as the hardware allows").

    python benchmarks/compare.py --json /tmp/bench.json            # full run, under 15 min on 2 cores
    python benchmarks/compare.py --quick --json /tmp/quick.json    # smoke mode while developing

Every ratio is measured side by side in the same run (the two sides interleaved per repetition) and
is a ratio of medians over ``--reps`` repetitions. Model loads are excluded except where the ratio
is over whole processes (lm_eval_*, warm_over_cold, rss_*). Before each group the script waits for
the 1-minute load average to drop below ``--max-load`` (the machine is shared) and records the load
it measured under.

Ratios (goal):
  suite_vs_raw_generate   plugin generation / plain batched model.generate at its best batch size (<= 1.10)
  naive_loop_vs_suite     per-case generate loop (batch 1) / plugin (>= 4)
  lm_eval_single_vs_suite lm-eval process / pytest process, one model, same prompts and batch size (>= 1.0)
  lm_eval_vs_suite        two lm-eval processes (base, peft=adapter) / one pytest --forgetting-compare-base (>= 2.5)
  lm_eval_vs_suite_merged the same, pytest with --forgetting-merge-adapters (>= 2.5)
  compare_base_vs_single  pytest --adapter --forgetting-compare-base / pytest one model, whole processes (<= 1.3)
  compare_base_merged_vs_single  the same with --forgetting-merge-adapters (<= 1.3)
  warm_over_cold          pytest example_suite with a warm output cache / cold (<= 0.05)
  loglik_naive_vs_fast    full-logit label scoring / HFBackend.loglikelihood (>= 5)
  rss_compare_base_over_adapter  peak RSS of --forgetting-compare-base / adapter alone (<= 1.10)

Results go to --json and into the generated block of benchmarks/RESULTS.md (--no-results-md to skip).
lm-eval is optional (``pip install lm-eval``, or ``pip install --no-deps --target DIR lm-eval ...`` and
``--lm-eval-path DIR`` to keep its pins out of the plugin's environment); without it the lm-eval group's
ratios are null with the reason.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import (  # noqa: E402
    DEFAULT_CACHE, REPO, dump_json, example_suites, load_average, machine_info, make_backend, pick_adapter,
    profile_top, replace_block, suite_requests, wait_for_quiet,
)

GOALS: dict[str, tuple[str, float]] = {
    "suite_vs_raw_generate": ("<=", 1.10),
    "naive_loop_vs_suite": (">=", 4.0),
    "lm_eval_single_vs_suite": (">=", 1.0),
    "lm_eval_vs_suite": (">=", 2.5),
    "lm_eval_vs_suite_merged": (">=", 2.5),
    "compare_base_vs_single": ("<=", 1.3),
    "compare_base_merged_vs_single": ("<=", 1.3),
    "warm_over_cold": ("<=", 0.05),
    "loglik_naive_vs_fast": (">=", 5.0),
    "rss_compare_base_over_adapter": ("<=", 1.10),
}
GROUPS = ("generate", "loglik", "lm_eval", "cache", "rss")
LM_EVAL_RATIOS = ("lm_eval_single_vs_suite", "lm_eval_vs_suite", "lm_eval_vs_suite_merged", "compare_base_vs_single",
                  "compare_base_merged_vs_single")
LM_EVAL_SUITE = "neighbour_helpfulness"  # 32 single-turn chat prompts, one token budget, no stop strings


def met(name: str, value: float | None) -> bool | None:
    if value is None:
        return None
    op, goal = GOALS[name]
    return value <= goal if op == "<=" else value >= goal


def log(msg: str) -> None:
    print(msg, flush=True)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick = args.quick
        self.reps = args.reps or (1 if args.quick else 3)
        self.cache = Path(args.cache_dir)
        if args.threads:  # in-process torch and, through the environment, every subprocess
            import torch

            torch.set_num_threads(args.threads)
            for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ[var] = str(args.threads)
        os.environ["PYTEST_FORGETTING_CACHE_DIR"] = str(self.cache)
        from pytest_forgetting.model.embedded import ensure_embedded_model

        self.model_dir = ensure_embedded_model(self.cache)
        self.adapter, self.adapter_desc = pick_adapter(self.model_dir, args.adapter)
        self.results: dict[str, Any] = {}
        self.details: dict[str, Any] = {}
        self.loads: dict[str, dict[str, float | bool]] = {}
        self.profiles: dict[str, str] = {}
        self.backend: Any = None

    def quiet(self, group: str) -> None:
        ok, load = wait_for_quiet(self.args.max_load, self.args.max_wait, log)
        self.loads[group] = {"load_at_start": round(load, 2), "under_load": not ok}
        if not ok:
            log(f"  measuring {group} UNDER LOAD (load average {load:.2f})")

    def get_backend(self) -> Any:
        if self.backend is None:
            import torch

            torch.manual_seed(0)
            self.backend = make_backend(self.cache)
            self.backend.model  # noqa: B018 - the load is never timed
        return self.backend

    # -- groups ---------------------------------------------------------------------------
    def run_generate(self) -> None:
        from _inproc import measure_generation

        suites = [s for s in example_suites() if s.family != "label_collapse"]
        if self.quick:
            suites = [s for s in suites if s.name in ("neighbour_helpfulness", "refusal_balance")]
        gen, _ = suite_requests(suites)
        # batch 8 was never the best (2026-11-26, 2 cores: 91 s against 37 s at 64); leaving it out keeps
        # the whole run under 15 minutes
        bss = [16, 64] if self.quick else [16, 32, 64]
        d = measure_generation(self.get_backend(), suites, gen, self.reps, bss, 4 if self.quick else 12, log)
        d["suites"] = [s.name for s in suites]
        self.details["generate"] = d
        self.results["suite_vs_raw_generate"] = d["suite_vs_raw_generate"]
        self.results["naive_loop_vs_suite"] = d["naive_loop_vs_suite"]

    def run_loglik(self) -> None:
        from _inproc import measure_loglik

        suites = [s for s in example_suites() if s.family == "label_collapse"]
        _, ll = suite_requests(suites)
        if self.quick:
            ll = ll[:24]
        d = measure_loglik(self.get_backend(), ll, self.reps, self.args.naive_loglik_batch, log)
        d["suites"] = [s.name for s in suites]
        self.details["loglik"] = d
        self.results["loglik_naive_vs_fast"] = d["loglik_naive_vs_fast"]

    def run_lm_eval(self) -> None:
        from _procs import lm_eval_available, measure_lm_eval

        why = lm_eval_available()
        if why:
            for k in LM_EVAL_RATIOS:
                self.results[k] = None
            self.details["lm_eval"] = {"reason": why}
            log(f"  lm-eval skipped: {why}")
            return
        suite = example_suites([LM_EVAL_SUITE])[0]
        renderer = make_backend(self.cache)  # tokenizer only: the weights load lazily and are never touched
        try:
            d = measure_lm_eval(suite, renderer, self.model_dir, self.cache, self.adapter,
                                self.args.lm_eval_batch_size, self.reps, log)
        except Exception as exc:  # noqa: BLE001 - record why instead of dying after minutes of work
            reason = f"lm-eval run failed: {str(exc).strip().splitlines()[-1][:400] if str(exc).strip() else exc!r}"
            for k in LM_EVAL_RATIOS:
                self.results[k] = None
            self.details["lm_eval"] = {"reason": reason, "error": str(exc)[-3000:]}
            log(f"  {reason}")
            return
        self.details["lm_eval"] = d
        for k in LM_EVAL_RATIOS:
            self.results[k] = d[k]

    def run_cache(self) -> None:
        from _procs import measure_warm_cold

        target = ["example_suite/neighbour_helpfulness.forgetting.yaml"] if self.quick else ["example_suite"]
        d = measure_warm_cold(self.cache, self.reps, log, target)
        d["target"] = target
        self.details["cache"] = d
        self.results["warm_over_cold"] = d["warm_over_cold"]

    def run_rss(self) -> None:
        from _procs import measure_rss

        suite_file = REPO / "example_suite" / f"{LM_EVAL_SUITE}.forgetting.yaml"
        d = measure_rss(suite_file, self.cache, self.adapter, max(1, min(self.reps, 2)), log)
        self.details["rss"] = d
        self.results["rss_compare_base_over_adapter"] = d["rss_compare_base_over_adapter"]

    # -- profiles of unmet goals ---------------------------------------------------------------
    def profile_unmet(self) -> None:
        from _inproc import plugin_generate
        from _procs import PYTEST, plugin_env
        from _util import cache_dir_with_model, measure_process

        for name, value in self.results.items():
            if met(name, value) is not False or name in self.profiles:
                continue
            log(f"profiling {name} (goal not met)...")
            if name in ("suite_vs_raw_generate", "naive_loop_vs_suite"):
                suites = [s for s in example_suites() if s.name in self.details["generate"]["suites"]]
                self.profiles[name] = profile_top(lambda: plugin_generate(self.get_backend(), [(s, list(s.cases)) for s in suites]))
            elif name == "loglik_naive_vs_fast":
                suites = [s for s in example_suites() if s.family == "label_collapse"]
                _, ll = suite_requests(suites)
                self.profiles[name] = profile_top(lambda: self.get_backend().loglikelihood(ll))
            elif name in ("warm_over_cold", *LM_EVAL_RATIOS):
                cache = cache_dir_with_model(self.cache)
                target = self.details.get("cache", {}).get("target", ["example_suite"])
                prof = cache / "prof.out"
                cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "pytest", *PYTEST[3:]]
                if name == "warm_over_cold":
                    cmd += [*target, f"--forgetting-cache-dir={cache}"]
                    measure_process(cmd, env=plugin_env(self.cache), ok_codes=(0, 1))  # fill the cache
                else:
                    cmd += [f"example_suite/{LM_EVAL_SUITE}.forgetting.yaml", "--forgetting-cache=off"]
                    if name != "lm_eval_single_vs_suite":
                        cmd += [f"--adapter={self.adapter}", "--forgetting-compare-base"]
                    if "merged" in name:
                        cmd += ["--forgetting-merge-adapters"]
                measure_process(cmd, env=plugin_env(self.cache), ok_codes=(0, 1))
                import pstats
                import io

                buf = io.StringIO()
                pstats.Stats(str(prof), stream=buf).strip_dirs().sort_stats("cumulative").print_stats(25)
                text = buf.getvalue()
                self.profiles[name] = text[text.find("   ncalls"):].rstrip()

    # -- output ------------------------------------------------------------------------------------
    def table(self) -> str:
        rows = ["| ratio | value | goal | met? |", "|---|---|---|---|"]
        for name, (op, goal) in GOALS.items():
            v = self.results.get(name, "not run")
            if v == "not run":
                rows.append(f"| `{name}` | not run | {op} {goal:g} | - |")
                continue
            m = met(name, v)
            shown = "null" if v is None else f"{v:.3f}"
            rows.append(f"| `{name}` | {shown} | {op} {goal:g} | {'-' if m is None else ('yes' if m else 'NO')} |")
        return "\n".join(rows)


def markdown_block(b: Bench, info: dict[str, Any], command: str, elapsed: float) -> str:
    lines = [
        "## Latest `compare.py` run (generated)",
        "",
        f"* when: {_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()}, "
        f"{'quick mode, ' if b.quick else ''}{b.reps} repetition(s), total {elapsed:.0f}s",
        f"* command: `{command}`",
        f"* machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, torch {info['torch']} "
        f"({info['torch_threads']} threads), transformers {info['transformers']}, peft {info['peft']}, "
        f"lm-eval {info['lm_eval']}, Python {info['python']}",
        f"* model: embedded SmolLM2-135M-Instruct, fp32, CPU; adapter: {b.adapter_desc}",
        "* load average when each group started (`*` = still above the threshold after waiting): "
        + ", ".join(f"{g} {v['load_at_start']}{'*' if v['under_load'] else ''}" for g, v in b.loads.items()),
        "",
        b.table(),
        "",
        "### Details (seconds; medians of the listed repetitions)",
        "",
    ]
    g = b.details.get("generate")
    if g:
        lines.append(
            f"* generation ({g['requests']} requests from {', '.join(g['suites'])}; max_new_tokens {g['max_new_tokens']}): "
            f"plugin {g['plugin_median_s']:.2f} (runs {', '.join(f'{x:.2f}' for x in g['plugin_s'])}); raw loop by batch size "
            + ", ".join(f"bs={k}: {v:.2f} ({len(g['raw_s'][k])} run(s))" for k, v in g["raw_median_s"].items())
            + f"; best bs={g['raw_best_batch_size']}; plugin outputs identical to the raw loop's: {g['outputs_identical_to_raw']}; "
            f"naive loop {g['naive_per_case_s']:.3f}/case on {g['naive_subset']} cases, extrapolated to {g['naive_extrapolated_s']:.1f}")
    if g:
        lines += ["", "Batch work for the generation requests (prefill tokens incl. padding; decode row-steps: every row of "
                  "a batch runs until the batch's longest output stops):", "",
                  "| batching | batches | prefill tokens (needed) | decode row-steps (needed) | decode efficiency |",
                  "|---|---|---|---|---|"]
        for k, w in g["batch_work"].items():
            lines.append(f"| {k} | {w['batches']} | {w['prefill_tokens']} ({w['prefill_needed']}) | "
                         f"{w['decode_row_steps']} ({w['decode_needed']}) | {w['decode_efficiency']:.2f} |")
        lines.append("")
    ll = b.details.get("loglik")
    if ll:
        lines.append(
            f"* label scoring ({ll['sequences']} (prompt, label) sequences over {ll['prompts']} prompts): plugin "
            f"{ll['fast_median_s']:.2f}, naive full-logit (bs={ll['naive_batch_size']}) {ll['naive_median_s']:.2f}; "
            f"max |diff| of log-likelihoods {ll['max_abs_diff']:.2e}")
    le = b.details.get("lm_eval")
    if le and "reason" in le:
        lines.append(f"* lm-eval: not measured: {le['reason']}")
    elif le:
        m = le["median_s"]
        lines.append(
            f"* lm-eval vs plugin ({le['suite']}, {le['cases']} prompts, batch size {le['batch_size']}, whole processes): "
            f"lm-eval base {m['lm_eval_base']:.1f}, lm-eval peft {m['lm_eval_adapter']:.1f}, pytest base {m['plugin_base']:.1f}, "
            f"pytest --forgetting-compare-base {m['plugin_compare']:.1f}, the same merged {m['plugin_compare_merged']:.1f}; "
            f"identical prompts and outputs (lm-eval vs plugin): {le['outputs_identical']}")
    c = b.details.get("cache")
    if c:
        lines.append(
            f"* output cache ({' '.join(c['target'])}, whole processes, converted model already cached, output cache "
            f"emptied before each cold run): cold {c['cold_median_s']:.1f} ({', '.join(f'{x:.1f}' for x in c['cold_s'])}), "
            f"warm {c['warm_median_s']:.2f} ({', '.join(f'{x:.2f}' for x in c['warm_s'])}); warm run: "
            f"{c['timings'].get('warm', {}).get('cache_hits')} hits, {c['timings'].get('warm', {}).get('cache_misses')} misses")
    r = b.details.get("rss")
    if r:
        lines.append(
            f"* peak RSS ({r['suite']}, whole processes): adapter alone {', '.join(f'{x:.0f}' for x in r['adapter_alone_mib'])} MiB, "
            f"--forgetting-compare-base {', '.join(f'{x:.0f}' for x in r['compare_base_mib'])} MiB")
    for name, text in b.profiles.items():
        lines += ["", f"### Profile: `{name}` (goal not met)", "", "```", text, "```"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, required=True, help="write the ratios and details here")
    ap.add_argument("--quick", action="store_true", help="smoke mode: fewer prompts, 1 repetition")
    ap.add_argument("--reps", type=int, default=0, help="repetitions per measurement (default 3; 1 with --quick)")
    ap.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated groups of {', '.join(GROUPS)}")
    ap.add_argument("--adapter", default="narrow", help="example adapter to use when trained (narrow or mixed)")
    ap.add_argument("--cache-dir", default=str(DEFAULT_CACHE), help="where the converted model lives")
    ap.add_argument("--lm-eval-batch-size", type=int, default=16)
    ap.add_argument("--lm-eval-path", action="append", default=[],
                    help="extra sys.path entry for the lm-eval processes only (lm-eval installed with pip --target)")
    ap.add_argument("--naive-loglik-batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=0,
                    help="torch/OpenMP threads for every side (default: torch's default, one per core); 1 is far "
                         "more robust on a loaded machine, where 2-thread OpenMP barriers stall")
    ap.add_argument("--max-load", type=float, default=1.3, help="wait for the 1-min load average to drop below this")
    ap.add_argument("--max-wait", type=float, default=15,
                    help="seconds to wait for a quiet machine per group (default 15, to stay under 15 minutes; the "
                         "load each group ran under is recorded either way; raise it on a shared machine)")
    ap.add_argument("--no-profile", action="store_true", help="do not profile the plugin where a goal is not met")
    ap.add_argument("--no-results-md", action="store_true", help="do not rewrite the generated block of RESULTS.md")
    ap.add_argument("--results-block", default="compare", help="name of the generated RESULTS.md block to replace")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    import _procs

    _procs.LM_EVAL_PATH[:] = [str(Path(p).resolve()) for p in args.lm_eval_path]
    bench = Bench(args)
    info = machine_info()
    log(f"machine: {info}; adapter: {bench.adapter_desc}; reps: {bench.reps}")
    runners: dict[str, Callable[[], None]] = {
        "generate": bench.run_generate, "loglik": bench.run_loglik, "lm_eval": bench.run_lm_eval,
        "cache": bench.run_cache, "rss": bench.run_rss,
    }
    for group in [g.strip() for g in args.only.split(",") if g.strip()]:
        log(f"== {group}")
        bench.quiet(group)
        runners[group]()
        bench.loads[group]["load_at_end"] = round(load_average(), 2)
    if not args.no_profile:
        bench.profile_unmet()
    elapsed = time.perf_counter() - t0
    command = "python " + " ".join(shlex.quote(a) for a in ["benchmarks/compare.py", *(argv if argv is not None else sys.argv[1:])])
    print("\n" + bench.table())
    print(f"\ntotal {elapsed:.0f}s")
    dump_json(args.json, {
        **{k: v for k, v in bench.results.items()},
        "goals": {k: {"op": op, "goal": g, "met": met(k, bench.results.get(k))} for k, (op, g) in GOALS.items()
                  if k in bench.results},
        "reasons": {k: bench.details["lm_eval"]["reason"] for k in LM_EVAL_RATIOS
                    if "reason" in bench.details.get("lm_eval", {})},
        "reps": bench.reps, "quick": bench.quick, "elapsed_s": elapsed, "command": command, "machine": info,
        "adapter": bench.adapter_desc, "loads": bench.loads, "details": bench.details, "profiles": bench.profiles,
    })
    if not args.no_results_md:
        replace_block(args.results_block, markdown_block(bench, info, command, elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
