package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.VitConfig;

/**
 * A ViT image classifier: images [N, S, S, 3] -> trunk -> [pre_logits] -> head -> logits.
 * The head lives under {@code head/}, everything else under {@code backbone/}.
 */
public final class VitClassifier {
  /** The graph endpoints of a built classifier. */
  public record Endpoints(Placeholder<TFloat32> images, Operand<TFloat32> features,
      Operand<TFloat32> logits) {}

  private VitClassifier() {}

  public static VisionTransformer.Spec spec(VitConfig c) {
    int hidden = Math.round(c.getWidth() * c.getMlpRatio());
    TransformerSpec blocks = new TransformerSpec("", c.getWidth(), c.getDepth(), c.getHeads(),
        hidden, c.getQkvBias(), c.getLayerNormEps(), c.getGelu(), false);
    return new VisionTransformer.Spec(c.getImageSize(), c.getPatchSize(), blocks, true, false,
        c.getPooling());
  }

  /** Features and logits of a classifier applied to any image operand. */
  public record Outputs(Operand<TFloat32> features, Operand<TFloat32> logits) {}

  public static Endpoints build(Net net, VitConfig c, int numClasses, boolean dropPath) {
    Placeholder<TFloat32> images = net.named("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, c.getImageSize(), c.getImageSize(), 3)));
    Outputs o = apply(net, c, numClasses, dropPath, images);
    return new Endpoints(images, o.features(), o.logits());
  }

  /** The classifier on {@code images} [N, S, S, 3]; endpoints named features and logits. */
  public static Outputs apply(Net net, VitConfig c, int numClasses, boolean dropPath,
      Operand<TFloat32> images) {
    Ops tf = net.tf();
    VisionTransformer.Spec spec = spec(c);
    Operand<TFloat32> x = VisionTransformer.features(net, images, spec, dropPath ? 1f : 0f);
    long d = c.getWidth();
    if (c.getPreLogits()) {
      x = tf.math.tanh(Linear.apply(net, "backbone/", "pre_logits", x, d, d, true,
          Init.xavierUniform(d, d)));
    }
    Operand<TFloat32> features = net.named("features").identity(x);
    Operand<TFloat32> logits = Linear.apply(net, "head/", "head", features, d, numClasses, true,
        Init.truncNormal(0.02f));
    return new Outputs(features, net.named("logits").identity(logits));
  }
}
