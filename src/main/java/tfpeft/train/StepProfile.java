package tfpeft.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.StepStats;

/**
 * Where a traced {@code Session.run} spent its time, per op type: the sum of each executed
 * node's own compute time ({@code op_end_rel_micros - op_start_rel_micros}) from the step's
 * {@link StepStats}, as TensorFlow's runtime recorded it under {@code FULL_TRACE}. The op type is
 * read from the node's timeline label ({@code "name = Type(inputs)"}), so ops that the graph
 * optimizer fused or rewrote ({@code _FusedMatMul}, {@code _MklMatMul}...) are counted under the
 * type that actually ran.
 *
 * @param ops per op type, most time first
 * @param nodes nodes executed
 * @param opMicros the nodes' compute time summed (more than the wall time when ops overlap on
 *     several threads)
 * @param slowest the {@value #SLOWEST} nodes that took the most time, slowest first
 */
public record StepProfile(List<OpTime> ops, int nodes, long opMicros, List<NodeTime> slowest) {
  /** One op type's share of the step. */
  public record OpTime(String type, int count, long micros) {}

  /** One executed node: its timeline label ({@code "name = Type(inputs)"}) and time. */
  public record NodeTime(String label, long micros) {}

  /** How many of the slowest nodes a profile keeps (a 12-block ViT LoRA step runs about 3,400). */
  public static final int SLOWEST = 10_000;

  public static StepProfile of(StepStats stats) {
    Map<String, long[]> byType = new HashMap<>();
    int nodes = 0;
    long total = 0;
    List<NodeTime> all = new ArrayList<>();
    for (DeviceStepStats d : stats.getDevStatsList()) {
      for (NodeExecStats n : d.getNodeStatsList()) {
        String type = type(n);
        if (type == null) {
          continue;
        }
        long micros = Math.max(0, n.getOpEndRelMicros() - n.getOpStartRelMicros());
        long[] acc = byType.computeIfAbsent(type, k -> new long[2]);
        acc[0]++;
        acc[1] += micros;
        nodes++;
        total += micros;
        all.add(new NodeTime(n.getTimelineLabel().isEmpty() ? n.getNodeName()
            : n.getTimelineLabel(), micros));
      }
    }
    List<OpTime> ops = new ArrayList<>();
    byType.forEach((t, a) -> ops.add(new OpTime(t, (int) a[0], a[1])));
    ops.sort(Comparator.comparingLong(OpTime::micros).reversed()
        .thenComparing(OpTime::type));
    all.sort(Comparator.comparingLong(NodeTime::micros).reversed());
    return new StepProfile(List.copyOf(ops), nodes, total,
        List.copyOf(all.subList(0, Math.min(SLOWEST, all.size()))));
  }

  /** The op type in {@code "name = Type(inputs)"}; null for the runtime's own entries. */
  static String type(NodeExecStats n) {
    String label = n.getTimelineLabel();
    int eq = label.indexOf(" = ");
    if (eq < 0) {
      // the executor's bookkeeping (_SOURCE, RecvTensor...) carries no op label
      return n.getNodeName().startsWith("_") ? null : "(unlabelled)";
    }
    int paren = label.indexOf('(', eq + 3);
    String type = (paren < 0 ? label.substring(eq + 3) : label.substring(eq + 3, paren)).trim();
    return type.isEmpty() ? "(unlabelled)" : type;
  }

  /** Compute time of the ops of {@code type}, 0 when none ran. */
  public long micros(String type) {
    return ops.stream().filter(o -> o.type().equals(type)).mapToLong(OpTime::micros).sum();
  }

  /** Number of executed ops of {@code type}. */
  public int count(String type) {
    return ops.stream().filter(o -> o.type().equals(type)).mapToInt(OpTime::count).sum();
  }
}
