#!/usr/bin/env bash
# Issue 22's measurements in one go, on a quiet machine (each script records the load it ran under):
#   PYTEST_FORGETTING_CACHE_DIR=/tmp/pfcache bash benchmarks/issue22.sh /tmp/issue22 [LM_EVAL_TARGET_DIR]
# 1. lm-eval base + peft vs the plugin (--forgetting-compare-base unmerged and merged) vs the plugin, one model
# 2. ForgettingCallback on the narrow run at the worked example's cadence (every 6 steps), merged; then three
#    runs sharing one cache: the first training run at one evaluation (every 60 steps), a second, and every 6
# 3. checkpoint sweep N = 1, 2, 4, 8 against separate runs, merged, with where the time goes
set -euo pipefail
out=${1:-/tmp/issue22}
mkdir -p "$out"
py=${PYTHON:-python}
lm=()
if [ -n "${2:-}" ]; then lm=(--lm-eval-path "$2"); fi
date -u; uptime
$py benchmarks/compare.py --only lm_eval --reps 3 --max-wait 5 --no-profile --results-block issue22_lm_eval \
    --json "$out/lm_eval.json" "${lm[@]}" 2>&1 | tee "$out/lm_eval.log"
date -u; uptime
$py benchmarks/callback_cost.py --json "$out/callback.json" --every 6 2>&1 | grep -v "it/s]" | tee "$out/callback.log"
# 2b. the base side across training runs: a first run fills the callback's output cache, later runs read it
rm -rf "$out/cbcache"
for run in cold60:60 warm60:60 warm6:6; do
  $py benchmarks/callback_cost.py --json "$out/callback_${run%%:*}.json" --every "${run##*:}" --cache-dir "$out/cbcache" \
      2>&1 | grep -v "it/s]" | tee "$out/callback_${run%%:*}.log"
done
date -u; uptime
$py benchmarks/sweep_cost.py --merge --max-wait 5 --json "$out/sweep.json" 2>&1 | tee "$out/sweep.log"
date -u; uptime
