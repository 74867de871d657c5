package tfpeft.model;

/**
 * How a variable starts. Random initializers run in the graph with stateless random ops seeded by
 * (run seed, variable name), so a variable's initial value does not depend on creation order.
 */
public sealed interface Init {
  record Constant(float value) implements Init {}

  /** Normal with the given std, truncated at two standard deviations (timm's trunc_normal_). */
  record TruncatedNormal(float std) implements Init {}

  /** Normal with the given mean and std (SSF's scales start at N(1, 0.02^2)). */
  record Normal(float mean, float std) implements Init {}

  /** Uniform in [-limit, limit]. */
  record Uniform(float limit) implements Init {}

  /**
   * The first {@code leading.length} values in row-major order are given (computed when the
   * graph is built, e.g. CoOp's context from the embeddings of "a photo of a"); the rest start
   * as {@code rest} draws them.
   */
  record WithLeading(float[] leading, Init rest) implements Init {
    public WithLeading {
      leading = leading.clone();
      if (rest instanceof WithLeading) {
        throw new IllegalArgumentException("nested WithLeading");
      }
    }
  }

  static Init zeros() {
    return new Constant(0f);
  }

  static Init ones() {
    return new Constant(1f);
  }

  static Init truncNormal(float std) {
    return new TruncatedNormal(std);
  }

  static Init normal(float std) {
    return new Normal(0f, std);
  }

  static Init normal(float mean, float std) {
    return new Normal(mean, std);
  }

  /** Xavier/Glorot uniform for a [fanIn, fanOut] matrix. */
  static Init xavierUniform(long fanIn, long fanOut) {
    return new Uniform((float) Math.sqrt(6.0 / (fanIn + fanOut)));
  }
}
