package tfpeft.peft.fact;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterDropout;

/**
 * FacT's increment at each adapted Linear site, in the official code's path form:
 * y = x W + b + s * V(dropout(Sigma(U x))) per slice. The site's input is cut into its row
 * chunks of width d, each taken through U; the core matrix M maps the rows' r-vectors to the
 * columns' (block (i, o) is slice (i, o)'s Sigma); dropout acts there, before V; V gives each
 * output chunk. So x delta W = s (x U_rows) M V_cols, with delta W_io = s U Sigma_io V (Eq. of
 * FacT-TT; FacT-TK's Sigma from its core tensor).
 */
final class FactSite implements SiteHook {
  private final FactLayout layout;
  private final FactFactors factors;
  private final int rank;
  private final float scale;
  private final float dropout;

  FactSite(FactLayout layout, FactFactors factors, int rank, float scale, float dropout) {
    this.layout = layout;
    this.factors = factors;
    this.rank = rank;
    this.scale = scale;
    this.dropout = dropout;
  }

  @Override
  public Operand<TFloat32> linearOutput(Net net, String site, Operand<TFloat32> input,
      Operand<TFloat32> output) {
    FactLayout.Site s = layout.site(site);
    if (s == null) {
      return output;
    }
    Operand<TFloat32> u = factors.u(net).value();
    Operand<TFloat32> v = factors.v(net).value();
    Operand<TFloat32> m = factors.core(net, s);
    Ops tf = net.scope("peft_ops/" + site);
    int d = (int) layout.width();
    Operand<TFloat32> chunks = tf.reshape(input, tf.constant(new int[] {-1, d}));
    Operand<TFloat32> h = tf.reshape(tf.linalg.matMul(chunks, u),
        tf.constant(new int[] {-1, s.rows() * rank}));
    h = AdapterDropout.apply(net, tf.linalg.matMul(h, m), dropout);
    Operand<TFloat32> delta = tf.linalg.matMul(tf.reshape(h, tf.constant(new int[] {-1, rank})),
        v);
    delta = tf.reshape(delta, tf.shape(output));
    return tf.math.add(output, tf.math.mul(delta, tf.constant(scale)));
  }
}
