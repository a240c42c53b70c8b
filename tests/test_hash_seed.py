"""Same outcomes, any PYTHONHASHSEED: byte-identical statistics (issue 17).

A float sum over a ``set`` follows the string hash order, which changes with
PYTHONHASHSEED; on a paired bootstrap that moves deltas of "exactly zero" by
one ulp to either side of 0 and so moves p-values (label_tvd showed 0.086,
0.0999, 0.1009, 0.1059 on identical cached runs). Each run here is a fresh
interpreter with its own hash seed, scoring canned label predictions with
every label_collapse metric and the other families' metric code paths.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_forgetting
from conftest import LEAN_ARGS, LEAN_ENV

ROOT = Path(pytest_forgetting.__file__).resolve().parent.parent

SCRIPT = r"""
import json, types
import numpy as np
from pytest_forgetting.scoring.base import CaseOutcome
from pytest_forgetting.scoring.label_collapse import LabelCollapse
from pytest_forgetting.stats.comparison import compare_metric, holm_adjust

labels = ["billing", "refund", "shipping", "account", "technical", "other", "complaint"]
rng = np.random.default_rng(4)
n = 37  # odd n: shares like 5/37 are not exact binary fractions, so summation order shows
gold = [labels[int(i)] for i in rng.integers(0, len(labels), size=n)]

def outcomes(flip_share, collapse_to):
    out = {}
    for i, g in enumerate(gold):
        pred = g
        u = rng.random()
        if u < flip_share:
            pred = collapse_to if u < flip_share / 2 else labels[int(rng.integers(0, len(labels)))]
        out[f"case-{i:03d}"] = CaseOutcome(pred == g, pred, "", {"gold": g, "pred": pred})
    return out

suite = types.SimpleNamespace(config={"labels": labels})
base, cur = outcomes(0.3, "other"), outcomes(0.45, "billing")
rows = [compare_metric(spec, base, cur, n_resamples=1500, seed=3).to_json()
        for spec in LabelCollapse().metrics(suite)]
adjusted = holm_adjust({r["metric"]: r["p_value"] for r in rows})
# Full-precision metric values too, on many subsamples: the rounded record could hide a last-bit difference.
pick = np.random.default_rng(9)
samples = [list(side.values()) for side in (base, cur)]
samples += [[samples[1][int(i)] for i in pick.integers(0, n, size=int(pick.integers(3, n)))] for _ in range(300)]
raw = [repr(spec.compute(sample)) for spec in LabelCollapse().metrics(suite) for sample in samples]
print(json.dumps({"rows": rows, "holm": adjusted, "raw": raw}, allow_nan=False))
"""


def run_with_hash_seed(seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


@pytest.mark.parametrize("seeds", [("0", "1", "2", "12345")])
def test_label_collapse_statistics_do_not_depend_on_hash_seed(seeds: tuple[str, ...]) -> None:
    outputs = [run_with_hash_seed(s) for s in seeds]
    assert b"label_tvd" in outputs[0] and b"min_detectable_change" in outputs[0]
    for seed, out in zip(seeds[1:], outputs[1:]):
        assert out == outputs[0], f"PYTHONHASHSEED={seed} gave different statistics than PYTHONHASHSEED={seeds[0]}"


CONFTEST = r'''
import zlib
import pytest
from pytest_forgetting.model.protocol import ModelIdentity


class Canned:
    """Log-likelihoods from a CRC of the request: fixed across processes and hash seeds, no model."""

    adapters = ("cand",)

    def identity(self, adapter=None):
        return ModelIdentity("canned", "0", adapter)

    def loglikelihood(self, requests):
        out = []
        for r in requests:
            score = -(zlib.crc32(f"{r.adapter}|{r.prompt.user_text}|{r.continuation}".encode()) % 1000) / 100.0
            if r.adapter == "cand" and r.continuation.strip() in ("billing", "other"):
                score += 2.5  # the candidate drifts toward two labels
            out.append(score)
        return out

    def generate(self, requests):
        return ["billing" for _ in requests]


@pytest.fixture(scope="session")
def forgetting_model():
    return Canned()
'''

LABELS = ["billing", "refund", "shipping", "account", "technical", "other", "complaint"]


def label_suite(n: int = 37) -> str:
    lines = ["suite: tickets", "family: label_collapse", "role: guardrail", "chat: true",
             f"labels: [{', '.join(LABELS)}]", "scoring: loglikelihood", "cases:"]
    for i in range(n):
        lines.append(f"  - {{id: t{i:03d}, prompt: 'Ticket {i}: which queue?', label: {LABELS[(i * 5) % len(LABELS)]}}}")
    return "\n".join(lines) + "\n"


def test_full_run_records_do_not_depend_on_hash_seed(tmp_path: Path) -> None:
    """A real pytest run (canned backend, live base-vs-adapter comparison): same JSON record under any hash seed."""
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (tmp_path / "tickets.forgetting.yaml").write_text(label_suite(), encoding="utf-8")
    records = []
    for seed in ("0", "7", "4242"):
        out = tmp_path / f"record-{seed}.json"
        env = {**os.environ, **LEAN_ENV, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", *LEAN_ARGS, "-q", "-p", "no:cacheprovider", "--adapter", "cand", "--forgetting-compare-base",
             "--forgetting-cache=off", f"--forgetting-report={out}"],
            cwd=tmp_path, env=env, capture_output=True, timeout=600,
        )
        assert out.exists(), proc.stdout.decode()[-3000:] + proc.stderr.decode()[-3000:]
        record = json.loads(out.read_text(encoding="utf-8"))
        record.pop("created_at", None)
        record.pop("timings", None)
        records.append(json.dumps(record, ensure_ascii=False, indent=1))  # key order kept: it must match too
    assert '"label_tvd"' in records[0] and '"live-base"' in records[0]
    assert records[1] == records[0] and records[2] == records[0]
