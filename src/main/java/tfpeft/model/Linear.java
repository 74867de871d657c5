package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * y = x W + b at a named site. W is stored [in, out] (TensorFlow's layout; PyTorch's [out, in] is
 * transposed on import). Site hooks may replace the effective weight and add to the output.
 */
public final class Linear {
  private static final String BACKBONE = "backbone/";

  private Linear() {}

  /**
   * @param prefix variable prefix, e.g. "backbone/" or "head/"
   * @param site the site name, e.g. "block3/attn/q"; variables are prefix + site + "/weight|bias"
   */
  public static Operand<TFloat32> apply(Net net, String prefix, String site, Operand<TFloat32> x,
      long in, long out, boolean bias, Init weightInit) {
    Ops tf = net.tf();
    Operand<TFloat32> w = net.variable(prefix + site + "/weight", new long[] {in, out},
        weightInit).value();
    for (SiteHook h : net.hooks()) {
      w = h.weight(net, site, w);
    }
    // the backbone's products in the run's precision; a method's own layers and the head stay
    // float32 (the logits and the loss in float32, small layers gain nothing from 16 bits)
    Operand<TFloat32> flat = Tensors.flatten2d(tf, x, in);
    Operand<TFloat32> y = prefix.equals(BACKBONE) ? MixedPrecision.matMul(net, flat, w)
        : tf.linalg.matMul(flat, w);
    if (bias) {
      Operand<TFloat32> b = net.variable(prefix + site + "/bias", new long[] {out}, Init.zeros())
          .value();
      // BiasAdd, not Add: the graph optimizer fuses MatMul + BiasAdd into one oneDNN product
      // (_MklNativeFusedMatMul), and its gradient is one BiasAddGrad
      y = tf.nn.biasAdd(y, b);
    }
    y = tf.reshape(y, Tensors.withLastDim(tf, x, out));
    for (SiteHook h : net.hooks()) {
      y = h.linearOutput(net, site, x, y);
    }
    return y;
  }
}
