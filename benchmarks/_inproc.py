"""In-process measurements on one loaded model (model load never timed).

* the plugin's generation (``run_suites`` on the example suites' generate-family suites, no output cache)
  against a plain batched ``model.generate`` loop over the same rendered prompts, and a per-case loop;
* the plugin's label scoring (``HFBackend.loglikelihood``) against naive full-logit scoring.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Sequence

from _util import median, timed


# -- generation --------------------------------------------------------------------------
def plugin_generate(backend: Any, work: Sequence[tuple[Any, Sequence[Any]]]) -> dict[str, str]:
    """What the plugin does for a session: plan, batched generate, score (base side, cache off)."""
    from pytest_forgetting.run.execute import run_suites

    runs = run_suites(backend, work, [None], 64)
    return {f"{name}::{cid}": out for (name, _), run in runs.items() for cid, out in run.outputs.items()}


def _rendered(backend: Any, requests: Sequence[Any]) -> list[tuple[str, int]]:
    return [(backend.render(r.prompt), r.settings.max_new_tokens) for r in requests]


def raw_generate(model: Any, tok: Any, prompts: Sequence[tuple[str, int]], batch_size: int) -> list[str]:
    """A plain batched loop: per token budget, in file order, ``batch_size`` prompts per ``generate``."""
    import torch

    groups: dict[int, list[int]] = defaultdict(list)
    for i, (_, n) in enumerate(prompts):
        groups[n].append(i)
    out = [""] * len(prompts)
    for n, idxs in groups.items():
        for s in range(0, len(idxs), batch_size):
            chunk = idxs[s : s + batch_size]
            enc = tok([prompts[i][0] for i in chunk], return_tensors="pt", padding=True, add_special_tokens=False)
            with torch.inference_mode():
                gen = model.generate(**enc, max_new_tokens=n, do_sample=False, pad_token_id=tok.pad_token_id)
            texts = tok.batch_decode(gen[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)
            for i, t in zip(chunk, texts):
                out[i] = t
    return out


def naive_generate(model: Any, tok: Any, prompts: Sequence[tuple[str, int]]) -> list[str]:
    """What a user writes by hand in a test file: one ``generate`` per case."""
    import torch

    out = []
    for text, n in prompts:
        enc = tok(text, return_tensors="pt", add_special_tokens=False)
        with torch.inference_mode():
            gen = model.generate(**enc, max_new_tokens=n, do_sample=False, pad_token_id=tok.pad_token_id)
        out.append(tok.decode(gen[0, enc["input_ids"].shape[1] :], skip_special_tokens=True))
    return out


def batch_waste(backend: Any, requests: Sequence[Any], outputs: Sequence[str], batches: Sequence[Sequence[int]]) -> dict[str, Any]:
    """Work done by a batching vs work needed: prefill tokens (padding included) and decode row-steps.

    ``generate`` keeps every row of a batch decoding until its longest row stops, so a row that ended
    early still costs a full forward per step; on a CPU that work is not free.
    """
    from pytest_forgetting.model.generation import encode_prompt

    plen = [len(encode_prompt(backend, r.prompt)) for r in requests]
    budget = [r.settings.max_new_tokens for r in requests]
    olen = [min(b, len(backend.tokenizer(o, add_special_tokens=False)["input_ids"]) + 1) for o, b in zip(outputs, budget)]
    prefill = sum(len(b) * max(plen[i] for i in b) for b in batches)
    steps = sum(len(b) * max(olen[i] for i in b) for b in batches)
    return {"batches": len(batches), "prefill_tokens": prefill, "prefill_needed": sum(plen),
            "decode_row_steps": steps, "decode_needed": sum(olen),
            "decode_efficiency": round(sum(olen) / steps, 3), "prefill_efficiency": round(sum(plen) / prefill, 3)}


def plugin_batches(backend: Any, requests: Sequence[Any]) -> list[list[int]]:
    """The batches ``run_generate`` forms (same sort key and batch-size rule), for ``batch_waste``."""
    from pytest_forgetting.model.generation import encode_prompt

    enc = [len(encode_prompt(backend, r.prompt)) for r in requests]
    idxs = sorted(range(len(requests)), key=lambda i: (-requests[i].settings.max_new_tokens, -enc[i], i))
    out, start = [], 0
    while start < len(idxs):
        bs = backend.rows_for(enc[idxs[start]] + requests[idxs[start]].settings.max_new_tokens)  # approximate since issue 29
        out.append(idxs[start : start + bs])
        start += bs
    return out


def raw_batches(prompts: Sequence[tuple[str, int]], batch_size: int) -> list[list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i, (_, n) in enumerate(prompts):
        groups[n].append(i)
    return [idxs[s : s + batch_size] for idxs in groups.values() for s in range(0, len(idxs), batch_size)]


def measure_generation(backend: Any, suites: Sequence[Any], requests: Sequence[Any], reps: int,
                       batch_sizes: Sequence[int], naive_n: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Interleaved reps of: plugin, raw loop at each batch size; then the naive loop on a subset."""
    model, tok = backend.model, backend.tokenizer  # loads the model (not timed)
    work = [(s, list(s.cases)) for s in suites]
    prompts = _rendered(backend, requests)
    plugin_t: list[float] = []
    raw_t: dict[int, list[float]] = {b: [] for b in batch_sizes}
    plugin_out: dict[str, str] = {}
    raw_out: dict[int, list[str]] = {}
    plugin_generate(backend, [(s, list(s.cases)[:2]) for s in suites])  # warm-up (thread pools, allocator)
    for rep in range(reps):
        dt, plugin_out = timed(lambda: plugin_generate(backend, work))
        plugin_t.append(dt)
        log(f"  rep {rep + 1}/{reps}: plugin {dt:.1f}s ({backend.passes} batched passes so far)")
        # the sweep runs in rep 1; later reps re-run only the best raw batch size so far (time budget)
        sweep = batch_sizes if rep == 0 else [min(raw_t, key=lambda b: median(raw_t[b]) if raw_t[b] else 1e9)]
        for b in sweep:
            dt, raw_out[b] = timed(lambda b=b: raw_generate(model, tok, prompts, b))
            raw_t[b].append(dt)
            log(f"  rep {rep + 1}/{reps}: raw generate bs={b} {dt:.1f}s")
    raw_med = {b: median(ts) for b, ts in raw_t.items() if ts}
    best_bs = min(raw_med, key=raw_med.__getitem__)
    plugin_med = median(plugin_t)

    # do the outputs agree? map each case to its (de-duplicated) request's raw output
    from pytest_forgetting.run.execute import effective_case
    from pytest_forgetting.scoring import family

    index = {r: i for i, r in enumerate(requests)}
    pairs = [(f"{s.name}::{c.id}", index[family(s.family).requests(s, effective_case(c, 64), None)[0]])
             for s in suites for c in s.cases]
    same = sum(1 for k, i in pairs if plugin_out.get(k, "").strip() == raw_out[best_bs][i].strip())
    keys = pairs

    outs = [raw_out[best_bs][i] for i in range(len(prompts))]
    waste = {"plugin": batch_waste(backend, requests, outs, plugin_batches(backend, requests))}
    for b in batch_sizes:
        waste[f"raw_bs{b}"] = batch_waste(backend, requests, outs, raw_batches(prompts, b))

    stride = max(1, len(prompts) // max(1, naive_n))
    subset = prompts[::stride][:naive_n]
    naive_t = []
    for _ in range(1):  # batch-1 decoding is steady (28.1 s and 28.4 s in two runs on 2026-11-26)
        dt, _ = timed(lambda: naive_generate(model, tok, subset))
        naive_t.append(dt)
        log(f"  naive per-case loop on {len(subset)} cases: {dt:.1f}s")
    per_case = median(naive_t) / len(subset)
    naive_total = per_case * len(prompts)
    return {
        "requests": len(prompts),
        "max_new_tokens": sorted({n for _, n in prompts}),
        "plugin_s": plugin_t, "plugin_median_s": plugin_med,
        "raw_s": {str(b): ts for b, ts in raw_t.items()}, "raw_median_s": {str(b): v for b, v in raw_med.items()},
        "raw_best_batch_size": best_bs, "raw_best_median_s": raw_med[best_bs],
        "outputs_identical_to_raw": f"{same}/{len(keys)}",
        "batch_work": waste,
        "naive_subset": len(subset), "naive_s": naive_t, "naive_per_case_s": per_case,
        "naive_extrapolated_s": naive_total,
        "suite_vs_raw_generate": plugin_med / raw_med[best_bs],
        "naive_loop_vs_suite": naive_total / plugin_med,
    }


# -- label scoring -----------------------------------------------------------------------------
def naive_loglik(backend: Any, requests: Sequence[Any], batch_size: int) -> list[float]:
    """One forward per (prompt, label) sequence, full-vocab logits at every position, right padded."""
    import torch
    from pytest_forgetting.model.generation import encode_prompt

    tok, model = backend.tokenizer, backend.model
    seqs = []
    for r in requests:
        p = encode_prompt(backend, r.prompt)
        c = list(tok(r.continuation, add_special_tokens=False)["input_ids"])
        seqs.append((p + c, len(p), len(c)))
    out: list[float] = []
    for s in range(0, len(seqs), batch_size):
        chunk = seqs[s : s + batch_size]
        width = max(len(x) for x, _, _ in chunk)
        ids = torch.full((len(chunk), width), tok.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for i, (x, _, _) in enumerate(chunk):
            ids[i, : len(x)] = torch.tensor(x)
            mask[i, : len(x)] = 1
        with torch.inference_mode():
            logits = model(input_ids=ids, attention_mask=mask).logits  # (B, T, V): every position
            logp = torch.log_softmax(logits.float(), dim=-1)
        for i, (x, plen, clen) in enumerate(chunk):
            pos = torch.arange(plen - 1, plen + clen - 1)
            out.append(float(logp[i, pos, torch.tensor(x[plen:])].sum()))
    return out


def measure_loglik(backend: Any, requests: Sequence[Any], reps: int, naive_bs: int,
                   log: Callable[[str], None]) -> dict[str, Any]:
    backend.model  # noqa: B018 - load (not timed)
    backend.loglikelihood(requests[:6])
    naive_loglik(backend, requests[:6], naive_bs)  # warm-up both
    fast_t, naive_t = [], []
    fast = naive = []
    for rep in range(reps):
        dt, fast = timed(lambda: backend.loglikelihood(requests))
        fast_t.append(dt)
        dn, naive = timed(lambda: naive_loglik(backend, requests, naive_bs))
        naive_t.append(dn)
        log(f"  rep {rep + 1}/{reps}: loglikelihood plugin {dt:.2f}s, naive full-logit (bs={naive_bs}) {dn:.2f}s")
    diff = max(abs(a - b) for a, b in zip(fast, naive))
    log(f"  max |plugin - naive| log-likelihood: {diff:.2e}")
    return {
        "sequences": len(requests), "prompts": len({(r.adapter, r.prompt) for r in requests}),
        "naive_batch_size": naive_bs, "fast_s": fast_t, "naive_s": naive_t,
        "fast_median_s": median(fast_t), "naive_median_s": median(naive_t), "max_abs_diff": diff,
        "loglik_naive_vs_fast": median(naive_t) / median(fast_t),
    }
