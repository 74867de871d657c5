#!/usr/bin/env bash
# Sizes of one SavedModel serving three LoRA adapters against three separate exports, on the
# shipped vit-small (2 epochs per task) and on a ViT-B/16-sized random base (1 epoch of 2 shots
# per class at 32 px: only the sizes matter). Writes under ${OUT:-/tmp/multi-adapter-sizes};
# needs the synthetic suite in checkpoints/synthetic (tools/tfpeft data generate) and the jar.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-/tmp/multi-adapter-sizes}"
cd "$root"
J="tools/tfpeft"
mkdir -p "$out"
classpath="target/tfpeft.jar:$(ls target/lib/*.jar | tr '\n' ':')"
# a ViT-B/16-sized backbone directory, initialized with seed 5
jshell --class-path "$classpath" - <<JSH
import tfpeft.config.proto.*;
var model = ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(32)
    .setPatchSize(16).setWidth(768).setDepth(12).setHeads(12).setMlpRatio(4)).build();
try (var g = new org.tensorflow.Graph()) {
  var net = new tfpeft.model.Net(g, 5);
  tfpeft.model.BuiltModel.build(net, model, 2, false);
  try (var s = new org.tensorflow.Session(g)) {
    s.initialize();
    var dir = java.nio.file.Files.createDirectories(java.nio.file.Path.of("$out/vitb-base"));
    tfpeft.train.pretrain.PretrainedBackbone.write(dir, net, s, model,
        TransformConfig.getDefaultInstance());
  }
}
/exit
JSH
b16=(--set model.weights.path="$out/vitb-base" --set model.vit.image_size=32
  --set model.vit.patch_size=16 --set model.vit.width=768 --set model.vit.depth=12
  --set model.vit.heads=12 --set model.vit.mlp_ratio=4 --set training.epochs=1
  --set training.warmup_epochs=0 --set data.sampling.shots=2 --set data.sampling.val_shots=0
  --set training.batch_size=16)
for base in small b16; do
  arts=()
  for t in orientation shape color; do
    extra=(--set training.epochs=2 --set training.warmup_epochs=1)
    [ "$base" = b16 ] && extra=("${b16[@]}")
    $J train --config configs/synthetic/lora.pbtxt --set name="$base-$t" \
      --set output_dir="$out/runs" --set data.synthetic.task="$t" "${extra[@]}" | tail -1
    $J export "$out/runs/$base-$t" --adapter "$out/art/$base-$t" | tail -2
    $J export --adapter "$out/art/$base-$t" --out "$out/single/$base-$t" | tail -2
    arts+=(--adapter "$out/art/$base-$t")
  done
  $J export "${arts[@]}" --out "$out/multi-$base" | tail -2
  du -sb "$out"/single/"$base"-* "$out/multi-$base"
done
