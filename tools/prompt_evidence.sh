#!/usr/bin/env bash
# The prompt-tuning evidence of docs/prompts.md ("Results on the small CLIP"): MuDPT (attention and
# linear injection), MaPLe-style coupling, VPT-deep, CoCoOp, CLIP-Adapter, KgCoOp and
# linear-probe CLIP (logistic regression) on the small CLIP, seeds 1-3, 16 shots of "count" and
# "texture" and base-to-new on "count". Runs land in checkpoints/evidence-prompts/ (a finished
# run is skipped when the script runs again).
# Usage: tools/prompt_evidence.sh [mudpt|mudpt-linear|maple|vpt|cocoop|cocoop-b1|clip-adapter|kgcoop|
#        lpclip|coop-lr0.002|coop-csc|coop-front|all]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=checkpoints/evidence-prompts
launcher="${TFPEFT:-tools/tfpeft}"
which="${1:-all}"

# run CONFIG NAME [--set ...]
source tools/evidence_run.sh

want() { [ "$which" = all ] || [ "$which" = "$1" ]; }

# row config [--set ...]: the three columns of one method row, seed by seed
row() {
  local row=$1 config=$2
  shift 2
  for seed in 1 2 3; do
    for task in count texture; do
      run "$config" "$row-$task-s$seed" --set seed="$seed" --set data.synthetic.task="$task" "$@"
    done
    # base-to-new as configs/clip_small_mudpt_base2new.pbtxt sets it
    run "$config" "$row-b2n-count-s$seed" --set seed="$seed" --set data.synthetic.task=count \
      --set data.sampling.classes=BASE --set eval.base_to_new=true "$@"
  done
}

# shots config [--set ...]: the two 16-shot columns only (a head has nothing for new classes)
shots() {
  local row=$1 config=$2
  shift 2
  for seed in 1 2 3; do
    for task in count texture; do
      run "$config" "$row-$task-s$seed" --set seed="$seed" --set data.synthetic.task="$task" "$@"
    done
  done
}

mkdir -p "$out/logs"
want mudpt && row mudpt configs/clip_small_mudpt_16shot.pbtxt
want mudpt-linear && row mudpt-linear configs/clip_small_mudpt_16shot.pbtxt \
  --set method.mudpt.injection=LINEAR
want maple && row maple configs/clip_small_maple_16shot.pbtxt
want vpt && row vpt configs/clip_small_vpt_16shot.pbtxt
# CoCoOp with the other rows' batch 16 and SGD 0.02, and with its config's (the paper's) batch 1
# and SGD 0.002
want cocoop && row cocoop configs/clip_small_cocoop_16shot.pbtxt \
  --set training.batch_size=16 --set training.learning_rate=0.02
want cocoop-b1 && row cocoop-b1 configs/clip_small_cocoop_16shot.pbtxt
want clip-adapter && row clip-adapter configs/clip_small_clip_adapter_16shot.pbtxt
want kgcoop && row kgcoop configs/clip_small_kgcoop_16shot.pbtxt
want lpclip && shots lpclip configs/clip_small_linear_probe_lr_16shot.pbtxt
# CoOp at KgCoOp's rate (SGD 0.002), so the two rows differ only by KgCoOp's term
want coop-lr0.002 && row coop-lr0.002 configs/clip_small_coop_16shot.pbtxt \
  --set training.learning_rate=0.002
# CoOp's options: class-specific context (16 shots only: a class's own context has nothing for
# new classes) and the class name in front of the context
want coop-csc && shots coop-csc configs/clip_small_coop_16shot.pbtxt --set method.coop.csc=true
want coop-front && row coop-front configs/clip_small_coop_16shot.pbtxt \
  --set method.coop.class_token_position=FRONT --set model.clip.templates=
echo done
