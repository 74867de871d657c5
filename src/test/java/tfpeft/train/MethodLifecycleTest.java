package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.LinearProbeConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.EpochContext;
import tfpeft.peft.EpochOutcome;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * The trainer calls a method's lifecycle without knowing it: a method that stops training the
 * backbone after epoch 1 gets a rebuilt step, and its state survives a resume.
 */
class MethodLifecycleTest {
  @TempDir Path out;

  /** Trains everything in epoch 1, then the head only; may fail once at epoch 2. */
  static final class FreezeAfterFirstEpoch implements Method {
    boolean frozen;
    final boolean failAtEpochTwo;

    FreezeAfterFirstEpoch(boolean failAtEpochTwo) {
      this.failAtEpochTwo = failAtEpochTwo;
    }

    @Override
    public MethodConfig.MethodCase kind() {
      return MethodConfig.MethodCase.LINEAR_PROBE;
    }

    @Override
    public ClassifierKind classifier(MethodContext ctx) {
      return ClassifierKind.HEAD;
    }

    @Override
    public List<String> trainablePrefixes(MethodContext ctx) {
      return frozen ? List.of("head/") : List.of("backbone/", "head/");
    }

    @Override
    public EpochOutcome afterEpoch(EpochContext ctx) {
      if (ctx.epoch() == 2 && failAtEpochTwo) {
        throw new IllegalStateException("stopped at epoch 2");
      }
      if (ctx.epoch() == 1) {
        frozen = true;
        return EpochOutcome.TRAINABLE_CHANGED;
      }
      return EpochOutcome.UNCHANGED;
    }

    @Override
    public JsonObject saveState() {
      JsonObject s = new JsonObject();
      s.addProperty("frozen", frozen);
      return s;
    }

    @Override
    public boolean needsClip() {
      return false;
    }

    @Override
    public void checkConfig(tfpeft.config.proto.RunConfig run,
        tfpeft.peft.ConfigProblems problems) {}

    @Override
    public java.util.Optional<String> artifactRefusal() {
      return java.util.Optional.of("is a lifecycle test's method");
    }

    @Override
    public tfpeft.peft.StoredTensor stored(String variable) {
      throw new IllegalStateException("no artifact");
    }

    @Override
    public java.util.Optional<tfpeft.peft.AdapterAccounting> accounting(
        tfpeft.config.proto.ModelConfig model, com.google.gson.JsonObject state) {
      return java.util.Optional.empty();
    }

    @Override
    public boolean trainsAt(String variable, JsonObject state) {
      return true;
    }

    @Override
    public void inspect(tfpeft.peft.TrainedState trained, tfpeft.peft.InspectSummary out) {}

    @Override
    public String foldingDescription(tfpeft.config.proto.RunConfig config) {
      return "nothing to fold";
    }

    @Override
    public void restoreState(JsonObject state) {
      frozen = state.get("frozen").getAsBoolean();
    }
  }

  static MethodRegistry registry(boolean fail) {
    return new MethodRegistry().register(MethodConfig.MethodCase.LINEAR_PROBE,
        c -> new FreezeAfterFirstEpoch(fail));
  }

  static RunConfig config(Path out) {
    RunConfig.Builder b = TinyRuns.config(out).setMethod(MethodConfig.newBuilder()
        .setLinearProbe(LinearProbeConfig.getDefaultInstance()));
    b.getTrainingBuilder().setEpochs(3).setKeepCheckpoints(5).setWarmupEpochs(0);
    b.getEvalBuilder().setEveryEpochs(0);
    return b.build();
  }

  @Test
  void aChangeOfWhatTrainsRebuildsTheStepAndSurvivesAResume() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainerTest.train(config(out.resolve("whole")), Trainer.Resume.AUTO, log, registry(false));
    assertTrue(log.toString(StandardCharsets.UTF_8)
        .contains("method.linear_probe trains 2 variables"), log.toString());
    CheckpointStore whole = TrainerTest.store(out.resolve("whole"));
    Map<String, float[]> e1 = TrainerTest.checkpointValues(whole.list().get(0));
    Map<String, float[]> e3 = TrainerTest.checkpointValues(whole.latest().get());
    for (String name : e1.keySet()) {
      if (name.startsWith("backbone/")) {
        assertArrayEquals(e1.get(name), e3.get(name), name);
      } else if (name.startsWith("head/")) {
        assertFalse(java.util.Arrays.equals(e1.get(name), e3.get(name)), name);
      }
    }
    assertEquals(true, whole.list().get(0).methodState().get("frozen")
        .getAsBoolean());

    // the same run stopped after epoch 1's checkpoint, resumed: the method takes its state back
    RunConfig stopped = config(out.resolve("stopped"));
    assertThrows(IllegalStateException.class, () -> TrainerTest.train(stopped,
        Trainer.Resume.AUTO, new ByteArrayOutputStream(), registry(true)));
    CheckpointStore store = TrainerTest.store(out.resolve("stopped"));
    assertEquals(1, store.latest().get().epoch());
    TrainerTest.train(stopped, Trainer.Resume.AUTO, new ByteArrayOutputStream(),
        registry(false));
    ResumeAfterKillTest.assertSameVariables(whole.latest().get(), store.latest().get());
  }

  /** Trains the head, but fits it in prepare (every value 0.25) instead of by steps. */
  static final class FittedInPrepare implements Method {
    @Override
    public MethodConfig.MethodCase kind() {
      return MethodConfig.MethodCase.LINEAR_PROBE;
    }

    @Override
    public ClassifierKind classifier(MethodContext ctx) {
      return ClassifierKind.HEAD;
    }

    @Override
    public List<String> trainablePrefixes(MethodContext ctx) {
      return List.of("head/");
    }

    @Override
    public boolean trainsBySteps() {
      return false;
    }

    @Override
    public void prepare(tfpeft.peft.PrepareContext ctx) {
      if (ctx.restored()) {
        return;
      }
      for (tfpeft.model.ModelVariable v : ctx.net().variables()) {
        if (v.name().startsWith("head/")) {
          float[] values = new float[(int) v.size()];
          java.util.Arrays.fill(values, 0.25f);
          tfpeft.model.VariableValues.assign(ctx.session(), v, values);
        }
      }
    }

    @Override
    public boolean needsClip() {
      return false;
    }

    @Override
    public void checkConfig(tfpeft.config.proto.RunConfig run,
        tfpeft.peft.ConfigProblems problems) {}

    @Override
    public java.util.Optional<String> artifactRefusal() {
      return java.util.Optional.of("is a lifecycle test's method");
    }

    @Override
    public tfpeft.peft.StoredTensor stored(String variable) {
      throw new IllegalStateException("no artifact");
    }

    @Override
    public java.util.Optional<tfpeft.peft.AdapterAccounting> accounting(
        tfpeft.config.proto.ModelConfig model, com.google.gson.JsonObject state) {
      return java.util.Optional.empty();
    }

    @Override
    public boolean trainsAt(String variable, JsonObject state) {
      return variable.startsWith("head/");
    }

    @Override
    public void inspect(tfpeft.peft.TrainedState trained, tfpeft.peft.InspectSummary out) {}

    @Override
    public String foldingDescription(tfpeft.config.proto.RunConfig config) {
      return "nothing to fold";
    }
  }

  @Test
  void aMethodThatFitsInPrepareRunsNoStepAndKeepsItsFitAsCheckpointZero() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainerTest.train(config(out.resolve("fitted")), Trainer.Resume.AUTO, log,
        new MethodRegistry().register(MethodConfig.MethodCase.LINEAR_PROBE,
            c -> new FittedInPrepare()));
    assertTrue(log.toString(StandardCharsets.UTF_8).contains(
        "fitted what it trains when the run started"), log.toString());
    CheckpointStore store = TrainerTest.store(out.resolve("fitted"));
    assertEquals(1, store.list().size());
    assertEquals(0, store.latest().get().epoch());
    Map<String, float[]> values = TrainerTest.checkpointValues(store.latest().get());
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      if (e.getKey().startsWith("head/")) {
        for (float v : e.getValue()) {
          assertEquals(0.25f, v, e.getKey());
        }
      }
    }
  }
}
