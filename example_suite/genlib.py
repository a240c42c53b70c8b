"""Small batched-inference helpers shared by the example-suite scripts.

Plain transformers + peft (no plugin code), so the scripts can check the story
before the plugin exists: greedy decoding with left padding, batched, prompts
sorted by length so a batch wastes little padding.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterable, Sequence

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

Messages = list[dict]


def base_model_dir() -> Path:
    """The converted SmolLM2-135M-Instruct directory (converted once, cached)."""
    os.environ.setdefault("PYTEST_FORGETTING_CACHE_DIR", "/tmp/pfcache")
    from pytest_forgetting.model.embedded import ensure_embedded_model

    return ensure_embedded_model()


def load_base(dtype=None):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = base_model_dir()
    tok = AutoTokenizer.from_pretrained(path)
    tok.padding_side = "left"
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype or torch.float32)
    model.eval()
    return model, tok


def to_messages(prompt: str | None = None, messages: Sequence[dict] | None = None,
                system: str | None = None) -> Messages:
    msgs: Messages = []
    if system:
        msgs.append({"role": "system", "content": system})
    if messages is not None:
        msgs.extend(dict(m) for m in messages)
    else:
        msgs.append({"role": "user", "content": prompt or ""})
    return msgs


def encode_chat(tok, messages: Messages | str) -> list[int]:
    """Chat-template ids (with the generation prompt); a plain str is raw completion."""
    if isinstance(messages, str):
        return list(tok(messages, add_special_tokens=False)["input_ids"])
    out = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
    if isinstance(out, dict) or hasattr(out, "keys"):
        out = out["input_ids"]
    return list(out)


def _cut_stop(text: str, stop: Iterable[str] | None) -> str:
    for s in stop or ():
        i = text.find(s)
        if i >= 0:
            text = text[:i]
    return text


def generate(model, tok, prompts: Sequence[Messages], max_new_tokens: int | Sequence[int] = 48,
             batch_size: int = 32, stop: Sequence[str] | None = None, progress: str = "") -> list[str]:
    """Greedy, batched, left-padded generation. Returns decoded continuations."""
    import torch

    if isinstance(max_new_tokens, int):
        mnt = [max_new_tokens] * len(prompts)
    else:
        mnt = list(max_new_tokens)
    ids = [encode_chat(tok, m) for m in prompts]
    # group by max_new_tokens, then by length
    order = sorted(range(len(ids)), key=lambda i: (mnt[i], len(ids[i])))
    outs: list[str] = [""] * len(ids)
    pad = tok.pad_token_id
    eos = tok.eos_token_id
    b = 0
    while b < len(order):
        chunk = [order[b]]
        while len(chunk) < batch_size and b + len(chunk) < len(order) and mnt[order[b + len(chunk)]] == mnt[chunk[0]]:
            chunk.append(order[b + len(chunk)])
        b += len(chunk)
        L = max(len(ids[i]) for i in chunk)
        input_ids = torch.full((len(chunk), L), pad, dtype=torch.long)
        attn = torch.zeros((len(chunk), L), dtype=torch.long)
        for r, i in enumerate(chunk):
            input_ids[r, L - len(ids[i]):] = torch.tensor(ids[i])
            attn[r, L - len(ids[i]):] = 1
        with torch.inference_mode():
            gen = model.generate(input_ids=input_ids, attention_mask=attn, do_sample=False,
                                 max_new_tokens=mnt[chunk[0]], pad_token_id=pad, eos_token_id=eos)
        for r, i in enumerate(chunk):
            text = tok.decode(gen[r, L:], skip_special_tokens=True)
            outs[i] = _cut_stop(text, stop)
        if progress:
            print(f"  [{progress}] {b}/{len(order)}", file=sys.stderr, flush=True)
    return outs


def loglikelihoods(model, tok, prompts: Sequence[Messages], continuations: Sequence[str],
                   batch_size: int = 16) -> list[list[float]]:
    """Sum log-prob of each continuation after each chat prompt (one row per prompt)."""
    import torch

    rows: list[list[float]] = []
    pairs = []
    for pi, m in enumerate(prompts):
        p = encode_chat(tok, m)
        for ci, c in enumerate(continuations):
            cont = tok(c, add_special_tokens=False)["input_ids"]
            pairs.append((pi, ci, p, list(cont)))
    scores = {}
    pad = tok.pad_token_id
    for b in range(0, len(pairs), batch_size):
        chunk = pairs[b:b + batch_size]
        L = max(len(p) + len(c) for _, _, p, c in chunk)
        input_ids = torch.full((len(chunk), L), pad, dtype=torch.long)
        attn = torch.zeros((len(chunk), L), dtype=torch.long)
        for r, (_, _, p, c) in enumerate(chunk):
            seq = p + c
            input_ids[r, L - len(seq):] = torch.tensor(seq)
            attn[r, L - len(seq):] = 1
        with torch.inference_mode():
            logits = model(input_ids=input_ids, attention_mask=attn).logits.float()
        logp = torch.log_softmax(logits, dim=-1)
        for r, (pi, ci, p, c) in enumerate(chunk):
            n = len(c)
            tgt = torch.tensor(c)
            pos = torch.arange(L - n - 1, L - 1)
            scores[(pi, ci)] = float(logp[r, pos, tgt].sum())
    for pi in range(len(prompts)):
        rows.append([scores[(pi, ci)] for ci in range(len(continuations))])
    return rows
