package tfpeft.peft.compacter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.CompacterConfig;
import tfpeft.config.proto.CompacterPlacement;
import tfpeft.model.Activations;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.Shapes;
import tfpeft.peft.SitePatterns;

/**
 * Compacter's adapter on a sublayer's output h (the attention's output projection, the MLP's
 * fc2): h + up(act(down(h))), with down and up PHM layers (Sec. 3, Eq. 4-5):
 * W = sum_{i=1..n} A_i (x) (s_i t_i^T). The rules A_i are one variable
 * {@code peft/compacter/phm_rule} [n, n, n], made at the first site and read at every other;
 * each site owns {@code down_left} [n, width/n, k], {@code down_right} [n, k, dim/n],
 * {@code up_left} [n, dim/n, k], {@code up_right} [n, k, width/n] and, with {@code bias},
 * {@code down_bias} [dim], {@code up_bias} [width]. The block adds its residual after
 * drop-path, as the official code adds the adapter's output inside the sublayer.
 */
public final class PhmAdapter implements SiteHook {
  public static final SitePatterns ATTENTION_AND_MLP =
      SitePatterns.of("block*/attn/out", "block*/mlp/fc2");
  public static final SitePatterns MLP_ONLY = SitePatterns.of("block*/mlp/fc2");
  public static final String RULE = "phm_rule";
  public static final String DOWN_LEFT = "down_left";
  public static final String DOWN_RIGHT = "down_right";
  public static final String UP_LEFT = "up_left";
  public static final String UP_RIGHT = "up_right";
  public static final String DOWN_BIAS = "down_bias";
  public static final String UP_BIAS = "up_bias";

  private final String prefix;
  private final CompacterConfig config;
  private final Map<String, List<ModelVariable>> sites = new LinkedHashMap<>();

  public PhmAdapter(String prefix, CompacterConfig config) {
    this.prefix = prefix;
    this.config = config;
  }

  public static SitePatterns targets(CompacterConfig config) {
    return config.getPlacement() == CompacterPlacement.MLP_ONLY ? MLP_ONLY : ATTENTION_AND_MLP;
  }

  @Override
  public Operand<TFloat32> linearOutput(Net net, String site, Operand<TFloat32> input,
      Operand<TFloat32> output) {
    if (!targets(config).matches(site)) {
      return output;
    }
    long d = Shapes.lastDim(output, site);
    long r = config.getDim();
    int n = config.getPhmDim();
    // One rule tensor for every layer: Net.variable returns the existing one after the first.
    ModelVariable rule = net.variable(prefix + RULE, new long[] {n, n, n},
        Init.normal(config.getRuleInitStd()));
    String at = prefix + site + "/";
    List<ModelVariable> vars = new ArrayList<>();
    Ops tf = net.scope("peft_ops/" + site);
    Operand<TFloat32> down = phmWeight(net, tf, at, DOWN_LEFT, DOWN_RIGHT, rule, d, r, vars);
    Operand<TFloat32> up = phmWeight(net, tf, at, UP_LEFT, UP_RIGHT, rule, r, d, vars);
    Operand<TFloat32> h = Shapes.matmulLast(tf, output, d, down, r);
    if (config.getBias()) {
      ModelVariable b = net.variable(at + DOWN_BIAS, new long[] {r}, Init.zeros());
      vars.add(b);
      h = tf.math.add(h, b.value());
    }
    h = Activations.gelu(tf, h, config.getActivation());
    Operand<TFloat32> a = Shapes.matmulLast(tf, h, r, up, d);
    if (config.getBias()) {
      ModelVariable b = net.variable(at + UP_BIAS, new long[] {d}, Init.zeros());
      vars.add(b);
      a = tf.math.add(a, b.value());
    }
    sites.put(site, vars);
    return tf.math.add(output, a);
  }

  /**
   * The [in, out] matrix sum_i A_i (x) B_i with B_i = left_i right_i; entry
   * ((a, p), (c, q)) is sum_i A_i[a, c] B_i[p, q] (the official code's batched Kronecker product,
   * summed over i), computed as one matmul over i and a transpose.
   */
  private Operand<TFloat32> phmWeight(Net net, Ops tf, String at, String leftName,
      String rightName, ModelVariable rule, long in, long out, List<ModelVariable> vars) {
    int n = config.getPhmDim();
    long k = config.getPhmRank();
    long p = in / n;
    long q = out / n;
    ModelVariable left = net.variable(at + leftName, new long[] {n, p, k}, glorot(k, p));
    ModelVariable right = net.variable(at + rightName, new long[] {n, k, q}, glorot(k, q));
    vars.add(left);
    vars.add(right);
    Operand<TFloat32> b = tf.train.batchMatMul(left.value(), right.value(), TFloat32.class);
    Operand<TFloat32> a2 = tf.reshape(rule.value(), tf.constant(new long[] {n, (long) n * n}));
    Operand<TFloat32> b2 = tf.reshape(b, tf.constant(new long[] {n, p * q}));
    Operand<TFloat32> m = tf.linalg.matMul(a2, b2, MatMul.transposeA(true));
    m = tf.reshape(m, tf.constant(new long[] {n, n, p, q}));
    m = tf.linalg.transpose(m, tf.constant(new int[] {0, 2, 1, 3}));
    return tf.reshape(m, tf.constant(new long[] {in, out}));
  }

  /**
   * The official "glorot-uniform" for each slice [a, b] of s and t: PyTorch's xavier_uniform_
   * with gain sqrt(2), bound sqrt(2) sqrt(6 / (a + b)).
   */
  private static Init glorot(long a, long b) {
    return new Init.Uniform((float) Math.sqrt(12.0 / (a + b)));
  }

  /** The sites that got an adapter, in build order, with their own variables (not the rule). */
  public Map<String, List<ModelVariable>> sites() {
    return sites;
  }
}
