package tfpeft.data.image;

import java.util.Arrays;
import java.util.Objects;
import tfpeft.TfpeftException;

/**
 * Turns an {@link RgbImage} into the float input of a model, HWC order. The values are
 * torchvision's {@code ToTensor()} ({@code x / 255} in float32) optionally followed by
 * {@code Normalize(mean, std)} ({@code (x / 255 - mean[c]) / std[c]}, again float32), computed in
 * the same float operations so the results are identical. Each channel's 256 possible values are
 * tabulated once. Instances are immutable and thread-safe.
 */
public final class Normalizer {
  private final float[] mean;
  private final float[] std;
  /** table[c * 256 + v]: the output for value v in channel c. */
  private final float[] table = new float[3 * 256];

  private Normalizer(float[] mean, float[] std) {
    this.mean = mean;
    this.std = std;
    for (int c = 0; c < 3; c++) {
      for (int v = 0; v < 256; v++) {
        float unit = v / 255f;
        table[c * 256 + v] = mean == null ? unit : (unit - mean[c]) / std[c];
      }
    }
  }

  /** {@code x / 255}, in [0, 1]. */
  public static Normalizer unit() {
    return new Normalizer(null, null);
  }

  /** {@code (x / 255 - mean[c]) / std[c]} for c = R, G, B; every std must be positive. */
  public static Normalizer meanStd(float[] mean, float[] std) {
    Objects.requireNonNull(mean, "mean");
    Objects.requireNonNull(std, "std");
    if (mean.length != 3 || std.length != 3) {
      throw TfpeftException.usage("normalization needs 3 mean and 3 std values (R, G, B), got "
          + mean.length + " and " + std.length + "; fix the model's preprocessing settings");
    }
    for (int c = 0; c < 3; c++) {
      if (!Float.isFinite(mean[c]) || !(std[c] > 0f) || !Float.isFinite(std[c])) {
        throw TfpeftException.usage("normalization needs finite means and positive finite stds, "
            + "got mean " + Arrays.toString(mean) + " std " + Arrays.toString(std)
            + "; fix the model's preprocessing settings");
      }
    }
    return new Normalizer(mean.clone(), std.clone());
  }

  /** The normalised value of 8-bit value {@code v} in channel {@code c}. */
  public float value(int c, int v) {
    return table[c * 256 + v];
  }

  /** Writes the image's {@code width * height * 3} values to {@code dst} from {@code offset}. */
  public void write(RgbImage image, float[] dst, int offset) {
    byte[] px = image.pixels();
    Objects.checkFromIndexSize(offset, px.length, dst.length);
    for (int i = 0; i < px.length; i += 3) {
      dst[offset + i] = table[px[i] & 0xFF];
      dst[offset + i + 1] = table[256 + (px[i + 1] & 0xFF)];
      dst[offset + i + 2] = table[512 + (px[i + 2] & 0xFF)];
    }
  }

  /** A new array holding {@link #write}'s output. */
  public float[] toArray(RgbImage image) {
    float[] out = new float[image.pixels().length];
    write(image, out, 0);
    return out;
  }

  @Override
  public String toString() {
    return mean == null
        ? "Normalizer[x/255]"
        : "Normalizer[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
