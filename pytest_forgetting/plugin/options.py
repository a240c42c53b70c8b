"""Command-line options (each also settable in ``[tool.pytest.ini_options]``) -> ``RunSettings``.

Values are validated while parsing, like pytest-benchmark does, so a typo in
``--forgetting-batch-size`` fails at once with the bad value quoted.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest

from ..model.embedded import EMBEDDED_NAME
from ..model.settings import BACKENDS, ModelSettings
from ..text import DEFAULT_STORED_CHARS


def _batch_size(value: str) -> int | None:
    if value in ("auto", "", None):
        return None
    try:
        return _positive(value)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"--forgetting-batch-size must be a positive integer or 'auto', got {value!r}") from None


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


def _choice(*choices: str):  # type: ignore[no-untyped-def]
    def parse(value: str) -> str:
        if value not in choices:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(choices)}; got {value!r}")
        return value

    return parse


# (dest, flag, help, argparse kwargs); the ini name is the dest. Every dest and every flag but the two users
# type most (--model, --adapter) carry the forgetting prefix, so no other plugin's option can clash (issue 21).
_OPTIONS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("forgetting_model", "--model", f"model directory, a hub id already in the local cache, or '{EMBEDDED_NAME}' (default: the embedded model)", {}),
    ("forgetting_adapter", "--adapter", "PEFT adapter directory; repeat or use a glob (runs/checkpoint-*) to sweep checkpoints", {"action": "append"}),
    ("forgetting_device", "--forgetting-device", "auto, cpu, cuda or mps (default auto)", {"type": _choice("auto", "cpu", "cuda", "mps")}),
    ("forgetting_dtype", "--forgetting-dtype", "auto, float32, bfloat16 or float16 (default auto)", {"type": _choice("auto", "float32", "bfloat16", "float16")}),
    ("forgetting_batch_size", "--forgetting-batch-size", "rows per batch, or 'auto' (default); part of the baseline identity", {"type": _batch_size}),
    ("forgetting_max_new_tokens", "--forgetting-max-new-tokens", "default max new tokens for cases that set none (default 64)", {"type": _positive}),
    ("forgetting_update", "--forgetting-update", "record baselines for the suites and cases that ran", {"action": "store_true"}),
    ("forgetting_reason", "--forgetting-reason", "why this baseline was recorded (stored in the file)", {}),
    ("forgetting_report", "--forgetting-report", "write the JSON report to this path", {}),
    ("forgetting_markdown", "--forgetting-markdown", "write a Markdown summary to this path (CI job summary, PR comment)", {}),
    ("forgetting_html", "--forgetting-html", "write a self-contained HTML report to this path", {}),
    ("forgetting_compare_base", "--forgetting-compare-base", "also run every suite with the adapter disabled and compare against it", {"action": "store_true"}),
    ("forgetting_strict", "--forgetting-strict", "fail on any pass->fail flip and on inconclusive guardrails, not only on significant regressions", {"action": "store_true"}),
    ("forgetting_absolute", "--forgetting-absolute", "judge each case by its own expectation; no baseline needed", {"action": "store_true"}),
    ("forgetting_cache", "--forgetting-cache", "output cache: on (default), off or readonly", {"type": _choice("on", "off", "readonly")}),
    ("forgetting_cache_dir", "--forgetting-cache-dir", "where converted models and cached outputs live (default: user cache dir; env PYTEST_FORGETTING_CACHE_DIR)", {}),
    ("forgetting_clear_cache", "--forgetting-clear-cache", "delete cached outputs before running", {"action": "store_true"}),
    ("forgetting_routing", "--forgetting-routing", "write per-workflow routing recommendations (YAML) to this path", {}),
    ("forgetting_export_anchors", "--forgetting-export-anchors", "write the cases of regressed guardrail suites as chat JSONL to train on (gold labels, complete base answers, one row per case)", {}),
    ("forgetting_allow_pickle", "--forgetting-allow-pickle", "allow pickle (.bin) weights; they can run code when loaded", {"action": "store_true"}),
    ("forgetting_trust_remote_code", "--forgetting-trust-remote-code", "let transformers run model code shipped with the model", {"action": "store_true"}),
    ("forgetting_allow_outside_paths", "--forgetting-allow-outside-paths", "allow suite files to read training_data outside the project root", {"action": "store_true"}),
    ("forgetting_allow_code", "--forgetting-allow-code", "let suite files name Python code to import (refusal_classifier: 'pkg.mod:fn')", {"action": "store_true"}),
    ("forgetting_backend", "--forgetting-backend", "transformers (default, in-process) or openai (an OpenAI-compatible server: vLLM, llama.cpp)", {"type": _choice(*BACKENDS)}),
    ("forgetting_base_url", "--forgetting-base-url", "server URL for --forgetting-backend=openai, e.g. http://127.0.0.1:8000/v1 (API key from $OPENAI_API_KEY)", {}),
    ("forgetting_max_concurrency", "--forgetting-max-concurrency", "requests in flight at once for --forgetting-backend=openai (default 8)", {"type": _positive}),
    ("forgetting_request_timeout", "--forgetting-request-timeout", "seconds per request for --forgetting-backend=openai (default 120)", {"type": _positive}),
    ("forgetting_seed", "--forgetting-seed", "seed for the statistics' resampling (default 0)", {"type": int}),
    ("forgetting_plan", "--forgetting-plan", "print each selected suite's cases, the smallest drop it can detect and the cases the declared drop needs; load no model, run nothing (with --forgetting-strict: exit 1 when a guardrail is underpowered)", {"action": "store_true"}),
    ("forgetting_max_stored_chars", "--forgetting-max-stored-chars", f"store at most this many characters of each answer in baselines and reports; the whole answer is still scored (default {DEFAULT_STORED_CHARS:,})", {"type": _positive}),
    ("forgetting_allow_other_model", "--forgetting-allow-other-model", "compare with baselines recorded on another model or with other settings (dtype, device, batch size, generation); the report says so", {"action": "store_true"}),
    ("forgetting_merge_adapters", "--forgetting-merge-adapters", "answer adapter sides with the LoRA merged into the base weights (faster; outputs may differ by float rounding)", {"action": "store_true"}),
]


def add_options(parser: pytest.Parser) -> None:
    """Add every option and its ini twin, validated while parsing so a typo fails at once."""
    group = parser.getgroup("forgetting", "catastrophic-forgetting checks (pytest-forgetting)")
    for dest, flag, help_, kw in _OPTIONS:
        if kw.get("action") != "store_true":  # --model=MODEL, --forgetting-batch-size=BATCH_SIZE
            kw = {"metavar": flag.lstrip("-").removeprefix("forgetting-").replace("-", "_").upper(), **kw}
        group.addoption(flag, dest=dest, default=None, help=help_, **kw)
        ini_type: Literal["linelist", "bool", "string"] = "linelist" if kw.get("action") == "append" else ("bool" if kw.get("action") == "store_true" else "string")
        parser.addini(dest, help_, type=ini_type, default=None)


def _get(config: pytest.Config, dest: str) -> Any:
    value = config.getoption(dest)
    if value not in (None, False, []):
        return value
    ini_name = dest
    ini = config.getini(ini_name)
    if ini in (None, "", []):
        return value
    for d, _flag, _h, kw in _OPTIONS:
        if d == dest and "type" in kw:
            try:
                return kw["type"](ini)
            except argparse.ArgumentTypeError as exc:
                raise pytest.UsageError(f"ini option {ini_name}: {exc}") from None
    return ini


@dataclass(frozen=True)
class RunSettings:
    """The run's settings, frozen at configure time; what the model layer needs is one :class:`ModelSettings`."""

    model: ModelSettings = field(default_factory=ModelSettings)  # handed to the backend whole
    max_new_tokens: int = 64
    update: bool = False
    reason: str | None = None
    report_json: Path | None = None
    report_markdown: Path | None = None
    report_html: Path | None = None
    compare_base: bool = False
    strict: bool = False
    absolute: bool = False
    cache: str = "on"
    clear_cache: bool = False
    routing: Path | None = None
    export_anchors: Path | None = None
    allow_outside_paths: bool = False
    allow_code: bool = False
    seed: int = 0
    plan: bool = False
    max_stored_chars: int = DEFAULT_STORED_CHARS
    allow_other_model: bool = False
    rootdir: Path = field(default_factory=Path.cwd)


def expand_adapters(values: list[str] | None, rootdir: Path) -> tuple[str, ...]:
    """Expand globs (sorted by trailing step number) and keep the user's order otherwise.

    The same directory under two spellings (``./a``, ``a/``, absolute, via a symlink) is one
    candidate: paths are resolved to find duplicates, and the first spelling is kept for display.
    """
    import glob
    import re

    out: list[str] = []
    for v in values or []:
        if any(ch in v for ch in "*?["):
            hits = sorted(glob.glob(v), key=lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p)])
            if not hits:
                raise pytest.UsageError(f"--adapter {v}: the glob matches nothing")
            out.extend(hits)
        else:
            out.append(v)
    seen: dict[str, str] = {}
    for v in out:
        try:
            key = str(Path(v).expanduser().resolve())
        except (OSError, RuntimeError):
            key = v
        seen.setdefault(key, v)
    return tuple(seen.values())


_OUTPUT_FILES = (("report_json", "--forgetting-report"), ("report_markdown", "--forgetting-markdown"),
                 ("report_html", "--forgetting-html"), ("routing", "--forgetting-routing"),
                 ("export_anchors", "--forgetting-export-anchors"))


def output_path_problem(path: Path) -> str | None:
    """Why the plugin must not write a report to ``path`` (it would destroy input, or cannot work)."""

    from ..records.baseline import BASELINE_DIR
    from ..suite.cases import is_suite_file

    if path.is_symlink():  # a link is never replaced by a file, nor written through (it may point anywhere)
        return f"it is a symbolic link (to {os.readlink(path)}); the report would replace the link or write where it points"
    link = link_problem(path)
    if link:
        return link
    if path.is_dir():
        return "it is a directory"
    if is_suite_file(path):
        return "it is a suite file, which the report would overwrite"
    if path.parent.name == BASELINE_DIR or path.resolve().parent.name == BASELINE_DIR:
        return f"it is in {BASELINE_DIR}/, where baselines live; the report would overwrite one"
    if path.name in ("pyproject.toml", "setup.py", "setup.cfg", "pytest.ini", "tox.ini", "conftest.py"):
        return "it is a project file, which the report would overwrite"
    if path.exists():
        if not path.is_file():
            return "it is not a regular file"
        try:
            with path.open("rb") as fh:
                head = fh.read(256)
        except OSError:
            head = b""
        if b'"format_version"' in head and b'"suites"' in head:
            return "it is a pytest-forgetting baseline, which the report would overwrite"
        if not os.access(path, os.W_OK):
            return "the file is not writable"
        return None
    parent = path.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{parent} is not writable"
    return None


def link_problem(path: Path) -> str | None:
    """Why ``path`` cannot be followed: a symbolic-link loop, or too many links (``None`` when it can)."""
    try:
        path.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop, before Python 3.13
        return f"it cannot be resolved ({getattr(exc, 'strerror', None) or exc}; a symbolic link that points at itself?)"
    return None


def _check_model_paths(s: "RunSettings") -> None:
    """Model and adapter paths that are links: a loop or a dangling link names the path, before any model work."""
    m = s.model
    for flag, values in (("--model", [m.model] if m.model else []), ("--adapter", list(m.adapters)),
                         ("--forgetting-cache-dir", [str(m.cache_dir)] if m.cache_dir else [])):
        for value in values:
            path = Path(value).expanduser()
            problem = link_problem(path)
            if problem is None and path.is_symlink() and not path.exists():
                problem = f"it is a symbolic link to {os.readlink(path)}, which does not exist"
            if problem:
                raise pytest.UsageError(f"{flag}={value}: {problem}.\n  fix: point {flag} at the real directory")


def _check_outputs(s: "RunSettings") -> None:
    """Refuse bad report paths at configure time, before any model work, naming the option."""
    seen: dict[Path, str] = {}
    for attr, flag in _OUTPUT_FILES:
        path = getattr(s, attr)
        if path is None:
            continue
        problem = output_path_problem(path)
        if problem:
            raise pytest.UsageError(f"{flag}={path}: {problem}.\n  fix: point {flag} at a new file, e.g. forgetting-report.{'json' if attr == 'report_json' else 'out'}")
        key = path.absolute()
        if key in seen:
            raise pytest.UsageError(f"{flag}={path}: {seen[key]} writes the same file.\n  fix: give each report its own path")
        seen[key] = flag


def _check_cache(config: pytest.Config, s: "RunSettings") -> None:
    from ..errors import ForgettingError
    from ..model.cache import check_cache_dir
    from ..model.embedded import default_cache_dir

    root = s.model.cache_dir or default_cache_dir()
    try:
        check_cache_dir(root)
    except ForgettingError as exc:
        raise pytest.UsageError(str(exc)) from None
    if root.is_dir() and s.cache == "on" and not os.access(root, os.W_OK | os.X_OK):
        config.issue_config_time_warning(pytest.PytestConfigWarning(
            f"pytest-forgetting: the cache dir {root} is not writable, so outputs will not be cached "
            "(pass --forgetting-cache=readonly to say that is intended, or --forgetting-cache-dir a writable folder)"
        ), stacklevel=2)


def _refuse_ini_update(config: pytest.Config) -> None:
    """``forgetting_update`` in an ini file would re-record baselines on every run, so every run passes."""
    try:
        ini = config.getini("forgetting_update")
    except ValueError:
        return
    if ini:
        where = config.inipath or "the ini file"
        raise pytest.UsageError(
            f"{where}: forgetting_update = true would re-record the baselines on every run, so a model that "
            "fails every case still passes.\n  fix: remove forgetting_update from the ini file and pass "
            "--forgetting-update on the command line only when you approve new results."
        )
    if config.getini("forgetting_plan"):  # every run would print the plan, run nothing and pass
        raise pytest.UsageError(
            f"{config.inipath or 'the ini file'}: forgetting_plan = true would make every run print the plan "
            "and run no suite, so a model that fails every case still passes.\n  fix: remove forgetting_plan "
            "from the ini file and pass --forgetting-plan on the command line (e.g. in its own CI step)."
        )


def settings_from_config(config: pytest.Config) -> RunSettings:
    """Read, validate and combine the options; conflicting or unsafe ones are usage errors before collection."""
    _refuse_ini_update(config)

    def path(dest: str) -> Path | None:
        v = _get(config, dest)
        return Path(v) if v else None

    model = ModelSettings(
        model=_get(config, "forgetting_model"),
        adapters=expand_adapters(_get(config, "forgetting_adapter"), Path(config.rootpath)),
        device=_get(config, "forgetting_device") or "auto",
        dtype=_get(config, "forgetting_dtype") or "auto",
        batch_size=_get(config, "forgetting_batch_size"),
        cache_dir=path("forgetting_cache_dir"),
        trust_remote_code=bool(_get(config, "forgetting_trust_remote_code")),
        allow_pickle=bool(_get(config, "forgetting_allow_pickle")),
        merge_adapters=bool(_get(config, "forgetting_merge_adapters")),
        backend=_get(config, "forgetting_backend") or "transformers",
        base_url=_get(config, "forgetting_base_url"),
        max_concurrency=_get(config, "forgetting_max_concurrency") or 8,
        request_timeout=_get(config, "forgetting_request_timeout") or 120,
    )
    s = RunSettings(
        model=model,
        max_new_tokens=_get(config, "forgetting_max_new_tokens") or 64,
        update=bool(config.getoption("forgetting_update")),
        reason=_get(config, "forgetting_reason"),
        report_json=path("forgetting_report"),
        report_markdown=path("forgetting_markdown"),
        report_html=path("forgetting_html"),
        compare_base=bool(_get(config, "forgetting_compare_base")),
        strict=bool(_get(config, "forgetting_strict")),
        absolute=bool(_get(config, "forgetting_absolute")),
        cache=_get(config, "forgetting_cache") or "on",
        clear_cache=bool(_get(config, "forgetting_clear_cache")),
        routing=path("forgetting_routing"),
        export_anchors=path("forgetting_export_anchors"),
        allow_outside_paths=bool(_get(config, "forgetting_allow_outside_paths")),
        allow_code=bool(_get(config, "forgetting_allow_code")),
        seed=int(_get(config, "forgetting_seed") or 0),
        plan=bool(config.getoption("forgetting_plan")),
        max_stored_chars=_get(config, "forgetting_max_stored_chars") or DEFAULT_STORED_CHARS,
        allow_other_model=bool(_get(config, "forgetting_allow_other_model")),
        rootdir=Path(config.rootpath),
    )
    if s.update and len(s.model.adapters) > 1:
        raise pytest.UsageError("--forgetting-update records one model's results: pass at most one --adapter with it")
    if s.plan and s.update:
        raise pytest.UsageError("--forgetting-plan loads no model, so it cannot record a baseline: drop --forgetting-update")
    if s.update and s.absolute:
        raise pytest.UsageError("--forgetting-update and --forgetting-absolute do not go together")
    if s.model.backend == "openai" and not s.model.base_url:
        raise pytest.UsageError("--forgetting-backend=openai needs --forgetting-base-url (e.g. http://127.0.0.1:8000/v1)")
    if s.compare_base and not s.model.adapters:
        raise pytest.UsageError("--forgetting-compare-base needs an --adapter to compare against the base model")
    _check_model_paths(s)
    _check_outputs(s)
    _check_cache(config, s)
    return s


_RENAMED = {f"--{old}": f"--forgetting-{old}" for old in (
    "device", "dtype", "batch-size", "max-new-tokens", "compare-base", "trust-remote-code",
    "backend", "base-url", "max-concurrency", "request-timeout")}


def check_renamed(args: list[str], parser: pytest.Parser) -> None:
    """Name the new spelling of an option from before the ``--forgetting-`` prefix, unless another
    plugin owns that flag now (pytest-playwright's ``--device``): then it is that plugin's option."""
    known: set[str] = set()
    for group in [parser._anonymous, *parser._groups]:
        for opt in group.options:
            known.update(opt.names())
    for arg in args:
        if arg == "--":
            return
        flag = arg.split("=", 1)[0]
        if flag in _RENAMED and flag not in known:
            raise pytest.UsageError(
                f"{flag} is now {_RENAMED[flag]}: every pytest-forgetting option except --model and "
                f"--adapter starts with --forgetting-, so none can clash with another plugin's.\n"
                f"  fix: {_RENAMED[flag]}{arg[len(flag):]}"
            )


def check_space_form(args: list[str], rootdir: Path) -> None:
    """Refuse ``--adapter PATH`` (space form) when PATH exists: pytest decides the rootdir and ini file
    from the command-line paths *before* plugins register their options, so the value was taken for a
    test path and may have moved the rootdir to another project. ``--adapter=PATH`` is safe."""
    flags = {flag for _dest, flag, _help, kw in _OPTIONS if kw.get("action") not in ("store_true",)}
    for flag, value in zip(args, args[1:]):
        if flag in flags and not value.startswith("-") and Path(value).exists():
            raise pytest.UsageError(
                f"{flag} {value}: pytest took {value!r} for a test path while choosing the rootdir "
                f"(it chose {rootdir}), before this plugin could read the option.\n"
                f"  fix: write it with '=': {flag}={value}"
            )
