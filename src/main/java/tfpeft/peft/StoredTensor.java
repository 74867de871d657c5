package tfpeft.peft;

import java.util.Locale;

/**
 * How an adapter artifact stores one trained variable of a method: what it is (its role, which
 * the artifact's manifest records and its storage line counts apart) and at which precision.
 *
 * @param role what the variable is
 * @param precision how its values are stored
 * @param maskThreshold for {@link Precision#MASK_BITS}, the threshold that binarizes it
 * @param maskOn for {@link Precision#MASK_BITS}, the value a kept weight's mask takes back when
 *     the artifact is applied (a removed one takes its mirror below the threshold)
 */
public record StoredTensor(Role role, Precision precision, float maskThreshold, float maskOn) {

  /** What a stored variable is; the key is the manifest's spelling. */
  public enum Role {
    ADAPTER, HEAD, MASK, PROMPT, INJECTION;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How the values are stored. */
  public enum Precision {
    /** float32 values. */
    FLOAT32,
    /** A 1-bit matrix: sign bits plus float32 mean and std (the Gaussian quantizer's code). */
    ONE_BIT,
    /** A binary mask: one bit per weight, 1[M > threshold]. */
    MASK_BITS
  }

  public static StoredTensor float32(Role role) {
    return new StoredTensor(role, Precision.FLOAT32, 0, 0);
  }

  /** An adapter matrix at {@code bits} (1, or 0 for float32). */
  public static StoredTensor adapter(int bits) {
    return new StoredTensor(Role.ADAPTER, bits == 1 ? Precision.ONE_BIT : Precision.FLOAT32, 0,
        0);
  }

  public static StoredTensor mask(float threshold, float on) {
    return new StoredTensor(Role.MASK, Precision.MASK_BITS, threshold, on);
  }

  /** Whether {@code variable} is the classifier head's, which every head-training method stores. */
  public static boolean isHead(String variable) {
    return variable.startsWith("head/");
  }

  /** Bytes an artifact stores for {@code elements} values at this precision. */
  public long storedBytes(long elements) {
    return switch (precision) {
      case FLOAT32 -> 4 * elements;
      case ONE_BIT -> AdapterStorage.matrixBytes(elements, 1);
      case MASK_BITS -> (elements + 7) / 8;
    };
  }
}
