"""Collection at scale: a 5,000-case suite collects in a few seconds with bounded memory.

    python benchmarks/collect_5000.py [--cases 5000] [--reps 3] [--json PATH] [--no-results-md]

Writes a helpfulness suite with ``--cases`` cases into a temp dir and times
``python -m pytest --collect-only -q`` on it in a fresh subprocess (wall time and peak RSS),
next to the same command on a 1-case suite (the fixed cost: interpreter, pytest, the plugin's
imports), so the per-case cost can be read off. Medians of ``--reps`` runs. No model is loaded.
The numbers are printed and a row is appended to the collect_5000 block of benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import DEFAULT_CACHE, append_to_block, bench_env, dump_json, measure_process, median, wait_for_quiet  # noqa: E402

TOPICS = ["capital", "river", "planet", "element", "author", "inventor", "ocean", "mountain", "language", "currency"]


def write_suite(directory: Path, n: int) -> Path:
    path = directory / f"generated_{n}.forgetting.yaml"
    lines = [
        f"suite: generated_{n}",
        "family: helpfulness",
        "role: guardrail",
        "chat: true",
        "max_new_tokens: 32",
        "cases:",
    ]
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        lines.append(f"  - id: {topic}-{i:05d}")
        lines.append(f"    prompt: {json.dumps(f'Question {i}: name a famous {topic} and say one fact about it.')}")
        lines.append(f"    answers: [{json.dumps(topic)}]")
        if i % 7 == 0:
            lines.append(f"    regex: '\\b{i}\\b'")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def collect(directory: Path, reps: int) -> dict[str, float | int | list[float]]:
    cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(directory)]
    walls, rss, items = [], [], 0
    for _ in range(reps):
        res = measure_process(cmd, env=bench_env(DEFAULT_CACHE), cwd=directory)
        walls.append(res["wall_s"])
        rss.append(res["peak_rss_mib"])
        tail = [ln for ln in res["output"].splitlines() if "collected" in ln or "tests collected" in ln]
        items = int(tail[-1].split()[0]) if tail and tail[-1].split()[0].isdigit() else items
    return {"wall_s": walls, "wall_median_s": median(walls), "peak_rss_mib": rss,
            "peak_rss_median_mib": median(rss), "items": items}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--max-load", type=float, default=1.3)
    ap.add_argument("--max-wait", type=float, default=600)
    ap.add_argument("--no-results-md", action="store_true")
    args = ap.parse_args()

    quiet, load = wait_for_quiet(args.max_load, args.max_wait)
    tmp = Path(tempfile.mkdtemp(prefix="pfbench-collect-"))
    try:
        small_dir, big_dir = tmp / "one", tmp / "many"
        small_dir.mkdir()
        big_dir.mkdir()
        write_suite(small_dir, 1)
        size = write_suite(big_dir, args.cases).stat().st_size
        one = collect(small_dir, args.reps)
        many = collect(big_dir, args.reps)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    per_case_ms = (many["wall_median_s"] - one["wall_median_s"]) / max(1, args.cases - 1) * 1000  # type: ignore[operator]
    per_case_kib = (many["peak_rss_median_mib"] - one["peak_rss_median_mib"]) / max(1, args.cases - 1) * 1024  # type: ignore[operator]
    print(f"{args.cases}-case suite ({size / 1e6:.1f} MB YAML, {many['items']} items): collect-only "
          f"{many['wall_median_s']:.2f}s, peak RSS {many['peak_rss_median_mib']:.0f} MiB "
          f"(1-case suite: {one['wall_median_s']:.2f}s, {one['peak_rss_median_mib']:.0f} MiB); "
          f"~{per_case_ms:.2f} ms and ~{per_case_kib:.1f} KiB per case; load average {load:.2f}"
          f"{'' if quiet else ' (UNDER LOAD)'}")
    out = {"cases": args.cases, "yaml_bytes": size, "many": many, "one": one, "per_case_ms": per_case_ms,
           "per_case_kib": per_case_kib, "load": load, "under_load": not quiet, "reps": args.reps}
    if args.json:
        dump_json(args.json, out)
    if not args.no_results_md:
        when = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
        header = (
            "## Collection at scale (`benchmarks/collect_5000.py`, appended per run)\n\n"
            "Command: `python benchmarks/collect_5000.py` (a generated helpfulness suite, "
            "`python -m pytest --collect-only -q` in a fresh subprocess, median of the reps).\n\n"
            "| when (UTC) | cases | items | collect wall s | peak RSS MiB | 1-case wall s | 1-case RSS MiB "
            "| ms/case | KiB/case | load avg |\n|---|---|---|---|---|---|---|---|---|---|"
        )
        row = (f"| {when} | {args.cases} | {many['items']} | {many['wall_median_s']:.2f} | "
               f"{many['peak_rss_median_mib']:.0f} | {one['wall_median_s']:.2f} | {one['peak_rss_median_mib']:.0f} | "
               f"{per_case_ms:.2f} | {per_case_kib:.1f} | {load:.2f}{'' if quiet else ' (under load)'} |")
        append_to_block("collect_5000", row, header)
    return 0


if __name__ == "__main__":
    sys.exit(main())
