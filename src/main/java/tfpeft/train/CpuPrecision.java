package tfpeft.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tfpeft.config.proto.Precision;

/**
 * What this CPU offers the 16-bit precisions, from the flags of /proc/cpuinfo. oneDNN (on in
 * TensorFlow 2.18's CPU runtime) runs bfloat16 products with AMX tiles ({@code amx_bf16}) or
 * AVX512-BF16 dot products ({@code avx512_bf16}); without either it converts to float32, and
 * BF16 is slower than FP32. float16 products have a oneDNN path only with AVX512-FP16 or AMX-FP16;
 * otherwise Eigen runs them.
 */
public final class CpuPrecision {
  public static final List<String> BF16_FLAGS = List.of("amx_bf16", "avx512_bf16");
  public static final List<String> FP16_FLAGS = List.of("amx_fp16", "avx512_fp16");

  private CpuPrecision() {}

  /** The CPU's flags (the first "flags" line of /proc/cpuinfo), empty where unreadable. */
  public static Set<String> flags() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("flags")) {
          return new LinkedHashSet<>(Arrays.asList(line.substring(line.indexOf(':') + 1).trim()
              .split("\\s+")));
        }
      }
    } catch (IOException e) {
      // not Linux: nothing known
    }
    return Set.of();
  }

  /** Which of {@code wanted} the CPU has, for a report line ("avx512_bf16" or "none of ..."). */
  public static String present(Set<String> flags, List<String> wanted) {
    List<String> have = wanted.stream().filter(flags::contains).toList();
    return have.isEmpty() ? "none of " + String.join(", ", wanted) : String.join(", ", have);
  }

  /**
   * A warning for running {@code p} on a CPU with {@code flags}, or null when it has the
   * instructions (or the flags are unknown).
   */
  public static String warning(Precision p, Set<String> flags) {
    if (flags.isEmpty() || p == Precision.FP32) {
      return null;
    }
    if (p == Precision.BF16 && BF16_FLAGS.stream().noneMatch(flags::contains)) {
      return "warning: training.precision BF16 on a CPU without " + String.join(" or ",
          BF16_FLAGS) + " (/proc/cpuinfo flags): oneDNN emulates bfloat16 products in float32"
          + " and the run is slower than FP32 with bfloat16's rounding; use FP32 here";
    }
    if (p == Precision.FP16 && FP16_FLAGS.stream().noneMatch(flags::contains)) {
      return "warning: training.precision FP16 on a CPU without " + String.join(" or ",
          FP16_FLAGS) + " (/proc/cpuinfo flags): Eigen runs the float16 products, no faster"
          + " than FP32; FP16 is for GPUs (BF16 needs no loss scale)";
    }
    return null;
  }
}
