package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.ModelConfig;

/**
 * A backbone built into a graph: images in, logits out, whatever the architecture. For CLIP the
 * classifier weights are the class text features ({@link ClipGraph#classFeatures()}), fed in.
 *
 * @param clip the CLIP endpoints, or null for a ViT
 */
public record BuiltModel(Net net, Placeholder<TFloat32> images, Operand<TFloat32> features,
    Operand<TFloat32> logits, ClipGraph clip) {

  /** Builds the configured backbone with a {@code numClasses}-way head (ViT only). */
  public static BuiltModel build(Net net, ModelConfig c, int numClasses, boolean dropPath) {
    if (c.hasClip()) {
      ClipGraph g = ClipGraph.build(net, c.getClip(), dropPath);
      return new BuiltModel(net, g.images(), g.imageFeatures(), g.logits(), g);
    }
    VitClassifier.Endpoints e = VitClassifier.build(net, c.getVit(), numClasses, dropPath);
    return new BuiltModel(net, e.images(), e.features(), e.logits(), null);
  }

  /** Input height and width. */
  public static int imageSize(ModelConfig c) {
    return c.hasClip() ? c.getClip().getImageSize() : c.getVit().getImageSize();
  }
}
