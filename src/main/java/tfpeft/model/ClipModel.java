package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.Pooling;

/**
 * CLIP: an image tower (ViT trunk with ln_pre, projected to the shared space) and a causal text
 * tower (token + position embeddings, blocks with a causal mask, ln_final, the end-of-text token's
 * state, projected), compared by cosine similarity scaled by exp(logit_scale).
 */
public final class ClipModel {
  /** The architecture. */
  public record Spec(VisionTransformer.Spec vision, TransformerSpec text, int contextLength,
      int vocabSize, int embedDim) {}

  private ClipModel() {}

  public static Spec spec(ClipConfig c) {
    TransformerSpec vision = new TransformerSpec("", c.getVisionWidth(), c.getVisionDepth(),
        c.getVisionHeads(), Math.round(c.getVisionWidth() * c.getMlpRatio()), true,
        c.getLayerNormEps(), c.getGelu(), false);
    TransformerSpec text = new TransformerSpec("text/", c.getTextWidth(), c.getTextDepth(),
        c.getTextHeads(), Math.round(c.getTextWidth() * c.getMlpRatio()), true,
        c.getLayerNormEps(), c.getGelu(), true);
    return new Spec(new VisionTransformer.Spec(c.getImageSize(), c.getPatchSize(), vision, false,
        true, Pooling.CLASS_TOKEN), text, c.getContextLength(), c.getVocabSize(),
        c.getEmbedDim());
  }

  /** Projected image features [N, E] (not normalized). */
  public static Operand<TFloat32> imageFeatures(Net net, Operand<TFloat32> images, Spec spec,
      float dropPath) {
    Operand<TFloat32> pooled = VisionTransformer.features(net, images, spec.vision(), dropPath);
    long w = spec.vision().blocks().width();
    return Linear.apply(net, "backbone/", "proj", pooled, w, spec.embedDim(), false,
        Init.normal((float) Math.pow(w, -0.5)));
  }

  /**
   * Token embeddings plus positions [N, ctx, D] of token ids [N, ctx]; hooks see the token
   * embeddings at site {@code text/token_embed} before the positions are added.
   */
  public static Operand<TFloat32> embedTokens(Net net, Operand<TInt32> ids, Spec spec) {
    Ops tf = net.tf();
    Operand<TFloat32> x = tf.gather(tokenEmbedding(net, spec).value(), ids, tf.constant(0));
    for (SiteHook h : net.hooks()) {
      x = h.embeddings(net, "text/token_embed", x);
    }
    return tf.math.add(x, positionEmbedding(net, spec));
  }

  /** The text tower's position embeddings [ctx, D] (created on first use). */
  private static Operand<TFloat32> positionEmbedding(Net net, Spec spec) {
    return net.variable("backbone/text/pos_embed",
        new long[] {spec.contextLength(), spec.text().width()}, Init.normal(0.01f)).value();
  }

  /**
   * Projected text features [N, E] of token embeddings [N, ctx, D] that a method built itself
   * (per-image prompts), before the position embeddings, which are added here as
   * {@link #embedTokens} adds them; pooled at position {@code eot} [N].
   */
  public static Operand<TFloat32> textFeaturesOfTokens(Net net, Operand<TFloat32> tokens,
      Operand<TInt32> eot, Spec spec) {
    return textFeaturesFromEmbeddings(net, net.tf().math.add(tokens,
        positionEmbedding(net, spec)), eot, spec);
  }

  /** The token embedding table [vocab, D] (created on first use). */
  public static ModelVariable tokenEmbedding(Net net, Spec spec) {
    return net.variable("backbone/text/token_embedding",
        new long[] {spec.vocabSize(), spec.text().width()}, Init.normal(0.02f));
  }

  /** Projected text features [N, E] of token ids [N, ctx]; the end-of-text token has the top id. */
  public static Operand<TFloat32> textFeatures(Net net, Operand<TInt32> ids, Spec spec) {
    Ops tf = net.tf();
    Operand<TInt32> eot = tf.math.argMax(ids, tf.constant(1), TInt32.class);
    return textFeaturesFromEmbeddings(net, embedTokens(net, ids, spec), eot, spec);
  }

  /**
   * Projected text features from embeddings [N, ctx, D] (prompt methods build these themselves)
   * pooled at position {@code eot} [N].
   */
  public static Operand<TFloat32> textFeaturesFromEmbeddings(Net net, Operand<TFloat32> x,
      Operand<TInt32> eot, Spec spec) {
    Ops tf = net.tf();
    TransformerSpec t = spec.text();
    int ctx = spec.contextLength();
    Operand<TFloat32> mask = Attention.causalMask(tf, ctx);
    for (int i = 0; i < t.depth(); i++) {
      x = Block.apply(net, i, x, t, mask, 0f);
    }
    x = LayerNorm.site(net, "backbone/", "text/norm", x, t.width(), t.layerNormEps());
    Operand<TFloat32> pick = tf.expandDims(tf.oneHot(eot, tf.constant(ctx), tf.constant(1f),
        tf.constant(0f)), tf.constant(-1));
    Operand<TFloat32> pooled = tf.reduceSum(tf.math.mul(x, pick), tf.constant(1),
        ReduceSum.keepDims(false));
    return Linear.apply(net, "backbone/", "text/proj", pooled, t.width(), spec.embedDim(), false,
        Init.normal((float) Math.pow(t.width(), -0.5)));
  }

  /** The learned temperature, stored as log(1/0.07) like CLIP. */
  public static Operand<TFloat32> logitScale(Net net) {
    return net.variable("backbone/logit_scale", new long[] {},
        new Init.Constant((float) Math.log(1 / 0.07))).value();
  }

  /** Row-wise L2 normalization. */
  public static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> norm2 = tf.reduceSum(tf.math.square(x), tf.constant(-1),
        ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(norm2));
  }

  /** exp(logit_scale) * normalize(image) . normalize(text)^T: [N, M]. */
  public static Operand<TFloat32> logits(Net net, Operand<TFloat32> image, Operand<TFloat32> text) {
    Ops tf = net.tf();
    Operand<TFloat32> sim = tf.linalg.matMul(normalize(tf, image), normalize(tf, text),
        org.tensorflow.op.linalg.MatMul.transposeB(true));
    return tf.math.mul(sim, tf.math.exp(logitScale(net)));
  }
}
