package tfpeft.peft.fact;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.FactConfig;
import tfpeft.config.proto.FactForm;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/**
 * FacT's factors as variables under {@code peft/fact/}, and the core matrix each site computes
 * with. U [d, r] and V [r, d] are one pair of variables for every position (a second use of a
 * name returns the same variable, so their gradients sum over the positions).
 *
 * <p>A site of rows x cols slices computes with one core matrix M [rows r, cols r] whose block
 * (i, o) is the core Sigma_p of its slice (i, o): the increment of that slice is
 * s * U M_io V. FacT-TT stores M itself, one variable per site ({@code <site>/core}): the
 * official code's q_FacTs ... fc2_FacTs, one r x r core per slice (Eq. of FacT-TT). FacT-TK
 * computes Sigma_p = C x_3 P[:, p] from its core tensor C [r, r, r] ({@code core}) and position
 * factor P [r, 12L] ({@code positions}), the official code's FacTc @ FacTp.
 *
 * <p>Initialization follows the official code: U as PyTorch's nn.Linear(d, r) (uniform in
 * +-1/sqrt(d)); V zero, so the model starts as the pretrained one; a TT core as nn.Linear of its
 * input width (uniform in +-1/sqrt(rows r)); TK's C and P by xavier_uniform_, whose fans for the
 * 3-d C are r^2 each and for P [r, 12L] are 12L in, r out.
 */
final class FactFactors {
  static final String U = "u";
  static final String V = "v";
  static final String CORE = "core";
  static final String POSITIONS = "positions";

  private final String prefix;
  private final FactConfig config;
  private final FactLayout layout;
  private final Map<String, Operand<TFloat32>> siteCores = new LinkedHashMap<>();

  FactFactors(String prefix, FactConfig config, FactLayout layout) {
    this.prefix = prefix;
    this.config = config;
    this.layout = layout;
  }

  ModelVariable u(Net net) {
    return net.variable(prefix + U, new long[] {layout.width(), config.getRank()},
        new Init.Uniform((float) (1.0 / Math.sqrt(layout.width()))));
  }

  ModelVariable v(Net net) {
    return net.variable(prefix + V, new long[] {config.getRank(), layout.width()},
        new Init.Constant(0f));
  }

  /** The core matrix M [rows r, cols r] of {@code site}, made once per graph. */
  Operand<TFloat32> core(Net net, FactLayout.Site site) {
    Operand<TFloat32> m = siteCores.get(site.name());
    if (m == null) {
      m = config.getForm() == FactForm.TK ? tuckerCore(net, site) : trainCore(net, site);
      siteCores.put(site.name(), m);
    }
    return m;
  }

  /** The core matrices built so far, by site: what export folds with. */
  Map<String, Operand<TFloat32>> cores() {
    return siteCores;
  }

  private Operand<TFloat32> trainCore(Net net, FactLayout.Site site) {
    long r = config.getRank();
    return net.variable(prefix + site.name() + "/" + CORE, new long[] {site.rows() * r,
        site.cols() * r}, new Init.Uniform((float) (1.0 / Math.sqrt(site.rows() * r))))
        .value();
  }

  private Operand<TFloat32> tuckerCore(Net net, FactLayout.Site site) {
    int r = config.getRank();
    int k = site.slices();
    ModelVariable c = net.variable(prefix + CORE, new long[] {r, r, r},
        new Init.Uniform((float) Math.sqrt(6.0 / (2.0 * r * r))));
    ModelVariable p = net.variable(prefix + POSITIONS, new long[] {r, layout.positions()},
        Init.xavierUniform(layout.positions(), r));
    Ops tf = net.scope("peft_ops/" + site.name() + "/fact_core");
    // T[a, b, j] = sum_c C[a, b, c] P[c, offset + j]: the cores of the site's k slices
    Operand<TFloat32> columns = tf.slice(p.value(), tf.constant(new int[] {0, site.offset()}),
        tf.constant(new int[] {r, k}));
    Operand<TFloat32> t = tf.reshape(tf.linalg.matMul(tf.reshape(c.value(),
        tf.constant(new int[] {r * r, r})), columns), tf.constant(new int[] {r, r, k}));
    int rows = site.rows();
    int cols = site.cols();
    if (config.getOfficialMlpReshape() && k > 1) {
      // the official code: FacTc[:, :, j0:j0+4].reshape(r, 4r) for fc1, and its transpose for fc2
      Operand<TFloat32> flat = tf.reshape(t, tf.constant(new int[] {r, k * r}));
      return rows == 1 ? flat : tf.linalg.transpose(flat, tf.constant(new int[] {1, 0}));
    }
    // slice (i, o) is position offset + i cols + o: M[(i, a), (o, b)] = T[a, b, i cols + o]
    Operand<TFloat32> grid = tf.reshape(t, tf.constant(new int[] {r, r, rows, cols}));
    return tf.reshape(tf.linalg.transpose(grid, tf.constant(new int[] {2, 0, 3, 1})),
        tf.constant(new int[] {rows * r, cols * r}));
  }
}
