package tfpeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.FullFinetuneConfig;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.data.Preprocess;
import tfpeft.data.Transforms;
import tfpeft.data.image.ImageEncoder;
import tfpeft.data.image.RgbImage;
import tfpeft.export.ServingExport;
import tfpeft.model.ClipClassifier;
import tfpeft.model.text.RunTokenizer;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.Method;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.ClassPrompts;
import tfpeft.train.RunDirectory;
import tfpeft.train.TrainGraph;
import tfpeft.train.TinyRuns;
import tfpeft.train.Trainer;
import tfpeft.train.VariableCheckpoint;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * {@code tfpeft export RUN} beyond what every method passes in the method battery: the
 * SavedModel, loaded as a server loads it, gives the logits of the graph as it was trained
 * (restored from the same checkpoint, nothing folded), its bytes signature classifies an encoded
 * image; 1-bit LoRA merged as quantized or kept with --keep-lora, a fully fine-tuned CLIP served
 * with the class features of its trained text tower, masks binarized into the weights, and CoOp
 * served with the templates it trained with.
 */
class RunExportTest {
  static final double LIMIT = 1e-5;
  static final Pattern CHECKED = Pattern.compile("max \\|logit difference\\| ([0-9.e+-]+) \\(limit");

  @TempDir Path dir;

  static Path train(RunConfig c) {
    return TinyRuns.train(c, Trainer.Resume.OVERWRITE);
  }

  /** Exports {@code run} and checks the SavedModel against the trained graph; returns it. */
  Path exportAndCheck(Path run, String... flags) throws Exception {
    Path out = dir.resolve("served-" + run.getFileName() + flags.length);
    String[] args = new String[3 + flags.length + 2];
    args[0] = "export";
    args[1] = run.toString();
    args[2] = "--out";
    args[3] = out.toString();
    System.arraycopy(flags, 0, args, 4, flags.length);
    args[args.length - 1] = "--overwrite";
    MainTest.Result r = MainTest.run(args);
    assertEquals(0, r.code(), r.err() + r.out());
    Matcher m = CHECKED.matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(Double.parseDouble(m.group(1)) <= LIMIT, r.out());
    assertTrue(r.out().contains("on 8 test images"), r.out());

    RunConfig c = new RunDirectory(run).readConfig();
    Dataset d = DataSources.load(c.getData(), c.getSeed(), BadExamples.strict());
    int size = 16;
    int n = 3;
    float[] px = new float[n * size * size * 3];
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) rng.nextDouble(-1, 1.5);
    }
    float[][] want = trainedLogits(run, c, d, px, n);
    try (ServingExport.Served served = ServingExport.open(out)) {
      assertEquals(d.classNames(), served.classNames());
      float[][] got = served.logits(px, n);
      double diff = maxDiff(want, got);
      System.out.printf("export round trip %s %s: max |logit difference| %.2e%n",
          run.getFileName(), String.join(" ", flags), diff);
      assertTrue(diff <= LIMIT, "served logits differ from the trained graph's by " + diff);

      RgbImage img = d.test().examples().get(0).image().load();
      Preprocess pre = Transforms.build(c.getData().getEvalTransform().toBuilder().setSize(0)
          .build(), size);
      float[] one = new float[size * size * 3];
      pre.apply(img, new SplittableRandom(0), one, 0);
      float[] viaJava = served.logits(one, 1)[0];
      try (TString t = TString.tensorOfBytes(NdArrays.vectorOfObjects(ImageEncoder.png(img)));
          Result res = served.bundle().function(ServingExport.BYTES_SIGNATURE)
              .call(Map.of("image_bytes", t))) {
        float[] viaBytes = ClipClassifier.rows((TFloat32) res.get("logits").orElseThrow())[0];
        assertTrue(maxDiff(new float[][] {viaJava}, new float[][] {viaBytes}) < 1e-4);
        String name = (String) ((TString) res.get("class_name").orElseThrow()).getObject(0);
        assertTrue(d.classNames().contains(name), name);
      }
    }
    return out;
  }

  /** The graph as trained, restored from the run's last checkpoint, on {@code px}. */
  static float[][] trainedLogits(Path run, RunConfig c, Dataset d, float[] px, int n) {
    CheckpointStore.Checkpoint ck = new RunDirectory(run).checkpoints().latest().orElseThrow();
    Method method = MethodRegistry.builtIn().create(c.getMethod());
    List<String> templates = c.getModel().hasClip()
        ? ClassPrompts.templates(c, d.templates()) : List.of("{}");
    try (Graph g = new Graph()) {
      TrainGraph graph = TrainGraph.build(g, c, method, d.classNames(), templates.size());
      JsonObject state = ck.state().getAsJsonObject("method").getAsJsonObject("state");
      method.restoreState(state);
      try (Session s = new Session(g)) {
        s.initialize();
        VariableCheckpoint.restore(ck, s, graph.modelVariables(), true);
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, 16, 16, 3), DataBuffers.of(px));
            TFloat32 rate = TFloat32.scalarOf(0f);
            TInt64 seed = TInt64.vectorOf(0, 0)) {
          Session.Runner r = s.runner().feed(graph.images(), x)
              .feed(graph.net().dropPathRate(), rate).feed(graph.net().stepSeed(), seed);
          TFloat32 cf = !graph.textClassifier() ? null
              : ClipClassifier.tensor(graph.classFeatureValue(s, ClassPrompts.of(
                  RunTokenizer.of(c, null), d.classNames(), templates,
                  c.getModel().getClip().getContextLength())));
          if (cf != null) {
            r.feed(graph.classFeatures(), cf);
          }
          try (cf; var out = r.fetch(graph.logits()).run()) {
            return ClipClassifier.rows((TFloat32) out.get(0));
          }
        }
      }
    }
  }

  static double maxDiff(float[][] a, float[][] b) {
    assertEquals(a.length, b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i].length, b[i].length);
      for (int j = 0; j < a[i].length; j++) {
        m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return m;
  }

  /** The names of the variables a SavedModel holds. */
  static List<String> savedVariables(Path savedModel) {
    return TensorBundleReader.readIndex(savedModel.resolve("variables").resolve("variables"))
        .entries().stream().map(TensorBundleReader.Entry::name).toList();
  }

  static boolean any(List<String> names, String prefix) {
    return names.stream().anyMatch(n -> n.startsWith(prefix));
  }

  /** LoRA is merged by default (the battery checks that); --keep-lora serves the paths. */
  @Test
  void oneBitLoraIsMergedAsTrainedQuantizedOrKeptAsPaths() throws Exception {
    RunConfig.Builder b = TinyRuns.vit(dir, "bilora", MethodConfig.newBuilder()
        .setLora(LoraConfig.newBuilder().setRank(4).setBits(1)).build());
    b.getTrainingBuilder().setEpochs(1);
    Path run = train(b.build());
    assertFalse(any(savedVariables(exportAndCheck(run)), "peft/lora/"));
    assertTrue(any(savedVariables(exportAndCheck(run, "--keep-lora")), "peft/lora/"));
  }

  /** The battery's full fine-tuning is of a ViT; on CLIP it trains the text tower too. */
  @Test
  void aFullyFineTunedClipServesTheImageTowerWithItsTrainedClassFeatures() throws Exception {
    RunConfig.Builder b = TinyRuns.clip(dir, "clipfull", MethodConfig.newBuilder()
        .setFullFinetune(FullFinetuneConfig.getDefaultInstance()).build());
    b.getTrainingBuilder().setEpochs(1);
    Path out = exportAndCheck(train(b.build()));
    assertFalse(any(savedVariables(out), "backbone/text/"));
  }

  @Test
  void masksAreBinarizedIntoTheWeights() throws Exception {
    RunConfig.Builder b = TinyRuns.clip(dir, "ramt", MethodConfig.newBuilder()
        .setMask(MaskConfig.getDefaultInstance()).build());
    b.getTrainingBuilder().setEpochs(1).setWarmupEpochs(0).setLearningRate(5e-2f);
    Path run = train(b.build());
    Path out = exportAndCheck(run);
    List<String> names = savedVariables(out);
    assertFalse(any(names, "peft/mask/"), names.toString());
    assertFalse(any(names, "backbone/text/"), names.toString());
    // effective weight = frozen x 1[mask > threshold], and training zeroed some
    TensorFile trained = TensorBundleReader.read(new RunDirectory(run).checkpoints().latest()
        .orElseThrow().variables(), n -> true);
    TensorFile served = TensorBundleReader.read(out.resolve("variables").resolve("variables"),
        n -> true);
    int zeroed = 0;
    for (NamedTensor mask : trained.tensors()) {
      if (!mask.name().startsWith("peft/mask/")) {
        continue;
      }
      String weight = "backbone/" + mask.name().substring("peft/mask/".length(),
          mask.name().length() - "/mask".length()) + "/weight";
      float[] w = trained.get(weight).data();
      float[] got = served.get(weight).data();
      for (int i = 0; i < w.length; i++) {
        boolean keep = mask.data()[i] > MaskConfig.getDefaultInstance().getThreshold();
        assertEquals(keep ? w[i] : 0f, got[i], 0f, weight + "[" + i + "]");
        zeroed += keep ? 0 : 1;
      }
    }
    assertTrue(zeroed > 0, "training zeroed no weight; the test shows nothing");
  }


  /** The served model classifies the run's test split exactly as the run's evaluation did. */
  static void assertServedScoresAsTheRunsReport(Path run, Path out) throws Exception {
    RunConfig resolved = new RunDirectory(run).readConfig();
    Dataset d = DataSources.load(resolved.getData(), resolved.getSeed(), BadExamples.strict());
    Preprocess pre = Transforms.build(resolved.getData().getEvalTransform().toBuilder()
        .setSize(0).build(), 16);
    int n = d.test().size();
    float[] px = new float[n * 16 * 16 * 3];
    for (int i = 0; i < n; i++) {
      pre.apply(d.test().examples().get(i).image().load(), new SplittableRandom(0), px,
          i * 16 * 16 * 3);
    }
    int correct = 0;
    try (ServingExport.Served served = ServingExport.open(out)) {
      float[][] logits = served.logits(px, n);
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int k = 1; k < logits[i].length; k++) {
          if (logits[i][k] > logits[i][best]) {
            best = k;
          }
        }
        correct += best == d.test().examples().get(i).label() ? 1 : 0;
      }
    }
    double top1 = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(
        run.resolve("report.json"))).getAsJsonObject().getAsJsonObject("test").get("top1")
        .getAsDouble();
    assertEquals(top1, (double) correct / n, 1e-9);
  }

  @Test
  void coopWithoutConfiguredTemplatesServesWithTheTemplatesItTrainedWith() throws Exception {
    RunConfig.Builder b = TinyRuns.clip(dir, "coop-own", MethodConfig.newBuilder()
        .setCoop(CoopConfig.newBuilder().setNCtx(2)).build());
    b.getModelBuilder().getClipBuilder().clearTemplates();
    b.getTrainingBuilder().setEpochs(1);
    Path run = train(b.build());
    Path out = dir.resolve("served-coop-own");
    MainTest.Result r = MainTest.run("export", run.toString(), "--out", out.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    assertServedScoresAsTheRunsReport(run, out);
    // the adapter artifact carries the same templates, and serves the same on the base
    Path artifact = dir.resolve("coop-own-adapter");
    MainTest.Result a = MainTest.run("export", run.toString(), "--adapter", artifact.toString());
    assertEquals(0, a.code(), a.err() + a.out());
    Path fromArtifact = dir.resolve("served-coop-own-adapter");
    MainTest.Result s = MainTest.run("export", "--adapter", artifact.toString(), "--out",
        fromArtifact.toString());
    assertEquals(0, s.code(), s.err() + s.out());
    assertServedScoresAsTheRunsReport(run, fromArtifact);
  }

}
