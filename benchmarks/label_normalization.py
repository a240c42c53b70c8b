"""Which label-scoring normalisation should be the default? Measured, not guessed.

Scores two label suites under every ``normalization`` on the base model and the
demo adapters, in one model load and one batched log-likelihood pass (the four
variants share their label requests; ``calibrated`` adds one content-free prompt
per suite), and prints accuracy, macro-F1 and majority share per side:

    python benchmarks/label_normalization.py [--json out.json]

Suites: ``example_suite/sentiment_labels`` and ``benchmarks/data/topic_guardrail*``
(one data file of 30 messages, 3 topics, labels of 4-7 bytes, ``sports`` two tokens
for SmolLM2; three prompt wordings, since a tiny model's label scores depend on them).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from pytest_forgetting.suite.cases import load_suite
from pytest_forgetting.run.evaluate import Selection, evaluate
from pytest_forgetting.model.cache import CachingBackend
from pytest_forgetting.model.embedded import default_cache_dir
from pytest_forgetting.model.hf import HFBackend
from pytest_forgetting.model.settings import ModelSettings
from pytest_forgetting.scoring.label_collapse import NORMALIZATIONS, collapsed_reference, content_free_texts

ROOT = Path(__file__).resolve().parent.parent
SUITES = [ROOT / "example_suite/sentiment_labels.forgetting.yaml",
          *(ROOT / f"benchmarks/data/topic_guardrail{w}.forgetting.yaml" for w in ("", "_system", "_lowercase"))]
ADAPTERS = [ROOT / "example_suite/adapters/narrow", ROOT / "example_suite/adapters/mixed"]


def variants(path: Path) -> list:  # type: ignore[type-arg]
    """The suite once per normalisation, renamed so the runs do not collide."""
    base = load_suite(path)
    out = []
    for norm, fills in [*((n, ["N/A"]) for n in NORMALIZATIONS), ("calibrated", ["N/A", "", "[MASK]"])]:
        config = {**base.config, "normalization": norm}
        if norm == "calibrated":
            config["_content_free_texts"] = content_free_texts(
                config.get("template"), [c.prompt.user_text for c in base.cases], fills)
        tag = norm if len(fills) == 1 else "calibrated-3"  # Zhao et al.'s three content-free inputs, averaged
        out.append(dataclasses.replace(base, name=f"{base.name}[{tag}]", config=config))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="also write the table as JSON")
    args = ap.parse_args()
    hf = HFBackend(ModelSettings(model=None, adapters=tuple(str(a) for a in ADAPTERS), device="cpu"))
    sides = [None, *hf.adapters]
    backend = CachingBackend(hf, default_cache_dir() / "label-normalization")  # a re-run costs no model work
    work = [(s, s.cases) for p in SUITES for s in variants(p)]
    t0 = time.perf_counter()
    # the plugin's one road (answers, then the adapters compared with the live base and decided)
    runs = evaluate([Selection.whole(s) for s, _ in work], backend, list(hf.adapters), live_base=True,
                    max_new_tokens=64).runs
    seconds = time.perf_counter() - t0
    rows = []
    print(f"{'suite':<40} {'side':<7} {'accuracy':>8} {'macro_f1':>8} {'majority':>8}  predicted  collapsed?")
    for suite, _ in work:
        for side in sides:
            run = runs[(suite.name, side)]
            m = {k: run.metrics[k].value for k in ("accuracy", "macro_f1", "majority_share")}
            warn = collapsed_reference(list(run.outcomes.values()), suite.config["labels"])
            preds = [sum(o.data["pred"] == lab for o in run.outcomes.values()) for lab in suite.config["labels"]]
            rows.append({"suite": suite.name, "side": side or "base", **m, "predicted": preds,
                         "collapsed": warn is not None})
            print(f"{suite.name:<40} {side or 'base':<7} {m['accuracy']:>8.3f} {m['macro_f1']:>8.3f} "
                  f"{m['majority_share']:>8.3f}  {'/'.join(map(str, preds)):<9}  {'YES' if warn else ''}")
    print(f"one load, {hf.passes} batched passes, {seconds:.1f} s of scoring")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "seconds": round(seconds, 1)}, indent=1) + "\n")


if __name__ == "__main__":
    main()
