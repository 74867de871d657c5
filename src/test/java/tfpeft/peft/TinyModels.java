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
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.model.ClipClassifier;
import tfpeft.model.ClipGraph;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.VitClassifier;

/**
 * Tiny graphs for tests of a method's graph: a ViT and a CLIP, their inputs, and running them
 * with the method hooks a test adds. (Whole tiny runs are {@code tfpeft.train.TinyRuns}.)
 */
public final class TinyModels {
  public static final VitConfig VIT = VitConfig.newBuilder().setImageSize(8).setPatchSize(4)
      .setWidth(8).setDepth(2).setHeads(2).setMlpRatio(2).build();
  /** A CLIP: 8 px images, width 8, two vision blocks and one text block. */
  public static final ClipConfig CLIP = ClipConfig.newBuilder().setImageSize(8).setPatchSize(4)
      .setVisionWidth(8).setVisionDepth(2).setVisionHeads(2).setTextWidth(8).setTextDepth(1)
      .setTextHeads(2).setContextLength(5).setVocabSize(300).setEmbedDim(4).setMlpRatio(2)
      .build();
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

  /** Deterministic images [n, 8, 8, 3] for {@link #CLIP}. */
  public static TFloat32 clipImages(int n) {
    float[] px = new float[n * 8 * 8 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) Math.sin(0.37 * i);
    }
    return TFloat32.tensorOf(Shape.of(n, 8, 8, 3), DataBuffers.of(px));
  }

  /** Token ids [3, 5] of three classes for {@link #CLIP}, end-of-text the largest of each row. */
  public static TInt32 clipTokens() {
    return TInt32.tensorOf(Shape.of(3, 5), DataBuffers.of(new int[] {
        298, 5, 17, 299, 0,
        298, 40, 299, 0, 0,
        298, 7, 8, 9, 299}));
  }

  /** The logits of {@link #clipImages} against class features from {@link #clipTokens}: [n * 3]. */
  public static float[] clipLogits(Graph g, Net net, ClipGraph clip, int n) {
    try (Session s = new Session(g)) {
      s.initialize();
      try (TInt32 ids = clipTokens();
          var text = s.runner().feed(clip.textIds(), ids).fetch(clip.textFeatures()).run()) {
        float[][] classes = ClipClassifier.rows((TFloat32) text.get(0));
        for (int c = 0; c < classes.length; c++) {
          classes[c] = ClipClassifier.normalize(classes[c]);
        }
        try (TFloat32 x = clipImages(n);
            TFloat32 w = ClipClassifier.tensor(classes);
            TFloat32 rate = TFloat32.scalarOf(0f);
            TInt64 seed = TInt64.vectorOf(0, 0);
            var r = s.runner().feed(clip.images(), x).feed(clip.classFeatures(), w)
                .feed(net.dropPathRate(), rate).feed(net.stepSeed(), seed)
                .fetch(clip.logits()).run()) {
          TFloat32 t = (TFloat32) r.get(0);
          float[] out = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(out);
          return out;
        }
      }
    }
  }
}
