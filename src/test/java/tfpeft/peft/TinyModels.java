package tfpeft.peft;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.VitConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.VitClassifier;

/** A tiny ViT, its inputs, and running it with the method hooks a test adds. */
public final class TinyModels {
  public static final VitConfig VIT = VitConfig.newBuilder().setImageSize(8).setPatchSize(4)
      .setWidth(8).setDepth(2).setHeads(2).setMlpRatio(2).build();
  public static final int CLASSES = 3;
  public static final int BATCH = 2;

  private TinyModels() {}

  /** Deterministic images [BATCH, 8, 8, 3]. */
  public static float[] images() {
    float[] px = new float[BATCH * 8 * 8 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) Math.sin(0.37 * i) * 0.5f + 0.5f;
    }
    return px;
  }

  /** Values of every variable of a built net, by name. */
  public static Map<String, float[]> values(Net net, Session s) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ModelVariable v : net.variables()) {
      out.put(v.name(), VariableValues.read(s, v));
    }
    return out;
  }

  /** Pseudo-random values in +-scale, fixed by the seed. */
  public static float[] noise(int n, long seed, float scale) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
    }
    return v;
  }

  /**
   * Builds the tiny classifier with {@code hooks} added, runs {@code setup} on the initialized
   * session, and returns the logits (no drop-path, no dropout).
   */
  public static float[] logits(long seed, Consumer<Net> hooks,
      java.util.function.BiConsumer<Net, Session> setup) {
    try (Graph g = new Graph()) {
      Net net = new Net(g, seed);
      hooks.accept(net);
      VitClassifier.Endpoints e = VitClassifier.build(net, VIT, CLASSES, false);
      try (Session s = new Session(g)) {
        s.initialize();
        setup.accept(net, s);
        return run(net, s, e.logits(), e.images());
      }
    }
  }

  public static float[] run(Net net, Session s, Operand<TFloat32> y,
      org.tensorflow.op.core.Placeholder<TFloat32> images) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(BATCH, 8, 8, 3), DataBuffers.of(images()));
        TFloat32 rate = TFloat32.scalarOf(0f);
        TInt64 seed = TInt64.vectorOf(5, 6);
        var out = s.runner().feed(images, x).feed(net.dropPathRate(), rate)
            .feed(net.stepSeed(), seed).fetch(y).run()) {
      TFloat32 t = (TFloat32) out.get(0);
      float[] v = new float[(int) t.size()];
      t.asRawTensor().data().asFloats().read(v);
      return v;
    }
  }
}
