package tfpeft.peft.adapterp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.AdapterPConfig;
import tfpeft.config.proto.AdapterPInit;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.peft.Shapes;
import tfpeft.peft.SitePatterns;

/**
 * The Pfeiffer adapter after each vision block's MLP. With x the stream entering the MLP
 * sublayer and m = drop_path(mlp(ln2(x))), the block's output z = x + m becomes
 * z + up(relu(down(z) + b_down)) + b_up (biases only with {@code bias: true}); the hook returns
 * m + adapter(z) and the block adds x. Variables {@code peft/adapterp/<site>/down} [D, r],
 * {@code up} [r, D] and, with biases, {@code down_bias} [r], {@code up_bias} [D].
 */
public final class PfeifferAdapter implements SiteHook {
  /** Every vision block's MLP (CLIP's text blocks are "text/block*"). */
  public static final SitePatterns TARGETS = SitePatterns.of("block*/mlp");
  public static final String DOWN = "down";
  public static final String UP = "up";
  public static final String DOWN_BIAS = "down_bias";
  public static final String UP_BIAS = "up_bias";
  /** adapter-transformers' "bert" initialization: N(0, 0.02^2) for both matrices. */
  static final float BERT_STD = 0.02f;

  private final String prefix;
  private final AdapterPConfig config;
  private final Map<String, List<ModelVariable>> sites = new LinkedHashMap<>();

  public PfeifferAdapter(String prefix, AdapterPConfig config) {
    this.prefix = prefix;
    this.config = config;
  }

  @Override
  public Operand<TFloat32> mlpOutput(Net net, String site, Operand<TFloat32> residual,
      Operand<TFloat32> mlpOut) {
    if (!TARGETS.matches(site)) {
      return mlpOut;
    }
    long d = Shapes.lastDim(residual, site);
    long r = config.getDim();
    String at = prefix + site + "/";
    List<ModelVariable> vars = new ArrayList<>();
    ModelVariable down = net.variable(at + DOWN, new long[] {d, r}, downInit(d));
    ModelVariable up = net.variable(at + UP, new long[] {r, d}, upInit());
    vars.add(down);
    vars.add(up);
    Ops tf = net.scope("peft_ops/" + site);
    Operand<TFloat32> z = tf.math.add(residual, mlpOut);
    Operand<TFloat32> h = Shapes.matmulLast(tf, z, d, down.value(), r);
    if (config.getBias()) {
      ModelVariable b = net.variable(at + DOWN_BIAS, new long[] {r}, Init.zeros());
      vars.add(b);
      h = tf.math.add(h, b.value());
    }
    Operand<TFloat32> a = Shapes.matmulLast(tf, tf.nn.relu(h), r, up.value(), d);
    if (config.getBias()) {
      ModelVariable b = net.variable(at + UP_BIAS, new long[] {d}, Init.zeros());
      vars.add(b);
      a = tf.math.add(a, b.value());
    }
    sites.put(site, vars);
    return tf.math.add(mlpOut, a);
  }

  private Init downInit(long d) {
    return config.getInit() == AdapterPInit.ZERO_UP
        ? new Init.Uniform((float) (1.0 / Math.sqrt(d))) : Init.normal(BERT_STD);
  }

  private Init upInit() {
    return config.getInit() == AdapterPInit.ZERO_UP ? Init.zeros() : Init.normal(BERT_STD);
  }

  /** The sites that got an adapter, in build order, with its variables. */
  public Map<String, List<ModelVariable>> sites() {
    return sites;
  }
}
