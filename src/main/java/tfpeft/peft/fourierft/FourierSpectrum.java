package tfpeft.peft.fourierft;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.FourierFtConfig;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.SitePatterns;
import tfpeft.peft.WeightDeltas;

/**
 * FourierFT at the Linear sites its patterns match. With the weight W [in, out] (y = x W), the
 * spectrum F [in, out] holds the site's n coefficients c (variable
 * {@code peft/fourierft/<site>/spectrum} [n], N(0, init_std^2) at the start, N(0, 1) by
 * default) at the drawn frequencies and zeros elsewhere, and the weight becomes
 * W + alpha Re(IDFT2(F)), where, for a real F,
 * Re(IDFT2(F))[j, k] = 1 / (in out) sum_{u, v} F[u, v] cos(2 pi (u j / in + v k / out)).
 * By cos(a + b) = cos a cos b - sin a sin b this is
 * (C_in F C_out - S_in F S_out) / (in out) with the symmetric DFT bases C_m[j, u] =
 * cos(2 pi j u / m), S_m[j, u] = sin(2 pi j u / m): four matrix products, whose gradients
 * TensorFlow's C++ registry has (TF Java has no complex tensors for its FFT ops). F is a gather
 * of [c, 0] by each grid cell's slot, so its gradient is GatherV2's. The official forward adds
 * x ifft2(F).real alpha to the output, the same as x (W + delta).
 */
public final class FourierSpectrum implements SiteHook {
  /** The paper's and Pear's placement: every vision block's query and value projections. */
  public static final List<String> DEFAULT_TARGETS = List.of("block*/attn/q", "block*/attn/v");
  public static final String SPECTRUM = "spectrum";

  private final String prefix;
  private final FourierFtConfig config;
  private final SitePatterns targets;
  private final WeightDeltas deltas = new WeightDeltas();
  private final Map<String, Grid> grids = new HashMap<>();

  public FourierSpectrum(String prefix, FourierFtConfig config) {
    this.prefix = prefix;
    this.config = config;
    this.targets = targets(config);
  }

  public static SitePatterns targets(FourierFtConfig c) {
    return new SitePatterns(c.getTargetsCount() == 0 ? DEFAULT_TARGETS : c.getTargetsList());
  }

  /** The bases and slots of one [in, out] grid, built once and shared by its sites. */
  private record Grid(Operand<TFloat32> cosIn, Operand<TFloat32> sinIn,
      Operand<TFloat32> cosOut, Operand<TFloat32> sinOut, Operand<TInt32> slots) {}

  @Override
  public Operand<TFloat32> weight(Net net, String site, Operand<TFloat32> weight) {
    if (!targets.matches(site)) {
      return weight;
    }
    int in = (int) weight.shape().get(0);
    int out = (int) weight.shape().get(1);
    int n = config.getNFrequency();
    if ((long) in * out < n) {
      throw TfpeftException.usage("method.fourierft.n_frequency: " + n + " coefficients do not"
          + " fit the " + in + " x " + out + " spectrum of " + site);
    }
    Grid g = grids.computeIfAbsent(in + "x" + out, k -> grid(net, in, out, n));
    ModelVariable c = net.variable(prefix + site + "/" + SPECTRUM, new long[] {n},
        Init.normal(config.getInitStd()));
    Ops tf = net.scope("peft_ops/" + site);
    Operand<TFloat32> padded = tf.concat(List.of(c.value(), tf.constant(new float[] {0f})),
        tf.constant(0));
    Operand<TFloat32> f = tf.reshape(tf.gather(padded, g.slots(), tf.constant(0)),
        tf.constant(new int[] {in, out}));
    Operand<TFloat32> re = tf.math.sub(
        tf.linalg.matMul(tf.linalg.matMul(g.cosIn(), f), g.cosOut()),
        tf.linalg.matMul(tf.linalg.matMul(g.sinIn(), f), g.sinOut()));
    Operand<TFloat32> delta = tf.math.mul(re,
        tf.constant((float) (config.getScale() / ((double) in * out))));
    deltas.add(site, c, delta);
    return tf.math.add(weight, delta);
  }

  private Grid grid(Net net, int in, int out, int n) {
    Ops tf = net.scope("peft_ops/fourierft_grid_" + in + "x" + out);
    int[] entries = SpectralEntries.draw(config.getEntrySeed(), in * out, n);
    return new Grid(basis(tf, in, true), basis(tf, in, false), basis(tf, out, true),
        basis(tf, out, false), tf.constant(Shape.of((long) in * out),
            DataBuffers.of(SpectralEntries.slots(entries, in * out), true, false)));
  }

  /** C_m or S_m; the angle's j u is reduced mod m first, so it stays exact in double. */
  private static Operand<TFloat32> basis(Ops tf, int m, boolean cos) {
    float[] b = new float[m * m];
    for (int j = 0; j < m; j++) {
      for (int u = 0; u < m; u++) {
        double angle = 2 * Math.PI * (((long) j * u) % m) / m;
        b[j * m + u] = (float) (cos ? Math.cos(angle) : Math.sin(angle));
      }
    }
    return tf.constant(Shape.of(m, m), DataBuffers.of(b, true, false));
  }

  /** The sites that got a spectrum, in build order, with their deltas. */
  public WeightDeltas deltas() {
    return deltas;
  }
}
