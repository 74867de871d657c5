package tfpeft.peft.prompt;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.ClipConfig;
import tfpeft.model.ClipGraph;
import tfpeft.model.ClipModel;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.VariableValues;
import tfpeft.model.text.ClipTokenizer;

/**
 * A tiny randomly initialized CLIP with a prompt method attached, and recorders of the tokens at
 * every embeddings and block-input site, one before the method's hooks and one after.
 * Towers of different widths (vision 8, text 12) so that the Injection Model has to map between
 * them; 2x2 patches, so the image tower has 5 tokens before prompts.
 */
final class TinyClip implements AutoCloseable {
  static final ClipConfig CONFIG = ClipConfig.newBuilder().setImageSize(8).setPatchSize(4)
      .setVisionWidth(8).setVisionDepth(3).setVisionHeads(2).setTextWidth(12).setTextDepth(3)
      .setTextHeads(2).setContextLength(12).setVocabSize(726).setEmbedDim(6).build();
  static final List<String> CLASSES = List.of("red", "green", "blue");
  static final int IMAGES = 2;

  private static ClipTokenizer tokenizer;

  final Graph graph = new Graph();
  final Net net;
  final Recorder before = new Recorder();
  final Recorder after = new Recorder();
  final PromptSetup setup;
  final ClipGraph clip;
  final Operand<TFloat32> logits;
  final Session session;
  final int[][] classIds;

  /** Builds with the method {@code attach} adds (null for none), then initializes. */
  TinyClip(Function<Net, PromptSetup> attach) {
    net = new Net(graph, 11);
    net.addHook(before);
    setup = attach == null ? null : attach.apply(net);
    if (setup != null) {
      setup.hooks().forEach(net::addHook);
    }
    net.addHook(after);
    clip = ClipGraph.build(net, CONFIG, false);
    // exp(logit_scale) * cos(image, class text), the class side computed in the graph
    logits = net.tf().math.mul(net.tf().linalg.matMul(
        ClipModel.normalize(net.tf(), clip.imageFeatures()),
        ClipModel.normalize(net.tf(), clip.textFeatures()),
        org.tensorflow.op.linalg.MatMul.transposeB(true)),
        net.tf().math.exp(ClipModel.logitScale(net)));
    session = new Session(graph);
    session.initialize();
    classIds = setup != null && setup.prompt() != null
        ? setup.prompt().ids(CLASSES)
        : tokenizer().tokenizeAll(CLASSES.stream().map(c -> "a photo of a " + c + ".")
            .toList(), CONFIG.getContextLength(), false);
  }

  static ClipModel.Spec spec() {
    return ClipModel.spec(CONFIG);
  }

  static synchronized ClipTokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = ClipTokenizer.load(Path.of("checkpoints/pretrained/clip-small/vocab.json"));
    }
    return tokenizer;
  }

  /** Fetches {@code outputs} for the fixed images and the class prompts. */
  List<float[]> run(List<? extends Operand<?>> outputs) {
    return run(outputs, false, 1);
  }

  /**
   * As {@link #run(List)}, with the training flag on when {@code training} (dropout acts) and
   * step seed (step, 2).
   */
  List<float[]> run(List<? extends Operand<?>> outputs, boolean training, long step) {
    int s = CONFIG.getImageSize();
    float[] px = new float[IMAGES * s * s * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) Math.sin(0.37 * i) * 0.8f;
    }
    try (TFloat32 images = TFloat32.tensorOf(Shape.of(IMAGES, s, s, 3), DataBuffers.of(px));
        TInt32 ids = TInt32.tensorOf(Shape.of(classIds.length, CONFIG.getContextLength()),
            DataBuffers.of(ContextPrompt.flatten(classIds)));
        TFloat32 rate = TFloat32.scalarOf(0f);
        TInt64 seed = TInt64.vectorOf(step, 2);
        TFloat32 on = TFloat32.scalarOf(1f)) {
      var runner = session.runner().feed(clip.images(), images).feed(clip.textIds(), ids)
          .feed(net.dropPathRate(), rate).feed(net.stepSeed(), seed);
      if (training && graph.operation(tfpeft.model.Net.TRAINING) != null) {
        runner.feed(tfpeft.model.Net.TRAINING, on);
      }
      for (Operand<?> o : outputs) {
        runner.fetch(o);
      }
      List<float[]> out = new ArrayList<>();
      try (var r = runner.run()) {
        for (int i = 0; i < outputs.size(); i++) {
          TFloat32 t = (TFloat32) r.get(i);
          float[] v = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(v);
          out.add(v);
        }
      }
      return out;
    }
  }

  float[] run(Operand<?> output) {
    return run(List.of(output)).get(0);
  }

  float[] read(String variable) {
    return VariableValues.read(session, net.variable(variable));
  }

  void assign(String variable, float[] values) {
    VariableValues.assign(session, net.variable(variable), values);
  }

  /** Distinct values 1000 + i for a variable, far from anything a block computes. */
  float[] mark(String variable) {
    float[] v = new float[(int) net.variable(variable).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = 1000 + i;
    }
    assign(variable, v);
    return v;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  /** The tokens [N, L, D] seen at each embeddings and block-input site. */
  static final class Recorder implements SiteHook {
    final Map<String, Operand<TFloat32>> seen = new LinkedHashMap<>();

    @Override
    public Operand<TFloat32> embeddings(Net net, String site, Operand<TFloat32> tokens) {
      seen.put(site, tokens);
      return tokens;
    }

    @Override
    public Operand<TFloat32> blockInput(Net net, String site, Operand<TFloat32> tokens) {
      seen.put(site, tokens);
      return tokens;
    }

    Operand<TFloat32> at(String site) {
      Operand<TFloat32> t = seen.get(site);
      if (t == null) {
        throw new IllegalArgumentException("no site " + site + " in " + seen.keySet());
      }
      return t;
    }
  }

  /** Token j of row r of tokens [N, L, D] flattened. */
  static float[] token(float[] tokens, int length, int width, int row, int j) {
    float[] out = new float[width];
    System.arraycopy(tokens, (row * length + j) * width, out, 0, width);
    return out;
  }

  /** Layer l, prompt j of a stack [L, n, D] flattened. */
  static float[] prompt(float[] stack, int n, int width, int layer, int j) {
    float[] out = new float[width];
    System.arraycopy(stack, (layer * n + j) * width, out, 0, width);
    return out;
  }
}
