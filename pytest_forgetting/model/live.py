"""Content fingerprints of a model held in memory (the training callback's), where there are no files to hash.

The output cache keys a loaded model by its directory's files. A model being trained has no such
directory for its adapter, and its base may have been changed after loading (resized embeddings, a
new chat template, a different dtype, a wrapped forward). So the callback keys what it caches by
what it runs: the bytes of every base weight and buffer, the configs, the tokenizer it renders
prompts with and the precision the maths runs at. Equal digests mean the same computation; when
that cannot be told (sharded or placeholder weights, a slow tokenizer, mixed-precision training)
there is no digest and nothing is cached: a miss, never a wrong answer.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any


class NoFingerprint(Exception):
    """Why an in-memory model cannot be fingerprinted reliably (its answers are then not cached)."""


def _tensor_bytes(h: Any, name: str, t: Any) -> None:
    import torch

    if type(t) not in (torch.Tensor, torch.nn.Parameter) or t.device.type == "meta" or hasattr(t, "ds_shape"):
        raise NoFingerprint(f"{name} is not a plain tensor in memory ({type(t).__name__} on {t.device})")
    t = t.detach().to("cpu").contiguous().reshape(-1)
    h.update(f"{name}:{t.dtype}:{tuple(t.shape)}\n".encode())
    h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")


def adapter_digest(model: Any, adapter: str) -> str:
    """sha256 of the adapter's saved weights (what ``save_pretrained`` writes): equal digests, equal answers."""
    from peft import get_peft_model_state_dict

    h = hashlib.sha256()
    for name, t in sorted(get_peft_model_state_dict(model, adapter_name=adapter).items()):
        _tensor_bytes(h, name, t)
    return h.hexdigest()


def tokenizer_digest(tokenizer: Any) -> str:
    """sha256 of what turns a prompt into tokens and tokens back into text: the chat template, the fast
    tokenizer's whole definition (vocabulary, merges, normalizer, pre/post-processing), its added and
    special tokens with their flags, and the decoding options."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise NoFingerprint(f"{type(tokenizer).__name__} is a slow tokenizer: its definition cannot be hashed whole")
    h = hashlib.sha256()
    h.update(backend.to_str().encode())
    added = {str(i): repr(tok) for i, tok in (getattr(tokenizer, "added_tokens_decoder", None) or {}).items()}
    special = {k: str(v) for k, v in (getattr(tokenizer, "special_tokens_map", None) or {}).items()}
    h.update(json.dumps([type(tokenizer).__name__, getattr(tokenizer, "chat_template", None), added, special,
                         *(getattr(tokenizer, k, None) for k in ("clean_up_tokenization_spaces", "split_special_tokens",
                                                                 "add_bos_token", "add_eos_token"))],
                        sort_keys=True, default=str).encode())
    return h.hexdigest()


def precision_state(model: Any) -> dict[str, Any]:
    """How the maths runs right now, beyond the weights' own dtypes: autocast, TF32 and matmul precision
    settings, the accelerator. A forward replaced on the instance (accelerate wraps it in autocast for
    ``bf16``/``fp16`` training) cannot be described, so it is refused."""
    import torch

    lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    for m in (model, lm):
        if "forward" in vars(m) or "_original_forward" in vars(m):
            raise NoFingerprint("the model's forward is wrapped (mixed-precision training): its precision is not known")
    device = next(model.parameters()).device
    state: dict[str, Any] = {
        "device": str(device),
        "autocast": {d: torch.is_autocast_enabled(d) for d in ("cpu", "cuda")},
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "tf32": [torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32],
    }
    if device.type == "cuda":
        state["accelerator"] = torch.cuda.get_device_name(device)
    return state


def base_digest(model: Any, tokenizer: Any, adapter: str) -> str:
    """sha256 of the base model as the callback runs it with ``adapter`` disabled; raises :class:`NoFingerprint`.

    Every parameter and buffer except the adapter's own (told apart by tensor, not by name: an
    adapter may be called anything), the model class, config and generation config (its EOS ids
    end generation), the attention implementation, the tokenizer and :func:`precision_state`.
    Hashing reads each weight once (~0.7 s for 135M parameters on CPU), once per training run.
    """
    from peft import get_peft_model_state_dict

    lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    adapter_tensors = get_peft_model_state_dict(model, adapter_name=adapter, save_embedding_layers=False).values()
    own = {t.data_ptr() for t in adapter_tensors if t.numel()}
    h = hashlib.sha256()
    config, gen = getattr(lm, "config", None), getattr(lm, "generation_config", None)
    h.update(json.dumps([type(lm).__module__, type(lm).__qualname__, getattr(config, "_attn_implementation", None),
                         precision_state(model)], sort_keys=True, default=str).encode())
    for part in (config, gen):
        if part is not None:
            h.update(part.to_json_string(use_diff=False).encode())
    tensors = model.state_dict()
    # buffers kept out of the state dict (non-persistent, e.g. rotary frequencies) still change the maths
    tensors.update({"buffer:" + n: b for n, b in model.named_buffers() if n not in tensors})
    for name, t in sorted(tensors.items()):
        if t.numel() and t.data_ptr() in own:
            continue
        _tensor_bytes(h, name, t)
    h.update(tokenizer_digest(tokenizer).encode())
    return h.hexdigest()
