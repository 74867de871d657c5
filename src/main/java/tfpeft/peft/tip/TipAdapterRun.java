package tfpeft.peft.tip;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.LoadedConfig;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TipAdapterConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.data.Split;
import tfpeft.data.Transforms;
import tfpeft.model.ClipClassifier;
import tfpeft.model.ClipGraph;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.model.text.ClipTokenizer;
import tfpeft.train.EvalMetrics;
import tfpeft.train.RunDirectory;
import tfpeft.util.AtomicFiles;

/**
 * A TIP-Adapter run, training-free: the frozen CLIP (R-AMT + TIP-Adapter: the masked encoder
 * {@code tfpeft import --masks} writes) encodes the few-shot training images over
 * {@code augment_views} augmented passes into the cache, the class prompts into the zero-shot
 * classifier; alpha and beta come from the config or from the search on the validation split;
 * the test split is classified with CLIP alone and with the cache, and both go into
 * {@code report.json} of the run directory.
 *
 * <p>TIP-Adapter needs two things a trained method does not: the features of the training images
 * before anything is evaluated, and a term added to the classifier's logits. Until the method
 * contract offers both, it runs here rather than through the trainer.
 */
public final class TipAdapterRun {
  private TipAdapterRun() {}

  /**
   * @param c the resolved config
   * @param requested the model block as written (only the fields it sets are requests to the
   *     weights, as for training runs)
   */
  public static JsonObject run(RunConfig c, ModelConfig requested, String source,
      Consumer<String> log) {
    if (!c.getModel().hasClip() || !c.getMethod().hasTipAdapter()) {
      throw TfpeftException.usage("method.tip_adapter: needs a CLIP backbone and the "
          + "tip_adapter method");
    }
    TipAdapterConfig tip = c.getMethod().getTipAdapter();
    BadExamples bad = new BadExamples(c.getData().getSkipBadExamples(),
        m -> log.accept("warning: " + m));
    Dataset d = DataSources.load(c.getData(), c.getSeed(), bad);
    LoadedBackbone backbone = Backbones.load(c.getModel().getWeights(), requested);
    ClipConfig clip = backbone.model().getClip();
    int size = clip.getImageSize();
    long start = System.nanoTime();
    try (Graph g = new Graph()) {
      Net net = new Net(g, c.getSeed());
      ClipGraph graph = ClipGraph.build(net, clip, false);
      try (Session s = new Session(g)) {
        s.initialize();
        backbone.assignTo(s, net);
        ClipTokenizer tokenizer = ClipTokenizer.load(clip.getTokenizer().isEmpty()
            ? backbone.vocab() : Path.of(clip.getTokenizer()));
        List<String> templates = !clip.getTemplatesList().isEmpty() ? clip.getTemplatesList()
            : d.templates();
        float[][] classes = ClipClassifier.classFeatures(s, graph, tokenizer, d.classNames(),
            templates, true);
        float scale = (float) Math.exp(VariableValues.read(s,
            net.variable("backbone/logit_scale"))[0]);
        int threads = c.getData().getPipeline().getThreads();
        int batch = c.getEval().getBatchSize() > 0 ? c.getEval().getBatchSize()
            : c.getTraining().getBatchSize();
        ImageFeatures features = new ImageFeatures(s, net, graph.images(),
            graph.imageFeatures(), batch, threads, c.getSeed(), bad);
        var train = features.averaged(d.train(), Transforms.build(
            c.getData().getTrainTransform(), size), tip.getAugmentViews());
        TipCache cache = cache(train, d.train(), d.numClasses());
        log.accept("cache: " + cache.size() + " images of " + d.numClasses() + " classes, "
            + tip.getAugmentViews() + " augmented views each");

        var evalTransform = Transforms.build(c.getData().getEvalTransform(), size);
        float alpha = tip.getAlpha();
        float beta = tip.getBeta();
        JsonObject report = new JsonObject();
        report.addProperty("method", "tip_adapter");
        if (tip.getSearch()) {
          if (d.val().isEmpty()) {
            throw TfpeftException.usage("method.tip_adapter.search: the run has no validation "
                + "split to search alpha and beta on");
          }
          Scored val = scored(features.of(d.val(), evalTransform, 0), d.val(), classes, scale);
          TipSearch.Result best = TipSearch.search(cache, val.features, val.logits, val.labels,
              TipSearch.grid(tip.getSearchAlphaMax(), tip.getSearchAlphaSteps()),
              TipSearch.grid(tip.getSearchBetaMax(), tip.getSearchBetaSteps()));
          alpha = best.alpha();
          beta = best.beta();
          report.addProperty("val_top1", best.accuracy());
          log.accept(String.format("search on %d validation images: alpha %.3f, beta %.3f, "
              + "top-1 %.2f%%", val.labels.length, alpha, beta, 100 * best.accuracy()));
        }
        Scored test = scored(features.of(d.test(), evalTransform, 0), d.test(), classes, scale);
        EvalMetrics.Accumulator zero = new EvalMetrics.Accumulator(d.numClasses(),
            Math.min(c.getEval().getTopK(), d.numClasses()));
        EvalMetrics.Accumulator withCache = new EvalMetrics.Accumulator(d.numClasses(),
            Math.min(c.getEval().getTopK(), d.numClasses()));
        for (int i = 0; i < test.labels.length; i++) {
          zero.add(test.labels[i], test.logits[i]);
          withCache.add(test.labels[i], cache.logits(test.features[i], test.logits[i], alpha,
              beta));
        }
        EvalMetrics zs = zero.result();
        EvalMetrics result = withCache.result();
        report.addProperty("alpha", alpha);
        report.addProperty("beta", beta);
        report.addProperty("cache_images", cache.size());
        report.add("test", result.toJson(d.classNames()));
        report.add("zero_shot_test", zs.toJson(d.classNames()));
        report.addProperty("seconds", (System.nanoTime() - start) / 1e9);
        log.accept("zero-shot: " + zs.headline());
        log.accept("test: " + result.headline());
        RunDirectory dir = RunDirectory.of(c, source);
        AtomicFiles.writeString(dir.report(), new GsonBuilder().setPrettyPrinting().create()
            .toJson(report) + "\n");
        return report;
      }
    }
  }

  /** Normalized features, zero-shot logits and labels of the examples that decoded. */
  private record Scored(float[][] features, float[][] logits, int[] labels) {}

  private static Scored scored(float[][] raw, Split split, float[][] classes, float scale) {
    List<float[]> f = new ArrayList<>();
    List<float[]> l = new ArrayList<>();
    List<Integer> y = new ArrayList<>();
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == null) {
        continue;
      }
      float[] n = ClipClassifier.normalize(raw[i]);
      float[] logits = new float[classes.length];
      for (int k = 0; k < classes.length; k++) {
        double dot = 0;
        for (int j = 0; j < n.length; j++) {
          dot += n[j] * classes[k][j];
        }
        logits[k] = (float) (scale * dot);
      }
      f.add(n);
      l.add(logits);
      y.add(split.examples().get(i).label());
    }
    return new Scored(f.toArray(float[][]::new), l.toArray(float[][]::new),
        y.stream().mapToInt(Integer::intValue).toArray());
  }

  private static TipCache cache(float[][] raw, Split split, int classes) {
    List<float[]> keys = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] != null) {
        keys.add(raw[i]);
        labels.add(split.examples().get(i).label());
      }
    }
    return new TipCache(keys.toArray(float[][]::new), labels.stream().mapToInt(
        Integer::intValue).toArray(), classes);
  }

  /** {@code TipAdapterRun CONFIG [PATH=VALUE]...}: runs a config, prints the report. */
  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: TipAdapterRun CONFIG [PATH=VALUE]...");
      System.exit(2);
    }
    try {
      LoadedConfig loaded = ConfigLoader.load(Path.of(args[0]),
          List.of(args).subList(1, args.length));
      JsonObject report = run(loaded.resolved(), loaded.written().getModel(), loaded.source(),
          System.err::println);
      System.out.println(report);
    } catch (TfpeftException e) {
      System.err.println("tip_adapter: error: " + e.getMessage());
      System.exit(e.exitCode());
    }
  }
}
