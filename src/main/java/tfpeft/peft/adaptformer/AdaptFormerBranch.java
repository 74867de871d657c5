package tfpeft.peft.adaptformer;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterDropout;
import tfpeft.peft.AdapterShape;
import tfpeft.peft.AdapterWeights;
import tfpeft.peft.Shapes;
import tfpeft.peft.SitePatterns;

/**
 * AdaptFormer's bottleneck branch parallel to each vision block's MLP:
 * x + drop_path(mlp(ln2(x))) + s * up(dropout(relu(down(x)))), where x is the residual stream
 * before ln2. No biases; the branch is not subject to drop-path (as in the reference code).
 */
public final class AdaptFormerBranch implements SiteHook {
  /** Every vision block's MLP (CLIP's text blocks are "text/block*"). */
  public static final SitePatterns TARGETS = SitePatterns.of("block*/mlp");

  private final float scale;
  private final float dropout;
  private final AdapterWeights weights;

  public AdaptFormerBranch(float scale, float dropout, AdapterWeights weights) {
    this.scale = scale;
    this.dropout = dropout;
    this.weights = weights;
  }

  public static AdaptFormerBranch of(AdaptFormerConfig c, AdapterWeights weights) {
    return new AdaptFormerBranch(c.getScale(), c.getDropout(), weights);
  }

  public static AdapterShape shape(AdaptFormerConfig c) {
    return new AdapterShape("down", "up", c.getDim(), c.getBits());
  }

  @Override
  public Operand<TFloat32> mlpOutput(Net net, String site, Operand<TFloat32> residual,
      Operand<TFloat32> mlpOut) {
    if (!TARGETS.matches(site)) {
      return mlpOut;
    }
    long d = Shapes.lastDim(residual, site);
    AdapterWeights.Pair w = weights.at(net, site, d, d);
    Ops tf = net.scope("peft_ops/" + site);
    long r = w.down().shape().get(1);
    Operand<TFloat32> h = tf.nn.relu(Shapes.matmulLast(tf, residual, d, w.down(), r));
    h = AdapterDropout.apply(net, h, dropout);
    Operand<TFloat32> up = Shapes.matmulLast(tf, h, r, w.up(), d);
    return tf.math.add(mlpOut, tf.math.mul(up, tf.constant(scale)));
  }
}
