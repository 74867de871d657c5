package tfpeft.peft.prompt;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ClipGraph;
import tfpeft.model.ClipModel;
import tfpeft.model.Net;

/**
 * Class logits whose class side is computed in the graph: exp(logit_scale) * cos(image, text)
 * [N, C] between the image features and the text features of the class prompts fed to
 * {@link ClipGraph#textIds()} (one row per class, {@link ClassPrompts#ids}), so that the loss
 * reaches the text prompts.
 */
public final class PromptLogits {
  private PromptLogits() {}

  public static Operand<TFloat32> build(Net net, ClipGraph g, String name) {
    Ops tf = net.tf();
    Operand<TFloat32> cos = tf.linalg.matMul(ClipModel.normalize(tf, g.imageFeatures()),
        ClipModel.normalize(tf, g.textFeatures()), MatMul.transposeB(true));
    return net.named(name).identity(tf.math.mul(cos, tf.math.exp(ClipModel.logitScale(net))));
  }
}
