package tfpeft.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.TfpeftException;
import tfpeft.model.Net;
import tfpeft.util.Seeds;

/**
 * Data parallelism in one process ({@code runtime.devices}): the forward and backward pass of a
 * step copied once per device, each copy (a tower) placed on its device by TensorFlow's own
 * placer and fed its share of the batch, and the towers' gradients averaged, weighted by their
 * images (sum_i n_i / N * g_i, the gradient of the batch's mean loss), into the one update.
 *
 * <p>The towers are copies of the single-device graph's ops, not a second build of the model:
 * the ops between the variables and the loss and gradients are taken from the graph's
 * definition and imported again under {@code towers/device<i>/} with the device set. The
 * variables, the per-step controls and whatever else the step feeds (a frozen text tower's
 * class features) are not copied: every tower reads the one variable and the one feed. The
 * batch's images and labels are copied, one placeholder per tower. So a method's hooks, its
 * classifier and its extra loss are in every tower without the method knowing of devices.
 *
 * <p>Stochastic layers read the step seed; tower i &gt; 0 reads it offset by a constant of its
 * own, so towers draw independent masks (the first tower draws as one device would).
 */
final class Towers {
  /** Variable op types: read by every tower, never copied. */
  private static final Set<String> VARIABLES = Set.of("VariableV2", "Variable", "VarHandleOp");
  /** Fed ops shared by every tower (the controls). */
  private static final Set<String> PLACEHOLDERS = Set.of("Placeholder",
      "PlaceholderWithDefault");

  private final List<String> devices;
  private final List<Output<TFloat32>> images;
  private final List<Output<TInt32>> labels;
  private final Placeholder<TFloat32> weights;
  private final Operand<TFloat32> loss;
  private final List<Operand<TFloat32>> gradients;

  private Towers(List<String> devices, List<Output<TFloat32>> images, List<Output<TInt32>> labels,
      Placeholder<TFloat32> weights, Operand<TFloat32> loss, List<Operand<TFloat32>> gradients) {
    this.devices = devices;
    this.images = images;
    this.labels = labels;
    this.weights = weights;
    this.loss = loss;
    this.gradients = gradients;
  }

  /**
   * What the towers copy and what they share.
   *
   * @param devices one tower per device, in order
   * @param images the batch's images placeholder, copied per tower
   * @param labels the batch's labels placeholder, copied per tower
   * @param shared ops the step feeds that every tower reads as they are (placeholders are
   *     shared without being named here)
   */
  record Spec(List<String> devices, Operand<TFloat32> images, Operand<TInt32> labels,
      Set<String> shared) {}

  /**
   * Copies the ops that compute {@code loss} and {@code grads} (already in the graph) once per
   * device and averages them; {@code suffix} keeps a rebuilt step's towers apart.
   */
  static Towers build(Net net, Spec spec, Operand<TFloat32> loss,
      List<Operand<TFloat32>> grads, String suffix) {
    Graph g = net.graph();
    GraphDef def = g.toGraphDef();
    Map<String, NodeDef> nodes = new HashMap<>();
    for (NodeDef n : def.getNodeList()) {
      nodes.put(n.getName(), n);
    }
    String imagesOp = spec.images().op().name();
    String labelsOp = spec.labels().op().name();
    List<Output<?>> targets = new ArrayList<>();
    targets.add(loss.asOutput());
    grads.forEach(d -> targets.add(d.asOutput()));
    Set<String> copied = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    targets.forEach(t -> todo.add(t.op().name()));
    while (!todo.isEmpty()) {
      String name = todo.pop();
      NodeDef n = nodes.get(name);
      boolean batch = name.equals(imagesOp) || name.equals(labelsOp);
      if (copied.contains(name) || VARIABLES.contains(n.getOp())
          || !batch && (PLACEHOLDERS.contains(n.getOp()) || spec.shared().contains(name))) {
        continue;
      }
      if (changesState(n.getOp())) {
        throw TfpeftException.usage("runtime.devices: the step's forward pass changes a variable"
            + " (op " + name + ", " + n.getOp() + "), which every tower would do again; train"
            + " on one device (leave runtime.devices out)");
      }
      copied.add(name);
      for (String in : n.getInputList()) {
        todo.add(opName(in));
      }
    }
    String seedOp = net.stepSeed().op().name();
    String root = "towers" + suffix + "/";
    Ops tf = net.tf();
    List<String> devices = spec.devices();
    int k = devices.size();
    List<Output<TFloat32>> towerImages = new ArrayList<>();
    List<Output<TInt32>> towerLabels = new ArrayList<>();
    List<Output<TFloat32>> towerLoss = new ArrayList<>();
    List<List<Output<TFloat32>>> towerGrads = new ArrayList<>();
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      String prefix = root + "device" + i + "/";
      String seed = seedOp;
      if (i > 0) {
        seed = net.named(root + "seed" + i).math.add(net.stepSeed(),
            tf.constant(new long[] {Seeds.derive(net.seed(), "tower", i), 0})).op().name();
      }
      for (NodeDef n : def.getNodeList()) {
        if (copied.contains(n.getName())) {
          copy(g, n, prefix, devices.get(i), copied, seedOp, seed);
        }
      }
      // the device as the copied op holds it, which is what TensorFlow's placer reads
      placed.add(g.operationOrThrow(prefix + loss.op().name()).device());
      towerImages.add(output(g, prefix + imagesOp + ":0"));
      towerLabels.add(output(g, prefix + labelsOp + ":0"));
      towerLoss.add(output(g, prefix + outputName(loss.asOutput())));
      List<Output<TFloat32>> gs = new ArrayList<>();
      for (Operand<TFloat32> d : grads) {
        gs.add(output(g, prefix + outputName(d.asOutput())));
      }
      towerGrads.add(gs);
    }
    Placeholder<TFloat32> weights = net.named(root + "weights").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(k)));
    List<Operand<TFloat32>> w = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      w.add(tf.reshape(tf.slice(weights, tf.constant(new int[] {i}), tf.constant(new int[] {1})),
          tf.constant(new int[0])));
    }
    // mulNoNan: a tower given no images (a last batch smaller than the device count) has
    // weight 0 and a mean loss of 0/0, which must not reach the sum
    Operand<TFloat32> meanLoss = weightedSum(tf, towerLoss, w);
    List<Operand<TFloat32>> mean = new ArrayList<>();
    for (int j = 0; j < grads.size(); j++) {
      List<Output<TFloat32>> per = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        per.add(towerGrads.get(i).get(j));
      }
      mean.add(net.named(root + "mean_gradient_" + j).identity(weightedSum(tf, per, w)));
    }
    return new Towers(List.copyOf(placed), towerImages, towerLabels, weights,
        net.named(root + "loss").identity(meanLoss), mean);
  }

  /**
   * Builds node {@code n} again as {@code prefix + name} on {@code device}, its inputs from the
   * copied ops where they were copied (GraphDef nodes come in creation order, so they exist)
   * and the step seed replaced by the tower's. Inputs are grouped by the op's definition: a list
   * argument (AddN's, ConcatV2's values) takes as many inputs as its length attribute says.
   */
  private static void copy(Graph g, NodeDef n, String prefix, String device, Set<String> copied,
      String seedOp, String seed) {
    // the device goes through the scope: the builder's own setDevice is overwritten by it
    org.tensorflow.GraphOperationBuilder b = g.opBuilder(n.getOp(), prefix + n.getName(),
        g.baseScope().withDevice(device(device)));
    List<Output<?>> data = new ArrayList<>();
    for (String in : n.getInputList()) {
      String op = opName(in);
      String renamed = copied.contains(op) ? prefix + op : op.equals(seedOp) ? seed : op;
      if (in.startsWith("^")) {
        b.addControlInput(g.operationOrThrow(renamed));
      } else {
        int colon = in.lastIndexOf(':');
        int index = colon < 0 ? 0 : Integer.parseInt(in.substring(colon + 1));
        data.add(g.operationOrThrow(renamed).output(index));
      }
    }
    int at = 0;
    for (org.tensorflow.proto.OpDef.ArgDef arg : opDef(n.getOp()).getInputArgList()) {
      if (!arg.getNumberAttr().isEmpty() || !arg.getTypeListAttr().isEmpty()) {
        int count = !arg.getNumberAttr().isEmpty()
            ? (int) n.getAttrOrThrow(arg.getNumberAttr()).getI()
            : n.getAttrOrThrow(arg.getTypeListAttr()).getList().getTypeCount();
        b.addInputList(data.subList(at, at + count).toArray(new Output<?>[0]));
        at += count;
      } else {
        b.addInput(data.get(at++));
      }
    }
    for (var attr : n.getAttrMap().entrySet()) {
      // colocation with an op of another device would contradict the tower's placement
      if (!attr.getKey().equals("_class")) {
        b.setAttr(attr.getKey(), attr.getValue());
      }
    }
    b.build();
  }

  private static Map<String, org.tensorflow.proto.OpDef> opDefs;

  private static synchronized org.tensorflow.proto.OpDef opDef(String type) {
    if (opDefs == null) {
      opDefs = new HashMap<>();
      for (org.tensorflow.proto.OpDef d : org.tensorflow.TensorFlow.registeredOpList()
          .getOpList()) {
        opDefs.put(d.getName(), d);
      }
    }
    org.tensorflow.proto.OpDef d = opDefs.get(type);
    if (d == null) {
      throw new IllegalStateException("no registered op " + type);
    }
    return d;
  }

  /** The forms {@code runtime.devices} takes: /device:GPU:1, /gpu:1, /device:CPU:0, /cpu:0. */
  static final java.util.regex.Pattern DEVICE = java.util.regex.Pattern.compile(
      "/(?:device:)?(cpu|gpu):(\\d+)", java.util.regex.Pattern.CASE_INSENSITIVE);

  /** The device {@code name} names, in TensorFlow Java's terms. */
  static org.tensorflow.DeviceSpec device(String name) {
    java.util.regex.Matcher m = DEVICE.matcher(name);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a device name: " + name);
    }
    return org.tensorflow.DeviceSpec.newBuilder()
        .deviceType(m.group(1).equalsIgnoreCase("gpu") ? org.tensorflow.DeviceSpec.DeviceType.GPU
            : org.tensorflow.DeviceSpec.DeviceType.CPU)
        .deviceIndex(Integer.parseInt(m.group(2))).build();
  }

  private static Operand<TFloat32> weightedSum(Ops tf, List<Output<TFloat32>> xs,
      List<Operand<TFloat32>> w) {
    List<Operand<TFloat32>> terms = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      terms.add(tf.math.mulNoNan(xs.get(i), w.get(i)));
    }
    return terms.size() == 1 ? terms.get(0) : tf.math.addN(terms);
  }

  private static boolean changesState(String op) {
    return op.startsWith("Assign") || op.startsWith("Scatter") || op.startsWith("Apply")
        || op.startsWith("ResourceApply") || op.startsWith("ResourceScatter");
  }

  /** "a/b:1" and "^a/b" name op "a/b". */
  private static String opName(String input) {
    String s = input.startsWith("^") ? input.substring(1) : input;
    int colon = s.lastIndexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  private static String outputName(Output<?> o) {
    return o.op().name() + ":" + o.index();
  }

  @SuppressWarnings("unchecked")
  private static <T extends org.tensorflow.types.family.TType> Output<T> output(Graph g,
      String name) {
    int colon = name.lastIndexOf(':');
    return (Output<T>) g.operationOrThrow(name.substring(0, colon))
        .output(Integer.parseInt(name.substring(colon + 1)));
  }

  /** The towers' devices, as their ops hold them. */
  List<String> devices() {
    return devices;
  }

  /** The batch's mean loss: the towers' mean losses weighted by their images. */
  Operand<TFloat32> loss() {
    return loss;
  }

  /** The gradients of the batch's mean loss, in the order they were given. */
  List<Operand<TFloat32>> gradients() {
    return gradients;
  }

  /** Whether {@code op} is one of the towers' averaged outputs, where their graph ends. */
  boolean isOutput(GraphOperation op) {
    return gradients.stream().anyMatch(d -> d.op().equals(op)) || loss.op().equals(op);
  }

  /**
   * Feeds images [from, to) of a batch ({@code pixels} floats per image, [H, W, 3]) and their
   * labels, split as evenly as the count allows (the first towers take one more), and the
   * towers' weights n_i / n; returns the tensors to close after the run.
   */
  List<Tensor> feed(Session.Runner r, float[] images, int[] labels, int from, int to,
      long height, long width) {
    int k = devices.size();
    int n = to - from;
    long pixels = height * width * 3;
    List<Tensor> fed = new ArrayList<>();
    float[] w = new float[k];
    int start = from;
    for (int i = 0; i < k; i++) {
      int m = n / k + (i < n % k ? 1 : 0);
      w[i] = m / (float) n;
      TFloat32 x = TFloat32.tensorOf(Shape.of(m, height, width, 3),
          DataBuffers.of(images, true, false).slice(start * pixels, m * pixels));
      fed.add(x);
      TInt32 y = TInt32.tensorOf(Shape.of(m),
          DataBuffers.of(labels, true, false).slice(start, m));
      fed.add(y);
      r.feed(this.images.get(i), x).feed(this.labels.get(i), y);
      start += m;
    }
    TFloat32 ws = TFloat32.vectorOf(w);
    fed.add(ws);
    r.feed(weights, ws);
    return fed;
  }

  /** The op names of the graph's batch placeholders and shared feeds, for {@link Spec}. */
  static Set<String> names(Operand<?>... ops) {
    Set<String> s = new HashSet<>();
    for (Operand<?> o : ops) {
      if (o != null) {
        s.add(o.op().name());
      }
    }
    return s;
  }
}
