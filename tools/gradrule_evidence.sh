#!/usr/bin/env bash
# The evidence of the gradient rules and text-encoder masks: ProGrad (docs/prompts.md), the AMT +
# ProGrad and AMT + AgreeGrad ablations of R-AMT's Table 5 and R-AMT on the text encoder and on
# both encoders (Table 7; docs/masks.md), on the small CLIP, seeds 1-3: 16 shots of "count" and
# "texture" and base-to-new on "count". Runs land in checkpoints/evidence-gradrules/ (a finished
# run is skipped when the script runs again); tools/gradrule_evidence.py makes the rows.
# Usage: [seeds="1 2 3"] tools/gradrule_evidence.sh [prograd|amt-prograd|amt-agreegrad|ramt-text|
#        ramt-both|amt|ramt|all] (amt and ramt: the plain and R-AMT rows with the same columns)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=checkpoints/evidence-gradrules
launcher="${TFPEFT:-tools/tfpeft}"
which="${1:-all}"
seeds="${seeds:-1 2 3}"

# run CONFIG NAME [--set ...]
source tools/evidence_run.sh

want() { [ "$which" = all ] || [ "$which" = "$1" ]; }

# row NAME CONFIG [--set ...]: one table row, seed by seed, as tools/prompt_evidence.sh runs them
row() {
  local row=$1 config=$2
  shift 2
  for seed in $seeds; do
    for task in count texture; do
      run "$config" "$row-$task-s$seed" --set seed="$seed" --set data.synthetic.task="$task" "$@"
    done
    run "$config" "$row-b2n-count-s$seed" --set seed="$seed" --set data.synthetic.task=count \
      --set data.sampling.classes=BASE --set eval.base_to_new=true $b2n "$@"
  done
}
b2n=

mkdir -p "$out/logs"
want prograd && row prograd configs/clip_small_prograd_16shot.pbtxt
# the mask rows: base-to-new with leak 1 where gradient dropout runs, as the R-AMT
# base-to-new config
want amt-prograd && row amt-prograd configs/clip_small_amt_prograd_16shot.pbtxt
want amt-agreegrad && row amt-agreegrad configs/clip_small_amt_agreegrad_16shot.pbtxt
want amt && row amt configs/clip_small_amt_16shot.pbtxt
b2n="--set method.mask.leak=1"
want ramt && row ramt configs/clip_small_ramt_16shot.pbtxt
want ramt-text && row ramt-text configs/clip_small_ramt_text_16shot.pbtxt
want ramt-both && row ramt-both configs/clip_small_ramt_both_16shot.pbtxt
echo done
