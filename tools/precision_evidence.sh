#!/usr/bin/env bash
# The mixed-precision evidence of docs/training.md: the quickstart (full fine-tuning) and Pear on
# Bi-LoRA (configs/synthetic/pear-lora.pbtxt) in FP32 and BF16, seeds 1-3, run interleaved (seed
# by seed, FP32 then BF16) so that both precisions meet the same machine load. Runs land in
# checkpoints/evidence-precision/ (a finished run is skipped when the script runs again); the
# table of test top-1 (mean ± std over the seeds) and training images/s is printed at the end.
# Usage: tools/precision_evidence.sh [quickstart|pear|all]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=checkpoints/evidence-precision
launcher="${TFPEFT:-tools/tfpeft}"
which="${1:-all}"

# run CONFIG NAME [--set ...]
source tools/evidence_run.sh

want() { [ "$which" = all ] || [ "$which" = "$1" ]; }

mkdir -p "$out/logs"
for seed in 1 2 3; do
  for precision in FP32 BF16; do
    if want quickstart; then
      run configs/quickstart.pbtxt "quickstart-$precision-s$seed" --set seed="$seed" \
        --set training.precision="$precision"
    fi
    if want pear; then
      run configs/synthetic/pear-lora.pbtxt "pear-lora-$precision-s$seed" --set seed="$seed" \
        --set training.precision="$precision"
    fi
  done
done

/usr/bin/python3 - "$out" <<'PY'
import json, os, statistics, sys
out = sys.argv[1]
rows = {}
for name in sorted(os.listdir(out)):
    report = os.path.join(out, name, "report.json")
    if not os.path.isfile(report):
        continue
    config, precision, seed = name.rsplit("-", 2)
    r = json.load(open(report))
    rows.setdefault((config, precision), []).append(
        (100 * r["test"]["top1"], r.get("training", {}).get("images_per_sec", float("nan"))))
print("| config | precision | seeds | test top-1 (mean ± std) | per seed | training images/s |")
print("|---|---|---|---|---|---|")
for (config, precision), v in sorted(rows.items()):
    top1 = [t for t, _ in v]
    std = statistics.stdev(top1) if len(top1) > 1 else 0.0
    rate = statistics.mean(x for _, x in v)
    print(f"| {config} | {precision} | {len(v)} | {statistics.mean(top1):.1f} ± {std:.1f} | "
          + ", ".join(f"{t:.1f}" for t in top1) + f" | {rate:.0f} |")
PY
