package tfpeft.peft.bitfit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.tensorflow.Session;
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
import tfpeft.export.RunModel;
import tfpeft.export.ServingExport;
import tfpeft.inspect.Inventory;
import tfpeft.inspect.MethodSummary;
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
 * encoder's biases and the head train; one step moves them and nothing else, and one SGD step
 * moves the final LayerNorm's bias and the head's bias by their gradients computed by hand; a
 * resumed run ends bit-identical; a checkpoint, an adapter artifact on the base and the served
 * SavedModel all give the run's logits; inspect and the storage accounting count the same bytes.
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

  /** Logits of the run's last checkpoint on {@code px}, as evaluation computes them. */
  static float[][] checkpointLogits(Path run, RunConfig c, float[] px, int n) {
    try (RunSession m = RunSession.opener(c, MethodRegistry.builtIn()).classesOfData(null)
        .open()) {
      m.restore(last(run));
      return m.logits(px, n);
    }
  }

  static float[] images(int n) {
    float[] px = new float[n * 16 * 16 * 3];
    SplittableRandom rng = new SplittableRandom(11);
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) rng.nextDouble();
    }
    return px;
  }

  static double maxDiff(float[][] a, float[][] b) {
    assertEquals(a.length, b.length);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return m;
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

  @Test
  void oneStepChangesEveryBiasAndTheHeadAndLeavesEverythingElseBitIdentical() {
    RunConfig c = oneStep("step").build();
    Map<String, float[]> before = initialValues(c);
    Map<String, float[]> after = checkpointValues(last(train(c, Trainer.Resume.AUTO)));
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, float[]> e : before.entrySet()) {
      if (!java.util.Arrays.equals(e.getValue(), after.get(e.getKey()))) {
        changed.add(e.getKey());
      }
    }
    List<String> want = new ArrayList<>(TINY_BIASES);
    want.add("head/head/weight");
    want.add("head/head/bias");
    assertEquals(new TreeSet<>(want), new TreeSet<>(changed));
    assertTrue(before.size() > want.size() + 10, before.keySet().toString());
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

  // ---- checkpoints, resume -----------------------------------------------------------------

  @Test
  void aRunResumedAfterItsFirstEpochEndsBitIdentical() throws Exception {
    RunConfig.Builder b = TinyRuns.vit(dir, "resume", BITFIT);
    b.getTrainingBuilder().setEpochs(2);
    b.getEvalBuilder().setEveryEpochs(0);
    RunConfig c = b.build();
    Path run = train(c, Trainer.Resume.AUTO);
    Map<String, float[]> whole = checkpointValues(last(run));
    // the same run as if stopped after epoch 1's checkpoint
    TinyRuns.deleteTree(run.resolve("checkpoints").resolve("epoch-0002"));
    Files.delete(run.resolve(RunDirectory.REPORT));
    assertEquals(1, last(run).epoch());
    train(c, Trainer.Resume.REQUIRE);
    Map<String, float[]> resumed = checkpointValues(last(run));
    assertEquals(2, last(run).epoch());
    assertEquals(whole.keySet(), resumed.keySet());
    assertTrue(whole.keySet().stream().anyMatch(k -> k.startsWith("optimizer/backbone/")));
    for (String name : whole.keySet()) {
      float[] x = whole.get(name);
      float[] y = resumed.get(name);
      for (int i = 0; i < x.length; i++) {
        assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), name);
      }
    }
  }

  /**
   * One trained run, then everything that reads it: a checkpoint restored twice gives identical
   * logits; the adapter artifact holds the biases and the head, its adapter bytes are the
   * accounting's, and on the base it gives the run's logits; the served SavedModel (nothing of
   * the method beside the backbone) gives them too; inspect counts the biases and their bytes.
   */
  @Test
  void checkpointArtifactServedModelAndInspectAllHoldTheTrainedBiases() throws Exception {
    RunConfig.Builder b = TinyRuns.vit(dir, "trained", BITFIT);
    b.getTrainingBuilder().setEpochs(2);
    RunConfig c = b.build();
    Path run = train(c, Trainer.Resume.AUTO);
    int n = 4;
    float[] px = images(n);
    float[][] want = checkpointLogits(run, c, px, n);
    assertEquals(0, maxDiff(want, checkpointLogits(run, c, px, n)));
    float[][] base;
    try (RunSession m = RunSession.opener(c, MethodRegistry.builtIn()).classesOfData(null)
        .open()) {
      base = m.logits(px, n);
    }
    assertTrue(maxDiff(want, base) > 1e-3, "the run trained");

    // the adapter artifact
    Path art = dir.resolve("artifact");
    AdapterExport.Result r = AdapterExport.fromRun(run, "last", art, false,
        MethodRegistry.builtIn(), s -> { });
    AdapterArtifact a = AdapterArtifact.read(art);
    Map<String, String> roles = new LinkedHashMap<>();
    for (ArtifactTensor t : a.tensors()) {
      roles.put(t.name(), t.role());
      assertEquals(ArtifactTensor.Encoding.FLOAT32, t.encoding(), t.name());
    }
    Map<String, String> wantRoles = new LinkedHashMap<>();
    TINY_BIASES.forEach(name -> wantRoles.put(name, "adapter"));
    wantRoles.put("head/head/weight", "head");
    wantRoles.put("head/head/bias", "head");
    assertEquals(new java.util.TreeMap<>(wantRoles), new java.util.TreeMap<>(roles));
    AdapterAccounting acc = new BitFit(BITFIT).accounting(Defaults.fill(c).getModel(), null)
        .orElseThrow();
    assertEquals(acc.storedBytes(), a.adapterWeightBytes());
    assertEquals(acc.storedBytes(), r.artifact().adapterWeightBytes());
    float[][] applied;
    try (RunSession m = a.openOnBase(null, MethodRegistry.builtIn(), s -> { }, art)) {
      applied = m.logits(px, n);
    }
    System.out.printf("bitfit: max |logit difference| run vs base + artifact %.3g%n",
        maxDiff(want, applied));
    assertTrue(maxDiff(want, applied) <= 1e-5, "artifact on the base: " + maxDiff(want,
        applied));

    // the served SavedModel
    Path served = dir.resolve("served");
    CheckpointStore.Checkpoint ck = last(run);
    RunConfig resolved = new RunDirectory(run).readConfig();
    try (RunModel m = RunModel.open(resolved, MethodRegistry.builtIn(),
        new com.google.gson.JsonObject(), DataSources.load(resolved.getData(),
            resolved.getSeed(), BadExamples.strict()).classNames(), () -> null,
            TensorBundleReader.read(ck.variables(),
            name -> !name.startsWith("optimizer/")), ck.dir().toString())) {
      assertTrue(m.folds());
      ServingExport.export(m.servingModel(resolved.getData().getEvalTransform()), served, px,
          want, List.of(), new float[0]);
    }
    try (ServingExport.Served s = ServingExport.open(served)) {
      float[][] got = s.logits(px, n);
      System.out.printf("bitfit: max |logit difference| served vs trained %.3g%n",
          maxDiff(want, got));
      assertTrue(maxDiff(want, got) <= 1e-5, "served: " + maxDiff(want, got));
    }
    List<String> saved = TensorBundleReader.readIndex(served.resolve("variables")
        .resolve("variables")).entries().stream().map(TensorBundleReader.Entry::name).toList();
    assertFalse(saved.stream().anyMatch(s -> s.startsWith("peft/")), saved.toString());
    assertTrue(saved.contains("backbone/norm/beta"), saved.toString());

    // inspect: the run and the artifact
    long values = 16 + 2 * (4 * 16 + 32 + 16 + 2 * 16) + 16;
    for (Path p : List.of(run, art)) {
      MethodSummary s = MethodSummary.of(Inventory.of(p));
      String text = String.join("\n", s.lines());
      assertTrue(text.contains("  biases: 18 trained (13 Linear, 5 LayerNorm), 320 values,"
          + " float32"), text);
      assertTrue(text.contains("  stored: 18 bias vectors, 1,280 bytes = "), text);
      assertEquals(4 * values, s.json().getAsJsonObject("storage").get("adapter_weight_bytes")
          .getAsLong());
      com.google.gson.JsonObject params = s.json().getAsJsonObject("parameters");
      long head = 16 * 7 + 7;
      assertEquals(values + head, params.get("trainable").getAsLong(), p.toString());
      // the trained biases are counted once: trainable and frozen add up to the model's size
      long model = base(c) + head;
      assertEquals(model, params.get("trainable").getAsLong() + params.get("frozen").getAsLong(),
          p.toString());
    }
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
