"""Batched greedy generation and prompt-once label scoring for :class:`HFBackend`.

Kept apart from loading so each can be read on its own. Both group requests by adapter (one
``set_adapter`` / ``disable_adapter`` per group) and cut them into batches with
:mod:`.batching`, whose shapes keep a case's answer independent of which other cases run. Rows
sharing a template head (the system turn and user header) encode it once at batch 1 and copy its
KV cache to every row; the layout is ``[head][pads][suffix]`` with positions counted over real
tokens only, so the model sees exactly what it would see without sharing.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Protocol, Sequence

from .batching import MIN_ROWS, Batch, empty_last, head_len, pack, plan, width_bucket
from .protocol import GenerateRequest, Loglik, LoglikelihoodRequest, Prompt


class HFBackend(Protocol):
    """What the loops here need of :class:`~pytest_forgetting.model.hf.HFBackend` (a protocol, so this
    module does not import the backend that imports it)."""

    passes: int
    progress: Any

    @property
    def model(self) -> Any:
        """The loaded model (loaded on first use)."""

    @property
    def tokenizer(self) -> Any:
        """The tokenizer, padding on the left."""

    @property
    def device(self) -> str:
        """The device the model runs on."""

    def layout(self) -> str:
        """``padded`` (CPU) or ``fixed`` (accelerators): how batches are shaped (:mod:`.batching`)."""

    def rows_for(self, longest: int) -> int:
        """Rows per batch for prompts up to ``longest`` tokens."""

    def check_lengths(self, rows: Sequence[tuple[Prompt, int, int]]) -> None:
        """Refuse prompts that do not fit the model's context, before any generation."""

    def render(self, prompt: Prompt) -> str:
        """The prompt as the model sees it (chat template applied)."""

    def _adapter_context(self, adapter: str | None) -> Any: ...


def cut_at_stop(text: str, stops: Sequence[str]) -> str:
    """Cut at the first stop string: generation runs in batches, so stops are applied afterwards."""
    cut = len(text)
    for s in stops:
        i = text.find(s)
        if i != -1:
            cut = min(cut, i)
    return text[:cut]


def _adapter_order(adapters: Sequence[str | None]) -> list[str | None]:
    """Base (None) first, then adapters in first-seen order: deterministic scheduling."""
    seen: list[str | None] = []
    for a in adapters:
        if a not in seen:
            seen.append(a)
    return sorted(seen, key=lambda a: (a is not None, seen.index(a)))


def _eos_ids(backend: "HFBackend") -> set[int]:
    ids: set[int] = set()
    for src in (backend.model.generation_config.eos_token_id, backend.tokenizer.eos_token_id):
        if isinstance(src, int):
            ids.add(src)
        elif src:
            ids.update(int(x) for x in src)
    return ids


def _cache_of(out: Any) -> Any:
    return getattr(out, "cache", None) or getattr(out, "past_key_values", None)


def prefill(net: Any, ids: Any, mask: Any, prefix_len: int, cache_kw: str, **extra: Any) -> Any:
    """One forward over a packed batch, running the shared head once at batch 1."""
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    if not prefix_len:
        return net(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=True, **extra)
    head = {"logits_to_keep": 1} if "logits_to_keep" in extra else {}
    pre = net(input_ids=ids[:1, :prefix_len], attention_mask=mask[:1, :prefix_len],
              position_ids=pos[:1, :prefix_len], use_cache=True, **head)
    cache = _cache_of(pre)
    cache.batch_repeat_interleave(ids.shape[0])
    return net(input_ids=ids[:, prefix_len:], attention_mask=mask, position_ids=pos[:, prefix_len:],
               use_cache=True, **{cache_kw: cache}, **extra)


def heads(backend: "HFBackend", prompts: dict[Any, Prompt], encoded: dict[Any, list[int]]) -> dict[Any, int]:
    """Each row's own shareable head length (:func:`~.batching.head_len`); probes rendered once per distinct one."""
    probes: dict[Any, list[int]] = {}
    out = {}
    for k, prompt in prompts.items():
        probe = empty_last(prompt)
        if probe is None:
            out[k] = 0
            continue
        if probe not in probes:
            probes[probe] = encode_prompt(backend, probe)
        out[k] = head_len(encoded[k], probes[probe])
    return out


def encode_prompt(backend: "HFBackend", prompt: Any) -> list[int]:
    """Token ids of a rendered prompt; special tokens only for plain text (a chat template adds its own)."""
    text = backend.render(prompt)
    return list(backend.tokenizer(text, add_special_tokens=not prompt.chat)["input_ids"])


def _cache_kw(model: Any) -> str:
    """transformers >= 5.2x names the KV cache ``cache``; older releases ``past_key_values``."""
    import inspect

    lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    return "cache" if "cache" in inspect.signature(lm.forward).parameters else "past_key_values"


def greedy_decode(
    model: Any, tokenizer: Any, ids: Any, mask: Any, budgets: list[int], stops: list[tuple[str, ...]], eos: set[int],
    prefix_len: int = 0, on_step: Callable[[float], None] | None = None, keep_shape: bool = False,
) -> list[list[int]]:
    """Greedy decoding; rows past ``len(budgets)`` are filler. A finished row leaves the batch (and the KV
    cache), so short answers stop costing compute, unless ``keep_shape`` (the fixed layout): then it stays,
    its tokens dropped, so no row's step shape depends on when the others finish.

    A row ends at EOS, at a stop string or at its own token budget. Returns the new tokens of each
    real row (EOS excluded). ``on_step(fraction)`` is told after each step how much of the batch's token
    budget is spent (a finished row counts as its whole budget), for the live progress line.
    """
    import torch

    kw = _cache_kw(model)
    n = len(budgets)
    out = prefill(model, ids, mask, prefix_len, kw, logits_to_keep=1)
    cache = _cache_of(out)
    nxt = out.logits[:, -1, :].argmax(-1)
    live = set(range(n))
    slot = list(range(ids.shape[0]))  # the batch position of each row still in the batch
    last = mask.sum(-1) - 1
    tokens: list[list[int]] = [[] for _ in range(n)]
    budget_total = max(1, sum(budgets))
    while True:
        for row in sorted(live):
            t = int(nxt[slot.index(row)])
            if t in eos:
                live.discard(row)
                continue
            tokens[row].append(t)
            if len(tokens[row]) >= budgets[row] or (
                    stops[row] and any(s in tokenizer.decode(tokens[row], skip_special_tokens=True) for s in stops[row])):
                live.discard(row)
        if not live:
            return tokens
        if on_step is not None:
            spent = sum(len(tokens[r]) if r in live else budgets[r] for r in range(n))
            on_step(spent / budget_total)
        if not keep_shape and len(live) < len(slot) and len(slot) > MIN_ROWS:
            keep = [i for i, row in enumerate(slot) if row in live]
            spare = [i for i, row in enumerate(slot) if row not in live]
            keep = sorted(keep + spare[: max(0, MIN_ROWS - len(keep))])  # few-row matmuls round differently
            sel = torch.tensor(keep, device=ids.device)
            cache.batch_select_indices(sel)
            mask, nxt, last = mask[sel], nxt[sel], last[sel]
            slot = [slot[i] for i in keep]
        mask = torch.cat([mask, mask.new_ones((mask.shape[0], 1))], dim=1)
        last = last + 1
        out = model(input_ids=nxt[:, None], attention_mask=mask, position_ids=last[:, None], use_cache=True,
                    **{kw: cache})
        cache = _cache_of(out)
        nxt = out.logits[:, -1, :].argmax(-1)


def _step_reporter(progress: Callable[[str, float, int], None] | None, label: str, before: int, size: int,
                   total: int) -> Callable[[float], None] | None:
    """Turn a batch's spent fraction into ``progress(label, cases done so far, total)``."""
    if progress is None:
        return None
    return lambda fraction: progress(label, before + size * min(1.0, fraction), total)


def run_generate(backend: "HFBackend", requests: Sequence[GenerateRequest]) -> list[str]:
    """Greedy generation in length-sorted batches per adapter and token budget, so padding stays small and one adapter
    switch serves many requests."""
    import torch

    if not requests:
        return []
    tok = backend.tokenizer
    encoded = [encode_prompt(backend, r.prompt) for r in requests]
    backend.check_lengths([(r.prompt, len(e), r.settings.max_new_tokens) for r, e in zip(requests, encoded)])
    model = backend.model
    eos = _eos_ids(backend)
    out: list[str] = [""] * len(requests)
    by_adapter: dict[str | None, list[int]] = defaultdict(list)
    for i, r in enumerate(requests):
        by_adapter[r.adapter].append(i)
    head = heads(backend, {i: r.prompt for i, r in enumerate(requests)}, dict(enumerate(encoded)))
    layout = backend.layout()
    for adapter in _adapter_order([r.adapter for r in requests]):
        idxs = by_adapter[adapter]
        batches = plan(idxs, encoded.__getitem__, head.__getitem__, layout=layout,
                       rows=lambda n: backend.rows_for(n + max(requests[i].settings.max_new_tokens for i in idxs)),
                       order=lambda i: (-requests[i].settings.max_new_tokens, -len(encoded[i]), encoded[i]))
        label, done_count, total = f"generate ({adapter or 'base'})", 0, len(idxs)
        if backend.progress:
            backend.progress(label, 0, total)
        for batch in batches:
            ids, mask = pack(batch, encoded.__getitem__, tok.pad_token_id)
            budgets = [requests[i].settings.max_new_tokens for i in batch.real]
            stops = [requests[i].settings.stop for i in batch.real]
            on_step = _step_reporter(backend.progress, label, done_count, len(batch.real), total)
            with torch.inference_mode(), backend._adapter_context(adapter):
                toks_rows = greedy_decode(model, tok, ids.to(backend.device), mask.to(backend.device), budgets, stops,
                                          eos, prefix_len=len(batch.head), on_step=on_step,
                                          keep_shape=layout == "fixed")
            backend.passes += 1
            for toks, i in zip(toks_rows, batch.real):
                text = tok.decode(toks, skip_special_tokens=True)
                out[i] = cut_at_stop(text, requests[i].settings.stop)
            done_count += len(batch.real)
            if backend.progress:
                backend.progress(label, done_count, total)
    return out


def run_loglikelihood(backend: "HFBackend", requests: Sequence[LoglikelihoodRequest]) -> list[float]:
    """Sum of log-probabilities of each continuation (a :class:`Loglik` carrying its token count),
    prompts encoded once per adapter."""
    import torch

    if not requests:
        return []
    tok = backend.tokenizer
    groups: dict[tuple[str | None, Any], list[int]] = defaultdict(list)
    for i, r in enumerate(requests):
        groups[(r.adapter, r.prompt)].append(i)
    prompt_ids = {key: encode_prompt(backend, key[1]) for key in groups}
    cont_ids = [list(tok(r.continuation, add_special_tokens=False)["input_ids"]) for r in requests]
    backend.check_lengths([(k[1], len(prompt_ids[k]), max(len(cont_ids[i]) for i in groups[k])) for k in groups])
    model = backend.model
    lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    decoder, head = lm.get_decoder(), lm.get_output_embeddings()
    cache_kw = _cache_kw(model)
    out: list[float] = [Loglik(0.0, 0)] * len(requests)
    own_head = heads(backend, {k: k[1] for k in groups}, prompt_ids)
    layout = backend.layout()
    for adapter in _adapter_order([r.adapter for r in requests]):
        keys = [k for k in groups if k[0] == adapter]
        batches: list[Batch] = plan(
            keys, prompt_ids.__getitem__, own_head.__getitem__, layout=layout, rows=lambda n: backend.rows_for(n + 8),
            order=lambda k: (-len(prompt_ids[k]), prompt_ids[k]),
            shape=lambda k: tuple(len(cont_ids[i]) for i in groups[k]))  # the continuation pass's shape
        label, done_count = f"score labels ({adapter or 'base'})", 0
        total = sum(len(groups[k]) for k in keys)
        if backend.progress:
            backend.progress(label, 0, total)
        for batch in batches:
            chunk, real = batch.rows, batch.real
            ids, mask = pack(batch, prompt_ids.__getitem__, tok.pad_token_id)
            pairs = [(b, i) for b, k in enumerate(chunk) for i in groups[k] if cont_ids[i]]
            dev = backend.device
            with torch.inference_mode(), backend._adapter_context(adapter):
                res = prefill(decoder, ids.to(dev), mask.to(dev), len(batch.head), cache_kw)
                first = torch.log_softmax(head(res.last_hidden_state[:, -1, :]).float(), dim=-1)
                later = torch.zeros(len(pairs), device=dev)  # log-probs of each continuation's 2nd.. tokens
                # one-token continuations (the usual labels) are scored by ``first`` alone
                if any(len(cont_ids[i]) > 1 for _, i in pairs):
                    sel = torch.tensor([b for b, _ in pairs], device=dev)
                    cache = _cache_of(res)
                    cache.reorder_cache(sel)
                    cwidth = width_bucket(max(len(cont_ids[i]) for _, i in pairs) - 1)  # aligned as the prompt is
                    cids = torch.full((len(pairs), cwidth), tok.pad_token_id, dtype=torch.long)
                    cmask = torch.zeros((len(pairs), cwidth), dtype=torch.long)
                    for n, (_, i) in enumerate(pairs):
                        cids[n, : len(cont_ids[i])] = torch.tensor(cont_ids[i])
                        cmask[n, : len(cont_ids[i])] = 1
                    pmask = mask.to(dev)[sel]
                    cpos = pmask.sum(-1, keepdim=True) + torch.arange(cwidth, device=dev)[None, :]
                    h = decoder(
                        input_ids=cids.to(dev),
                        attention_mask=torch.cat([pmask, cmask.to(dev)], dim=1),
                        position_ids=cpos,
                        use_cache=False,
                        **{cache_kw: cache},
                    ).last_hidden_state
                    rows = [n for n, (_, i) in enumerate(pairs) for _ in range(len(cont_ids[i]) - 1)]
                    cols = [j for _, i in pairs for j in range(len(cont_ids[i]) - 1)]
                    targets = [cont_ids[i][j + 1] for _, i in pairs for j in range(len(cont_ids[i]) - 1)]
                    pad = [0] * max(0, MIN_ROWS - len(rows))  # few-row matmuls round differently: fill with copies
                    lp = torch.log_softmax(head(h[rows + pad, cols + [cols[0]] * len(pad)]).float(), dim=-1)[: len(rows)]
                    picked = lp[torch.arange(len(rows), device=dev), torch.tensor(targets, device=dev)]
                    later.index_add_(0, torch.tensor(rows, device=dev), picked)
                for n, (b, i) in enumerate(pairs):
                    if b < len(real):  # filler rows are copies: their scores are dropped
                        out[i] = Loglik(float(first[b, cont_ids[i][0]] + later[n]), len(cont_ids[i]))
            backend.passes += 1
            done_count += sum(len(groups[k]) for k in real)
            if backend.progress:
                backend.progress(label, done_count, total)
    return out
