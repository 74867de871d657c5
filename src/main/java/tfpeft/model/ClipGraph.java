package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.ClipConfig;

/**
 * A CLIP model as a graph with three entry points: images -> image features; token ids -> text
 * features; and a classifier whose weights are class text features fed in (zero-shot: the
 * normalized, template-averaged features of the class prompts).
 *
 * @param imageFeatures projected image features [N, E]
 * @param textFeatures projected text features [M, E]
 * @param classFeatures normalized class text features [C, E], fed
 * @param logits exp(logit_scale) * cos(image, class) [N, C]
 */
public record ClipGraph(
    ClipModel.Spec spec,
    Placeholder<TFloat32> images,
    Operand<TFloat32> imageFeatures,
    Placeholder<TInt32> textIds,
    Operand<TFloat32> textFeatures,
    Placeholder<TFloat32> classFeatures,
    Operand<TFloat32> logits) {

  public static ClipGraph build(Net net, ClipConfig c, boolean dropPath) {
    ClipModel.Spec spec = ClipModel.spec(c);
    Ops tf = net.tf();
    Placeholder<TFloat32> images = net.named("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, c.getImageSize(), c.getImageSize(), 3)));
    Operand<TFloat32> image = net.named("image_features").identity(
        ClipModel.imageFeatures(net, images, spec, dropPath ? 1f : 0f));
    Placeholder<TInt32> ids = net.named("text_ids").placeholder(TInt32.class,
        Placeholder.shape(Shape.of(-1, c.getContextLength())));
    Operand<TFloat32> text = net.named("text_features").identity(
        ClipModel.textFeatures(net, ids, spec));
    Placeholder<TFloat32> classes = net.named("class_features").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, c.getEmbedDim())));
    Operand<TFloat32> sim = tf.linalg.matMul(ClipModel.normalize(tf, image), classes,
        org.tensorflow.op.linalg.MatMul.transposeB(true));
    Operand<TFloat32> logits = net.named("logits").identity(
        tf.math.mul(sim, tf.math.exp(ClipModel.logitScale(net))));
    return new ClipGraph(spec, images, image, ids, text, classes, logits);
  }
}
