package tfpeft.peft.prompt;

import java.util.List;
import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.Gelu;
import tfpeft.config.proto.InjectionKind;
import tfpeft.model.Activations;
import tfpeft.model.Init;
import tfpeft.model.LayerNorm;
import tfpeft.model.Net;

/**
 * MuDPT's Injection Model (Miao et al., ICME 2023): the text prompts T [L, n, Dt] and the visual
 * prompts V [L, n, Dv] are fused both ways,
 *
 * <pre>  T_hat_0 = T_0,   T_hat_i = T_i + V'_i (i &gt;= 1),   V_hat = V + T',   (T', V') = Injection(T, V)</pre>
 *
 * where T' is T carried into the visual width and V' is V carried into the text width. Text
 * layer 0 stays unfused (Eq. 8 and 10; the authors' code passes the first-layer context to the
 * text tower as it is and adds the mapped visual prompts only to the deeper text prompts), so the
 * phrase that initializes T_0 ("a photo of a") is what the text tower starts from. Forms:
 * <ul>
 *   <li>ATTENTION (the paper's): per direction, LayerNorm, a pre-norm transformer block
 *       (multi-head self-attention over the n prompts of a layer, then a 4x QuickGELU MLP),
 *       LayerNorm, Linear(D_src -&gt; D_dst); one set of weights serves every layer, as in the
 *       authors' attention code.
 *   <li>LINEAR (the authors' linear code, {@code trainers/mudpt.py}): one Linear(Dt -&gt; Dv)
 *       for layer 0 ({@code t2v/layer0}), one Linear(Dt -&gt; Dv) shared by layers 1..L-1
 *       ({@code t2v/deep}) and one Linear(Dv -&gt; Dt) shared by layers 1..L-1
 *       ({@code v2t/deep}); nothing maps visual to text at layer 0.
 *   <li>ONE_WAY (MaPLe-style coupling): V_hat = T', a Linear(Dt -&gt; Dv) per layer, and
 *       T_hat = T; there are no visual prompts of their own.
 *   <li>INDEPENDENT: T_hat = T, V_hat = V (independent prompts, the ablation).
 * </ul>
 * Variables live under the given scope: {@code t2v/...} maps text to visual, {@code v2t/...}
 * visual to text.
 */
public final class InjectionModel {
  /** The fused prompts; visual is null when there are no visual prompts. */
  public record Fused(Operand<TFloat32> text, Operand<TFloat32> visual) {}

  private static final int MLP_RATIO = 4;
  private static final int HEAD_WIDTH = 64;

  private final Net net;
  private final String scope;
  private final float eps;

  /**
   * @param scope variable prefix, e.g. "peft/mudpt/injection/"
   * @param eps LayerNorm epsilon (the backbone's)
   */
  public InjectionModel(Net net, String scope, float eps) {
    this.net = net;
    this.scope = scope;
    this.eps = eps;
  }

  /**
   * @param text T [L, n, Dt]
   * @param visual V [L, n, Dv]; null for ONE_WAY
   * @param visualWidth Dv (needed by ONE_WAY, where V is null)
   * @param heads attention heads per branch; 0 takes width / 64 (at least 1) for each
   */
  public Fused apply(InjectionKind kind, Operand<TFloat32> text, Operand<TFloat32> visual,
      long visualWidth, int heads) {
    Ops tf = net.tf();
    long dt = text.shape().get(2);
    return switch (kind) {
      case INDEPENDENT -> new Fused(text, visual);
      case ONE_WAY -> new Fused(text, perLayerLinear("t2v", text, dt, visualWidth));
      case LINEAR -> {
        long dv = visual.shape().get(2);
        yield new Fused(fuseDeeperText(text, visual, deep -> dense(scope + "v2t/deep", deep,
            dv, dt)), tf.math.add(visual, firstAndDeeper(text,
                first -> dense(scope + "t2v/layer0", first, dt, dv),
                deep -> dense(scope + "t2v/deep", deep, dt, dv))));
      }
      case ATTENTION -> {
        long dv = visual.shape().get(2);
        yield new Fused(
            fuseDeeperText(text, visual,
                deep -> attentionBranch("v2t", deep, dv, dt, headsFor(heads, dv))),
            tf.math.add(visual, attentionBranch("t2v", text, dt, dv, headsFor(heads, dt))));
      }
      default -> throw new IllegalArgumentException("unknown injection " + kind);
    };
  }

  /**
   * T_hat: layer 0 as it is, layers 1..L-1 plus {@code toText} of the visual prompts of those
   * layers (Eq. 8 and 10).
   */
  private Operand<TFloat32> fuseDeeperText(Operand<TFloat32> text, Operand<TFloat32> visual,
      UnaryOperator<Operand<TFloat32>> toText) {
    int depth = (int) text.shape().get(0);
    if (depth == 1) {
      return text;
    }
    Ops tf = net.tf();
    Operand<TFloat32> deeper = tf.math.add(layers(text, 1, depth), toText.apply(
        layers(visual, 1, depth)));
    return tf.concat(List.of(layers(text, 0, 1), deeper), tf.constant(0));
  }

  /** {@code first} applied to layer 0 and {@code deeper} to layers 1..L-1, stacked again. */
  private Operand<TFloat32> firstAndDeeper(Operand<TFloat32> x,
      UnaryOperator<Operand<TFloat32>> first, UnaryOperator<Operand<TFloat32>> deeper) {
    int depth = (int) x.shape().get(0);
    Operand<TFloat32> head = first.apply(layers(x, 0, 1));
    if (depth == 1) {
      return head;
    }
    return net.tf().concat(List.of(head, deeper.apply(layers(x, 1, depth))),
        net.tf().constant(0));
  }

  /** Layers from..to-1 of a stack [L, n, D] (Unstack and Stack: both have C++ gradients). */
  private Operand<TFloat32> layers(Operand<TFloat32> stack, int from, int to) {
    Ops tf = net.tf();
    List<Output<TFloat32>> all = tf.unstack(stack, stack.shape().get(0), Unstack.axis(0L))
        .output();
    return tf.stack(List.<Operand<TFloat32>>copyOf(all.subList(from, to)));
  }

  static int headsFor(int configured, long width) {
    return configured > 0 ? configured : (int) Math.max(1, width / HEAD_WIDTH);
  }

  /** LayerNorm -> pre-norm block -> LayerNorm -> Linear, over the n prompts of each layer. */
  private Operand<TFloat32> attentionBranch(String branch, Operand<TFloat32> x, long in,
      long out, int heads) {
    Ops tf = net.tf();
    String p = scope + branch;
    Operand<TFloat32> h = LayerNorm.apply(net, p + "/ln_pre", x, in, eps);
    h = tf.math.add(h, selfAttention(p + "/attn",
        LayerNorm.apply(net, p + "/ln_1", h, in, eps), in, heads));
    Operand<TFloat32> m = dense(p + "/mlp/fc1", LayerNorm.apply(net, p + "/ln_2", h, in, eps),
        in, in * MLP_RATIO);
    m = dense(p + "/mlp/fc2", Activations.gelu(tf, m, Gelu.QUICK_GELU), in * MLP_RATIO, in);
    h = tf.math.add(h, m);
    h = LayerNorm.apply(net, p + "/ln_post", h, in, eps);
    return dense(p + "/proj", h, in, out);
  }

  /** softmax(q k^T / sqrt(d_head)) v over the n prompts of each of the L layers. */
  private Operand<TFloat32> selfAttention(String p, Operand<TFloat32> x, long width,
      int heads) {
    Ops tf = net.tf();
    if (width % heads != 0) {
      throw new IllegalArgumentException(heads + " injection heads do not divide width "
          + width);
    }
    int layers = (int) x.shape().get(0);
    int n = (int) x.shape().get(1);
    int dh = (int) width / heads;
    int[] split = {layers, n, heads, dh};
    int[] toHeads = {0, 2, 1, 3};
    Operand<TFloat32> q = tf.linalg.transpose(tf.reshape(dense(p + "/q", x, width, width),
        tf.constant(split)), tf.constant(toHeads));
    // no key bias: it adds the same q.b to every score of a row, which softmax ignores
    Operand<TFloat32> k = tf.linalg.transpose(tf.reshape(dense(p + "/k", x, width, width, false),
        tf.constant(split)), tf.constant(toHeads));
    Operand<TFloat32> v = tf.linalg.transpose(tf.reshape(dense(p + "/v", x, width, width),
        tf.constant(split)), tf.constant(toHeads));
    Operand<TFloat32> scores = tf.math.mul(
        tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true)),
        tf.constant((float) (1 / Math.sqrt(dh))));
    Operand<TFloat32> ctx = tf.train.batchMatMul(tf.nn.softmax(scores), v, TFloat32.class);
    ctx = tf.reshape(tf.linalg.transpose(ctx, tf.constant(toHeads)),
        tf.constant(new int[] {layers, n, (int) width}));
    return dense(p + "/out", ctx, width, width);
  }

  private Operand<TFloat32> dense(String name, Operand<TFloat32> x, long in, long out) {
    return dense(name, x, in, out, true);
  }

  /** x W (+ b) with one W [in, out] for every layer; x is [L, n, in]. */
  private Operand<TFloat32> dense(String name, Operand<TFloat32> x, long in, long out,
      boolean bias) {
    Ops tf = net.tf();
    int layers = (int) x.shape().get(0);
    int n = (int) x.shape().get(1);
    Operand<TFloat32> w = net.variable(name + "/weight", new long[] {in, out},
        Init.xavierUniform(in, out)).value();
    Operand<TFloat32> y = tf.linalg.matMul(tf.reshape(x, tf.constant(new int[] {-1, (int) in})),
        w);
    if (bias) {
      y = tf.math.add(y, net.variable(name + "/bias", new long[] {out}, Init.zeros()).value());
    }
    return tf.reshape(y, tf.constant(new int[] {layers, n, (int) out}));
  }

  /** x_i W_i + b_i with a W_i [in, out] per layer i; x is [L, n, in]. */
  private Operand<TFloat32> perLayerLinear(String branch, Operand<TFloat32> x, long in,
      long out) {
    Ops tf = net.tf();
    int layers = (int) x.shape().get(0);
    String p = scope + branch + "/per_layer";
    Operand<TFloat32> w = net.variable(p + "/weight", new long[] {layers, in, out},
        Init.xavierUniform(in, out)).value();
    Operand<TFloat32> b = net.variable(p + "/bias", new long[] {layers, 1, out}, Init.zeros())
        .value();
    return tf.math.add(tf.train.batchMatMul(x, w, TFloat32.class), b);
  }
}
