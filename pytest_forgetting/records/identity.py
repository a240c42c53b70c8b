"""Which model, and which arithmetic, a baseline was recorded with: one self-contained block per suite.

A stored baseline is only a reference for the model it was recorded on: compared with another
model's answers, every difference is the model change, not the fine-tune, and the verdict would
claim otherwise. So each suite's record carries an ``identity`` block, and every run compares it
with the model in use before any model work (the files are fingerprinted, the weights not loaded)::

    "identity": {
      "model": {"name": "SmolLM2-135M-Instruct", "backend": "transformers", "weights": "<16 hex>",
                "tokenizer": "<16 hex>", "chat_template": "<16 hex>", "config": "<16 hex>"},
      "arithmetic": {"device": "cpu", "dtype": "float32", "batch_rows": "auto", "layout": "padded-1"},
      "generation": {"decoding": "greedy", "default_max_new_tokens": 64}
    }

``model.name`` is shown, never compared (a renamed copy is the same model); a backend without
files (a server, an in-memory model) gives ``model.fingerprint`` instead of the parts. A record from
before this block has only the whole-directory fingerprint under ``model``; that is compared.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..model.protocol import Backend

IDENTITY_KEY = "identity"
"""The suite record's key for the block."""

PART_WORDS = {
    "weights": "weights", "tokenizer": "tokenizer", "chat_template": "chat template", "config": "model config",
    "fingerprint": "model fingerprint", "backend": "backend", "device": "device", "dtype": "dtype",
    "batch_rows": "batch size (rows per batch)", "layout": "batch layout", "accelerator": "accelerator",
}


def current_identity(backend: Backend, generation: Mapping[str, Any]) -> dict[str, Any]:
    """The identity block of the base model in use: by part when the backend can say (``identity_parts``)."""
    parts = getattr(backend, "identity_parts", None)
    if callable(parts):
        block = dict(parts())
    else:
        ident = backend.identity(None)
        block = {"model": {"name": ident.name, "backend": ident.backend, "fingerprint": ident.fingerprint}}
    block["generation"] = dict(generation)
    return block


def identity_differences(recorded: Mapping[str, Any] | None, legacy_model: Mapping[str, Any],
                         current: Mapping[str, Any], current_fingerprint: str) -> list[str]:
    """What differs between a record's identity and the current one, one line per part; ``[]`` when the same.

    ``recorded`` is the record's block (``None`` for a record from before it: then ``legacy_model``,
    the record's ``model`` entry, gives the whole-directory fingerprint to compare)."""
    if recorded is None:
        was = legacy_model.get("fingerprint")
        if was is None or was == current_fingerprint:
            return []
        return [f"model fingerprint: {was} recorded, {current_fingerprint} now (recorded before baselines kept "
                "the model's identity by part, so the part that differs cannot be named)"]
    out = []
    for section in ("model", "arithmetic", "generation"):
        old, new = dict(recorded.get(section) or {}), dict(current.get(section) or {})
        if section == "model":
            old.pop("name", None), new.pop("name", None)
            if ("fingerprint" in old) != ("fingerprint" in new):  # recorded by parts, run on a backend without files
                old, new = {"kind": _kind(old)}, {"kind": _kind(new)}
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                out.append(f"{PART_WORDS.get(key, key.replace('_', ' '))}: {old.get(key)!r} recorded, "
                           f"{new.get(key)!r} now")
    return out


SETTING_OPTIONS = {"device": "--forgetting-device", "dtype": "--forgetting-dtype", "batch_rows": "--forgetting-batch-size",
                   "default_max_new_tokens": "--forgetting-max-new-tokens"}


def recorded_settings(recorded: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[str]:
    """The options that bring back the recorded arithmetic and generation settings (``--forgetting-dtype=float32``)."""
    out = []
    for section in ("arithmetic", "generation"):
        old, new = dict((recorded or {}).get(section) or {}), dict(current.get(section) or {})
        out += [f"{SETTING_OPTIONS[k]}={old[k]}" for k in sorted(old) if k in SETTING_OPTIONS and old[k] != new.get(k)]
    return out


def _kind(model: Mapping[str, Any]) -> str:
    return f"{model.get('backend')} without model files" if "fingerprint" in model else f"{model.get('backend')} model files"


def other_model_message(found: Mapping[str, tuple[str, str, Sequence[str]]], current_name: str,
                        settings: Sequence[str] = ()) -> str:
    """The stop message: ``found`` maps suite -> (baseline path, recorded model name, differences);
    ``settings`` are the options that restore the recorded settings (:func:`recorded_settings`)."""
    lines = [f"the stored baseline of {len(found)} suite(s) was recorded with another model or other settings than "
             f"this run's ({current_name}); compared with it, every difference would be that change, not the "
             "fine-tune. Nothing was run or written."]
    for suite, (path, name, diffs) in sorted(found.items()):
        lines.append(f"  {suite} ({path}), recorded on {name}:")
        lines += [f"    {d}" for d in diffs]
    names = sorted({name for _p, name, _d in found.values()})
    again = f" with {' '.join(sorted(set(settings)))}" if settings else ""
    lines.append(f"  fix: run with --model pointing at the recorded model ({', '.join(names)}){again}; "
                 "or, if the model change is intended, re-record with --forgetting-update "
                 "--forgetting-reason=\"why the model changed\" (review the diff); or compare across models on "
                 "purpose with --forgetting-allow-other-model (the report says so)")
    return "\n".join(lines)
