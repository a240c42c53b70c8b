"""How much merging an adapter into the base weights changes answers (issue 22).

    python benchmarks/merge_exactness.py --json /tmp/merge.json

Answers every example suite with each example adapter twice, unmerged (LoRA layers run as
adapters) and merged (``ModelSettings(merge_adapters=True)``), output cache off, and counts the
generated outputs and predicted labels that differ, the label cases whose log-likelihoods as
shown in the report (3 decimals) differ, and the cases whose pass/fail differs. Also
times each pass (the base side once) so the merged pass can be set against the base's cost,
and checks the base side after the merged passes against the base side before them.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import DEFAULT_CACHE, EXAMPLE, dump_json, example_suites, load_average, make_backend  # noqa: E402


def answer(backend: Any, suites: list[Any], side: str | None) -> tuple[float, dict[str, Any]]:
    from pytest_forgetting.run.execute import run_suites

    t0 = time.perf_counter()
    runs = run_suites(backend, [(s, list(s.cases)) for s in suites], [side], 64)
    dt = time.perf_counter() - t0
    out = {}
    for (name, _), run in runs.items():
        fam = next(s.family for s in suites if s.name == name)
        for cid, text in run.outputs.items():
            o = run.outcomes[cid]
            out[f"{name}::{cid}"] = (fam, text, o.passed, o.decision)
    return dt, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, required=True)
    ap.add_argument("--adapters", default="narrow,mixed")
    ap.add_argument("--cache-dir", default=str(DEFAULT_CACHE))
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--skip-base", action="store_true", help="do not time the base side or re-check it afterwards")
    args = ap.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    names = [a.strip() for a in args.adapters.split(",") if a.strip()]
    backend = make_backend(Path(args.cache_dir), [str(EXAMPLE / "adapters" / n) for n in names])
    backend.model  # noqa: B018 - load, not timed
    suites = example_suites()
    answer(backend, [s for s in suites if s.name == "neighbour_helpfulness"][:1], None)  # warm-up
    result: dict[str, Any] = {"load_at_start": round(load_average(), 2), "adapters": {}}
    if not args.skip_base:
        t_base, base = answer(backend, suites, None)
        result["base_s"] = round(t_base, 2)
        print(f"base: {t_base:.1f}s", flush=True)
    for name in names:
        side = backend.adapters[names.index(name)]
        backend.settings = dataclasses.replace(backend.settings, merge_adapters=False)
        t_un, un = answer(backend, suites, side)
        backend.settings = dataclasses.replace(backend.settings, merge_adapters=True)
        t_m, m = answer(backend, suites, side)
        gen = [k for k, v in un.items() if v[0] != "label_collapse"]
        lab = [k for k, v in un.items() if v[0] == "label_collapse"]
        diff_gen = [k for k in gen if un[k][1] != m[k][1]]
        diff_lab = [k for k in lab if un[k][3] != m[k][3]]  # the predicted label
        diff_ll = [k for k in lab if un[k][1] != m[k][1]]  # its log-likelihoods as shown (3 decimals)
        diff_pass = [k for k in un if un[k][2] != m[k][2]]
        result["adapters"][name] = {
            "unmerged_s": round(t_un, 2), "merged_s": round(t_m, 2),
            "generated_outputs": len(gen), "generated_differ": len(diff_gen),
            "label_decisions": len(lab), "labels_differ": len(diff_lab), "pass_fail_differ": len(diff_pass),
            "shown_loglikelihoods_differ": len(diff_ll),
            "differing_cases": diff_gen + diff_lab + diff_ll,
            "examples": {k: {"unmerged": un[k][1], "merged": m[k][1]} for k in (diff_gen + diff_lab + diff_ll)[:3]},
        }
        print(f"{name}: unmerged {t_un:.1f}s, merged {t_m:.1f}s; generated differ {len(diff_gen)}/{len(gen)}, "
              f"labels differ {len(diff_lab)}/{len(lab)} (shown log-likelihoods {len(diff_ll)}), "
              f"pass/fail differ {len(diff_pass)}", flush=True)
    backend.settings = dataclasses.replace(backend.settings, merge_adapters=False)
    if not args.skip_base:
        _, again = answer(backend, suites, None)
        result["base_after_merges_identical"] = sum(1 for k in base if base[k][1] == again[k][1])
        result["base_cases"] = len(base)
        print(f"base after merged passes identical: {result['base_after_merges_identical']}/{len(base)}")
    result["load_at_end"] = round(load_average(), 2)
    result["merges"] = backend.merges
    dump_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
