"""Ask a refusal judge (an OpenAI-compatible server) the rubric for every labelled corpus row.

    python -m llama_cpp.server --model $(python -c 'from pytest_forgetting.model.embedded import gguf_path;print(gguf_path())') --port 8765 &
    PYTHONPATH=$PWD python benchmarks/refusal_corpus/judge_corpus.py http://127.0.0.1:8765/v1 judge_smollm2.jsonl [dev|test|all]
    PYTHONPATH=$PWD python benchmarks/refusal_corpus/evaluate.py --judge benchmarks/refusal_corpus/judge_smollm2.jsonl [dev|test|all]

Goes through :class:`RefusalJudge` exactly as ``refusal_classifier: judge`` does
(same rubric, greedy settings, cache).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))


def main() -> None:
    from evaluate import load

    from pytest_forgetting.model.openai_backend import OpenAIBackend
    from pytest_forgetting.scoring.refusal_judge import RefusalJudge

    url, out = sys.argv[1], Path(sys.argv[2])
    split = sys.argv[3] if len(sys.argv) > 3 else "all"
    judge = RefusalJudge(OpenAIBackend(url, max_concurrency=1), cache_dir=None)
    rows = [r for r in load(split) if r["text"].strip()]
    t0 = time.time()
    with out.open("w", encoding="utf-8") as f:
        for n, r in enumerate(rows):
            reply, _ = judge.ask(r["text"], r["prompt"])
            f.write(json.dumps({"id": r["id"], "prompt": r["prompt"], "text": r["text"], "reply": reply}) + "\n")
            if n % 50 == 0:
                print(f"{n}/{len(rows)} {time.time() - t0:.0f} s", flush=True)
    print(f"judge: {json.loads(judge.identity)['judge']} {len(rows)} rows in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
