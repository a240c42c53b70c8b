"""Merging a LoRA into the base weights for a pass, and restoring the base exactly afterwards.

Unmerged, every adapted layer runs two extra low-rank matmuls per forward; merged, an adapter
pass costs what a base pass does (measured on 2 CPU cores with the demo's r=8 q/k/v/o adapters:
1.13x the base side unmerged, 1.07x merged, so the gain is small there; see benchmarks/RESULTS.md).
``unmerge_adapter()`` alone subtracts the product again, which is exact only up to float rounding,
so the base values of every adapted layer are copied before the merge and copied back after it:
the base side then answers as a freshly loaded model would. The copy costs the adapted layers'
weights once more in memory while merged.
"""
from __future__ import annotations

from typing import Any

from ..errors import BackendError

Saved = list[tuple[Any, Any]]
"""(parameter, a copy of its base values) for each base-layer parameter of an adapted layer."""


def merge_in_place(model: Any, adapter: str) -> Saved:
    """Merge ``adapter`` into ``model``'s base weights; returns what :func:`restore` needs."""
    import torch
    from peft.tuners.tuners_utils import BaseTunerLayer

    params = [p for m in model.modules() if isinstance(m, BaseTunerLayer)
              for p in m.get_base_layer().parameters(recurse=False)]
    with torch.inference_mode(False), torch.no_grad():
        saved = [(p, p.detach().clone()) for p in params]
        try:
            model.merge_adapter([adapter])
        except Exception as exc:  # noqa: BLE001 - a layer type peft cannot merge (quantised, ...)
            restore(model, saved)
            raise BackendError(
                f"adapter {adapter!r}: peft cannot merge it into the base weights: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}\n"
                "  fix: leave out --forgetting-merge-adapters (adapters then run unmerged)."
            ) from None
    return saved


def restore(model: Any, saved: Saved) -> None:
    """Undo :func:`merge_in_place`: peft's bookkeeping first, then the saved values, bit for bit."""
    import warnings

    import torch

    with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Already unmerged")  # layers another adapter does not target
        model.unmerge_adapter()
        for param, copy in saved:
            param.data.copy_(copy)
