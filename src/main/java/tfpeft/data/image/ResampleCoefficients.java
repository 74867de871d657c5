package tfpeft.data.image;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed-point filter taps for one axis of a resize, computed exactly as Pillow 9.4's
 * {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} (Resample.c) do for a source box
 * {@code [0, inSize)}: the filter is stretched by the downscale factor (antialiasing), each
 * output's taps are normalised to sum 1 in double precision, then rounded half away from zero to
 * {@link #PRECISION_BITS} fractional bits.
 *
 * <p>Tables are immutable and cached per (inSize, outSize, filter), so repeated resizes of one
 * shape cost no floating point at all.
 */
final class ResampleCoefficients {
  /** Pillow's {@code PRECISION_BITS = 32 - 8 - 2}: 8 bits of result, 2 for overshoot and sign. */
  static final int PRECISION_BITS = 22;

  private static final int CACHE_LIMIT = 4096;
  private static final ConcurrentHashMap<Long, ResampleCoefficients> CACHE =
      new ConcurrentHashMap<>();

  /** Taps per output (Pillow's {@code ksize}); weights of output i start at {@code i * ksize}. */
  final int ksize;
  /** First source index read by each output. */
  final int[] start;
  /** Number of source pixels read by each output. */
  final int[] count;
  /** Fixed-point weights, {@code ksize} per output; entries past {@code count[i]} are 0. */
  final int[] weights;

  private ResampleCoefficients(int ksize, int[] start, int[] count, int[] weights) {
    this.ksize = ksize;
    this.start = start;
    this.count = count;
    this.weights = weights;
  }

  static ResampleCoefficients of(int inSize, int outSize, Interpolation filter) {
    long key = ((long) inSize << 34) | ((long) outSize << 3) | filter.ordinal();
    ResampleCoefficients c = CACHE.get(key);
    if (c == null) {
      c = compute(inSize, outSize, filter);
      if (CACHE.size() >= CACHE_LIMIT) {
        // Many distinct crop sizes (random crops of varied images) would otherwise grow without
        // bound; recomputing a table costs microseconds.
        CACHE.clear();
      }
      CACHE.put(key, c);
    }
    return c;
  }

  static ResampleCoefficients compute(int inSize, int outSize, Interpolation filter) {
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = filter.support() * filterScale;
    int ksize = (int) Math.ceil(support) * 2 + 1;
    int[] start = new int[outSize];
    int[] count = new int[outSize];
    int[] weights = new int[outSize * ksize];
    double[] k = new double[ksize];
    double invScale = 1.0 / filterScale;
    for (int xx = 0; xx < outSize; xx++) {
      double center = (xx + 0.5) * scale;
      // (int) truncates toward zero like the C cast; negatives clamp to 0 either way.
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double sum = 0.0;
      for (int x = 0; x < xmax; x++) {
        double w = filter.weight((x + xmin - center + 0.5) * invScale);
        k[x] = w;
        sum += w;
      }
      for (int x = 0; x < xmax; x++) {
        double w = sum != 0.0 ? k[x] / sum : k[x];
        double fixed = w * (1 << PRECISION_BITS);
        weights[xx * ksize + x] = (int) (w < 0 ? -0.5 + fixed : 0.5 + fixed);
      }
      start[xx] = xmin;
      count[xx] = xmax;
    }
    return new ResampleCoefficients(ksize, start, count, weights);
  }
}
