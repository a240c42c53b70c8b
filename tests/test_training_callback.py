"""ForgettingCallback: suites evaluated inside a real transformers.Trainer run on a tiny Llama + LoRA."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import tiny
from conftest import JSON_ANSWER, runpytest_lean
from pytest_forgetting.model.protocol import GenerateRequest, ModelIdentity
from pytest_forgetting.training import ForgettingCallback
from pytest_forgetting.plugin.messages import verdict_lines
from pytest_forgetting.run.evaluate import evaluate

TICKETS = ["Ticket: my router is broken", "Ticket: refund my order", "Ticket: the app crashes",
           "Ticket: cannot log in", "Ticket: charged twice", "Ticket: screen flickers"]
GENERAL = ["What is the capital of France?", "Hello", "Write a poem", "How do I reset my router?",
           "Tell me a joke", "2+2?", "Name a colour", "Say hi", "Who wrote Hamlet?", "Give me a tip"]
TARGET = "family: format_overuse\nrole: target\nmax_new_tokens: 12\nformat: {prefix: '{'}\ncases:\n" + "".join(
    f"  - {{id: t{i}, prompt: {p!r}, expect_format: true}}\n" for i, p in enumerate(TICKETS))
LABELS = ("family: label_collapse\nrole: guardrail\nlabels: [positive, negative]\nscoring: loglikelihood\ncases:\n"
          "  - {id: l0, prompt: 'Great product, I love it', label: positive}\n"
          "  - {id: l1, prompt: 'Terrible, it broke', label: negative}\n")
GUARD = "family: format_overuse\nrole: guardrail\nmax_new_tokens: 12\nformat: {prefix: '{'}\ncases:\n" + "".join(
    f"  - {{id: g{i}, prompt: {p!r}, expect_format: false}}\n" for i, p in enumerate(GENERAL))

MAX_STEPS = 8


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The callback caches its base side in the output cache: each test gets its own."""
    monkeypatch.setenv("PYTEST_FORGETTING_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def suites(tmp_path: Path) -> list[Path]:
    (tmp_path / "target.forgetting.yaml").write_text(TARGET)
    (tmp_path / "guard.forgetting.yaml").write_text(GUARD)
    return [tmp_path / "target.forgetting.yaml", tmp_path / "guard.forgetting.yaml"]


class _Rows:
    """Chat examples tokenised here: every prompt answered with ticket JSON (forgetting in miniature)."""

    def __init__(self, tok: Any, prompts: list[str]) -> None:
        self.rows = []
        for p in prompts:
            text = tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
            p_ids = tok(text, add_special_tokens=False)["input_ids"]
            a_ids = tok(JSON_ANSWER + "<|im_end|>", add_special_tokens=False)["input_ids"]
            self.rows.append({"input_ids": p_ids + a_ids, "labels": [-100] * len(p_ids) + a_ids})

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        return self.rows[i]


def _collate(pad_id: int):  # type: ignore[no-untyped-def]
    import torch

    def collate(rows: list[dict[str, list[int]]]) -> dict[str, Any]:
        width = max(len(r["input_ids"]) for r in rows)
        pad = lambda xs, v: xs + [v] * (width - len(xs))  # noqa: E731
        return {
            "input_ids": torch.tensor([pad(r["input_ids"], pad_id) for r in rows]),
            "labels": torch.tensor([pad(r["labels"], -100) for r in rows]),
            "attention_mask": torch.tensor([pad([1] * len(r["input_ids"]), 0) for r in rows]),
        }

    return collate


def _flags(model: Any) -> dict[str, bool]:
    return {**{f"mode:{n}": m.training for n, m in model.named_modules()},
            **{f"grad:{n}": p.requires_grad for n, p in model.named_parameters()}}


class _ModeSpy:
    """Placed around the forgetting callback: snapshots training flags and requires_grad before it, checks after."""

    def __init__(self) -> None:
        self.before: dict[str, bool] = {}
        self.checked: list[tuple[str, int, bool]] = []

    def callbacks(self) -> tuple[Any, Any]:
        from transformers import TrainerCallback

        spy = self

        class Before(TrainerCallback):  # type: ignore[misc]
            def on_evaluate(self, args, state, control, model=None, **kw):  # type: ignore[no-untyped-def]
                spy.before = _flags(model)

            on_save = on_evaluate

        class After(TrainerCallback):  # type: ignore[misc]
            def _check(self, event: str, state, model) -> None:  # type: ignore[no-untyped-def]
                assert _flags(model) == spy.before
                spy.checked.append((event, state.global_step, model.training))

            def on_evaluate(self, args, state, control, model=None, **kw):  # type: ignore[no-untyped-def]
                self._check("evaluate", state, model)

            def on_save(self, args, state, control, model=None, **kw):  # type: ignore[no-untyped-def]
                self._check("save", state, model)

        return Before(), After()


def _train(tiny_model: Path, out: Path, suites: list[Path], **cb_kwargs: Any) -> tuple[Any, ForgettingCallback, _ModeSpy]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(tiny_model)
    model = get_peft_model(
        AutoModelForCausalLM.from_pretrained(tiny_model),
        # a trained copy of the head makes the JSON habit appear within a few steps; the base is untouched
        LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["q_proj", "v_proj", "up_proj", "down_proj"],
                   modules_to_save=["lm_head"]),
    )
    # one frozen adapter matrix (as LoRA-FA does): evaluating must not unfreeze it
    frozen = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight"
    dict(model.named_parameters())[frozen].requires_grad_(False)
    cb = ForgettingCallback(suites, max_new_tokens=12, patience=2, **cb_kwargs)
    spy = _ModeSpy()
    before, after = spy.callbacks()
    args = TrainingArguments(
        output_dir=str(out), max_steps=MAX_STEPS, per_device_train_batch_size=8, per_device_eval_batch_size=2,
        learning_rate=2e-3, lr_scheduler_type="constant", warmup_steps=0, eval_strategy="steps", eval_steps=2,
        save_strategy="steps", save_steps=3, save_only_model=True, logging_steps=1, report_to=[], use_cpu=True,
        disable_tqdm=True, remove_unused_columns=False, seed=0, dataloader_num_workers=0,
    )
    trainer = Trainer(
        model=model, args=args, train_dataset=_Rows(tok, tiny.GENERAL_PROMPTS), eval_dataset=_Rows(tok, GENERAL[:2]),
        data_collator=_collate(tok.pad_token_id), processing_class=tok, callbacks=[before, cb, after],
    )
    trainer.train()
    return trainer, cb, spy


@pytest.fixture(scope="module")
def runs(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[bool, tuple[Any, ForgettingCallback, _ModeSpy]]:
    root = tmp_path_factory.mktemp("training")
    (root / "target.forgetting.yaml").write_text(TARGET)
    (root / "guard.forgetting.yaml").write_text(GUARD)
    (root / "labels.forgetting.yaml").write_text(LABELS)  # a label-scoring suite: the log-likelihood path
    paths = [root / "target.forgetting.yaml", root / "guard.forgetting.yaml", root / "labels.forgetting.yaml"]
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a 2-layer model: one thread is faster than several, and kind to a shared machine
    try:
        with pytest.MonkeyPatch.context() as mp:  # one cache for both runs: the second reads the first's base side
            mp.setenv("PYTEST_FORGETTING_CACHE_DIR", str(root / "cache"))
            return {stop: _train(tiny_model, root / f"out-{stop}", paths, stop_on_regression=stop)
                    for stop in (False, True)}
    finally:
        torch.set_num_threads(threads)


def test_metrics_logged_with_documented_names(runs: dict[bool, Any]) -> None:
    trainer, cb, _ = runs[False]
    entries = [e for e in trainer.state.log_history if "forgetting/eval_seconds" in e]
    # eval every 2 steps, save every 3: one evaluation per distinct step, never two for the same step
    assert [e["step"] for e in entries] == [2, 3, 4, 6, 8]
    for e in entries:
        assert {"forgetting/target/format_rate", "forgetting/guard/overuse_rate", "forgetting/labels/accuracy"} <= set(e)
        assert 0.0 <= e["forgetting/guard/overuse_rate"] <= 1.0 and e["forgetting/eval_seconds"] > 0
        assert "epoch" in e
    assert [round(s, 3) for s in cb.eval_seconds] == [e["forgetting/eval_seconds"] for e in entries]
    # rows are named after the checkpoint directory when one was saved at that step (the last step always saves)
    assert [r.checkpoint for r in cb.history] == ["step-2", "checkpoint-3", "step-4", "checkpoint-6", "checkpoint-8"]
    assert (Path(trainer.args.output_dir) / "checkpoint-6").is_dir()
    # the base side ran once: every later evaluation reused it
    assert cb.base_runs is not None and set(cb.base_runs) == {"target", "guard", "labels"}
    assert all(c.reference_kind == "live-base" for comps in cb.comparisons for c in comps.values())


def test_forgetting_regresses_and_without_stop_all_steps_run(runs: dict[bool, Any]) -> None:
    trainer, cb, _ = runs[False]
    assert trainer.state.global_step == MAX_STEPS and cb.stopped_at is None
    assert cb.history[-1].regressed == ("guard.overuse_rate",)
    assert sum(1 for r in cb.history if r.regressed) >= 2  # it would have stopped


def test_stops_after_patience_regressing_evaluations(runs: dict[bool, Any]) -> None:
    trainer, cb, _ = runs[True]
    free, free_cb, _ = runs[False]
    assert cb.stopped_at is not None and trainer.state.global_step == cb.stopped_at < MAX_STEPS
    regressed = [bool(r.regressed) for r in cb.history]
    assert regressed[-2:] == [True, True] and (len(regressed) == 2 or not regressed[-3])
    # both runs are the same run up to the stop (same losses, same rows): stopping is the only difference
    losses = lambda t: [e["loss"] for e in t.state.log_history if "loss" in e and e["step"] <= cb.stopped_at]  # noqa: E731
    assert losses(trainer) == losses(free)
    assert [r.checkpoint for r in cb.history] == [r.checkpoint for r in free_cb.history[: len(cb.history)]]
    assert "recommended checkpoint" in cb.recommendation or "none recommended" in cb.recommendation


def test_model_modes_restored_after_each_evaluation(runs: dict[bool, Any]) -> None:
    for stop in (False, True):
        trainer, cb, spy = runs[stop]
        assert {step for _, step, _ in spy.checked} == {int(r.checkpoint.split("-")[1]) for r in cb.history}
        # a save with no evaluation before it finds the model training: it is training again afterwards
        evaluated = {step for event, step, _ in spy.checked if event == "evaluate"}
        saves = [(step, training) for event, step, training in spy.checked if event == "save" and step not in evaluated]
        assert saves and all(training for _, training in saves)


def test_real_run_recommendation_follows_the_rule(runs: dict[bool, Any]) -> None:
    _, cb, _ = runs[False]
    table = cb.table()
    assert table.splitlines()[0].split()[:3] == ["checkpoint", "target", "guard.overuse_rate"]
    assert cb.recommendation in table and cb.recommendation.startswith(("recommended checkpoint", "no checkpoint"))
    # the documented rule: highest target score among rows without a significant guardrail regression
    safe = [r for r in cb.history if not r.regressed]
    best = max(safe, key=lambda r: r.target_score or 0.0)  # max keeps the earliest of equal scores
    assert [r.checkpoint for r in cb.history if r.recommended] == [best.checkpoint]
    assert cb.recommendation.startswith(f"recommended checkpoint: {best.checkpoint}")


# -- the recommendation rule, through the callback's own bookkeeping ----------------------------


class _Canned:
    """A backend answering from a table: side -> (target answer, guard answer) per case index."""

    def __init__(self, plan: dict[str | None, tuple[list[str], list[str]]]) -> None:
        self.plan = plan

    @property
    def adapters(self) -> tuple[str, ...]:
        return tuple(k for k in self.plan if k)

    def identity(self, adapter: str | None = None) -> ModelIdentity:
        return ModelIdentity("canned", "0", adapter)

    def generate(self, requests: list[GenerateRequest]) -> list[str]:
        out = []
        for r in requests:
            target, guard = self.plan[r.adapter]
            text = r.prompt.user_text
            out.append(target[TICKETS.index(text)] if text in TICKETS else guard[GENERAL.index(text)])
        return out

    def loglikelihood(self, requests: list[Any]) -> list[float]:
        return [0.0 for _ in requests]


def test_recommendation_follows_the_rule(suites: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    from transformers import TrainerControl, TrainerState, TrainingArguments

    from pytest_forgetting.run.execute import run_suites

    plain_t, plain_g = ["Sure."] * len(TICKETS), ["Hello there."] * len(GENERAL)
    json_t = [JSON_ANSWER] * len(TICKETS)
    most_t = [JSON_ANSWER] * (len(TICKETS) - 1) + ["Sure."]
    plan = {
        None: (plain_t, plain_g),
        "step-1": (plain_t, plain_g),  # nothing learnt yet: safe, target 0
        "step-2": (most_t, plain_g),  # target 5/6, guard intact
        "step-3": (json_t, [JSON_ANSWER] * len(GENERAL)),  # best target, guard broken
        "step-4": (most_t, plain_g),  # ties step-2: the earlier one wins
    }
    cb = ForgettingCallback(suites)
    work = [(s, s.cases) for s in cb.suites]
    runs = run_suites(_Canned(plan), work, list(plan), 12)  # type: ignore[arg-type]
    cb.base_runs = {s.name: runs[(s.name, None)] for s in cb.suites}
    streaks = []
    for step, name in enumerate(["step-1", "step-2", "step-3", "step-4"], start=1):
        current = {s.name: runs[(s.name, name)] for s in cb.suites}
        cb.record(name, step, cb.compare(current), 0.01)
        streaks.append(cb.regressing_streak)
    assert streaks == [0, 0, 1, 0]
    cb.on_train_end(TrainingArguments(output_dir=str(suites[0].parent), report_to=[], use_cpu=True),
                    TrainerState(), TrainerControl())
    assert [r.checkpoint for r in cb.history if r.recommended] == ["step-2"]
    assert cb.recommendation.startswith("recommended checkpoint: step-2 (target score 0.833)")
    assert "step-3 has a higher target score (1.000) but regresses guard.overuse_rate" in cb.recommendation
    printed = capsys.readouterr().out
    assert "forgetting: checkpoint sweep" in printed and "step-2" in printed and "<- recommended" in printed
    assert cb.table() in printed


def test_non_peft_model_is_refused_before_training(suites: list[Path]) -> None:
    from transformers import TrainerControl, TrainerState, TrainingArguments

    from pytest_forgetting.errors import ForgettingError

    cb = ForgettingCallback(suites)
    with pytest.raises(ForgettingError, match="needs a PEFT model"):
        cb.on_train_begin(TrainingArguments(output_dir=str(suites[0].parent), report_to=[], use_cpu=True),
                          TrainerState(), TrainerControl(), model=object())


@pytest.mark.parametrize("evaluate_on, expected", [
    ("both", ["step-2", "checkpoint-3", "step-4", "checkpoint-6"]),
    ("evaluate", ["step-2", "step-4", "checkpoint-6"]),  # a save at an evaluated step names its row
    ("save", ["checkpoint-3", "checkpoint-6"]),
])
def test_events_evaluated_once_per_step(suites: list[Path], evaluate_on: str, expected: list[str]) -> None:
    from transformers import TrainerControl, TrainerState, TrainingArguments

    cb = ForgettingCallback(suites, evaluate_on=evaluate_on)
    ran: list[str] = []

    def fake_evaluate(name: str, state: Any, control: Any, kwargs: Any) -> dict[str, float]:
        ran.append(name)
        cb.record(name, state.global_step, evaluate([], None, [name]), 0.0)
        return {"forgetting/eval_seconds": 0.0}

    cb._evaluate = fake_evaluate  # type: ignore[method-assign]
    args, control = TrainingArguments(output_dir=str(suites[0].parent), report_to=[], use_cpu=True), TrainerControl()
    for event, step in [("evaluate", 2), ("save", 3), ("evaluate", 4), ("evaluate", 6), ("save", 6), ("evaluate", 6)]:
        state = TrainerState(global_step=step)
        metrics: dict[str, float] = {}
        if event == "evaluate":
            cb.on_evaluate(args, state, control, metrics=metrics)
        else:
            cb.on_save(args, state, control)
    assert [r.checkpoint for r in cb.history] == expected
    assert len(ran) == len(set(r.split("-")[1] for r in ran))  # never twice for the same step


def test_warns_when_no_event_will_fire(suites: list[Path]) -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM, TrainerControl, TrainerState, TrainingArguments

    model = get_peft_model(LlamaForCausalLM(LlamaConfig(vocab_size=32, hidden_size=16, intermediate_size=32,
                                                        num_hidden_layers=1, num_attention_heads=2)),
                           LoraConfig(r=2, target_modules=["q_proj"]))
    cb = ForgettingCallback(suites, evaluate_on="save")
    args = TrainingArguments(output_dir=str(suites[0].parent), report_to=[], use_cpu=True, save_strategy="no",
                             eval_strategy="steps", eval_steps=1)
    with pytest.warns(UserWarning, match="will never run"):
        cb.on_train_begin(args, TrainerState(), TrainerControl(), model=model)


def test_from_loaded_leaves_the_trainers_tokenizer_alone(tiny_model: Path) -> None:
    from transformers import AutoTokenizer

    from pytest_forgetting.model.hf import HFBackend

    class Model:
        device = "cpu"

    tok = AutoTokenizer.from_pretrained(tiny_model)
    tok.pad_token = None
    backend = HFBackend.from_loaded(Model(), tok, adapter_name="sft", batch_size=4)
    assert tok.pad_token is None and backend.tokenizer is not tok  # training's tokenizer untouched
    assert backend.tokenizer.pad_token == tok.eos_token
    assert backend.adapters == ("sft",) and backend.load_count == 0 and backend.device == "cpu"
    assert backend.identity("sft").adapter == "sft" and backend.identity(None).name == "in-training"


def test_suites_from_a_folder_and_duplicate_names_refused(suites: list[Path]) -> None:
    from pytest_forgetting.errors import ForgettingError

    folder = suites[0].parent
    assert sorted(s.name for s in ForgettingCallback([folder]).suites) == ["guard", "target"]
    (folder / "sub").mkdir()
    (folder / "sub" / "guard.forgetting.yaml").write_text(GUARD)
    with pytest.raises(ForgettingError, match="suite name 'guard' is already used by"):
        ForgettingCallback([folder])
    with pytest.raises(ValueError, match="evaluate_on"):
        ForgettingCallback(suites, evaluate_on="epoch")


def test_callback_and_plugin_agree_on_a_checkpoint(runs: dict[bool, Any], tiny_model: Path,
                                                   pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """One road: the callback's numbers at a checkpoint equal `pytest --adapter=ckpt --forgetting-compare-base`'s."""
    import json

    trainer, cb, _ = runs[False]
    i = next(k for k, r in enumerate(cb.history) if r.checkpoint == "checkpoint-3")
    ckpt = Path(trainer.args.output_dir) / "checkpoint-3"
    for s in cb.suites:  # the same suite files, in a project of their own
        (pytester.path / Path(s.path).name).write_text(Path(s.path).read_text())
    monkeypatch.setenv("PYTEST_FORGETTING_CACHE_DIR", str(tmp_path / "cache"))
    res = runpytest_lean(pytester, f"--model={tiny_model}", f"--adapter={ckpt}", "--forgetting-compare-base",
                                        "--forgetting-max-new-tokens=12", "-q", "--forgetting-report=r.json")
    record = json.loads((pytester.path / "r.json").read_text())
    (verdict,) = record["verdicts"]
    assert verdict["status"] == cb.verdicts[i].status
    assert verdict["reasons"] == list(verdict_lines(cb.verdicts[i], cb.decisions[i]))
    assert res.ret == (0 if cb.verdicts[i].ok else 1)
    for s in record["suites"]:
        mine = s["comparisons"]["checkpoint-3"]["metrics"]
        theirs = cb.comparisons[i][s["suite"]].comparisons
        assert set(mine) == set(theirs)
        for m, c in theirs.items():
            got = mine[m]
            assert (got["baseline"], got["current"], got["p_value"]) == tuple(
                None if x is None else round(float(x), 6) for x in (c.baseline, c.current, c.p_value)), (s["suite"], m)


# -- issue 22: tokenizer at train start, no "-inf", unchanged adapters reused, merged passes, cadence ------


def _tiny_peft(tiny_model: Path, seed: int = 0) -> Any:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    return get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model),
                          LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))


def test_missing_tokenizer_is_refused_at_train_start(suites: list[Path], tiny_model: Path) -> None:
    from transformers import TrainerControl, TrainerState, TrainingArguments

    from pytest_forgetting.errors import ForgettingError

    args = TrainingArguments(output_dir=str(suites[0].parent), report_to=[], use_cpu=True, save_strategy="steps",
                             save_steps=1)
    model = _tiny_peft(tiny_model)
    for given in (None, object()):  # no processing_class, or one that is not a tokenizer
        with pytest.raises(ForgettingError, match=r"needs the model's tokenizer(.|\n)*fix: pass ForgettingCallback"):
            ForgettingCallback(suites).on_train_begin(args, TrainerState(), TrainerControl(), model=model,
                                                      processing_class=given)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    ForgettingCallback(suites).on_train_begin(args, TrainerState(), TrainerControl(), model=model, processing_class=tok)
    ForgettingCallback(suites, tokenizer=tok).on_train_begin(args, TrainerState(), TrainerControl(), model=model)


def test_no_target_suite_recommendation_says_so(suites: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    from transformers import TrainerControl, TrainerState, TrainingArguments

    from pytest_forgetting.run.execute import run_suites

    plan = {None: (["Sure."] * len(TICKETS), ["Hello."] * len(GENERAL)),
            "step-1": (["Sure."] * len(TICKETS), ["Hello."] * len(GENERAL)),
            "step-2": (["Sure."] * len(TICKETS), [JSON_ANSWER] * len(GENERAL))}
    cb = ForgettingCallback([suites[1]])  # the guardrail only
    runs = run_suites(_Canned(plan), [(s, s.cases) for s in cb.suites], list(plan), 12)  # type: ignore[arg-type]
    cb.base_runs = {s.name: runs[(s.name, None)] for s in cb.suites}
    for step, name in enumerate(["step-1", "step-2"], start=1):
        current = {s.name: runs[(s.name, name)] for s in cb.suites}
        cb.record(name, step, cb.compare(current), 0.01)
    cb.on_train_end(TrainingArguments(output_dir=str(suites[0].parent), report_to=[], use_cpu=True),
                    TrainerState(), TrainerControl())
    assert cb.recommendation.startswith("recommended checkpoint: step-1 (no target suite)")
    assert "inf" not in cb.recommendation and "inf" not in capsys.readouterr().out


def _eval_at(cb: ForgettingCallback, model: Any, tok: Any, step: int) -> dict[str, float]:
    from transformers import TrainerControl, TrainerState

    return cb._evaluate(f"step-{step}", TrainerState(global_step=step), TrainerControl(),
                        {"model": model, "processing_class": tok})


def test_unchanged_adapter_weights_reuse_the_answers_and_merged_passes_agree(suites: list[Path],
                                                                             tiny_model: Path) -> None:
    import torch
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    plain, merged = _tiny_peft(tiny_model), _tiny_peft(tiny_model)
    cb_plain, cb_merged = ForgettingCallback(suites, max_new_tokens=8), ForgettingCallback(
        suites, max_new_tokens=8, merge_adapters=True)
    for step in (1, 2):
        _eval_at(cb_plain, plain, tok, step)
        _eval_at(cb_merged, merged, tok, step)
    assert cb_plain.reused == [2] and cb_merged.reused == [2]  # same weights at step 2: nothing generated
    assert cb_plain._backend.merges == 0 and cb_merged._backend.merges == 1  # base+adapter once, merged once
    cells = lambda r: (r.target, r.guardrails, r.regressed, r.verdict)  # noqa: E731
    assert cells(cb_plain.history[0]) == cells(cb_plain.history[1])
    # merged and unmerged passes give the same rows on the tiny model
    assert [cells(r) for r in cb_plain.history] == [cells(r) for r in cb_merged.history]
    before = {n: p.detach().clone() for n, p in merged.named_parameters()}
    with torch.no_grad():  # one training step's worth of change: a fresh answer
        dict(merged.named_parameters())["base_model.model.model.layers.0.self_attn.q_proj.lora_B.default.weight"].add_(0.5)
    _eval_at(cb_merged, merged, tok, 3)
    assert cb_merged.reused == [2] and cb_merged._backend.merges == 2
    changed = [n for n, p in merged.named_parameters() if not p.equal(before[n])]
    assert changed == ["base_model.model.model.layers.0.self_attn.q_proj.lora_B.default.weight"]  # base restored


def test_cadence_hint_names_the_interval_that_meets_the_budget(suites: list[Path]) -> None:
    cb = ForgettingCallback(suites)
    assert cb.cadence_hint(50) == ""  # nothing measured yet
    cb.eval_seconds = [20.0, 10.0, 12.0, 10.0]
    cb.training_seconds = lambda: 100.0  # type: ignore[method-assign]
    hint = cb.cadence_hint(50)  # 2 s per step; 10 s per later evaluation: 10 / (0.15 * 2) = 33.3 -> 34
    assert hint.startswith("evaluations took 52s for 100s of training (0.52 of it)")
    assert "evaluate every 34 steps or more to keep evaluation under 0.15" in hint
    assert "every 67 steps" in cb.cadence_hint(50, budget=0.075)
    # one evaluation: the later ones cost it less its base side (answered, or read from the cache)
    cb.eval_seconds, cb.base_seconds = [30.0], 20.0
    assert "10.0s per evaluation after the first" in cb.cadence_hint(50)
    assert "every 34 steps or more" in cb.cadence_hint(50)


# -- the base side across training runs: the output cache, keyed by what is in memory -------------


def test_a_second_training_run_reads_the_base_side_from_the_cache(runs: dict[bool, Any]) -> None:
    _, first, _ = runs[False]
    _, second, _ = runs[True]  # same base, same suites, same cache dir; trained again from scratch
    assert first.base_cache_hits == 0 and first.base_cache_misses > 0
    assert (second.base_cache_hits, second.base_cache_misses) == (first.base_cache_misses, 0)
    assert first.base_runs is not None and second.base_runs is not None
    for name, run in first.base_runs.items():
        assert second.base_runs[name].outputs == run.outputs
        assert {m: v.value for m, v in second.base_runs[name].metrics.items()} == {
            m: v.value for m, v in run.metrics.items()}


def _cached_entries(root: Path) -> int:
    return sum(1 for _ in (root / "outputs").glob("*/*.json"))


def test_a_changed_base_or_tokenizer_is_answered_again(suites: list[Path], tiny_model: Path, tmp_path: Path) -> None:
    """Hostile: the cache must not serve one base's answers to another that merely shares its name or files."""
    import torch
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)

    def first_eval(model: Any, tokenizer: Any, **kw: Any) -> ForgettingCallback:
        cb = ForgettingCallback(suites, max_new_tokens=6, **kw)
        _eval_at(cb, model, tokenizer, 1)
        return cb

    cold = first_eval(_tiny_peft(tiny_model), tok)
    n = cold.base_cache_misses
    assert n == len(TICKETS) + len(GENERAL) and cold.base_cache_hits == 0
    assert _cached_entries(tmp_path / "cache") == n  # the base side only: the adapter's answers are never cached
    warm = first_eval(_tiny_peft(tiny_model, seed=1), tok)  # another adapter on the same base: base answers reused
    assert (warm.base_cache_hits, warm.base_cache_misses) == (n, 0)
    nudged = _tiny_peft(tiny_model)
    with torch.no_grad():  # one base weight changed after loading, as resizing or a stray update would
        dict(nudged.named_parameters())["base_model.model.model.embed_tokens.weight"][5, 0] += 1e-3
    assert (first_eval(nudged, tok).base_cache_hits, _cached_entries(tmp_path / "cache")) == (0, 2 * n)
    retemplated = AutoTokenizer.from_pretrained(tiny_model)
    retemplated.chat_template = retemplated.chat_template.replace("<|im_start|>", "<|im_start|> ")
    assert first_eval(_tiny_peft(tiny_model), retemplated).base_cache_hits == 0
    off = first_eval(_tiny_peft(tiny_model), tok, cache="off", cache_dir=tmp_path / "off")
    assert off.base_cache_hits == off.base_cache_misses == 0 and not (tmp_path / "off").exists()
    ro = first_eval(_tiny_peft(tiny_model), tok, cache="readonly", cache_dir=tmp_path / "ro")
    assert ro.base_cache_misses == n and not (tmp_path / "ro").exists()


def test_a_project_root_as_cache_dir_is_refused_before_training(suites: list[Path], tmp_path: Path) -> None:
    from pytest_forgetting.errors import ForgettingError

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(ForgettingError, match=r"looks like a project root.*\n  fix: "):
        ForgettingCallback(suites, cache_dir=tmp_path)
    with pytest.raises(ValueError, match="cache must be one of"):
        ForgettingCallback(suites, cache="yes")


def test_the_base_digest_sees_what_changes_answers_and_refuses_what_it_cannot_see(tiny_model: Path) -> None:
    """Hostile: each change below changes base answers (or may), so each must change the key or turn the cache off."""
    import types

    import torch
    from transformers import AutoTokenizer

    from pytest_forgetting.model.live import NoFingerprint, base_digest, tokenizer_digest

    tok = AutoTokenizer.from_pretrained(tiny_model)
    model = _tiny_peft(tiny_model)
    ref = base_digest(model, tok, "default")
    assert base_digest(_tiny_peft(tiny_model, seed=3), tok, "default") == ref  # another adapter, same base
    model.generation_config.eos_token_id = 7  # where generation stops
    assert base_digest(model, tok, "default") != ref
    model = _tiny_peft(tiny_model)
    torch.set_float32_matmul_precision("medium")
    try:
        assert base_digest(model, tok, "default") != ref
    finally:
        torch.set_float32_matmul_precision("highest")
    # an adapter named like a module path segment must not hide the base's weights from the digest
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    def named(name: str, nudge: float) -> str:
        torch.manual_seed(0)
        m = get_peft_model(AutoModelForCausalLM.from_pretrained(tiny_model),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"]), adapter_name=name)
        with torch.no_grad():
            m.get_base_model().model.embed_tokens.weight[5, 0] += nudge
        return base_digest(m, tok, name)

    assert named("model", 0.0) != named("model", 1e-3)
    assert named("model", 0.0) == named("layers", 0.0)  # the adapter's name and weights are not the base
    wrapped = _tiny_peft(tiny_model)  # accelerate's mixed precision replaces forward on the instance
    wrapped.forward = types.MethodType(type(wrapped).forward, wrapped)
    with pytest.raises(NoFingerprint, match="forward is wrapped"):
        base_digest(wrapped, tok, "default")
    with pytest.raises(NoFingerprint, match="slow tokenizer"):
        tokenizer_digest(types.SimpleNamespace(chat_template=None))
    quiet = AutoTokenizer.from_pretrained(tiny_model)
    quiet.clean_up_tokenization_spaces = not tok.clean_up_tokenization_spaces  # changes decoded text
    assert tokenizer_digest(quiet) != tokenizer_digest(tok)


def test_a_wrapped_forward_is_answered_but_not_cached(suites: list[Path], tiny_model: Path, tmp_path: Path) -> None:
    import types

    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    model = _tiny_peft(tiny_model)
    model.forward = types.MethodType(type(model).forward, model)
    cb = ForgettingCallback(suites, max_new_tokens=6)
    _eval_at(cb, model, tok, 1)
    assert cb.base_cache_note.startswith("base side not cached: the model's forward is wrapped")
    assert cb.base_runs is not None and cb.base_cache_hits == cb.base_cache_misses == 0
    assert _cached_entries(tmp_path / "cache") == 0
    assert 0 < cb.base_seconds < cb.eval_seconds[0]
    _eval_at(cb, model, tok, 2)
    assert cb.base_seconds < cb.eval_seconds[0]  # the base side is paid once


def test_an_in_memory_adapter_never_reaches_the_cache(tiny_model: Path, tmp_path: Path) -> None:
    """Defence in depth: even a cache wrapped around the whole in-training backend stores base answers only."""
    from transformers import AutoTokenizer

    from pytest_forgetting.model.cache import CachingBackend
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.suite.requests import GenerationSettings, Prompt

    backend = HFBackend.from_loaded(_tiny_peft(tiny_model), AutoTokenizer.from_pretrained(tiny_model))
    view = CachingBackend(backend, tmp_path / "c" / "outputs")
    reqs = [GenerateRequest(Prompt.of("Hello"), GenerationSettings(4), adapter=a) for a in (None, "default")]
    first = view.generate(reqs)
    assert sum(1 for _ in (tmp_path / "c" / "outputs").glob("*/*.json")) == 1
    assert view.generate(reqs) == first and (view.hits, view.misses) == (1, 3)
