package tfpeft.data.synthetic;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Derives an independent random stream for every generated item from (seed, stream name, index).
 * Each image draws only from its own stream, so images can be made in any order on any number of
 * threads and still come out identical.
 */
public final class RngStreams {
  private RngStreams() {}

  /** The stream of item {@code index} of the named stream (e.g. "pretrain", "task/shape/train"). */
  public static SplittableRandom forItem(long seed, String stream, long index) {
    long h = mix64(seed ^ 0x9E3779B97F4A7C15L);
    h = mix64(h ^ fnv1a64(stream));
    h = mix64(h + index * 0xBF58476D1CE4E5B9L);
    return new SplittableRandom(h);
  }

  /** SplitMix64's finaliser: a bijection that spreads every input bit over the output. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** FNV-1a over UTF-8 bytes: stable across JVMs, unlike relying on identity hashes. */
  static long fnv1a64(String text) {
    long h = 0xCBF29CE484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001B3L;
    }
    return h;
  }
}
