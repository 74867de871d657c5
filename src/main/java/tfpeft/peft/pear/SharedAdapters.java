package tfpeft.peft.pear;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.peft.Adapter;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.AdapterWeights;
import tfpeft.peft.SiteSurvey;
import tfpeft.model.Init;
import org.tensorflow.ndarray.buffer.DataBuffers;

/**
 * Adapters that positions read through a routing matrix, so that one set of variables can serve
 * several positions without rebuilding the graph.
 *
 * <p>Every position p has its own variables (A_p, B_p), created before any position is built.
 * Their effective matrices (quantized at 1 bit) are stacked, and position p computes with
 * A'_p = sum_k R[p, k] A_k (same for B). Before the prune step R is the identity; afterwards row p
 * is one-hot at the adapter the plan gives position p, or zero for a pruned position without
 * sharing. The gradient of A_k is then sum_p R[p, k] dL/dA'_p: a shared adapter's gradient is the
 * sum over the positions it serves, and a pruned adapter gets none.
 *
 * <p>R is stored as its difference from the identity, {@code peft/pear/state/routing_offset}
 * (never trained), so that a fresh graph's zero initializer gives the warm-up routing and every
 * checkpoint carries the routing in force.
 */
public final class SharedAdapters implements AdapterWeights {
  /** Pear's own untrained variables: the routing offset and the importance. */
  public static final String STATE = "state/";

  private final AdapterBank bank;
  private final List<SiteSurvey.Site> positions;
  private final List<Adapter> adapters = new ArrayList<>();
  private final Map<String, Pair> routed = new LinkedHashMap<>();
  private ModelVariable routingOffset;
  private Operand<TFloat32> routing;

  public SharedAdapters(AdapterBank bank, List<SiteSurvey.Site> positions) {
    if (positions.isEmpty()) {
      throw new IllegalArgumentException("no positions");
    }
    this.bank = bank;
    this.positions = List.copyOf(positions);
  }

  @Override
  public Pair at(Net net, String site, long in, long out) {
    build(net);
    Pair p = routed.get(site);
    if (p == null) {
      throw new IllegalStateException("site " + site + " is not one of the surveyed positions "
          + routed.keySet());
    }
    return p;
  }

  /** Creates every position's variables, the routing, and the routed matrices. */
  public void build(Net net) {
    if (routingOffset != null) {
      return;
    }
    List<Operand<TFloat32>> downs = new ArrayList<>();
    List<Operand<TFloat32>> ups = new ArrayList<>();
    for (SiteSurvey.Site s : positions) {
      Adapter a = bank.create(net, s.name(), s.in(), s.out());
      adapters.add(a);
      Pair eff = bank.effective(net, a);
      downs.add(eff.down());
      ups.add(eff.up());
    }
    int n = positions.size();
    routingOffset = net.variable(bank.prefix() + STATE + "routing_offset", new long[] {n, n},
        Init.zeros());
    Ops tf = net.scope(bank.prefix() + "routed");
    routing = tf.math.add(tf.constant(Shape.of(n, n), DataBuffers.of(PearPlan.identityRouting(n),
        true, false)), routingOffset.value());
    List<Operand<TFloat32>> routedDowns = route(tf, downs, adapters.get(0).down().shape());
    List<Operand<TFloat32>> routedUps = route(tf, ups, adapters.get(0).up().shape());
    for (int p = 0; p < n; p++) {
      routed.put(positions.get(p).name(), new Pair(routedDowns.get(p), routedUps.get(p)));
    }
  }

  private List<Operand<TFloat32>> route(Ops tf, List<Operand<TFloat32>> matrices, Shape shape) {
    int n = matrices.size();
    int size = (int) shape.size();
    Operand<TFloat32> stacked = tf.reshape(tf.stack(matrices), tf.constant(new int[] {n, size}));
    Operand<TFloat32> mixed = tf.linalg.matMul(routing, stacked);
    List<Operand<TFloat32>> out = new ArrayList<>();
    int[] dims = {(int) shape.get(0), (int) shape.get(1)};
    for (var row : tf.unstack(mixed, (long) n).output()) {
      out.add(tf.reshape(row, tf.constant(dims)));
    }
    return out;
  }

  /** Every position's own adapter, in position order. */
  public List<Adapter> adapters() {
    return List.copyOf(adapters);
  }

  public List<SiteSurvey.Site> positions() {
    return positions;
  }

  /** The variable holding R - I. */
  public ModelVariable routingOffset() {
    return routingOffset;
  }

  /** The value to give {@link #routingOffset()} for a plan: its routing minus the identity. */
  public static float[] offset(float[] routing, int n) {
    float[] d = routing.clone();
    for (int p = 0; p < n; p++) {
      d[p * n + p] -= 1f;
    }
    return d;
  }

  public AdapterBank bank() {
    return bank;
  }
}
