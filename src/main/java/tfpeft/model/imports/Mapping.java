package tfpeft.model.imports;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import tfpeft.model.weights.NamedTensor;

/**
 * One row of a name-mapping table: the tfpeft variable {@code target} of shape {@code shape} is
 * computed by {@code convert} from the file tensors {@code sources}, each of which must have the
 * shape listed in {@code sourceShapes}. Several rows may read the same source (q, k and v are
 * three slices of one fused projection).
 */
record Mapping(String target, long[] shape, List<String> sources, List<long[]> sourceShapes,
    Function<List<float[]>, float[]> convert) {

  /** The same elements in the same order, possibly reshaped ([1, T, D] to [T, D]). */
  static Mapping copy(String target, long[] shape, String source, long[] sourceShape) {
    if (NamedTensor.elementCount(shape) != NamedTensor.elementCount(sourceShape)) {
      throw new IllegalArgumentException(target + ": cannot copy " + Arrays.toString(sourceShape)
          + " into " + Arrays.toString(shape));
    }
    return new Mapping(target, shape, List.of(source), List.of(sourceShape), in -> in.get(0));
  }

  /** A copy with the same shape. */
  static Mapping copy(String target, long[] shape, String source) {
    return copy(target, shape, source, shape);
  }

  /** A Linear weight stored [out, in] transposed into tfpeft's [in, out]. */
  static Mapping transposed(String target, long in, long out, String source) {
    return new Mapping(target, new long[] {in, out}, List.of(source), List.of(new long[] {out, in}),
        x -> transpose(x.get(0), (int) out, (int) in));
  }

  /** A [rows, cols] matrix as [cols, rows]. */
  static Mapping transposedMatrix(String target, long[] sourceShape, String source) {
    return new Mapping(target, new long[] {sourceShape[1], sourceShape[0]}, List.of(source),
        List.of(sourceShape), x -> transpose(x.get(0), (int) sourceShape[0],
            (int) sourceShape[1]));
  }

  /**
   * Block {@code part} of {@code parts} stacked weights [parts * d, in] (a fused q/k/v
   * in_proj_weight), transposed to [in, d].
   */
  static Mapping fusedPart(String target, long in, long d, int part, int parts, String source) {
    return new Mapping(target, new long[] {in, d}, List.of(source),
        List.of(new long[] {parts * d, in}), x -> {
          float[] rows = Arrays.copyOfRange(x.get(0), (int) (part * d * in),
              (int) ((part + 1) * d * in));
          return transpose(rows, (int) d, (int) in);
        });
  }

  /** Block {@code part} of {@code parts} stacked vectors [parts * d] (a fused in_proj_bias). */
  static Mapping fusedBiasPart(String target, long d, int part, int parts, String source) {
    return new Mapping(target, new long[] {d}, List.of(source), List.of(new long[] {parts * d}),
        x -> Arrays.copyOfRange(x.get(0), (int) (part * d), (int) ((part + 1) * d)));
  }

  /**
   * A patch convolution stored [d, channels, p, p] as tfpeft's patch matmul weight
   * [p * p * channels, d]. VisionTransformer flattens each patch as (row, column, channel), the
   * channel fastest, so the row of weight element (o, c, ky, kx) is (ky * p + kx) * channels + c.
   */
  static Mapping patchConv(String target, int p, int channels, long d, String source) {
    return new Mapping(target, new long[] {(long) p * p * channels, d}, List.of(source),
        List.of(new long[] {d, channels, p, p}), x -> {
          float[] w = x.get(0);
          float[] out = new float[w.length];
          int dd = (int) d;
          for (int o = 0; o < dd; o++) {
            for (int c = 0; c < channels; c++) {
              for (int ky = 0; ky < p; ky++) {
                for (int kx = 0; kx < p; kx++) {
                  int from = ((o * channels + c) * p + ky) * p + kx;
                  int row = (ky * p + kx) * channels + c;
                  out[row * dd + o] = w[from];
                }
              }
            }
          }
          return out;
        });
  }

  static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }
}
