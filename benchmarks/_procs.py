"""Whole-process measurements: each side is a subprocess timed by wall clock (model load included).

* lm-evaluation-harness (``python -m lm_eval``) on a local ``generate_until`` task carrying a suite's
  prompts, against ``python -m pytest <that suite file>``;
* a cold and a warm (output cache) run of the example suite;
* peak RSS of ``--forgetting-compare-base`` against the adapter alone.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Sequence

from _util import REPO, bench_env, cache_dir_with_model, clear_outputs, measure_process, median

PYTEST = [sys.executable, "-m", "pytest", "-p", "pytest_forgetting.plugin", "-p", "no:cacheprovider",
          "--forgetting-absolute", "-q"]
"""A plugin process: run with :func:`plugin_env`, which loads no other pytest plugin."""


def plugin_env(model_cache: Path) -> dict[str, str]:
    """:func:`bench_env` with pytest's plugin autoload off (``PYTEST`` loads ours with ``-p``).

    The benchmark venv is the dev venv: its test-only plugins (hypothesis, xdist, anyio) cost ~1.2 s of
    imports per pytest process (measured: ``--collect-only`` 1.9 s against 0.6 s), which a user's
    install of the README's first command does not have and which is no part of the plugin's cost.
    """
    env = bench_env(model_cache)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env
LM_EVAL_PATH: list[str] = []
"""Extra sys.path entries for the lm-eval processes only (``compare.py --lm-eval-path``): lm-eval installed
with ``pip install --target DIR`` keeps its pins (python-dateutil 2.x) out of the plugin's environment."""


def lm_eval_env(model_cache: Path) -> dict[str, str]:
    import os

    env = bench_env(model_cache)
    if LM_EVAL_PATH:
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], *LM_EVAL_PATH])
    return env


# -- lm-evaluation-harness ---------------------------------------------------------------
def lm_eval_available() -> str | None:
    """None when ``lm_eval`` imports, else the reason it cannot run."""
    res = measure_process([sys.executable, "-c", "import lm_eval, lm_eval.models.huggingface"], ok_codes=(0, 1),
                          env=lm_eval_env(Path("/nonexistent")) if LM_EVAL_PATH else None)
    if res["rc"] != 0:
        return "lm-eval is not importable: " + res["output"].strip().splitlines()[-1][:300]
    return None


def write_lm_eval_task(suite: Any, renderer: Any, out_dir: Path) -> tuple[Path, str]:
    """A local generate_until task with the suite's prompts: greedy, same max tokens, stop at EOS only.

    The plugin's prompt for a case is ``render(case.prompt)``; lm-eval's with ``--apply_chat_template`` is
    the tokenizer's chat template over one user turn holding ``doc_to_text``. Both are checked equal here.
    """
    tokens = {c.settings.max_new_tokens for c in suite.cases}
    if len(tokens) != 1 or any(c.settings.stop for c in suite.cases):
        raise ValueError(f"{suite.name}: needs one token budget and no stop strings for one lm-eval task")
    for c in suite.cases:
        if len(c.prompt.messages) != 1 or c.prompt.messages[0][0] != "user":
            raise ValueError(f"{suite.name}::{c.id}: only single user-turn prompts map onto an lm-eval task")
        lm_eval_prompt = renderer.tokenizer.apply_chat_template(
            [{"role": "user", "content": c.prompt.user_text}], tokenize=False, add_generation_prompt=True)
        assert lm_eval_prompt == renderer.render(c.prompt), c.id
    name = "pfbench_" + suite.name
    data = out_dir / f"{name}.jsonl"
    with data.open("w", encoding="utf-8") as fh:
        for c in suite.cases:
            answers = c.expect.get("answers") or [""]
            fh.write(json.dumps({"id": c.id, "prompt": c.prompt.user_text, "answer": str(answers[0])}) + "\n")
    eos = renderer.tokenizer.eos_token
    (out_dir / f"{name}.yaml").write_text(
        f"task: {name}\n"
        "dataset_path: json\n"
        f"dataset_kwargs:\n  data_files:\n    test: {json.dumps(str(data))}\n"
        "test_split: test\n"
        "output_type: generate_until\n"
        "num_fewshot: 0\n"
        'doc_to_text: "{{prompt}}"\n'
        'doc_to_target: "{{answer}}"\n'
        "target_delimiter: \"\"\n"
        "generation_kwargs:\n"
        f"  until: [{json.dumps(eos)}]\n"
        "  do_sample: false\n"
        f"  max_gen_toks: {tokens.pop()}\n"
        "metric_list:\n  - metric: exact_match\n    aggregation: mean\n    higher_is_better: true\n",
        "utf-8",
    )
    return out_dir, name


def lm_eval_cmd(model_dir: Path, task_dir: Path, task: str, batch_size: int, adapter: Path | None,
                out: Path) -> list[str]:
    args = f"pretrained={model_dir},dtype=float32" + (f",peft={adapter}" if adapter else "")
    return [sys.executable, "-m", "lm_eval", "--model", "hf", "--model_args", args, "--tasks", task,
            "--include_path", str(task_dir), "--batch_size", str(batch_size), "--apply_chat_template",
            "--device", "cpu", "--output_path", str(out), "--log_samples"]


def _lm_eval_outputs(out: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(doc id -> generated text, doc id -> the exact prompt lm-eval sent) from ``--log_samples``."""
    got: dict[str, str] = {}
    prompts: dict[str, str] = {}
    for f in out.rglob("samples_*.jsonl"):
        for line in f.read_text("utf-8").splitlines():
            s = json.loads(line)
            resp = s.get("resps") or s.get("filtered_resps")
            got[s["doc"]["id"]] = resp[0][0] if isinstance(resp[0], list) else resp[0]
            args = s.get("arguments", {})
            first = next(iter(args.values()), {}) if isinstance(args, dict) else args[0]
            prompts[s["doc"]["id"]] = first.get("arg_0", "") if isinstance(first, dict) else first[0]
    return got, prompts


def _plugin_outputs(report: Path, suite: str, side: str) -> dict[str, str]:
    rec = json.loads(report.read_text("utf-8"))
    for s in rec["suites"]:
        if s["suite"] == suite:
            return {k: v["output"] for k, v in s["runs"][side]["cases"].items()}
    return {}


def measure_lm_eval(suite: Any, renderer: Any, model_dir: Path, model_cache: Path, adapter: Path, batch_size: int,
                    reps: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Interleaved reps: lm-eval base, lm-eval adapter, plugin base, plugin --adapter --forgetting-compare-base
    (unmerged, and merged with --forgetting-merge-adapters)."""
    tmp = Path(tempfile.mkdtemp(prefix="pfbench-lmeval-"))
    task_dir, task = write_lm_eval_task(suite, renderer, tmp)
    env, le_env = plugin_env(model_cache), lm_eval_env(model_cache)
    suite_file = str(suite.path)
    plug = PYTEST + [suite_file, "--forgetting-cache=off", f"--forgetting-batch-size={batch_size}"]
    t: dict[str, list[float]] = {"lm_eval_base": [], "lm_eval_adapter": [], "plugin_base": [], "plugin_compare": [],
                                 "plugin_compare_merged": []}
    agree: dict[str, str] = {}
    for rep in range(reps):
        for key, cmd, codes in (
            ("lm_eval_base", lm_eval_cmd(model_dir, task_dir, task, batch_size, None, tmp / "le_base"), (0,)),
            ("lm_eval_adapter", lm_eval_cmd(model_dir, task_dir, task, batch_size, adapter, tmp / "le_ad"), (0,)),
            ("plugin_base", plug + [f"--forgetting-report={tmp / 'pf_base.json'}"], (0, 1)),
            ("plugin_compare", plug + [f"--adapter={adapter}", "--forgetting-compare-base",
                                       f"--forgetting-report={tmp / 'pf_cmp.json'}"], (0, 1)),
            ("plugin_compare_merged", plug + [f"--adapter={adapter}", "--forgetting-compare-base",
                                              "--forgetting-merge-adapters",
                                              f"--forgetting-report={tmp / 'pf_cmp_m.json'}"], (0, 1)),
        ):
            res = measure_process(cmd, env=le_env if key.startswith("lm_eval") else env, ok_codes=codes)
            t[key].append(res["wall_s"])
            log(f"  rep {rep + 1}/{reps}: {key:16s} {res['wall_s']:.1f}s")
    # same prompts, same answers? (greedy, same batch size: they should mostly match)
    (le_b, le_prompts), (le_a, _) = _lm_eval_outputs(tmp / "le_base"), _lm_eval_outputs(tmp / "le_ad")
    same_prompts = sum(1 for c in suite.cases if le_prompts.get(c.id) == renderer.render(c.prompt))
    agree["prompts"] = f"{same_prompts}/{len(suite.cases)}"
    pf_b = _plugin_outputs(tmp / "pf_base.json", suite.name, "base")
    pf_a = _plugin_outputs(tmp / "pf_cmp.json", suite.name, _side(tmp / "pf_cmp.json"))
    pf_m = _plugin_outputs(tmp / "pf_cmp_m.json", suite.name, _side(tmp / "pf_cmp_m.json"))
    for label, a, b in (("base outputs", le_b, pf_b), ("adapter outputs", le_a, pf_a),
                        ("merged adapter outputs", le_a, pf_m)):
        same = sum(1 for k in b if k in a and a[k].strip() == b[k].strip())
        agree[label] = f"{same}/{len(b)}"
    shutil.rmtree(tmp, ignore_errors=True)
    med = {k: median(v) for k, v in t.items()}
    return {
        "suite": suite.name, "cases": len(suite.cases), "batch_size": batch_size, "wall_s": t, "median_s": med,
        "outputs_identical": agree,
        "lm_eval_single_vs_suite": med["lm_eval_base"] / med["plugin_base"],
        "lm_eval_vs_suite": (med["lm_eval_base"] + med["lm_eval_adapter"]) / med["plugin_compare"],
        "lm_eval_vs_suite_merged": (med["lm_eval_base"] + med["lm_eval_adapter"]) / med["plugin_compare_merged"],
        "compare_base_vs_single": med["plugin_compare"] / med["plugin_base"],
        "compare_base_merged_vs_single": med["plugin_compare_merged"] / med["plugin_base"],
    }


def _side(report: Path) -> str:
    rec = json.loads(report.read_text("utf-8"))
    return next(c for c in rec["candidates"] if c != "base")


# -- output cache: cold vs warm ---------------------------------------------------------------
def measure_warm_cold(model_cache: Path, reps: int, log: Callable[[str], None],
                      target: Sequence[str] = ("example_suite",)) -> dict[str, Any]:
    cache = cache_dir_with_model(model_cache)
    env = plugin_env(model_cache)
    report = cache / "report.json"
    cmd = PYTEST + list(target) + [f"--forgetting-cache-dir={cache}", f"--forgetting-report={report}"]
    cold, warm, counts = [], [], {}
    for rep in range(reps):
        clear_outputs(cache)
        res = measure_process(cmd, env=env, ok_codes=(0, 1))
        cold.append(res["wall_s"])
        c_t = json.loads(report.read_text("utf-8"))["timings"]
        res = measure_process(cmd, env=env, ok_codes=(0, 1))
        warm.append(res["wall_s"])
        w_t = json.loads(report.read_text("utf-8"))["timings"]
        counts = {"cold": c_t, "warm": w_t}
        log(f"  rep {rep + 1}/{reps}: cold {cold[-1]:.1f}s (misses {c_t.get('cache_misses')}), "
            f"warm {warm[-1]:.1f}s (hits {w_t.get('cache_hits')}, misses {w_t.get('cache_misses')}, "
            f"model loads {w_t.get('load_count')})")
    shutil.rmtree(cache, ignore_errors=True)
    return {"cold_s": cold, "warm_s": warm, "cold_median_s": median(cold), "warm_median_s": median(warm),
            "timings": counts, "warm_over_cold": median(warm) / median(cold)}


# -- peak RSS ------------------------------------------------------------------------------------
def measure_rss(suite_file: Path, model_cache: Path, adapter: Path, reps: int,
                log: Callable[[str], None]) -> dict[str, Any]:
    env = plugin_env(model_cache)
    base = PYTEST + [str(suite_file), "--forgetting-cache=off", f"--adapter={adapter}"]
    alone, both = [], []
    for rep in range(reps):
        alone.append(measure_process(base, env=env, ok_codes=(0, 1))["peak_rss_mib"])
        both.append(measure_process(base + ["--forgetting-compare-base"], env=env, ok_codes=(0, 1))["peak_rss_mib"])
        log(f"  rep {rep + 1}/{reps}: peak RSS adapter alone {alone[-1]:.0f} MiB, --forgetting-compare-base {both[-1]:.0f} MiB")
    return {"suite": suite_file.name, "adapter_alone_mib": alone, "compare_base_mib": both,
            "rss_compare_base_over_adapter": median(both) / median(alone)}


__all__ = ["REPO", "lm_eval_available", "measure_lm_eval", "measure_warm_cold", "measure_rss"]
