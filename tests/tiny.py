"""Tiny, real transformers models for fast tests: a BPE tokenizer with a ChatML template,
a randomly initialised 2-layer Llama, and LoRA adapters built with peft."""
from __future__ import annotations

from pathlib import Path

CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
CORPUS = [
    "What is the capital of France? Paris is the capital of France.",
    '{"intent": "refund", "product": "router", "urgency": "high"}',
    "I'm sorry, but I can't help with that. Here is how to reset your router: unplug it.",
    "positive negative neutral billing technical account",
    "The quick brown fox jumps over the lazy dog. 1 2 3 4 5 6 7 8 9 0 ! ? , . : ;",
    "Hello! Thank you for reaching out. Your package is on its way, sorry for the delay.",
]


def build_tokenizer(out: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS * 20, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<|im_start|>", eos_token="<|im_end|>", pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
    )
    fast.chat_template = CHATML
    fast.save_pretrained(out)


def build_model(out: Path, seed: int = 0, layers: int = 2) -> Path:
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    out.mkdir(parents=True, exist_ok=True)
    build_tokenizer(out)
    tok = AutoTokenizer.from_pretrained(out)
    torch.manual_seed(seed)
    cfg = LlamaConfig(
        vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=layers,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
        tie_word_embeddings=False,
    )
    model = LlamaForCausalLM(cfg)
    model.generation_config.eos_token_id = tok.eos_token_id
    model.save_pretrained(out, safe_serialization=True)
    return out


def build_random_adapter(model_dir: Path, out: Path, seed: int = 1) -> Path:
    """A LoRA whose weights are random (not the zero init), so it really changes outputs."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    cfg = LoraConfig(r=4, lora_alpha=16, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    model = get_peft_model(base, cfg)
    model.save_pretrained(out)
    return out


GENERAL_PROMPTS = ["What is the capital of France?", "Hello", "Write a poem", "How do I reset my router?",
                   "Is this review positive?", "2+2?", "Tell me a joke", "My order is late"]


def train_constant_adapter(model_dir: Path, out: Path, answer: str, steps: int = 60, seed: int = 0) -> Path:
    """A LoRA trained until the model answers every prompt with ``answer`` (real forgetting, in miniature)."""
    return train_adapter(model_dir, out, [(p, answer) for p in GENERAL_PROMPTS], steps=steps, seed=seed)


def train_adapter(model_dir: Path, out: Path, pairs: list[tuple[str, str]], steps: int = 60, seed: int = 0) -> Path:
    """A LoRA trained on (prompt, answer) pairs with full-batch AdamW."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(seed)
    tok = AutoTokenizer.from_pretrained(model_dir)
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    cfg = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"])
    model = get_peft_model(base, cfg)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-2)
    model.train()
    batch_ids, batch_labels = [], []  # the same full batch every step: tokenized once
    for p, answer in pairs:
        prompt = tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
        p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
        a_ids = tok(answer + "<|im_end|>", add_special_tokens=False)["input_ids"]
        batch_ids.append(p_ids + a_ids)
        batch_labels.append([-100] * len(p_ids) + a_ids)
    width = max(len(x) for x in batch_ids)
    ids = torch.tensor([x + [tok.pad_token_id] * (width - len(x)) for x in batch_ids])
    labels = torch.tensor([x + [-100] * (width - len(x)) for x in batch_labels])
    mask = (torch.arange(width)[None, :] < torch.tensor([len(x) for x in batch_ids])[:, None]).long()
    for _step in range(steps):
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.save_pretrained(out)
    return out
