package tfpeft.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.EvalConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.PipelineConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SamplingConfig;
import tfpeft.config.proto.SyntheticLayout;
import tfpeft.config.proto.SyntheticSource;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.export.AdapterArtifact;
import tfpeft.model.BuiltModel;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * The tiny runs the tests train: synthetic suites generated once per test JVM (16 x 16 images),
 * run configs of tiny ViTs and CLIPs (random weights) on them that train in a second or two,
 * training them quietly, and reading back what a run holds (checkpoint values, the logits of its
 * checkpoint or of an adapter artifact on its base).
 */
public final class TinyRuns {
  public static final int IMAGE = 16;
  /** The shipped small CLIP's vocabulary; the tiny CLIPs' tokenizer. */
  public static final String VOCAB = "checkpoints/pretrained/clip-small/vocab.json";
  private static final Map<String, Path> suites = new LinkedHashMap<>();

  private TinyRuns() {}

  /** The shape task (7 classes): 48 training, 8 validation and 28 test images. */
  public static Path suite() {
    return suite("shape", 48, 8, 28);
  }

  /** The size task: 48 training, 16 validation and 24 test images. */
  public static Path sizeSuite() {
    return suite("size", 48, 16, 24);
  }

  /** The colour task: 32 training, 8 validation and 16 test images. */
  public static Path colorSuite() {
    return suite("color", 32, 8, 16);
  }

  private static synchronized Path suite(String task, int train, int val, int test) {
    String key = task + "/" + train + "/" + val + "/" + test;
    Path dir = suites.get(key);
    if (dir == null) {
      try {
        dir = Files.createTempDirectory("tfpeft-tiny-" + task);
        Path made = dir;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(made)));
        SyntheticSuite.generate(dir, SyntheticOptions.builder().seed(0).imageSize(IMAGE)
            .pretrainCount(0).trainPerTask(train).valPerTask(val).testPerTask(test)
            .tasks(List.of(task)).build(), (s, d, t) -> {});
        suites.put(key, dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return dir;
  }

  /** Full fine-tuning of a one-block ViT on the shape task, 2 epochs of batch 16. */
  public static RunConfig.Builder config(Path out) {
    return RunConfig.newBuilder().setName("tiny").setOutputDir(out.toString()).setSeed(3)
        .setModel(ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(IMAGE)
            .setPatchSize(4).setWidth(16).setDepth(1).setHeads(2).setMlpRatio(2)))
        .setData(shapes())
        .setMethod(MethodConfig.newBuilder().setFullFinetune(
            tfpeft.config.proto.FullFinetuneConfig.getDefaultInstance()))
        .setTraining(TrainingConfig.newBuilder().setEpochs(2).setBatchSize(16)
            .setLearningRate(3e-3f).setWarmupEpochs(1).setDropPath(0.1f)
            .setLogEverySteps(2))
        .setEval(EvalConfig.newBuilder().setEveryEpochs(1).setTopK(3));
  }

  /** {@code method} on a two-block ViT (q, v of width 16) on the shape task, 3 epochs. */
  public static RunConfig.Builder vit(Path out, String name, MethodConfig method) {
    return RunConfig.newBuilder().setName(name).setOutputDir(out.toString()).setSeed(3)
        .setModel(ModelConfig.newBuilder().setVit(VitConfig.newBuilder().setImageSize(IMAGE)
            .setPatchSize(4).setWidth(16).setDepth(2).setHeads(2).setMlpRatio(2)))
        .setData(shapes())
        .setMethod(method)
        .setTraining(TrainingConfig.newBuilder().setEpochs(3).setBatchSize(16)
            .setLearningRate(1e-2f).setWarmupEpochs(1).setDropPath(0.1f)
            .setKeepCheckpoints(5).setLogEverySteps(2))
        .setEval(EvalConfig.newBuilder().setEveryEpochs(1).setTopK(3));
  }

  /**
   * A CLIP of two blocks per tower (vision width 16, text width 12) for {@code method}, with
   * the shipped vocabulary and the template "X X {}."; the training of {@link #vit} without
   * drop-path.
   */
  public static RunConfig.Builder clip(Path out, String name, MethodConfig method) {
    RunConfig.Builder b = vit(out, name, method);
    b.setModel(ModelConfig.newBuilder().setClip(ClipConfig.newBuilder().setImageSize(IMAGE)
        .setPatchSize(4).setVisionWidth(16).setVisionDepth(2).setVisionHeads(2)
        .setTextWidth(12).setTextDepth(2).setTextHeads(2).setContextLength(12)
        .setVocabSize(726).setEmbedDim(8).setMlpRatio(2).setTokenizer(VOCAB)
        .addTemplates("X X {}.")));
    b.getTrainingBuilder().setDropPath(0);
    return b;
  }

  /** As {@link #vit}, for {@code epochs} epochs. */
  public static RunConfig.Builder vit(Path out, String name, MethodConfig method, int epochs) {
    RunConfig.Builder b = vit(out, name, method);
    b.getTrainingBuilder().setEpochs(epochs);
    return b;
  }

  /**
   * A CLIP of two blocks per tower (vision width 16, text width 12, the default MLP ratio) for
   * {@code method} on the colour task, 2 epochs without warm-up or drop-path.
   */
  public static RunConfig.Builder clipOnColors(Path out, String name, MethodConfig method) {
    return RunConfig.newBuilder().setName(name).setOutputDir(out.toString()).setSeed(5)
        .setModel(ModelConfig.newBuilder().setClip(ClipConfig.newBuilder().setImageSize(IMAGE)
            .setPatchSize(4).setVisionWidth(16).setVisionDepth(2).setVisionHeads(2)
            .setTextWidth(12).setTextDepth(2).setTextHeads(2).setContextLength(12)
            .setVocabSize(726).setEmbedDim(8).setTokenizer(VOCAB).addTemplates("X X {}.")))
        .setData(DataConfig.newBuilder().setSynthetic(SyntheticSource.newBuilder()
            .setDir(colorSuite().toString()).setTask("color").setImageSize(IMAGE))
            .setPipeline(PipelineConfig.newBuilder().setThreads(2)))
        .setMethod(method)
        .setTraining(TrainingConfig.newBuilder().setEpochs(2).setBatchSize(16)
            .setLearningRate(1e-2f).setWarmupEpochs(0).setDropPath(0).setLogEverySteps(100))
        .setEval(EvalConfig.newBuilder().setEveryEpochs(1).setTopK(3));
  }

  /**
   * Mask tuning of a CLIP of one block per tower (width 16) on the size task in CoOp's layout,
   * 8 shots: 2 epochs of Adam, no evaluation before the test.
   */
  public static RunConfig.Builder maskClip(Path out, MaskConfig mask) {
    return RunConfig.newBuilder().setName("tiny").setOutputDir(out.toString()).setSeed(5)
        .setModel(ModelConfig.newBuilder().setClip(ClipConfig.newBuilder().setImageSize(IMAGE)
            .setPatchSize(4).setVisionWidth(16).setVisionDepth(1).setVisionHeads(2)
            .setTextWidth(16).setTextDepth(1).setTextHeads(2).setContextLength(24)
            .setVocabSize(726).setEmbedDim(8).setMlpRatio(2)
            .setTokenizer("checkpoints/pretrained/clip-small")))
        .setData(DataConfig.newBuilder().setSynthetic(SyntheticSource.newBuilder()
            .setDir(sizeSuite().toString()).setTask("size").setImageSize(IMAGE)
            .setLayout(SyntheticLayout.COOP))
            .setSampling(SamplingConfig.newBuilder().setShots(8))
            .setPipeline(PipelineConfig.newBuilder().setThreads(2)))
        .setMethod(MethodConfig.newBuilder().setMask(mask))
        .setTraining(TrainingConfig.newBuilder().setEpochs(2).setBatchSize(8)
            .setOptimizer(tfpeft.config.proto.Optimizer.ADAM).setWeightDecay(0)
            .setLearningRate(3e-3f).setWarmupEpochs(0).setDropPath(0).setLogEverySteps(100))
        .setEval(EvalConfig.newBuilder().setEveryEpochs(0).setTopK(2));
  }

  private static DataConfig.Builder shapes() {
    return DataConfig.newBuilder().setSynthetic(SyntheticSource.newBuilder()
        .setDir(suite().toString()).setTask("shape").setImageSize(IMAGE))
        .setPipeline(PipelineConfig.newBuilder().setThreads(2));
  }

  /**
   * A tfpeft backbone directory in {@code dir} (weights.safetensors, model.pbtxt) holding the
   * backbone of {@code model} as initialized with {@code seed}: a pretrained base for a run.
   */
  public static Path base(Path dir, ModelConfig model, long seed) {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      tfpeft.model.Net net = new tfpeft.model.Net(g, seed);
      BuiltModel.build(net, model, 2, false);
      try (org.tensorflow.Session s = new org.tensorflow.Session(g)) {
        s.initialize();
        Files.createDirectories(dir);
        tfpeft.train.pretrain.PretrainedBackbone.write(dir, net, s, model,
            tfpeft.config.proto.TransformConfig.getDefaultInstance());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** Trains (or resumes) {@code c} with its log discarded; returns its run directory. */
  public static Path train(RunConfig c) {
    return train(c, Trainer.Resume.AUTO);
  }

  public static Path train(RunConfig c, Trainer.Resume resume) {
    Trainer t = new Trainer(c, c.getName() + ".pbtxt", quiet(resume), MethodRegistry.builtIn());
    t.run();
    return t.directory().root();
  }

  /** Trainer options with the log discarded. */
  public static Trainer.Options quiet(Trainer.Resume resume) {
    return new Trainer.Options(resume, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), false);
  }

  /** The complete checkpoints of a run, oldest first. */
  public static List<CheckpointStore.Checkpoint> checkpoints(Path run) {
    return new RunDirectory(run).checkpoints().list();
  }

  /** Every tensor of a checkpoint (model variables and optimizer slots), by name. */
  public static Map<String, float[]> values(CheckpointStore.Checkpoint c) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (NamedTensor t : TensorBundleReader.read(c.variables(), n -> true).tensors()) {
      out.put(t.name(), t.data());
    }
    return out;
  }

  /** Deterministic images in [0, 1] of the model's size, row-major [n, S, S, 3]. */
  public static float[] images(RunConfig c, int n) {
    int s = BuiltModel.imageSize(c.getModel());
    float[] px = new float[n * s * s * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) (0.5 + 0.5 * Math.sin(0.731 * i + 0.2 * (i % 7)));
    }
    return px;
  }

  /** The logits of the run's last checkpoint on {@link #images}. */
  public static float[][] checkpointLogits(Path run, RunConfig c, int n) {
    CheckpointStore.Checkpoint last = new RunDirectory(run).checkpoints().latest()
        .orElseThrow();
    try (RunSession m = RunSession.opener(c, MethodRegistry.builtIn()).classesOfData(null)
        .open()) {
      m.restore(last);
      return m.logits(images(c, n), n);
    }
  }

  /** The logits on {@link #images} of the adapter artifact at {@code art} applied to its base. */
  public static float[][] artifactLogits(Path art, RunConfig c, int n) {
    AdapterArtifact a = AdapterArtifact.read(art);
    try (RunSession m = a.openOnBase(null, MethodRegistry.builtIn(), s -> { }, art)) {
      return m.logits(images(c, n), n);
    }
  }

  /**
   * The confusion matrix [true][predicted] of the SavedModel at {@code served} on the run's
   * test split, each image preprocessed as the run's evaluation preprocesses it.
   */
  public static long[][] servedConfusion(Path served, Path run) {
    RunConfig c = new RunDirectory(run).readConfig();
    tfpeft.data.Dataset d = tfpeft.data.DataSources.load(c.getData(), c.getSeed(),
        tfpeft.data.BadExamples.strict());
    int size = BuiltModel.imageSize(c.getModel());
    tfpeft.data.Preprocess pre = tfpeft.data.Transforms.build(c.getData().getEvalTransform(),
        size);
    List<tfpeft.data.Example> test = d.test().examples();
    float[] px = new float[test.size() * size * size * 3];
    for (int i = 0; i < test.size(); i++) {
      pre.apply(test.get(i).image().load(), new java.util.SplittableRandom(0), px,
          i * size * size * 3);
    }
    long[][] confusion = new long[d.numClasses()][d.numClasses()];
    try (tfpeft.export.ServingExport.Served s = tfpeft.export.ServingExport.open(served)) {
      float[][] logits = s.logits(px, test.size());
      for (int i = 0; i < test.size(); i++) {
        int best = 0;
        for (int k = 1; k < logits[i].length; k++) {
          if (logits[i][k] > logits[i][best]) {
            best = k;
          }
        }
        confusion[test.get(i).label()][best]++;
      }
    }
    return confusion;
  }

  public static double maxAbsDiff(float[][] a, float[][] b) {
    if (a.length != b.length) {
      throw new AssertionError(a.length + " rows vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i].length != b[i].length) {
        throw new AssertionError(a[i].length + " columns vs " + b[i].length);
      }
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return max;
  }

  /** Copies a run directory's files (not the checkpoint links, which a run remakes). */
  public static void copyTree(Path from, Path to) throws IOException {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory; the OS cleans up
    }
  }
}
