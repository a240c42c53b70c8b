"""Batched greedy generation and prompt-once label scoring for :class:`HFBackend`, in fixed batch shapes.

Kept apart from loading so each can be read on its own. A case's answer must not depend on what
else runs (``-k``, one suite file, suite order, another suite added): deselected cases are never
sent, so the invariance comes from the computation itself. Every batch has a shape that depends
only on its own rows' keys, never on which other rows were selected:

- a row is left-padded to a *width bucket* of its own length (:func:`width_bucket`), always with at
  least one pad column, so the attention mask always has padding and the kernels never switch to
  the unpadded fast path for one batch and not the next;
- rows are grouped by adapter and bucket (label scoring: also by the continuation lengths), and
  every batch is filled to the same row count with copies of its first row;
- no row leaves the batch early and no prefix is shared across rows: finished rows keep decoding
  (their tokens are dropped), so each step's shape is the same whoever finished.

Position ids are counted over real tokens only, so padding changes no row's positions.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Protocol, Sequence

from .protocol import GenerateRequest, Loglik, LoglikelihoodRequest, Prompt


class HFBackend(Protocol):
    """What the loops here need of :class:`~pytest_forgetting.model.hf.HFBackend` (a protocol, so this
    module does not import the backend that imports it)."""

    passes: int
    progress: Any

    @property
    def model(self) -> Any: ...

    @property
    def tokenizer(self) -> Any: ...

    @property
    def device(self) -> str: ...

    def batch_rows(self) -> int: ...

    def check_lengths(self, rows: Sequence[tuple[Prompt, int, int]]) -> None: ...

    def render(self, prompt: Prompt) -> str: ...

    def _adapter_context(self, adapter: str | None) -> Any: ...


def cut_at_stop(text: str, stops: Sequence[str]) -> str:
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


WIDTH_STEP = 16
"""Tokens: rows are padded to a multiple of this (plus at least one pad column)."""


def width_bucket(n: int) -> int:
    """The padded width of a row of ``n`` tokens: a function of ``n`` alone, always wider than ``n``, so
    every batch has padding (an unpadded batch takes another attention kernel path, other rounding)."""
    return (n // WIDTH_STEP + 1) * WIDTH_STEP


def fixed_batches(keyed: dict[Any, list[Any]], rows: int) -> list[tuple[Any, list[Any]]]:
    """Cut each key's row indices into chunks of ``rows``; a chunk's shape is then the key's, whoever is in it.

    Keys are visited in sorted order and rows in the given order; the caller fills short chunks
    (:func:`filled`)."""
    out: list[tuple[Any, list[Any]]] = []
    for key in sorted(keyed, key=repr):
        idxs = keyed[key]
        out += [(key, idxs[i : i + rows]) for i in range(0, len(idxs), rows)]
    return out


def filled(chunk: list[Any], rows: int) -> list[Any]:
    """A chunk filled to ``rows`` with copies of its first row: filler rows cost compute, never change a real row."""
    return chunk + [chunk[0]] * (rows - len(chunk))


def pack_fixed(batch: list[list[int]], width: int, pad_id: int) -> tuple[Any, Any]:
    """``ids, mask``: every row left-padded to ``width``."""
    import torch

    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, x in enumerate(batch):
        ids[i, width - len(x) :] = torch.tensor(x)
        mask[i, width - len(x) :] = 1
    return ids, mask


def _cache_of(out: Any) -> Any:
    return getattr(out, "cache", None) or getattr(out, "past_key_values", None)


def prefill(net: Any, ids: Any, mask: Any, cache_kw: str, **extra: Any) -> Any:
    """One forward over a packed batch; positions count real tokens only."""
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    return net(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=True, **extra)


def encode_prompt(backend: "HFBackend", prompt: Any) -> list[int]:
    text = backend.render(prompt)
    return list(backend.tokenizer(text, add_special_tokens=not prompt.chat)["input_ids"])


def _cache_kw(model: Any) -> str:
    """transformers >= 5.2x names the KV cache ``cache``; older releases ``past_key_values``."""
    import inspect

    lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    return "cache" if "cache" in inspect.signature(lm.forward).parameters else "past_key_values"


def greedy_decode(
    model: Any, tokenizer: Any, ids: Any, mask: Any, budgets: list[int], stops: list[tuple[str, ...]], eos: set[int],
    on_step: Callable[[float], None] | None = None,
) -> list[list[int]]:
    """Greedy decoding at a fixed batch shape: rows past ``len(budgets)`` are filler, and a finished row
    stays in the batch (its tokens dropped) so no row's step depends on when the others finish.

    A row ends at EOS, at a stop string or at its own token budget. Returns the new tokens of each
    real row (EOS excluded). ``on_step(fraction)`` is told after each step how much of the batch's token
    budget is spent (a finished row counts as its whole budget), for the live progress line.
    """
    import torch

    kw = _cache_kw(model)
    n = len(budgets)
    out = prefill(model, ids, mask, kw, logits_to_keep=1)
    cache = _cache_of(out)
    nxt = out.logits[:, -1, :].argmax(-1)
    live = set(range(n))
    last = mask.sum(-1) - 1
    tokens: list[list[int]] = [[] for _ in range(n)]
    budget_total = max(1, sum(budgets))
    while True:
        for row in sorted(live):
            t = int(nxt[row])
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
    rows = backend.batch_rows()
    for adapter in _adapter_order([r.adapter for r in requests]):
        keyed: dict[int, list[int]] = defaultdict(list)  # width bucket -> rows, in a selection-free order
        for i in sorted(by_adapter[adapter], key=lambda i: (-requests[i].settings.max_new_tokens, -len(encoded[i]), i)):
            keyed[width_bucket(len(encoded[i]))].append(i)
        label, done_count, total = f"generate ({adapter or 'base'})", 0, len(by_adapter[adapter])
        if backend.progress:
            backend.progress(label, 0, total)
        for width, chunk in fixed_batches(keyed, rows):
            ids, mask = pack_fixed(filled([encoded[i] for i in chunk], rows), width, tok.pad_token_id)
            budgets = [requests[i].settings.max_new_tokens for i in chunk]
            stops = [requests[i].settings.stop for i in chunk]
            on_step = _step_reporter(backend.progress, label, done_count, len(chunk), total)
            with torch.inference_mode(), backend._adapter_context(adapter):
                toks_rows = greedy_decode(model, tok, ids.to(backend.device), mask.to(backend.device), budgets, stops,
                                          eos, on_step=on_step)
            backend.passes += 1
            for toks, i in zip(toks_rows, chunk):
                text = tok.decode(toks, skip_special_tokens=True)
                out[i] = cut_at_stop(text, requests[i].settings.stop)
            done_count += len(chunk)
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
    n_rows = backend.batch_rows()
    for adapter in _adapter_order([r.adapter for r in requests]):
        # a batch's shape: its width bucket and the token counts of each prompt's continuations
        keyed: dict[tuple[int, tuple[int, ...]], list[Any]] = defaultdict(list)
        for k in sorted((k for k in groups if k[0] == adapter), key=lambda k: (-len(prompt_ids[k]), prompt_ids[k])):
            keyed[(width_bucket(len(prompt_ids[k])), tuple(len(cont_ids[i]) for i in groups[k]))].append(k)
        label, done_count = f"score labels ({adapter or 'base'})", 0
        total = sum(len(groups[k]) for k in groups if k[0] == adapter)
        if backend.progress:
            backend.progress(label, 0, total)
        for (width, _), real in fixed_batches(keyed, n_rows):
            chunk = filled(real, n_rows)
            ids, mask = pack_fixed([prompt_ids[k] for k in chunk], width, tok.pad_token_id)
            pairs = [(b, i) for b, k in enumerate(chunk) for i in groups[k] if cont_ids[i]]
            dev = backend.device
            with torch.inference_mode(), backend._adapter_context(adapter):
                res = prefill(decoder, ids.to(dev), mask.to(dev), cache_kw)
                first = torch.log_softmax(head(res.last_hidden_state[:, -1, :]).float(), dim=-1)
                later = torch.zeros(len(pairs), device=dev)  # log-probs of each continuation's 2nd.. tokens
                # one-token continuations (the usual labels) are scored by ``first`` alone
                if any(len(cont_ids[i]) > 1 for _, i in pairs):
                    sel = torch.tensor([b for b, _ in pairs], device=dev)
                    cache = _cache_of(res)
                    cache.reorder_cache(sel)
                    cwidth = max(len(cont_ids[i]) for _, i in pairs)
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
                    lp = torch.log_softmax(head(h[rows, cols]).float(), dim=-1)
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
