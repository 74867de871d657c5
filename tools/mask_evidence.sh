#!/usr/bin/env bash
# The mask-tuning evidence of docs/masks.md: zero-shot, AMT and R-AMT on the small CLIP over the
# synthetic tasks, seeds 1-3, 16-shot and base-to-new. Runs land in checkpoints/evidence-masks/
# (a finished run is skipped when the script runs again); tools/mask_evidence.py makes the tables.
# Usage: tools/mask_evidence.sh [16shot|base2new|lr|all]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=checkpoints/evidence-masks
launcher="${TFPEFT:-tools/tfpeft}"
which="${1:-all}"
seeds="1 2 3"
fewshot_tasks="shape texture count position orientation distance"
b2n_tasks="shape count position orientation"

# run CONFIG NAME [--set ...]
source tools/evidence_run.sh

want() { [ "$which" = all ] || [ "$which" = "$1" ]; }

mkdir -p "$out/logs"
# zero-shot does not depend on the seed; the trained runs go seed by seed, so an interrupted
# evidence run leaves whole seeds
if want 16shot; then
  for task in $fewshot_tasks; do
    run configs/clip_small_ramt_16shot.pbtxt "zs-$task" \
      --set data.synthetic.task="$task" --set 'method.zero_shot={}'
  done
fi
if want base2new; then
  for task in $b2n_tasks; do
    run configs/clip_small_ramt_base2new.pbtxt "b2n-zs-$task" \
      --set data.synthetic.task="$task" --set 'method.zero_shot={}'
  done
fi
for seed in $seeds; do
  if want 16shot; then
    for task in $fewshot_tasks; do
      run configs/clip_small_amt_16shot.pbtxt "amt-$task-s$seed" \
        --set data.synthetic.task="$task" --set seed="$seed"
      run configs/clip_small_ramt_16shot.pbtxt "ramt-$task-s$seed" \
        --set data.synthetic.task="$task" --set seed="$seed"
    done
  fi
  if want base2new; then
    for task in $b2n_tasks; do
      run configs/clip_small_ramt_base2new.pbtxt "b2n-amt-$task-s$seed" \
        --set data.synthetic.task="$task" --set seed="$seed" \
        --set method.mask.gradient_dropout=false
      run configs/clip_small_ramt_base2new.pbtxt "b2n-ramt-$task-s$seed" \
        --set data.synthetic.task="$task" --set seed="$seed"
    done
  fi
done
# the learning-rate sensitivity: R-AMT at other rates, seed 1
if want lr; then
  for task in count orientation; do
    for lr in 1e-4 1.5e-4 3e-4; do
      run configs/clip_small_ramt_16shot.pbtxt "lr$lr-ramt-$task-s1" \
        --set data.synthetic.task="$task" --set training.learning_rate="$lr"
    done
  done
fi
