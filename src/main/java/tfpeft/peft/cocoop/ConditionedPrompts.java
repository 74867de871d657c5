package tfpeft.peft.cocoop;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.model.ClipModel;
import tfpeft.model.Net;

/**
 * CoCoOp's per-image class prompts and their logits (the paper's Eq. for p(y | x) with
 * v_m(x) = v_m + pi, pi = h(x); {@code PromptLearner.forward} and {@code CustomCLIP.forward} of
 * the official trainers/cocoop.py). Every image b's shifted context replaces the context slots
 * 1..n of every class prompt: [start] v_1(x_b) .. v_n(x_b) name . [end]; the text tower encodes
 * the N x P prompts at once (the official code loops over the images), so t_{b,c} is image b's
 * own feature of class c.
 */
final class ConditionedPrompts {
  private ConditionedPrompts() {}

  /**
   * Logits [N, C] = exp(logit_scale) cos(x_b, t_{b,c}).
   *
   * @param imageFeatures projected image features [N, E], not normalized
   * @param context the context vectors v [n, D]
   * @param classIds the class prompts' token ids [C * T, L], class-major
   * @param templates the prompts per class: one, as the official code builds them (a config
   *     with more templates is refused when it loads)
   */
  static Operand<TFloat32> logits(Net net, ClipModel.Spec spec, Operand<TFloat32> imageFeatures,
      Operand<TFloat32> context, Operand<TInt32> classIds, int templates, int metaNetRatio) {
    if (templates != 1) {
      throw new IllegalArgumentException("CoCoOp has one prompt per class, not " + templates);
    }
    Ops tf = net.tf();
    int n = (int) context.shape().get(0);
    int length = spec.contextLength();
    long width = spec.text().width();
    long embed = spec.embedDim();
    // the official code feeds the meta-net the normalized image feature (the paper writes h(x))
    Operand<TFloat32> x = ClipModel.normalize(tf, imageFeatures);
    Operand<TFloat32> pi = MetaNet.apply(net, x, (int) embed, metaNetRatio, (int) width);
    // v_m(x_b) = v_m + pi_b: [N, n, D]
    Operand<TFloat32> shifted = tf.math.add(tf.expandDims(context, tf.constant(0)),
        tf.expandDims(pi, tf.constant(1)));
    Operand<TFloat32> tokens = tf.gather(ClipModel.tokenEmbedding(net, spec).value(), classIds,
        tf.constant(0));
    Operand<TInt32> images = dim(tf, x, 0);
    Operand<TInt32> prompts = dim(tf, classIds, 0);
    Operand<TInt32> one = tf.constant(new int[] {1});
    // [N, P, L, D]: the start token, image b's context, then the name, "." and the end token
    Operand<TFloat32> perImage = tf.concat(List.of(
        tf.tile(tf.expandDims(slots(tf, tokens, 0, 1), tf.constant(0)),
            tf.concat(List.of(images, one, one, one), tf.constant(0))),
        tf.tile(tf.expandDims(shifted, tf.constant(1)),
            tf.concat(List.of(one, prompts, one, one), tf.constant(0))),
        tf.tile(tf.expandDims(slots(tf, tokens, 1 + n, length), tf.constant(0)),
            tf.concat(List.of(images, one, one, one), tf.constant(0)))), tf.constant(2));
    Operand<TFloat32> flat = tf.reshape(perImage, tf.constant(new long[] {-1, length, width}));
    // the end token has the highest id; image-major rows repeat the prompts' positions
    Operand<TInt32> eot = tf.tile(tf.math.argMax(classIds, tf.constant(1), TInt32.class),
        images);
    Operand<TFloat32> text = ClipModel.normalize(tf,
        ClipModel.textFeaturesOfTokens(net, flat, eot, spec));
    // t_{b,c} [N, C, E]
    Operand<TFloat32> classes = tf.reshape(text, tf.concat(List.of(images,
        tf.constant(new int[] {-1, (int) embed})), tf.constant(0)));
    // cos(x_b, t_{b,c}) for each image against its own class features
    Operand<TFloat32> cos = tf.reduceSum(tf.math.mul(tf.expandDims(x, tf.constant(1)), classes),
        tf.constant(2), ReduceSum.keepDims(false));
    return tf.math.mul(cos, tf.math.exp(ClipModel.logitScale(net)));
  }

  /** [1] holding dimension {@code axis} of {@code t}. */
  private static Operand<TInt32> dim(Ops tf, Operand<?> t, int axis) {
    return tf.slice(tf.shape(t), tf.constant(new int[] {axis}), tf.constant(new int[] {1}));
  }

  /** tokens[:, from:to, :]. */
  private static Operand<TFloat32> slots(Ops tf, Operand<TFloat32> tokens, int from, int to) {
    return tf.stridedSlice(tokens, tf.constant(new int[] {0, from, 0}),
        tf.constant(new int[] {0, to, 0}), tf.constant(new int[] {1, 1, 1}),
        StridedSlice.beginMask(5L), StridedSlice.endMask(5L));
  }
}
