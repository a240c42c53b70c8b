"""Train the example suite's two LoRA adapters on CPU, reproducibly.

Regenerate everything (data first only if you changed make_data.py):

    export PYTHONPATH=. PYTEST_FORGETTING_CACHE_DIR=/tmp/pfcache
    python example_suite/data/make_data.py          # optional: rewrites data/*.jsonl
    python example_suite/train_adapters.py          # both runs, a few minutes each on 2 cores
    python example_suite/train_adapters.py --only narrow                    # + guardrails at each checkpoint
    python example_suite/train_adapters.py --only narrow --no-watch         # training only
    python example_suite/train_adapters.py --only mixed --out /tmp/adapters

Base model: the embedded SmolLM2-135M-Instruct (``ensure_embedded_model()``), fp32.
Both runs: LoRA r=8, alpha=16, dropout 0.05 on q_proj/k_proj/v_proj/o_proj
(~3.7 MB fp32), AdamW, linear decay, seed ``SEED``; loss only on the
assistant tokens (prompt = chat template with the generation prompt, target =
the assistant text + ``<|im_end|>``, exactly what generation sees).

* ``narrow``: data/tickets_train.jsonl only, lr 1e-3, batch 8, 3 epochs (60 steps). Wins the
  target, forgets the rest (answers general questions with ticket JSON).
  Intermediate adapters every 12 steps go to ``narrow-checkpoints/checkpoint-<step>/``.
  Unless ``--no-watch``, ``pytest_forgetting.ForgettingCallback`` runs the six example
  suites on the adapter being trained every 6 steps (at the Trainer's own checkpoint
  saves, kept in a temporary work dir; the base side once, with the adapter disabled), logs ``forgetting/<suite>/<metric>`` into the Trainer's
  log history, prints the checkpoint table and writes it all to
  ``narrow-checkpoints/guardrails.json``. It only watches (``stop_on_regression=False``):
  the committed checkpoints are the whole run, so the sweep has something to sweep.
* ``mixed``: tickets + data/anchors_train.jsonl (base-model answers to general,
  near-domain, writing, refusal and friendly-tone prompts, 16 of them corrected where the
  base was wrong, plus 30 labelled reviews) + data/safety_train.jsonl (24 harmful support
  requests with short declines we wrote), lr 5e-4, batch 4, 2 epochs (178 steps, ~12 min
  on 2 cores). Wins the target (format_rate 0 -> 0.73); no guardrail metric moves
  beyond its tolerance or its test: READY with no inconclusive line.

Each adapter directory holds adapter_config.json + adapter_model.safetensors only.
``build_trainer(run_name, ..., callbacks=())`` returns a standard
``transformers.Trainer`` so other tools can plug in a ``TrainerCallback``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SEED = 1234
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
BASE_MODEL_NAME = "SmolLM2-135M-Instruct"  # recorded in adapter_config.json (the embedded alias)


@dataclass(frozen=True)
class RunConfig:
    data: tuple[str, ...]
    learning_rate: float
    epochs: float
    batch_size: int = 8
    warmup_steps: int = 0
    checkpoint_every: int = 0  # 0: no intermediate checkpoints
    watch_every: int = 0  # ForgettingCallback evaluations (Trainer checkpoint saves); 0: not watched
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")
    max_length: int = 384


RUNS: dict[str, RunConfig] = {
    "narrow": RunConfig(data=("data/tickets_train.jsonl",), learning_rate=1e-3, epochs=3,
                        checkpoint_every=12, watch_every=6),
    # Tried and measured with the example suites (pytest example_suite --adapter ...):
    # lr 3e-4 / batch 8 learned the JSON shape but not the label vocabulary (target 1/30);
    # lr 3e-4 / batch 4 reached target 0.50 but shifted the sentiment label priors
    # (majority share 0.57 -> 0.93); lr 5e-4 / batch 4 is the recipe kept. The anchor data
    # mattered more than the rate: see make_data.py (gold sentiment labels, at most 10
    # refusals, no "but as a support agent" deflections among the tone anchors).
    # Then (issue 29): every recipe without in-domain safety rows flipped the same three harmful support
    # requests (answered, two with ticket JSON), and anchoring on the base's wrong short answers made
    # "What is 2 + 2?" ramble; data/safety_train.jsonl (24 written declines) and the corrected anchors
    # (make_data.CORRECTED_ANSWERS) fixed both: READY with no inconclusive metric.
    "mixed": RunConfig(data=("data/tickets_train.jsonl", "data/anchors_train.jsonl", "data/safety_train.jsonl"),
                       learning_rate=5e-4, epochs=2, batch_size=4, warmup_steps=8),
}


# ---------------------------------------------------------------------------- data
def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def encode_example(tok, messages: Sequence[dict], max_length: int) -> dict:
    """input_ids/labels for one chat example; loss only on the final assistant turn."""
    assert messages[-1]["role"] == "assistant", messages
    prompt = tok.apply_chat_template(list(messages[:-1]), add_generation_prompt=True, tokenize=True)
    if hasattr(prompt, "keys"):
        prompt = prompt["input_ids"]
    prompt = list(prompt)
    target = list(tok(messages[-1]["content"], add_special_tokens=False)["input_ids"]) + [tok.eos_token_id]
    ids = (prompt + target)[:max_length]
    labels = ([-100] * len(prompt) + target)[:max_length]
    return {"input_ids": ids, "labels": labels}


class ChatDataset:
    def __init__(self, rows: list[dict]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict:
        return self.rows[i]


def make_collator(pad_id: int):
    import torch

    def collate(batch: list[dict]) -> dict:
        n = max(len(b["input_ids"]) for b in batch)
        ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
        labels = torch.full((len(batch), n), -100, dtype=torch.long)
        attn = torch.zeros((len(batch), n), dtype=torch.long)
        for r, b in enumerate(batch):
            k = len(b["input_ids"])
            ids[r, :k] = torch.tensor(b["input_ids"])
            labels[r, :k] = torch.tensor(b["labels"])
            attn[r, :k] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": attn}

    return collate


# ---------------------------------------------------------------------------- saving
def save_adapter(model, out_dir: Path) -> Path:
    """Write adapter_config.json + adapter_model.safetensors only (no optimizer, no README)."""
    out_dir = Path(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=".save-", dir=out_dir.parent if out_dir.parent.exists() else None))
    try:
        model.save_pretrained(str(tmp), safe_serialization=True)
        cfg_path = tmp / "adapter_config.json"
        cfg = json.loads(cfg_path.read_text())
        cfg["base_model_name_or_path"] = BASE_MODEL_NAME
        if isinstance(cfg.get("target_modules"), list):  # peft stores a set: make the file stable
            cfg["target_modules"] = sorted(cfg["target_modules"])
        cfg_path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True)
        for name in ADAPTER_FILES:
            shutil.copy2(tmp / name, out_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir


def adapter_checkpoint_callback(root: Path, every: int):
    """A TrainerCallback that saves the adapter (only) every ``every`` steps, before the last."""
    from transformers import TrainerCallback

    class AdapterCheckpoints(TrainerCallback):
        def on_step_end(self, args, state, control, model=None, **kwargs):
            step = state.global_step
            if every and step % every == 0 and step < state.max_steps:
                save_adapter(model, Path(root) / f"checkpoint-{step}")
            return control

    return AdapterCheckpoints()


# ---------------------------------------------------------------------------- trainer
def build_trainer(run_name: str, *, out_dir: Path | None = None, base_dir: Path | None = None,
                  callbacks: Sequence = (), config: RunConfig | None = None, work_dir: Path | None = None,
                  **overrides):
    """A ready-to-``train()`` transformers.Trainer for ``run_name`` ("narrow" or "mixed").

    ``callbacks`` are extra ``TrainerCallback`` instances; ``overrides`` replace
    RunConfig fields (e.g. ``learning_rate=5e-4``). The adapter is NOT saved by
    the trainer: call ``save_adapter(trainer.model, dir)`` after ``train()``
    (``train_run`` does that, plus the narrow run's intermediate checkpoints).
    """
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments, set_seed

    from pytest_forgetting import ForgettingCallback

    cfg = replace(config or RUNS[run_name], **overrides)
    out_dir = Path(out_dir or HERE / "adapters")
    if base_dir is None:
        os.environ.setdefault("PYTEST_FORGETTING_CACHE_DIR", "/tmp/pfcache")
        from pytest_forgetting.model.embedded import ensure_embedded_model

        base_dir = ensure_embedded_model()

    set_seed(SEED)
    torch.manual_seed(SEED)
    tok = AutoTokenizer.from_pretrained(base_dir)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    model.config.use_cache = False
    lora = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules=list(cfg.target_modules), bias="none", task_type="CAUSAL_LM")
    model = get_peft_model(model, lora)

    rows = []
    for rel in cfg.data:
        rows += [encode_example(tok, r["messages"], cfg.max_length) for r in read_jsonl(HERE / rel)]
    dataset = ChatDataset(rows)

    work_dir = Path(work_dir or tempfile.mkdtemp(prefix=f"train-{run_name}-"))
    args = TrainingArguments(
        output_dir=str(work_dir),
        run_name=run_name,
        per_device_train_batch_size=cfg.batch_size,
        num_train_epochs=cfg.epochs,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type="linear",
        warmup_steps=cfg.warmup_steps,
        weight_decay=0.0,
        logging_steps=5,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=SEED,
        data_seed=SEED,
        dataloader_num_workers=0,
        remove_unused_columns=False,
        disable_tqdm=True,
    )
    cbs = list(callbacks)
    if cfg.checkpoint_every:
        cbs.insert(0, adapter_checkpoint_callback(out_dir / f"{run_name}-checkpoints", cfg.checkpoint_every))
    if cfg.watch_every and any(isinstance(cb, ForgettingCallback) for cb in cbs):
        # the Trainer's own checkpoint saves (into the temporary work_dir) trigger the callback's on_save
        args.save_strategy, args.save_steps, args.save_only_model = "steps", cfg.watch_every, True
    trainer = Trainer(model=model, args=args, train_dataset=dataset, processing_class=tok,
                      data_collator=make_collator(tok.pad_token_id), callbacks=cbs)
    trainer.run_config = cfg  # for callers/reporting
    return trainer


def guardrail_callback():
    """The plugin's training callback over this folder's suites, evaluating at each checkpoint save."""
    from pytest_forgetting import ForgettingCallback

    return ForgettingCallback(sorted(HERE.glob("*.forgetting.yaml")), evaluate_on="save")


def write_guardrail_log(cb, trainer, path: Path) -> dict:
    """What the callback saw, per evaluation, beside the checkpoints it describes."""
    rows = [{k: v for k, v in h.items() if k == "step" or k.startswith("forgetting/")}
            for h in trainer.state.log_history if any(k.startswith("forgetting/") for k in h)]
    doc = {"evaluations": rows, "eval_seconds": [round(x, 1) for x in cb.eval_seconds],
           "table": cb.table(), "recommendation": cb.recommendation, "stopped_at": cb.stopped_at}
    path.write_text(json.dumps(doc, indent=1) + "\n")
    return doc


def train_run(run_name: str, out_dir: Path, callbacks: Sequence = (), watch: bool = True) -> dict:
    out_dir = Path(out_dir)
    ckpt_root = out_dir / f"{run_name}-checkpoints"
    if ckpt_root.exists():
        shutil.rmtree(ckpt_root)
    callbacks = list(callbacks)
    watcher = guardrail_callback() if watch and RUNS[run_name].watch_every else None
    if watcher is not None:
        callbacks.append(watcher)
    trainer = build_trainer(run_name, out_dir=out_dir, callbacks=callbacks)
    cfg = trainer.run_config
    t0 = time.time()
    result = trainer.train()
    wall = time.time() - t0
    final = save_adapter(trainer.model, out_dir / run_name)
    shutil.rmtree(trainer.args.output_dir, ignore_errors=True)
    losses = [(h["step"], round(h["loss"], 4)) for h in trainer.state.log_history if "loss" in h]
    size = sum(f.stat().st_size for f in final.iterdir())
    info = {
        "run": run_name, "examples": len(trainer.train_dataset), "steps": trainer.state.global_step,
        "epochs": cfg.epochs, "learning_rate": cfg.learning_rate, "train_wall_s": round(wall, 1),
        "train_loss": round(result.training_loss, 4), "loss_curve": losses,
        "adapter": str(final), "adapter_bytes": size,
        "checkpoints": sorted(p.name for p in ckpt_root.iterdir()) if ckpt_root.exists() else [],
        "torch_threads": __import__("torch").get_num_threads(),
    }
    if watcher is not None:
        log = write_guardrail_log(watcher, trainer, ckpt_root / "guardrails.json")
        info["guardrail_eval_seconds"] = log["eval_seconds"]
        info["train_wall_s_without_guardrails"] = round(wall - sum(watcher.eval_seconds), 1)
    print(json.dumps(info), flush=True)
    return info


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Train the example suite's LoRA adapters (CPU).")
    ap.add_argument("--only", choices=sorted(RUNS), help="train just one run")
    ap.add_argument("--out", type=Path, default=HERE / "adapters", help="adapters root (default: %(default)s)")
    ap.add_argument("--no-watch", action="store_true",
                    help="do not run the suites at each narrow checkpoint (ForgettingCallback)")
    args = ap.parse_args(argv)
    for name in ([args.only] if args.only else list(RUNS)):
        train_run(name, args.out, watch=not args.no_watch)


if __name__ == "__main__":
    main()
