package tfpeft.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tfpeft.TfpeftException;
import tfpeft.cli.Commands;
import tfpeft.config.proto.AdaptFormerConfig;
import tfpeft.config.proto.AdapterPConfig;
import tfpeft.config.proto.CompacterConfig;
import tfpeft.config.proto.FourierFtConfig;
import tfpeft.config.proto.MoraConfig;
import tfpeft.config.proto.ProgradConfig;
import tfpeft.config.proto.BitFitConfig;
import tfpeft.config.proto.ClassTokenPosition;
import tfpeft.config.proto.ClipAdapterConfig;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.CocoopConfig;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.EvalConfig;
import tfpeft.config.proto.FactConfig;
import tfpeft.config.proto.FullFinetuneConfig;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.KgCoopConfig;
import tfpeft.config.proto.LinearProbeConfig;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MaskConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.MethodConfig.MethodCase;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.MudptConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.SsfConfig;
import tfpeft.config.proto.TipAdapterConfig;
import tfpeft.config.proto.TipAdapterFConfig;
import tfpeft.config.proto.Precision;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.config.proto.VptConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.config.proto.ZeroShotConfig;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.AdapterExport;
import tfpeft.export.ServingExport;
import tfpeft.inspect.Inventory;
import tfpeft.inspect.MethodSummary;
import tfpeft.model.BackboneChecksum;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.train.RunDirectory;
import tfpeft.train.TinyRuns;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * The battery every registered method passes, each on a tiny run of its own (a one-block ViT or
 * CLIP of width 8, two epochs of one step each) trained once for all the checks: one step
 * changes every variable the method trains and no other; a restored checkpoint evaluates as the
 * training session did; a run resumed after a step ends bit-identical; its adapter artifact on
 * the base gives the run's logits (or the method refuses, as it says); the served SavedModel
 * gives the trained graph's logits; inspect describes it alike from the run, the checkpoint and
 * the artifact; and the storage accounting is the artifact's adapter bytes. Each run trains on a
 * base file (the tiny backbone's initialization written as a backbone directory), so its
 * checkpoints are adapter-sized and every check reads the frozen backbone back from the base;
 * they hold no frozen backbone weight. A method is added to
 * the battery by one entry in {@link #CASES}; a registered method without one fails it.
 * {@code -Dbattery.only=NAME} runs one method's case alone; {@code -Dbattery.precision=BF16}
 * (or FP16) trains every case in that precision (training.precision).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MethodBatteryTest {
  static final double LOGIT_TOLERANCE = 1e-5;
  static final int IMAGES = 3;

  /** One run per registered method: the config member and the tiny backbone it runs on. */
  static final Map<MethodCase, Case> CASES = cases(
      vit(m -> m.setFullFinetune(FullFinetuneConfig.getDefaultInstance())),
      clip(m -> m.setLinearProbe(LinearProbeConfig.getDefaultInstance())),
      clip(m -> m.setZeroShot(ZeroShotConfig.getDefaultInstance())),
      clip(m -> m.setMask(MaskConfig.getDefaultInstance())),
      vit(m -> m.setLora(LoraConfig.newBuilder().setRank(2).setDropout(0.1f))),
      vit(m -> m.setAdaptformer(AdaptFormerConfig.newBuilder().setDim(2))),
      vit(m -> m.setPear(PearConfig.newBuilder().setWarmupEpochs(1)
          .setLora(LoraConfig.newBuilder().setRank(2).setBits(1)))),
      clip(m -> m.setTipAdapter(TipAdapterConfig.getDefaultInstance())),
      clip(m -> m.setCoop(CoopConfig.newBuilder().setNCtx(2))),
      clip(m -> m.setVpt(VptConfig.newBuilder().setLength(2).setDepth(1))),
      clip(m -> m.setMudpt(MudptConfig.newBuilder().setLength(2).setDepth(1).setInit("")
          .setInjection(InjectionKind.ATTENTION))),
      vit(m -> m.setBitfit(BitFitConfig.getDefaultInstance())),
      vit(m -> m.setAdapterp(AdapterPConfig.newBuilder().setDim(2).setBias(true))),
      vit(m -> m.setSsf(SsfConfig.getDefaultInstance())),
      vit(m -> m.setFact(FactConfig.newBuilder().setRank(2))),
      vit(m -> m.setCompacter(CompacterConfig.newBuilder().setDim(4).setPhmDim(2)
          .setBias(true))),
      // width 8: 10 of the 64 frequencies, alpha 1 keeps the N(0, 1) start's update small
      vit(m -> m.setFourierft(FourierFtConfig.newBuilder().setNFrequency(10).setScale(1))),
      // rank 2: r_hat 6 on an input of 8, so the wrap pads 4 values into a second chunk
      vit(m -> m.setMora(MoraConfig.newBuilder().setRank(2))),
      // a context per class with the name in front: CoOp's options through the whole battery
      clip(m -> m.setKgcoop(KgCoopConfig.newBuilder().setPrompt(CoopConfig.newBuilder()
          .setNCtx(2).setCsc(true).setClassTokenPosition(ClassTokenPosition.FRONT)))),
      // CoOp's case, its gradient projected against the zero-shot teacher's
      clip(m -> m.setPrograd(ProgradConfig.newBuilder()
          .setPrompt(CoopConfig.newBuilder().setNCtx(2)))),
      // embed_dim 4: a meta-net of hidden width 2; every image's own prompts of the 7 classes
      clip(m -> m.setCocoop(CocoopConfig.newBuilder().setNCtx(2).setInit("")
          .setMetaNetRatio(2))),
      // embed 4, reduction 2: a hidden width of 2; alpha 0.5 so both paths carry weight
      clip(m -> m.setClipAdapter(ClipAdapterConfig.newBuilder().setReduction(2).setAlpha(0.5f))),
      // alpha and beta kept: a search after the last step would change them between the two
      // checkpoints the battery compares (TipAdapterFTest checks the search)
      clip(m -> m.setTipAdapterF(TipAdapterFConfig.newBuilder().setSearch(false)
          .setAugmentViews(1))));

  /** A method's battery run: its config under a run directory's parent. */
  record Case(ModelConfig model, MethodConfig method) {
    MethodCase kind() {
      return method.getMethodCase();
    }

    String name() {
      return MethodRegistry.nameOf(kind());
    }

    /** The run on {@code base}, a backbone directory of {@link #model}. */
    RunConfig config(Path out, Path base) {
      RunConfig.Builder b = TinyRuns.vit(out, name(), method).setModel(model.toBuilder()
          .setWeights(WeightsConfig.newBuilder().setPath(base.toString())));
      // the 48 training images in one batch: an epoch is one step, and each checkpoint one
      // step after the one before
      b.setTraining(TrainingConfig.newBuilder().setEpochs(2).setBatchSize(48)
          .setLearningRate(1e-2f).setWarmupEpochs(0).setDropPath(0).setKeepCheckpoints(5)
          .setLogEverySteps(100).setPrecision(Precision.valueOf(
              System.getProperty("battery.precision", "FP32"))));
      b.setEval(EvalConfig.newBuilder().setEveryEpochs(0).setTopK(3));
      return b.build();
    }

    @Override
    public String toString() {
      return name();
    }
  }

  static Case vit(Consumer<MethodConfig.Builder> method) {
    return new Case(ModelConfig.newBuilder().setVit(VitConfig.newBuilder()
        .setImageSize(TinyRuns.IMAGE).setPatchSize(8).setWidth(8).setDepth(1).setHeads(2)
        .setMlpRatio(2)).build(), build(method));
  }

  static Case clip(Consumer<MethodConfig.Builder> method) {
    return new Case(ModelConfig.newBuilder().setClip(ClipConfig.newBuilder()
        .setImageSize(TinyRuns.IMAGE).setPatchSize(8).setVisionWidth(8).setVisionDepth(1)
        .setVisionHeads(2).setTextWidth(8).setTextDepth(1).setTextHeads(2)
        .setContextLength(12).setVocabSize(726).setEmbedDim(4).setMlpRatio(2)
        .setTokenizer(TinyRuns.VOCAB).addTemplates("X X {}.")).build(), build(method));
  }

  private static MethodConfig build(Consumer<MethodConfig.Builder> method) {
    MethodConfig.Builder b = MethodConfig.newBuilder();
    method.accept(b);
    return b.build();
  }

  private static Map<MethodCase, Case> cases(Case... cases) {
    Map<MethodCase, Case> out = new EnumMap<>(MethodCase.class);
    for (Case c : cases) {
      if (out.put(c.kind(), c) != null) {
        throw new IllegalStateException("two battery cases for " + c.name());
      }
    }
    return out;
  }

  static Stream<Case> cases() {
    String only = System.getProperty("battery.only");
    return CASES.values().stream().filter(c -> only == null || c.name().equals(only));
  }

  @TempDir static Path out;
  private final Map<MethodCase, Trained> trained = new EnumMap<>(MethodCase.class);

  /** The case's run, trained on first use and shared by every check. */
  Trained trained(Case c) {
    return trained.computeIfAbsent(c.kind(), k -> new Trained(c, out.resolve("runs")));
  }

  /** A case's trained run and what the checks made of it, each made once. */
  static final class Trained {
    final Case c;
    final RunConfig config;
    final Path run;
    final Method method;
    private Path artifact;
    private TfpeftException refused;
    private Path served;
    private String exportOutput;

    Trained(Case c, Path out) {
      this.c = c;
      // a base file to train on, as a user's run has: its checkpoints are adapter-sized
      this.config = c.config(out, TinyRuns.base(out.resolveSibling("bases").resolve(c.name()),
          c.model(), 5));
      this.run = TinyRuns.train(config);
      this.method = MethodRegistry.builtIn().create(config.getMethod());
    }

    JsonObject report() throws IOException {
      return JsonParser.parseString(Files.readString(run.resolve(RunDirectory.REPORT)))
          .getAsJsonObject();
    }

    /** The artifact written from the last checkpoint; empty when the method refused it. */
    Optional<Path> artifact() {
      if (artifact == null && refused == null) {
        Path a = run.resolveSibling(c.name() + "-artifact");
        try {
          AdapterExport.fromRun(run, "last", a, false, MethodRegistry.builtIn(), s -> { });
          artifact = a;
        } catch (TfpeftException e) {
          refused = e;
        }
      }
      return Optional.ofNullable(artifact);
    }

    /** {@code tfpeft export RUN --out DIR}: the SavedModel's directory. */
    Path served() {
      if (served == null) {
        Path s = run.resolveSibling(c.name() + "-served");
        Commands.Result r = Commands.run("export", run.toString(), "--out", s.toString());
        assertEquals(0, r.code(), c + ": export failed: " + r.err() + r.out());
        exportOutput = r.out();
        served = s;
      }
      return served;
    }
  }

  @Test
  void everyRegisteredMethodHasACase() {
    List<String> missing = new ArrayList<>();
    for (MethodCase k : MethodRegistry.builtIn().all().keySet()) {
      if (!CASES.containsKey(k)) {
        missing.add(MethodRegistry.nameOf(k));
      }
    }
    assertEquals(List.of(), missing, "registered methods without a battery case; add one"
        + " entry to MethodBatteryTest.CASES for each");
    assertEquals(MethodRegistry.builtIn().all().keySet(), CASES.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void oneStepChangesEveryVariableTheMethodTrainsAndLeavesTheOthersBitIdentical(Case c) {
    Trained t = trained(c);
    List<CheckpointStore.Checkpoint> checkpoints = TinyRuns.checkpoints(t.run);
    CheckpointStore.Checkpoint last = checkpoints.isEmpty() ? null
        : checkpoints.get(checkpoints.size() - 1);
    JsonObject state = last == null ? new JsonObject() : methodState(last);
    if (last == null || checkpoints.size() == 1 && last.epoch() == 0) {
      // a method that trains nothing takes no step; what it keeps it computed (epoch 0)
      if (last != null) {
        for (String name : TinyRuns.values(last).keySet()) {
          assertFalse(t.method.trainsAt(name, state), c + ": " + name + " trains, yet the run"
              + " took no step");
        }
      }
      return;
    }
    assertEquals(2, checkpoints.size(), c + ": a checkpoint after each of the 2 steps");
    Map<String, float[]> before = TinyRuns.values(checkpoints.get(0));
    Map<String, float[]> after = TinyRuns.values(last);
    assertEquals(before.keySet(), after.keySet(), c.toString());
    List<String> trainedNames = new ArrayList<>();
    for (String name : before.keySet()) {
      if (name.startsWith("optimizer/")) {
        continue;
      }
      boolean same = sameBits(before.get(name), after.get(name));
      if (t.method.trainsAt(name, state)) {
        trainedNames.add(name);
        assertFalse(same, c + ": " + name + " trains but one step left it unchanged");
      } else {
        assertTrue(same, c + ": " + name + " is frozen but one step changed it");
      }
    }
    assertFalse(trainedNames.isEmpty(), c + ": the run took steps but nothing trains");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void itsCheckpointsHoldNoFrozenBackboneWeight(Case c) {
    Trained t = trained(c);
    for (CheckpointStore.Checkpoint k : TinyRuns.checkpoints(t.run)) {
      JsonObject state = methodState(k);
      Map<String, float[]> values = TinyRuns.values(k);
      List<String> frozen = values.keySet().stream()
          .filter(n -> n.startsWith(BackboneChecksum.PREFIX) && !t.method.trainsAt(n, state)
              && values.keySet().stream().noneMatch(o -> o.startsWith("optimizer/" + n + "/")))
          .toList();
      assertEquals(List.of(), frozen, c + ": " + k.dir() + " holds frozen backbone weights");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void itsRestoredCheckpointEvaluatesAsTheTrainingSessionDid(Case c) throws IOException {
    Trained t = trained(c);
    Commands.Result r = Commands.run("eval", t.run.toString());
    assertEquals(0, r.code(), c + ": " + r.err() + r.out());
    Path written;
    try (var s = Files.list(t.run)) {
      written = s.filter(p -> p.getFileName().toString().matches("eval_.*_test\\.json"))
          .findFirst().orElseThrow(() -> new AssertionError(c + ": eval wrote no result"));
    }
    JsonObject restored = JsonParser.parseString(Files.readString(written)).getAsJsonObject()
        .getAsJsonObject("test");
    assertEquals(t.report().getAsJsonObject("test"), restored, c + ": the test evaluation of"
        + " the restored checkpoint differs from the training session's");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void resumedAfterItsFirstCheckpointItEndsBitIdentical(Case c) throws IOException {
    Trained t = trained(c);
    Path copy = out.resolve("resumed").resolve(c.name());
    TinyRuns.copyTree(t.run, copy);
    List<CheckpointStore.Checkpoint> checkpoints = TinyRuns.checkpoints(copy);
    for (CheckpointStore.Checkpoint k : checkpoints.subList(Math.min(1, checkpoints.size()),
        checkpoints.size())) {
      TinyRuns.deleteTree(k.dir());
    }
    Files.delete(copy.resolve(RunDirectory.REPORT));
    RunConfig again = t.config.toBuilder().setOutputDir(copy.getParent().toString()).build();
    JsonObject report = JsonParser.parseString(Files.readString(TinyRuns.train(again)
        .resolve(RunDirectory.REPORT))).getAsJsonObject();
    assertEquals(t.report().getAsJsonObject("test"), report.getAsJsonObject("test"),
        c.toString());
    List<CheckpointStore.Checkpoint> whole = TinyRuns.checkpoints(t.run);
    List<CheckpointStore.Checkpoint> resumed = TinyRuns.checkpoints(copy);
    assertEquals(whole.size(), resumed.size(), c.toString());
    if (whole.isEmpty()) {
      return;
    }
    Map<String, float[]> a = TinyRuns.values(whole.get(whole.size() - 1));
    Map<String, float[]> b = TinyRuns.values(resumed.get(resumed.size() - 1));
    assertEquals(a.keySet(), b.keySet(), c.toString());
    for (String name : a.keySet()) {
      assertTrue(sameBits(a.get(name), b.get(name)), c + ": " + name + " differs after"
          + " resuming");
    }
    assertEquals(methodState(whole.get(whole.size() - 1)),
        methodState(resumed.get(resumed.size() - 1)), c.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void itsAdapterArtifactOnTheBaseGivesTheRunsLogitsOrItRefusesAsItSays(Case c) {
    Trained t = trained(c);
    Optional<String> refusal = t.method.artifactRefusal();
    if (refusal.isPresent()) {
      assertTrue(t.artifact().isEmpty(), c + ": an artifact was written despite the refusal");
      assertTrue(t.refused.getMessage().contains(refusal.get()), c + ": " + t.refused
          .getMessage());
      return;
    }
    Path art = t.artifact().orElseThrow(() -> new AssertionError(c + ": " + t.refused
        .getMessage(), t.refused));
    // it holds what the method trains at the checkpoint, and nothing of the base besides
    List<CheckpointStore.Checkpoint> all = TinyRuns.checkpoints(t.run);
    CheckpointStore.Checkpoint last = all.get(all.size() - 1);
    JsonObject state = methodState(last);
    assertEquals(TinyRuns.values(last).keySet().stream()
        .filter(n -> !n.startsWith("optimizer/") && t.method.trainsAt(n, state)).sorted()
        .toList(), AdapterArtifact.read(art).tensors().stream().map(x -> x.name()).sorted()
        .toList(), c + ": the artifact's tensors are the trained variables");
    // the served SavedModel is the run's graph (checked against its checkpoint by export)
    float[][] run;
    try (ServingExport.Served s = ServingExport.open(t.served())) {
      run = s.logits(TinyRuns.images(t.config, IMAGES), IMAGES);
    }
    double diff = TinyRuns.maxAbsDiff(run, TinyRuns.artifactLogits(art, t.config, IMAGES));
    System.out.printf("battery %s: artifact on the base vs run, max |logit difference| %.2g%n",
        c, diff);
    assertTrue(diff <= LOGIT_TOLERANCE, c + ": artifact on the base vs run, max |logit"
        + " difference| " + diff);
  }

  static final Pattern CHECKED = Pattern.compile(
      "max \\|logit difference\\| ([0-9.e+-]+) \\(limit");

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void itsServedSavedModelGivesTheTrainedGraphsLogits(Case c) throws IOException {
    Trained t = trained(c);
    if (TinyRuns.checkpoints(t.run).isEmpty()) {
      // nothing trained or computed: export says to serve the base itself
      Commands.Result r = Commands.run("export", t.run.toString(), "--out",
          out.resolve(c.name() + "-served").toString());
      assertEquals(2, r.code(), c + ": " + r.out() + r.err());
      assertTrue(r.err().contains("--weights"), c + ": " + r.err());
      return;
    }
    Path served = t.served();
    // export checks the SavedModel against the graph as trained, restored from the checkpoint
    Matcher m = CHECKED.matcher(t.exportOutput);
    assertTrue(m.find(), c + ": export reports no check: " + t.exportOutput);
    assertTrue(Double.parseDouble(m.group(1)) <= LOGIT_TOLERANCE, c + ": " + t.exportOutput);
    System.out.printf("battery %s: served vs trained graph, max |logit difference| %s%n", c,
        m.group(1));
    // and, independently, it classifies the test split as the run's own evaluation did
    assertEquals(float32Confusion(t).toString(), new com.google.gson.Gson().toJson(
        TinyRuns.servedConfusion(served, t.run)), c + ": served vs the run's test evaluation");
    // what export folds is gone from the served variables
    List<String> names = TensorBundleReader.readIndex(served.resolve("variables")
        .resolve("variables")).entries().stream().map(TensorBundleReader.Entry::name).toList();
    if (t.method.exportFolds(t.config)) {
      assertFalse(names.stream().anyMatch(n -> n.startsWith(t.method.variablePrefix())),
          c + ": folded, yet served with its variables: " + names);
    }
    if (t.config.getModel().hasClip()) {
      // per-image class features need the text tower served; otherwise they are baked in
      boolean perImage = classifier(t.config) == ClassifierKind.IMAGE_CONDITIONED;
      assertEquals(perImage, names.stream().anyMatch(n -> n.startsWith("backbone/text/")),
          c + ": the text tower is served exactly when class features differ per image: "
          + names);
    }
  }


  /**
   * The test split's confusion matrix of the run's graph in float32, as the SavedModel serves
   * it: the run's own evaluation, or, for a run trained in BF16 or FP16 (whose evaluation ran in
   * that precision, where the battery's barely trained models flip near-tied classes), {@code
   * tfpeft eval} of its last checkpoint with {@code training.precision=FP32}.
   */
  private static com.google.gson.JsonArray float32Confusion(Trained t) throws IOException {
    if (t.config.getTraining().getPrecision() == Precision.FP32) {
      return t.report().getAsJsonObject("test").getAsJsonArray("confusion");
    }
    Commands.Result r = Commands.run("eval", "--config",
        t.run.resolve(RunDirectory.CONFIG).toString(), "--set", "training.precision=FP32");
    assertEquals(0, r.code(), t.c + ": eval in FP32: " + r.out() + r.err());
    Matcher wrote = Pattern.compile("wrote (\\S+\\.json)").matcher(r.out() + r.err());
    assertTrue(wrote.find(), t.c + ": eval wrote no result: " + r.out() + r.err());
    return JsonParser.parseString(Files.readString(Path.of(wrote.group(1)))).getAsJsonObject()
        .getAsJsonObject("test").getAsJsonArray("confusion");
  }
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void inspectDescribesItAlikeFromTheRunItsCheckpointAndItsArtifact(Case c) throws IOException {
    Trained t = trained(c);
    if (TinyRuns.checkpoints(t.run).isEmpty()) {
      // nothing trained or computed: no checkpoint to describe
      assertEquals(0, t.report().getAsJsonObject("parameters").get("trainable").getAsLong(),
          c.toString());
      return;
    }
    MethodSummary run = MethodSummary.of(Inventory.of(t.run));
    assertNotNull(run, c + ": inspect says nothing of the run's method");
    assertEquals(c.name(), run.json().get("method").getAsString());
    assertTrue(run.lines().get(0).startsWith("method: " + c.name()), run.lines().toString());
    MethodSummary checkpoint = MethodSummary.of(Inventory.of(t.run.resolve(
        RunDirectory.CHECKPOINTS).resolve(CheckpointStore.LAST)));
    assertEquals(run.json(), checkpoint.json(), c + ": run and its last checkpoint");
    Optional<Path> art = t.artifact();
    if (art.isPresent()) {
      MethodSummary artifact = MethodSummary.of(Inventory.of(art.get()));
      assertEquals(c.name(), artifact.json().get("method").getAsString());
      assertEquals(run.json().getAsJsonObject("parameters").get("trainable"),
          artifact.json().getAsJsonObject("parameters").get("trainable"),
          c + ": what trains, from the checkpoint and from the artifact");
      assertEquals(run.json().getAsJsonObject("storage"),
          artifact.json().getAsJsonObject("storage"), c + ": storage");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void itsStorageAccountingIsItsArtifactsAdapterBytes(Case c) {
    Trained t = trained(c);
    Optional<Path> art = t.artifact();
    if (art.isEmpty()) {
      assertTrue(t.method.accounting(t.config.getModel(), null).isEmpty(),
          c + ": accounts adapters it cannot store");
      return;
    }
    AdapterArtifact a = AdapterArtifact.read(art.get());
    Optional<AdapterAccounting> accounting = t.method.accounting(t.config.getModel(),
        a.methodState());
    assertEquals(accounting.map(AdapterAccounting::storedBytes).orElse(0L),
        a.adapterWeightBytes(), c + ": accounted vs stored adapter bytes");
    accounting.ifPresent(acc -> assertTrue(acc.storedBytes() > 0, c.toString()));
  }

  /** How the run's method classifies, asked of a throwaway instance. */
  private static ClassifierKind classifier(RunConfig config) {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      return MethodRegistry.builtIn().create(config.getMethod()).classifier(new MethodContext(
          config, new tfpeft.model.Net(g, config.getSeed()), List.of()));
    }
  }

  private static JsonObject methodState(CheckpointStore.Checkpoint c) {
    JsonObject m = c.state().getAsJsonObject("method");
    return m != null && m.has("state") ? m.getAsJsonObject("state") : new JsonObject();
  }

  private static boolean sameBits(float[] a, float[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        return false;
      }
    }
    return true;
  }
}
