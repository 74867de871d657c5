package tfpeft.config;

import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.WeightsConfig;

/**
 * Reads the architecture that a config's pretrained weights carry. With weights, a config's
 * {@code vit {}} or {@code clip {}} is a request, not the model: the width, depth, heads and
 * image size are the weights' unless the config sets them (image_size resamples; the rest must
 * agree). The loader asks this once, so that every command sees the model the run builds.
 */
@FunctionalInterface
public interface WeightsArchitecture {
  /**
   * @param weights model.weights of the resolved config (a non-empty path)
   * @param written the model config as written: only the fields it sets are requests
   * @return the architecture to build (its weights field is not read), or null to keep the
   *     config's own
   */
  ModelConfig of(WeightsConfig weights, ModelConfig written);
}
