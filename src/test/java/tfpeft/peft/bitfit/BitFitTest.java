package tfpeft.peft.bitfit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import tfpeft.TfpeftException;
import tfpeft.config.Defaults;
import tfpeft.config.proto.BitFitConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.Optimizer;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.Schedule;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.data.Example;
import tfpeft.data.Preprocess;
import tfpeft.data.Transforms;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.AdapterExport;
import tfpeft.export.ArtifactTensor;
import tfpeft.model.ModelVariable;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.RunDirectory;
import tfpeft.train.RunSession;
import tfpeft.train.TrainGraph;
import tfpeft.train.Trainer;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.TinyRuns;

/**
 * BitFit on a two-block ViT (width 16, MLP 32, the tiny suite's shape task): exactly the
 * encoder's biases and the head train (with and without LayerNorm's, the pre-logits bias only
 * when asked); the storage accounting counts one float32 vector per bias; one SGD step moves the
 * final LayerNorm's bias and the head's bias by their gradients computed by hand; an edited
 * artifact holding a weight BitFit does not train is refused. What every method must do (one
 * step, resume, artifact, serving, inspect) is checked by {@code tfpeft.peft.MethodBatteryTest}.
 */
class BitFitTest {
  @TempDir Path dir;

  /** The tiny ViT's biases, written out by hand: patch embedding, 2 blocks, final norm. */
  static final List<String> TINY_BIASES = tinyBiases(true);

  static List<String> tinyBiases(boolean layerNorm) {
    List<String> b = new ArrayList<>();
    b.add("backbone/patch_embed/bias");
    for (int i = 0; i < 2; i++) {
      for (String s : new String[] {"attn/q/bias", "attn/k/bias", "attn/v/bias",
          "attn/out/bias", "mlp/fc1/bias", "mlp/fc2/bias"}) {
        b.add("backbone/block" + i + "/" + s);
      }
      if (layerNorm) {
        b.add("backbone/block" + i + "/ln1/beta");
        b.add("backbone/block" + i + "/ln2/beta");
      }
    }
    if (layerNorm) {
      b.add("backbone/norm/beta");
    }
    return b;
  }

  static MethodConfig bitfit(BitFitConfig c) {
    return MethodConfig.newBuilder().setBitfit(c).build();
  }

  static final MethodConfig BITFIT = bitfit(BitFitConfig.getDefaultInstance());

  static Trainer.Options quiet(Trainer.Resume resume) {
    return new Trainer.Options(resume, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), false);
  }

  static Path train(RunConfig c, Trainer.Resume resume) {
    Trainer t = new Trainer(c, c.getName() + ".pbtxt", quiet(resume), MethodRegistry.builtIn());
    t.run();
    return t.directory().root();
  }

  /** Names of the variables the run's graph trains, and of all its model variables. */
  static List<String> trainable(RunConfig c, List<String> all) {
    RunConfig r = Defaults.fill(c);
    try (Graph g = new Graph()) {
      TrainGraph graph = TrainGraph.build(g, r, MethodRegistry.builtIn().create(r.getMethod()),
          List.of("a", "b", "c"), 1);
      graph.modelVariables().forEach(v -> all.add(v.name()));
      return graph.trainable().stream().map(ModelVariable::name).toList();
    }
  }

  static Map<String, float[]> checkpointValues(CheckpointStore.Checkpoint c) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (NamedTensor t : TensorBundleReader.read(c.variables(), n -> true).tensors()) {
      out.put(t.name(), t.data());
    }
    return out;
  }

  static CheckpointStore.Checkpoint last(Path run) {
    return new RunDirectory(run).checkpoints().latest().orElseThrow();
  }

  /** The run's starting values (seeded initialization, no pretrained weights), by name. */
  static Map<String, float[]> initialValues(RunConfig c) {
    try (RunSession m = RunSession.opener(c, MethodRegistry.builtIn()).classesOfData(null)
        .open()) {
      Map<String, float[]> out = new LinkedHashMap<>();
      for (ModelVariable v : m.graph().modelVariables()) {
        out.put(v.name(), VariableValues.read(m.session(), v));
      }
      return out;
    }
  }

  // ---- what trains -------------------------------------------------------------------------

  @Test
  void exactlyTheEncodersBiasesAndTheHeadTrain() {
    List<String> all = new ArrayList<>();
    List<String> trains = trainable(TinyRuns.vit(dir, "t", BITFIT).build(), all);
    List<String> want = new ArrayList<>(TINY_BIASES);
    want.add("head/head/weight");
    want.add("head/head/bias");
    assertEquals(new TreeSet<>(want), new TreeSet<>(trains));
    // every weight, LayerNorm gain, the class token and the position embedding stay frozen
    assertTrue(all.contains("backbone/block0/attn/q/weight"));
    assertTrue(all.contains("backbone/block1/ln2/gamma"));
    assertTrue(all.contains("backbone/pos_embed"));
  }

  @Test
  void withoutLayerNormOnlyTheLinearBiasesTrain() {
    List<String> trains = trainable(TinyRuns.vit(dir, "t", bitfit(BitFitConfig.newBuilder()
        .setLayerNorm(false).build())).build(), new ArrayList<>());
    List<String> want = new ArrayList<>(tinyBiases(false));
    want.add("head/head/weight");
    want.add("head/head/bias");
    assertEquals(new TreeSet<>(want), new TreeSet<>(trains));
  }

  @Test
  void thePreLogitsBiasTrainsOnlyWhenAsked() {
    RunConfig.Builder b = TinyRuns.vit(dir, "t", BITFIT);
    b.getModelBuilder().getVitBuilder().setPreLogits(true);
    List<String> all = new ArrayList<>();
    assertFalse(trainable(b.build(), all).contains("backbone/pre_logits/bias"));
    assertTrue(all.contains("backbone/pre_logits/bias"));
    b.setMethod(bitfit(BitFitConfig.newBuilder().setPreLogits(true).build()));
    assertTrue(trainable(b.build(), new ArrayList<>()).contains("backbone/pre_logits/bias"));
  }

  @Test
  void preLogitsOnAModelWithoutTheLayerIsAConfigErrorNamingTheField() {
    RunConfig c = TinyRuns.vit(dir, "t", bitfit(BitFitConfig.newBuilder().setPreLogits(true)
        .build())).build();
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> trainable(c, new ArrayList<>()));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith("method.bitfit.pre_logits: the model has no pre-logits"
        + " layer"), e.getMessage());
  }

  @Test
  void onClipTheImageTowersBiasesTrainAndTheTextTowerStaysFrozen() {
    BitFit m = new BitFit(BITFIT);
    assertTrue(m.trainsAt("backbone/ln_pre/beta", null));
    assertTrue(m.trainsAt("backbone/block0/attn/q/bias", null));
    assertFalse(m.trainsAt("backbone/text/block0/attn/q/bias", null));
    assertFalse(m.trainsAt("backbone/text/norm/beta", null));
    assertFalse(m.trainsAt("backbone/logit_scale", null));
    assertFalse(m.trainsAt("backbone/block0/attn/q/weight", null));
  }

  // ---- what it stores ----------------------------------------------------------------------

  @Test
  void theAccountingCountsOneFloat32VectorPerBias() {
    ModelConfig tiny = Defaults.fill(TinyRuns.vit(dir, "t", BITFIT).build()).getModel();
    AdapterAccounting a = new BitFit(BITFIT).accounting(tiny, null).orElseThrow();
    // patch 16 + 2 x (q, k, v, out 4 x 16 + fc1 32 + fc2 16 + ln1, ln2 2 x 16) + norm 16
    long values = 16 + 2 * (4 * 16 + 32 + 16 + 2 * 16) + 16;
    assertEquals(TINY_BIASES.size(), a.positions());
    assertEquals(values, a.trainableParameters());
    assertEquals(4 * values, a.storedBytes());
    assertTrue(a.summary().startsWith("bias vectors: 18 positions, 320 parameters"),
        a.summary());
  }

  // ---- one step ----------------------------------------------------------------------------

  /** One step over the whole training split (56 images) at a constant rate. */
  RunConfig.Builder oneStep(String name) {
    RunConfig.Builder b = TinyRuns.vit(dir, name, BITFIT);
    b.getTrainingBuilder().setEpochs(1).setBatchSize(64).setWarmupEpochs(0)
        .setSchedule(Schedule.CONSTANT).setDropPath(0);
    b.getEvalBuilder().setEveryEpochs(0);
    return b;
  }

  /**
   * With SGD (no momentum, no decay) one step over the whole split moves each parameter by
   * -lr * dL/dp. For the final LayerNorm's bias beta and the head's bias b the gradient is
   * written by hand: the class token's feature is LN(x) gamma + beta and the logits are
   * feature W + b, so with L the mean cross-entropy over the N images,
   * dL/db_c = 1/N sum_n (p_nc - y_nc) and dL/dbeta_j = sum_c W_jc dL/db_c, where p_n is the
   * softmax of image n's logits before the step.
   */
  @Test
  void oneSgdStepMovesTheFinalNormBiasAndTheHeadBiasByTheirHandComputedGradients() {
    float lr = 20f;
    RunConfig.Builder b = oneStep("sgd");
    b.getTrainingBuilder().setOptimizer(Optimizer.SGD).setMomentum(0).setWeightDecay(0)
        .setLearningRate(lr);
    RunConfig c = b.build();
    RunConfig r = Defaults.fill(c);
    Dataset d = DataSources.load(r.getData(), r.getSeed(), BadExamples.strict());
    List<Example> train = d.train().examples();
    int n = train.size();
    assertEquals(56, n);
    Preprocess pre = Transforms.build(r.getData().getTrainTransform(), 16);
    float[] px = new float[n * 16 * 16 * 3];
    for (int i = 0; i < n; i++) {
      pre.apply(train.get(i).image().load(), new SplittableRandom(0), px, i * 16 * 16 * 3);
    }
    Map<String, float[]> before = initialValues(c);
    float[][] logits;
    try (RunSession m = RunSession.opener(c, MethodRegistry.builtIn()).classesOfData(null)
        .open()) {
      logits = m.logits(px, n);
    }
    int classes = logits[0].length;
    double[] gradB = new double[classes];
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (float z : logits[i]) {
        max = Math.max(max, z);
      }
      double sum = 0;
      for (float z : logits[i]) {
        sum += Math.exp(z - max);
      }
      for (int k = 0; k < classes; k++) {
        double p = Math.exp(logits[i][k] - max) / sum;
        gradB[k] += (p - (train.get(i).label() == k ? 1 : 0)) / n;
      }
    }
    float[] w = before.get("head/head/weight");
    int width = w.length / classes;
    double[] gradBeta = new double[width];
    for (int j = 0; j < width; j++) {
      for (int k = 0; k < classes; k++) {
        gradBeta[j] += w[j * classes + k] * gradB[k];
      }
    }

    Map<String, float[]> after = checkpointValues(last(train(c, Trainer.Resume.AUTO)));
    float[] b0 = before.get("head/head/bias");
    float[] b1 = after.get("head/head/bias");
    for (int k = 0; k < classes; k++) {
      assertEquals(b0[k] - lr * gradB[k], b1[k], 1e-5, "head bias " + k);
    }
    float[] beta0 = before.get("backbone/norm/beta");
    float[] beta1 = after.get("backbone/norm/beta");
    double moved = 0;
    for (int j = 0; j < width; j++) {
      assertEquals(beta0[j] - lr * gradBeta[j], beta1[j], 1e-5, "norm beta " + j);
      moved = Math.max(moved, Math.abs(beta1[j] - beta0[j]));
    }
    assertTrue(moved > 3e-3, "the step moved beta by " + moved);
  }

  /**
   * An artifact whose files were edited to carry a backbone weight as well (its digests
   * rewritten to match) must not overwrite the base: what the artifact holds beyond what the
   * model trains is refused, naming the tensor.
   */
  @Test
  void anArtifactHoldingAVariableTheMethodDoesNotTrainIsRefused() {
    RunConfig.Builder b = TinyRuns.vit(dir, "edited", BITFIT);
    b.getTrainingBuilder().setEpochs(1);
    b.getEvalBuilder().setEveryEpochs(0);
    Path run = train(b.build(), Trainer.Resume.AUTO);
    Path art = dir.resolve("edited-artifact");
    AdapterArtifact a = AdapterExport.fromRun(run, "last", art, false, MethodRegistry.builtIn(),
        s -> { }).artifact();
    List<ArtifactTensor> tensors = new ArrayList<>(a.tensors());
    String weight = "backbone/block0/attn/q/weight";
    tensors.add(ArtifactTensor.float32(weight, new long[] {16, 16}, "adapter", new float[256]));
    Path edited = dir.resolve("edited-artifact-2");
    new AdapterArtifact(a.config(), a.base(), a.toolVersion(), a.classNames(), a.templates(),
        a.methodState(), a.source(), tensors).write(edited);
    AdapterArtifact read = AdapterArtifact.read(edited);
    TfpeftException e = assertThrows(TfpeftException.class, () -> read.openOnBase(null,
        MethodRegistry.builtIn(), s -> { }, edited).close());
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains(weight), e.getMessage());
  }

  /** The backbone's parameter count. */
  static long base(RunConfig c) {
    try (RunSession m = RunSession.opener(c, MethodRegistry.builtIn()).classesOfData(null)
        .identifyBase().open()) {
      return m.base().parameters();
    }
  }
}
