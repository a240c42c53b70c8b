"""How rows are cut into batches so a case's answer does not depend on what else runs (issue 29).

Deselected cases are never sent to the model, so the invariance has to come from the computation.
What used to make a row's numbers depend on its neighbours, and what stops it now:

- the token prefix a batch shares was the *batch's* common prefix: now it is the row's own template
  head (system turn and user header, :func:`head_len`), and only rows with the same head share a batch;
- a batch whose rows all had the same length had no padding, and the attention took its unpadded
  fast path (other kernels, other rounding): now every row has at least one pad column;
- a batch's width moved each row's tokens to another offset in the vectorised reductions: now widths
  are multiples of :data:`WIDTH_STEP`, so a row's offset modulo the step is its own;
- on an accelerator (CUDA, MPS) kernels are chosen by shape, so there batches have *fixed shapes*
  (layout ``fixed``): each row padded to a width bucket of its own length, every batch filled to the
  same row count with copies of its first row, finished rows kept. On CPU (layout ``padded``) a row's
  arithmetic was measured not to depend on the batch's row count from :data:`MIN_ROWS` up, nor on its
  width in steps of :data:`WIDTH_STEP`, once padded (tests/test_selection_invariance.py checks it over
  random selections), so batches keep the cheaper shapes: sorted by length, cut at the automatic size,
  finished rows dropped down to :data:`MIN_ROWS`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Hashable, Sequence

MIN_SHARED_PREFIX = 8
"""Tokens: below this, the extra batch-1 prefix pass costs more than it saves."""
WIDTH_STEP = 16
"""Tokens: fixed-layout rows are padded to a multiple of this (plus at least one pad column)."""
MIN_ROWS = 8
"""Padded layout: every matmul keeps at least this many rows (filler copies; finished rows stay while fewer
remain). BLAS takes other kernels for a few rows: on the 2-core AMD EPYC box a row of ``x @ W.T`` came out
different at 1-3 rows and identical from 4 up (benchmarks/RESULTS.md, issue 29); 8 leaves a margin."""
LAYOUTS = ("padded", "fixed")


def width_bucket(n: int) -> int:
    """The smallest multiple of :data:`WIDTH_STEP` wider than ``n``: a fixed-layout row's width (a function
    of ``n`` alone); in the padded layout the batch's, so each row's pad count modulo the step (its
    alignment in the vectorised reductions) is still a function of its own length."""
    return (n // WIDTH_STEP + 1) * WIDTH_STEP


def head_len(ids: Sequence[int], probe: Sequence[int]) -> int:
    """The row's own shareable head: its common prefix with ``probe`` (the same prompt rendered with an empty
    last message), leaving at least one token of its own; 0 when shorter than :data:`MIN_SHARED_PREFIX`."""
    n, limit = 0, min(len(ids) - 1, len(probe))
    while n < limit and ids[n] == probe[n]:
        n += 1
    return n if n >= MIN_SHARED_PREFIX else 0


def empty_last(prompt: Any) -> Any:
    """The prompt with its last message emptied (the probe for :func:`head_len`), or ``None`` for raw text."""
    if not prompt.chat or not prompt.messages:
        return None
    role, _ = prompt.messages[-1]
    return replace(prompt, messages=(*prompt.messages[:-1], (role, "")))


@dataclass(frozen=True)
class Batch:
    """Rows ``real`` (indices), run as ``rows`` (``real`` plus filler copies), sharing ``head`` tokens,
    each row's suffix left-padded to ``width``."""

    head: tuple[int, ...]
    width: int
    real: list[Any]
    rows: list[Any]


def plan(keys: Sequence[Any], ids: Callable[[Any], Sequence[int]], head: Callable[[Any], int], *, layout: str,
         rows: Callable[[int], int], order: Callable[[Any], Any], shape: Callable[[Any], Hashable] = lambda k: ()
         ) -> list[Batch]:
    """Cut ``keys`` into batches. ``rows(longest)`` is the row count (fixed layout: called with the bucket);
    ``order`` sorts within a group; ``shape`` adds what else must match in a fixed batch."""
    groups: dict[tuple[int, ...], list[Any]] = {}
    for k in sorted(keys, key=order):
        groups.setdefault(tuple(ids(k)[: head(k)]), []).append(k)
    out: list[Batch] = []
    for h in sorted(groups):
        members = groups[h]
        if layout == "fixed":
            buckets: dict[tuple[int, Hashable], list[Any]] = {}
            for k in members:
                buckets.setdefault((width_bucket(len(ids(k)) - len(h)), shape(k)), []).append(k)
            for (width, _), ks in sorted(buckets.items(), key=lambda kv: repr(kv[0])):
                n = rows(width + len(h))
                for i in range(0, len(ks), n):
                    real = ks[i : i + n]
                    out.append(Batch(h, width, real, real + [real[0]] * (n - len(real))))
            continue
        start = 0
        while start < len(members):
            n = rows(len(ids(members[start])))
            real = members[start : start + n]
            start += len(real)
            out.append(Batch(h, width_bucket(max(len(ids(k)) for k in real) - len(h)), real,
                             real + [real[0]] * (MIN_ROWS - len(real))))
    return out


def pack(batch: Batch, ids: Callable[[Any], Sequence[int]], pad_id: int) -> tuple[Any, Any]:
    """``ids, mask`` in the ``[head][pads][suffix]`` layout (suffix left-padded to the batch width)."""
    import torch

    p, n = len(batch.head), len(batch.rows)
    t = torch.full((n, p + batch.width), pad_id, dtype=torch.long)
    mask = torch.zeros((n, p + batch.width), dtype=torch.long)
    if p:
        t[:, :p] = torch.tensor(batch.head)
        mask[:, :p] = 1
    for i, k in enumerate(batch.rows):
        suffix = list(ids(k))[p:]
        t[i, p + batch.width - len(suffix):] = torch.tensor(suffix)
        mask[i, p + batch.width - len(suffix):] = 1
    return t, mask
