#!/usr/bin/env bash
# TIP-Adapter and Tip-Adapter-F rows of the README's small-CLIP table: 16 shots of "count" and
# "texture", seeds 1-3 (base-to-new is refused: their caches hold the training classes). Runs
# land in checkpoints/evidence-clip/ (a finished run is skipped when the script runs again);
# each run's report.json has its test top-1 and the alpha and beta the search chose.
# Usage: tools/clip_evidence.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=checkpoints/evidence-clip
launcher="${TFPEFT:-tools/tfpeft}"

# run CONFIG NAME [--set ...]
source tools/evidence_run.sh

mkdir -p "$out/logs"
for seed in 1 2 3; do
  for task in count texture; do
    run configs/clip_small_tip_adapter_16shot.pbtxt "tip-$task-s$seed" --set seed="$seed" \
      --set data.synthetic.task="$task"
    run configs/clip_small_tip_adapter_f_16shot.pbtxt "tipf-$task-s$seed" --set seed="$seed" \
      --set data.synthetic.task="$task"
  done
done
echo done
