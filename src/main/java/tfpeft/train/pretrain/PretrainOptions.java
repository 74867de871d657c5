package tfpeft.train.pretrain;

import java.nio.file.Path;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.TrainingConfig;

/**
 * What to pretrain and how.
 *
 * @param suite the generated synthetic suite (its pretrain/ set, and tasks/ for zero-shot checks)
 * @param out the directory to write (weights.safetensors, model.pbtxt, report)
 * @param model the architecture (vit or clip)
 * @param training optimizer, schedule, epochs, batch size
 * @param merges BPE merges of the CLIP vocabulary learned from the captions
 */
public record PretrainOptions(Path suite, Path out, ModelConfig model, TrainingConfig training,
    long seed, int threads, int merges) {}
