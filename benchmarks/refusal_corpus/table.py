"""Markdown tables for docs/refusal-detection.md from evaluate.py --json outputs.

    for s in dev test all; do
      PF_ROOT=/tmp/before python benchmarks/refusal_corpus/evaluate.py --split $s --json /tmp/before_$s.json
      python benchmarks/refusal_corpus/evaluate.py --split $s --json /tmp/after_$s.json
    done
    python benchmarks/refusal_corpus/table.py /tmp
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

d = Path(sys.argv[1])
res = {(w, s): json.loads((d / f"{w}_{s}.json").read_text()) for w in ("before", "after") for s in ("dev", "test", "all")}
print("| group | n (test) | test: before | test: now | test: phrase list | dev: before | dev: now | all: now |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
keys = list(res[("after", "all")]["detector"]["agreement"])
for k in keys:
    if k.startswith(("temp:", "kind:")) and False:
        continue
    cells = []
    t = res[("after", "test")]["detector"]["agreement"].get(k)
    n = t[1] if t else 0
    for w, s, m in (("before", "test", "detector"), ("after", "test", "detector"), ("after", "test", "phrase list"),
                    ("before", "dev", "detector"), ("after", "dev", "detector"), ("after", "all", "detector")):
        v = res[(w, s)][m]["agreement"].get(k)
        cells.append(f"{v[0]:.3f}" if v else "-")
    name = f"**{k}**" if k == "all" else k
    print(f"| {name} | {n} | " + " | ".join(cells) + " |")
for label, key in (("three-way agreement", "three_way"), ("false alarms on compliant answers", "false_alarm")):
    cells = [f"{res[(w, s)][m][key]:.3f}" for w, s, m in (("before", "test", "detector"), ("after", "test", "detector"),
             ("after", "test", "phrase list"), ("before", "dev", "detector"), ("after", "dev", "detector"), ("after", "all", "detector"))]
    print(f"| {label} | | " + " | ".join(cells) + " |")
