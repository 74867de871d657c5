package tfpeft.peft.mask;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Collection;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.Map;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorFile;

/**
 * What {@code tfpeft inspect} says about masks: for a checkpoint holding real-valued masks, the
 * share of weights each layer's binary masks zero (at the threshold of the run's config next to
 * the checkpoint, else the default) and their bit-packed size; for a masks file, the same from
 * its bits.
 */
public final class MaskInspection {
  private static final String SUFFIX = "/mask";

  private MaskInspection() {}

  /**
   * The "masks" line of a checkpoint or run shown at {@code shown} holding tensors {@code names},
   * whose values {@code read} returns; null when none of them is a mask or values cannot be read.
   */
  public static String describeCheckpoint(Path shown, Collection<String> names,
      Function<Predicate<String>, TensorFile> read) {
    if (read == null || names.stream().noneMatch(MaskInspection::isMask)) {
      return null;
    }
    float threshold = threshold(shown);
    TensorFile file = read.apply(MaskInspection::isMask);
    Map<String, float[]> masks = new LinkedHashMap<>();
    long bits = 0;
    for (NamedTensor t : file.tensors()) {
      masks.put(site(t.name()), t.data());
      bits += MaskBits.packedLength(t.size());
    }
    return describe(MaskSparsity.ofMasks(masks, threshold), threshold, bits);
  }

  /** The lines of a masks file. */
  public static String describe(MaskArtifact a) {
    return describe(a.sparsity(), a.config().getThreshold(), a.packedBytes());
  }

  static String describe(MaskSparsity s, float threshold, long packedBytes) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "%.4f%% of %,d masked weights zeroed (binary = mask > %s), %,d sites, bit-packed "
        + "%.3f MB", 100 * s.total().share(), s.total().total(), threshold, s.sites().size(),
        packedBytes / 1048576.0));
    for (MaskSparsity.Count c : s.layers()) {
      sb.append(String.format(Locale.ROOT, "\n    %-16s %8.4f%% of %,d", c.name(),
          100 * c.share(), c.total()));
    }
    return sb.toString();
  }

  /** The site of mask variable {@code name} ("peft/mask/block0/attn/q/mask" to its site). */
  public static String site(String name) {
    return name.substring(MaskSite.PREFIX.length(), name.length() - SUFFIX.length());
  }

  /** Whether variable {@code name} is a site's real-valued mask. */
  public static boolean isMask(String name) {
    return name.startsWith(MaskSite.PREFIX) && name.endsWith(SUFFIX);
  }

  /** The mask threshold of the run config beside a checkpoint, else the default. */
  static float threshold(Path shown) {
    Path dir = Files.isDirectory(shown) ? shown : shown.toAbsolutePath().getParent();
    Path config = dir == null ? null : dir.resolve("config.pbtxt");
    if (config != null && Files.isRegularFile(config)) {
      try {
        RunConfig.Builder c = RunConfig.newBuilder();
        TextFormat.merge(Files.readString(config), c);
        if (c.getMethod().hasMask()) {
          return c.getMethod().getMask().getThreshold();
        }
      } catch (IOException | RuntimeException e) {
        // an unreadable config: fall back to the default threshold
      }
    }
    return MaskConfig.getDefaultInstance().getThreshold();
  }
}
