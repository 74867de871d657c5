#!/usr/bin/env bash
# The combinations of docs/masks.md on "orientation", seeds 1-3: TIP-Adapter, Tip-Adapter-F,
# R-AMT, and R-AMT + TIP-Adapter / R-AMT + Tip-Adapter-F / R-AMT + CoOp on the encoder each
# seed's R-AMT run masked.
# Runs land in checkpoints/evidence-combinations/ (a finished run is skipped when the script runs
# again); each report.json has test.top1, the TIP runs' method_report has alpha and beta.
# Usage: tools/combination_evidence.sh [seeds, default "1 2 3"]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=checkpoints/evidence-combinations
launcher="${TFPEFT:-tools/tfpeft}"
seeds="${1:-1 2 3}"

# run CONFIG NAME [--set ...]
source tools/evidence_run.sh

mkdir -p "$out/logs"
for seed in $seeds; do
  run configs/clip_small_tip_adapter_16shot.pbtxt "tip-s$seed" --set seed="$seed"
  run configs/clip_small_tip_adapter_f_16shot.pbtxt "tip-f-s$seed" --set seed="$seed"
  run configs/clip_small_ramt_16shot.pbtxt "ramt-s$seed" --set seed="$seed"
  masked="$out/clip-small-ramt-orientation-s$seed"
  if [ ! -d "$masked" ] && [ -f "$out/ramt-s$seed/report.json" ]; then
    $launcher import checkpoints/pretrained/clip-small --masks "$out/ramt-s$seed" \
      --out "$masked" > "$out/logs/import-s$seed.log" 2>&1 || echo "FAILED import-s$seed"
  fi
  run configs/clip_small_tip_ramt_16shot.pbtxt "tip-ramt-s$seed" --set seed="$seed" \
    --set model.weights.path="$masked"
  run configs/clip_small_tip_f_ramt_16shot.pbtxt "tip-f-ramt-s$seed" --set seed="$seed" \
    --set model.weights.path="$masked"
  run configs/clip_small_coop_ramt_16shot.pbtxt "coop-ramt-s$seed" --set seed="$seed" \
    --set model.weights.path="$masked"
done
echo done
