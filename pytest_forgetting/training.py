"""Guardrails during training: evaluate suites at each evaluation/checkpoint and stop before forgetting.

:class:`ForgettingCallback` is a ``transformers.TrainerCallback`` (so it works with
``Trainer`` and TRL's ``SFTTrainer``). At each evaluation and/or checkpoint save it
answers the suites with the model being trained -- through the same road as the
pytest plugin: :meth:`HFBackend.from_loaded` (no second model load) and
:func:`~pytest_forgetting.run.evaluate.evaluate` (batching and scoring, paired
statistics against the base, the decider), then :mod:`~pytest_forgetting.decide.sweep`
(sweep rows, recommendation). The early stop reads the decision's regressed guardrails.

The reference is the base model with the adapter disabled. It is computed once, at
the first evaluation, and reused: this assumes the base weights are frozen (LoRA and
other PEFT methods), so the adapter-disabled model does not change while training.
The base side also goes through the plugin's output cache, keyed by a digest of the
base weights, config and tokenizer as they are in memory (:mod:`.model.live`), so a
later training run of the same base over the same suites does not answer it again.
Later evaluations answer the adapter side only; with ``merge_adapters`` the LoRA is
merged into the base weights for that pass (and the base restored bit for bit after
it), and an evaluation whose adapter weights equal the previous evaluation's (a
frozen adapter, lr 0, a re-save) reuses that evaluation's answers instead of
generating them again.
"""
from __future__ import annotations

import dataclasses
import time
import warnings
from pathlib import Path
from typing import Any, Sequence

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

from .suite.cases import Suite
from .decide.reasons import Decision, Verdict
from .errors import ForgettingError
from .run.evaluate import Evaluation, Selection, evaluate, load_suites
from .run.execute import run_suites
from .model.live import NoFingerprint, adapter_digest, base_digest
from .report.table import sweep_table
from .records.results import Side, SuiteComparison, SuiteRun
from .decide.sweep import SweepRow, recommend, sweep_rows

EVALUATE_ON = ("evaluate", "save", "both")
CACHE_MODES = ("on", "readonly", "off")
MAX_EVAL_FRACTION = 0.15
"""The evaluation cost the cadence hint aims for, as a fraction of training time."""
REFERENCE_LABEL = "base model (adapter disabled)"


class ForgettingCallback(TrainerCallback):  # type: ignore[misc]
    """Run forgetting suites on the adapter being trained; log, keep a sweep table, optionally stop.

    Logs ``<log_prefix>/<suite>/<metric>`` for every suite metric and
    ``<log_prefix>/eval_seconds`` into ``trainer.state.log_history`` at each evaluation.
    With ``stop_on_regression=True`` training stops once a guardrail suite has regressed
    significantly (against the base model) at ``patience`` evaluations in a row.
    """

    def __init__(
        self,
        suites: Sequence[str | Path],
        *,
        tokenizer: Any | None = None,
        max_new_tokens: int = 64,
        stop_on_regression: bool = False,
        patience: int = 2,
        batch_size: int | None = None,
        evaluate_on: str = "both",
        log_prefix: str = "forgetting",
        seed: int = 0,
        root: str | Path | None = None,
        allow_outside_paths: bool = False,
        merge_adapters: bool = False,
        cache: str = "on",
        cache_dir: str | Path | None = None,
    ) -> None:
        if evaluate_on not in EVALUATE_ON:
            raise ValueError(f"evaluate_on must be one of {EVALUATE_ON}, got {evaluate_on!r}")
        if patience < 1:
            raise ValueError(f"patience must be at least 1, got {patience}")
        if cache not in CACHE_MODES:
            raise ValueError(f"cache must be one of {CACHE_MODES}, got {cache!r}")
        self.cache = cache
        self.cache_dir: Path | None = None  # the output cache's root (None: cache off)
        if cache != "off":
            from .model.cache import check_cache_dir
            from .model.embedded import default_cache_dir

            self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
            check_cache_dir(self.cache_dir)  # before training, not at the first evaluation
        # the plugin's loader: schema, project-root check for training_data, unique suite names
        self.suites: list[Suite] = load_suites(suites, root=None if root is None else Path(root),
                                               allow_outside=allow_outside_paths)
        if not self.suites:
            raise ForgettingError(f"ForgettingCallback: no suite files in {[str(s) for s in suites]}")
        self.seed = seed
        self.tokenizer = tokenizer
        self.max_new_tokens = max_new_tokens
        self.stop_on_regression = stop_on_regression
        self.patience = patience
        self.batch_size = batch_size
        self.merge_adapters = merge_adapters
        self.evaluate_on = evaluate_on
        self.log_prefix = log_prefix
        self.history: list[SweepRow] = []
        self.recommendation: str = ""
        self.eval_seconds: list[float] = []
        self.comparisons: list[dict[str, SuiteComparison]] = []  # per evaluation, by suite name
        self.verdicts: list[Verdict] = []  # the decider's verdict per evaluation
        self.decisions: list[Decision] = []  # the whole decision per evaluation
        self.stopped_at: int | None = None  # global step at which training was asked to stop
        self.base_runs: dict[str, SuiteRun] | None = None
        self._steps: list[int] = []  # global step of each history row
        self.regressing_streak = 0  # evaluations in a row with a significant guardrail regression
        self._backend: Any = None
        self._last: tuple[str, dict[str, SuiteRun]] | None = None  # (adapter weights digest, their runs)
        self.reused: list[int] = []  # global steps whose adapter weights were unchanged: answers reused
        self.base_cache_hits = 0  # base-side answers read from the output cache (a previous training run's)
        self.base_cache_misses = 0
        self.base_seconds = 0.0  # of the first evaluation, spent on the base side
        self.base_cache_note = ""  # why the base side could not go through the cache, if it could not
        self._train_t0: float | None = None

    # -- trainer events -------------------------------------------------------------------
    def on_train_begin(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                       **kwargs: Any) -> None:
        """Refuse a model that is not PEFT, and warn when no event will run the suites, before training starts."""
        self._check_model(kwargs.get("model"))
        self._train_t0 = time.perf_counter()
        on_eval = self.evaluate_on != "save" and args.eval_strategy != "no"
        on_save = self.evaluate_on != "evaluate" and args.save_strategy != "no"
        if not (on_eval or on_save):
            warnings.warn(
                f"ForgettingCallback(evaluate_on={self.evaluate_on!r}) will never run: eval_strategy is "
                f"{getattr(args.eval_strategy, 'value', args.eval_strategy)!r} and save_strategy is "
                f"{getattr(args.save_strategy, 'value', args.save_strategy)!r}; set eval_strategy/eval_steps "
                "(with an eval_dataset) or save_strategy/save_steps", stacklevel=2)
        else:
            self._check_tokenizer(kwargs.get("processing_class"))

    def on_evaluate(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                    metrics: dict[str, float] | None = None, **kwargs: Any) -> None:
        """Run the suites at an evaluation and add their metrics to the trainer's."""
        if self.evaluate_on == "save" or state.global_step in self._steps:
            return
        logs = self._evaluate(f"step-{state.global_step}", state, control, kwargs)
        if metrics is not None:
            metrics.update(logs)  # also returned by trainer.evaluate()

    def on_save(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                **kwargs: Any) -> None:
        """Run the suites on a saved checkpoint (once per step, even when evaluate ran too)."""
        name = f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}"
        if state.global_step in self._steps:  # evaluated at this step already: name the row after the checkpoint
            i = self._steps.index(state.global_step)
            self.history[i] = dataclasses.replace(self.history[i], checkpoint=name)
        elif self.evaluate_on != "evaluate":
            self._evaluate(name, state, control, kwargs)

    def on_train_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                     **kwargs: Any) -> None:
        """Recommend a checkpoint from the sweep and print the table."""
        self.history, self.recommendation = recommend(self.history)
        if state.is_world_process_zero and self.history:
            print(f"\n{self.log_prefix}: checkpoint sweep\n{self.table()}")
            hint = self.cadence_hint(state.global_step)
            if hint:
                print(f"{self.log_prefix}: {hint}")

    # -- results --------------------------------------------------------------------------
    def table(self) -> str:
        """The sweep table (as ``pytest --adapter=... --forgetting-compare-base`` prints it) and the recommendation."""
        lines = sweep_table([r.to_json() for r in self.history]) if self.history else []
        return "\n".join(lines + [self.recommendation or recommend(self.history)[1]])

    def training_seconds(self) -> float | None:
        """Wall time since train start, less this callback's evaluations (None before train start)."""
        if self._train_t0 is None:
            return None
        return max(0.0, time.perf_counter() - self._train_t0 - sum(self.eval_seconds))

    def cadence_hint(self, steps: int, budget: float = MAX_EVAL_FRACTION) -> str:
        """What the evaluations cost against training, and the step interval that keeps them under ``budget``.

        The base side is paid once; each later evaluation costs one adapter pass (``later``), so
        evaluating every ``k`` steps of ``t`` seconds costs about ``later / (k * t)`` of training.
        After a single evaluation ``later`` is that evaluation less its base side (read from the
        output cache or answered), not a guess.
        """
        train = self.training_seconds()
        if not self.eval_seconds or not train or steps <= 0:
            return ""
        spent = sum(self.eval_seconds)
        later = sorted(self.eval_seconds[1:])[len(self.eval_seconds[1:]) // 2] if len(self.eval_seconds) > 1 \
            else max(0.0, self.eval_seconds[0] - self.base_seconds)
        per_step = train / steps
        every = max(1, -(-later // (budget * per_step)))
        return (f"evaluations took {spent:.0f}s for {train:.0f}s of training ({spent / train:.2f} of it); "
                f"{later:.1f}s per evaluation after the first, {per_step:.2f}s per training step: evaluate "
                f"every {every:.0f} steps or more to keep evaluation under {budget:.2f} of training time")

    # -- the work -------------------------------------------------------------------------
    def _check_model(self, model: Any) -> None:
        from peft import PeftModel

        if not isinstance(model, PeftModel):
            raise ForgettingError(
                f"ForgettingCallback needs a PEFT model (LoRA or another adapter), got {type(model).__name__}: "
                "the base model it compares against is the same model with the adapter disabled.\n"
                "  fix: wrap the model with peft.get_peft_model(...) (or pass peft_config= to SFTTrainer)."
            )

    def _tokenizer(self, processing_class: Any) -> Any:
        tok = self.tokenizer if self.tokenizer is not None else processing_class
        return getattr(tok, "tokenizer", tok)  # a multimodal processor carries its tokenizer

    def _check_tokenizer(self, processing_class: Any) -> Any:
        """The tokenizer evaluations will use; checked at train start, not at the first evaluation
        minutes later: no tokenizer, no evaluation."""
        tok = self._tokenizer(processing_class)
        if tok is None or not callable(getattr(tok, "decode", None)):
            got = "none" if tok is None else f"a {type(tok).__name__}, which is not a tokenizer"
            raise ForgettingError(
                f"ForgettingCallback needs the model's tokenizer to write prompts and read answers; it got {got}.\n"
                "  fix: pass ForgettingCallback(..., tokenizer=tokenizer), or give the Trainer "
                "processing_class=tokenizer (SFTTrainer loads it for you when model is a name)."
            )
        return tok

    def _evaluate(self, checkpoint: str, state: TrainerState, control: TrainerControl,
                  kwargs: dict[str, Any]) -> dict[str, float]:
        model: Any = kwargs.get("model")
        self._check_model(model)
        t0 = time.perf_counter()
        backend = self._backend_for(model, kwargs.get("processing_class"))
        adapter = backend.adapters[0]
        digest = adapter_digest(model, adapter)
        if self.base_runs is not None and self._last is not None and self._last[0] == digest:
            evaluation = self.compare(self._last[1])  # unchanged weights: same answers
            self.reused.append(state.global_step)
        else:
            evaluation = self._answer(model, backend, adapter)
        current = {s.name: evaluation.runs[(s.name, adapter)] for s in self.suites}
        self._last = (digest, current)
        seconds = time.perf_counter() - t0
        row = self.record(checkpoint, state.global_step, evaluation, seconds)
        if self.stop_on_regression and self.regressing_streak >= self.patience and not control.should_training_stop:
            control.should_training_stop = True
            self.stopped_at = state.global_step
            if state.is_world_process_zero:
                print(f"{self.log_prefix}: stopping at step {state.global_step}: guardrail regression at "
                      f"{self.regressing_streak} evaluation(s) in a row ({', '.join(row.regressed)})")
        logs = self._log_values(current, seconds)
        epoch = {} if state.epoch is None else {"epoch": state.epoch}
        state.log_history.append({**logs, **epoch, "step": state.global_step})
        return logs

    def _answer(self, model: Any, backend: Any, adapter: str) -> Evaluation:
        """Evaluate the adapter (answering the base the first time), leaving training's state as it was."""
        import torch

        # PEFT's set_adapter re-enables gradients on the whole adapter: put back exactly what training had
        modes = [(m, m.training) for m in model.modules()]
        grads = [(p, p.requires_grad) for p in model.parameters()]
        devices = [model.device] if getattr(model.device, "type", "cpu") == "cuda" else []
        model.eval()
        try:
            with torch.no_grad(), torch.random.fork_rng(devices=devices):
                if self.base_runs is None:
                    t0 = time.perf_counter()
                    work = [(s, s.cases) for s in self.suites]
                    runs = self._answer_base(model, backend, adapter, work)
                    self.base_runs = {s.name: runs[(s.name, None)] for s in self.suites}
                    self.base_seconds = time.perf_counter() - t0  # hashing the base included: paid once
                # each side's batches hold only its own requests, so answering the sides apart changes nothing
                return self.compare({}, adapter, backend)
        finally:
            for m, was_training in modes:
                m.training = was_training
            for p, needed_grad in grads:
                p.requires_grad_(needed_grad)

    def _backend_for(self, model: Any, processing_class: Any) -> Any:
        from .model.hf import HFBackend

        if self._backend is None or self._backend.model is not model:
            tok = self._check_tokenizer(processing_class)
            active = model.active_adapter
            active = [active] if isinstance(active, str) else list(active)
            if len(active) != 1:
                raise ForgettingError(f"ForgettingCallback evaluates one adapter; the model has {active} active")
            self._backend = HFBackend.from_loaded(model, tok, adapter_name=active[0], batch_size=self.batch_size,
                                                  merge_adapters=self.merge_adapters)
        return self._backend

    def _answer_base(self, model: Any, backend: Any, adapter: str,
                     work: list[tuple[Suite, Any]]) -> dict[tuple[str, Side], SuiteRun]:
        """The base side, through the output cache when it is on and the base can be fingerprinted as it
        is in memory (only base requests ever go through it: the in-memory adapter has no identity)."""
        from .model.cache import CachingBackend

        answerer: Any = backend
        if self.cache_dir is not None:
            try:
                backend.set_base_fingerprint("live:" + base_digest(model, backend.tokenizer, adapter))
                answerer = CachingBackend(backend, self.cache_dir / "outputs", self.cache)
            except NoFingerprint as why:
                self.base_cache_note = f"base side not cached: {why}"
        runs = run_suites(answerer, work, [None], self.max_new_tokens)
        if isinstance(answerer, CachingBackend):
            self.base_cache_hits, self.base_cache_misses = answerer.hits, answerer.misses
        return runs

    def compare(self, current: dict[str, SuiteRun], side: Side = None, backend: Any = None) -> Evaluation:
        """The plugin's road on the adapter's runs: :func:`~pytest_forgetting.run.evaluate.evaluate` against
        the base run (the reference rule, paired statistics, the decider). ``current``: the adapter's
        runs by suite, already answered (else ``backend`` answers ``side``)."""
        if self.base_runs is None:
            raise ForgettingError("no base run yet: the first evaluation computes it")
        side = next(iter(current.values())).adapter if current else side
        answered: dict[tuple[str, Side], SuiteRun] = {(n, None): r for n, r in self.base_runs.items()}
        answered.update({(n, side): r for n, r in current.items()})
        selections = [Selection.whole(s) for s in self.suites if backend is not None or s.name in current]
        evaluation = evaluate(selections, backend, [side], live_base=True, max_new_tokens=self.max_new_tokens,
                              seed=self.seed, reference_label=REFERENCE_LABEL, answered=answered)
        if evaluation.compared.errors:
            raise ForgettingError("; ".join(f"{n}: {e}" for n, e in evaluation.compared.errors.items()))
        return evaluation

    def record(self, checkpoint: str, step: int, evaluation: Evaluation, seconds: float) -> SweepRow:
        """Book one evaluation: the decider's verdict, its sweep row (as the plugin's sweep prints it) and cost."""
        (side,) = evaluation.candidates
        decision = evaluation.decision
        comps = {n: c for (n, s), c in evaluation.compared.candidates.items() if s == side}
        (row,) = sweep_rows([side], decision, evaluation.compared.candidates, evaluation.runs, {side: checkpoint})
        self.history.append(row)
        self.verdicts.append(decision.verdicts[0])
        self.decisions.append(decision)
        self._steps.append(step)
        self.comparisons.append(comps)
        self.eval_seconds.append(seconds)
        # the early stop reads the decision: a guardrail metric it marked regressed
        self.regressing_streak = self.regressing_streak + 1 if decision.regressed_guardrails(side) else 0
        return row

    def _log_values(self, current: dict[str, SuiteRun], seconds: float) -> dict[str, float]:
        p = self.log_prefix
        logs = {f"{p}/{name}/{m}": float(v.value)
                for name, run in current.items() for m, v in run.metrics.items() if v.value is not None}
        logs[f"{p}/eval_seconds"] = round(seconds, 3)
        return logs

