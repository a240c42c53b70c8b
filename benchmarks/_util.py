"""Shared helpers for the benchmarks: load gating, timing, subprocess measurement, suites, RESULTS.md.

Nothing here changes the plugin; it only drives it (and its competitors) and times them.
"""
from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "example_suite"
RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
DEFAULT_CACHE = Path(os.environ.get("PYTEST_FORGETTING_CACHE_DIR", "/tmp/pfcache"))


# -- the machine ----------------------------------------------------------------------
def load_average() -> float:
    return os.getloadavg()[0]


def wait_for_quiet(max_load: float, max_wait_s: float, log: Callable[[str], None] = print) -> tuple[bool, float]:
    """Poll the 1-minute load average until it is below ``max_load``; returns (quiet, load)."""
    t0 = time.monotonic()
    load = load_average()
    announced = False
    while load >= max_load and time.monotonic() - t0 < max_wait_s:
        if not announced:
            log(f"  load average {load:.2f} >= {max_load}: waiting up to {max_wait_s:.0f}s for a quiet machine...")
            announced = True
        time.sleep(10)
        load = load_average()
    return load < max_load, load


def machine_info() -> dict[str, Any]:
    import torch
    import transformers

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info: dict[str, Any] = {
        "nproc": os.cpu_count(), "cpu": cpu, "ram_gib": ram_gib, "python": platform.python_version(),
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "transformers": transformers.__version__,
    }
    for pkg in ("peft", "lm_eval"):
        try:
            from importlib.metadata import version

            info[pkg] = version(pkg.replace("_", "-"))
        except Exception:  # noqa: BLE001
            info[pkg] = None
    return info


# -- statistics -----------------------------------------------------------------------
def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def spread(xs: Sequence[float]) -> str:
    return "/".join(f"{x:.2f}" for x in xs)


# -- subprocesses ---------------------------------------------------------------------
_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t0 = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], 'wb'), stderr=subprocess.STDOUT)\n"
    "wall = time.perf_counter() - t0\n"
    "print(p.returncode, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def measure_process(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None,
                    ok_codes: Sequence[int] = (0,), timeout: float = 900) -> dict[str, Any]:
    """Run ``cmd`` in a fresh wrapper; wall time and peak RSS (KiB -> MiB) of the command alone.

    The wrapper is a new process each time, so RUSAGE_CHILDREN holds exactly this command's peak.
    """
    fd, log = tempfile.mkstemp(prefix="pfbench-", suffix=".log")
    os.close(fd)
    full_env = {**os.environ, **(env or {})}
    res = subprocess.run([sys.executable, "-c", _WRAPPER, log, *cmd], capture_output=True, text=True,
                         env=full_env, cwd=str(cwd or REPO), timeout=timeout)
    out = Path(log).read_text("utf-8", errors="replace")
    os.unlink(log)
    try:
        rc_s, wall_s, rss_s = res.stdout.split()[-3:]
    except ValueError:
        raise RuntimeError(f"wrapper failed: {res.stderr[-2000:]}") from None
    rc = int(rc_s)
    if rc not in ok_codes:
        raise RuntimeError(f"{' '.join(cmd)} exited {rc}:\n{out[-3000:]}")
    return {"wall_s": float(wall_s), "peak_rss_mib": int(rss_s) / 1024, "rc": rc, "output": out}


def bench_env(cache_dir: Path) -> dict[str, str]:
    """Offline, quiet, the converted model found in ``cache_dir``."""
    return {
        "PYTEST_FORGETTING_CACHE_DIR": str(cache_dir), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "PYTHONWARNINGS": "ignore",
        "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }


def cache_dir_with_model(model_cache: Path) -> Path:
    """A fresh cache dir whose ``models/`` links to the already converted model (outputs/ empty)."""
    d = Path(tempfile.mkdtemp(prefix="pfbench-cache-"))
    (d / "models").symlink_to((model_cache / "models").resolve(), target_is_directory=True)
    return d


def clear_outputs(cache_dir: Path) -> None:
    shutil.rmtree(cache_dir / "outputs", ignore_errors=True)


# -- suites and requests -------------------------------------------------------------
def example_suites(names: Sequence[str] | None = None) -> list[Any]:
    from pytest_forgetting.suite.cases import load_suite

    files = sorted(EXAMPLE.glob("*.forgetting.yaml"))
    suites = [load_suite(f, root=REPO) for f in files]
    return [s for s in suites if names is None or s.name in names]


def suite_requests(suites: Sequence[Any], adapter: str | None = None, default_tokens: int = 64) -> tuple[list[Any], list[Any]]:
    """(generate requests, loglikelihood requests) of ``suites`` for one side, de-duplicated like run_suites."""
    from pytest_forgetting.run.execute import effective_case
    from pytest_forgetting.model.protocol import GenerateRequest
    from pytest_forgetting.scoring import family

    gen: dict[Any, None] = {}
    ll: dict[Any, None] = {}
    for suite in suites:
        fam = family(suite.family)
        for case in suite.cases:
            for r in fam.requests(suite, effective_case(case, default_tokens), adapter):
                (gen if isinstance(r, GenerateRequest) else ll).setdefault(r, None)
    return list(gen), list(ll)


def make_backend(model_cache: Path, adapters: Sequence[str] = (), batch_size: int | None = None) -> Any:
    from pytest_forgetting.model.hf import HFBackend
    from pytest_forgetting.model.settings import ModelSettings

    return HFBackend(ModelSettings(model=None, adapters=tuple(adapters), device="cpu", batch_size=batch_size,
                                   cache_dir=model_cache))


def dev_adapter(model_dir: Path) -> Path:
    """A random LoRA (r=8 on q/k/v/o) in a temp dir, for when the example adapters are not trained yet."""
    out = Path(tempfile.gettempdir()) / "pfbench-dev-lora"
    if (out / "adapter_model.safetensors").is_file():
        return out
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    torch.manual_seed(0)
    cfg = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                     lora_dropout=0.0, task_type="CAUSAL_LM", init_lora_weights=False)
    pm = get_peft_model(model, cfg)
    for n, p in pm.named_parameters():
        if "lora_B" in n:
            p.data.mul_(0.01)
    pm.save_pretrained(str(out))
    (out / "README.md").unlink(missing_ok=True)
    return out


def pick_adapter(model_dir: Path, which: str = "narrow") -> tuple[Path, str]:
    trained = EXAMPLE / "adapters" / which
    if (trained / "adapter_model.safetensors").is_file():
        return trained, f"example_suite/adapters/{which}"
    return dev_adapter(model_dir), "random LoRA r=8 q/k/v/o (example adapters not trained yet)"


# -- profiles -------------------------------------------------------------------------
def profile_top(fn: Callable[[], Any], n: int = 15) -> str:
    """cProfile ``fn``; the top ``n`` entries by cumulative time, as text."""
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    try:
        fn()
    finally:
        prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime").print_stats(n)
    text = buf.getvalue()
    start = text.find("   ncalls")
    return text[start:].rstrip() if start != -1 else text


# -- RESULTS.md ---------------------------------------------------------------------------
def replace_block(name: str, body: str, path: Path = RESULTS_MD) -> None:
    """Replace ``<!-- name:begin -->...<!-- name:end -->`` in RESULTS.md (append the block if absent)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text("utf-8") if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, "utf-8")


def append_to_block(name: str, line: str, header: str, path: Path = RESULTS_MD) -> None:
    """Append a row to a block (creating it with ``header`` first)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text("utf-8") if path.exists() else "# Benchmark results\n"
    if begin not in text:
        replace_block(name, header.rstrip() + "\n" + line, path)
        return
    inner = text.split(begin, 1)[1].split(end, 1)[0].strip("\n")
    replace_block(name, inner + "\n" + line, path)


def dump_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n", "utf-8")
