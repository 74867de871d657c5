package tfpeft.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tfpeft.TfpeftException;
import tfpeft.peft.EpochMetrics;
import tfpeft.peft.Method;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.log.EventFile;
import tfpeft.train.log.MetricsLog;

/**
 * Where a run stands (epochs done, optimizer steps, the best evaluation so far) and its logs:
 * {@code metrics.jsonl} and the TensorBoard event file. A checkpoint records all of it, the
 * logs by their lengths, so that a resumed run cuts them back and continues them.
 */
final class RunState implements AutoCloseable {
  private final MetricsLog metrics;
  private final EventFile events;
  private int epoch;
  private long step;
  private double bestTop1 = Double.NaN;
  private int bestEpoch;
  private JsonObject lastEval;
  private int lastEvalEpoch;
  /** Training images and seconds over every process of the run (for report.json). */
  private long trainedImages;
  private double trainedSeconds;
  /** The parameter counts when the run started (first process), for report.json. */
  private JsonObject startParameters;
  /** FP16's loss scale (null otherwise), and what the checkpoint resumed from held of it. */
  private LossScale lossScale;
  private JsonObject savedLossScale;

  private RunState(MetricsLog metrics, EventFile events) {
    this.metrics = metrics;
    this.events = events;
  }

  /** A run from its start; logs of an attempt that never reached a checkpoint are dropped. */
  static RunState fresh(RunDirectory dir) {
    try (var s = Files.list(dir.root())) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(EventFile.PREFIX))
          .toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw TfpeftException.failure("cannot clean " + dir.root() + ": " + e.getMessage(), e);
    }
    return new RunState(MetricsLog.open(dir.metrics(), 0),
        EventFile.create(dir.root(), System.currentTimeMillis() / 1000.0));
  }

  /** The state a checkpoint recorded, with the logs cut back to their lengths then. */
  static RunState resume(CheckpointStore.Checkpoint c, RunDirectory dir) {
    JsonObject s = c.state();
    JsonObject logs = s.getAsJsonObject("logs");
    Path eventFile = dir.root().resolve(logs.get("events_file").getAsString());
    EventFile events = Files.isRegularFile(eventFile)
        ? EventFile.open(eventFile, logs.get("events_bytes").getAsLong())
        : EventFile.create(dir.root(), System.currentTimeMillis() / 1000.0);
    RunState r = new RunState(MetricsLog.open(dir.metrics(), logs.get("metrics_bytes")
        .getAsLong()), events);
    r.epoch = s.get("epoch").getAsInt();
    r.step = s.get("step").getAsLong();
    if (s.has("training") && s.get("training").isJsonObject()) {
      JsonObject t = s.getAsJsonObject("training");
      r.trainedImages = t.get("images").getAsLong();
      r.trainedSeconds = t.get("seconds").getAsDouble();
    }
    if (s.has("parameters") && s.get("parameters").isJsonObject()) {
      r.startParameters = s.getAsJsonObject("parameters");
    }
    if (s.has("loss_scale") && s.get("loss_scale").isJsonObject()) {
      r.savedLossScale = s.getAsJsonObject("loss_scale");
    }
    if (s.has("best")) {
      r.bestTop1 = s.getAsJsonObject("best").get("top1").getAsDouble();
      r.bestEpoch = s.getAsJsonObject("best").get("epoch").getAsInt();
    }
    return r;
  }

  /**
   * What is wrong with a checkpoint's state.json for resuming from it (a missing or mistyped
   * field, an event file outside the run directory), or null when nothing is.
   */
  static String stateProblem(CheckpointStore.Checkpoint c) {
    JsonObject s = c.state();
    try {
      s.get("epoch").getAsInt();
      s.get("step").getAsLong();
      JsonObject logs = s.getAsJsonObject("logs");
      logs.get("metrics_bytes").getAsLong();
      logs.get("events_bytes").getAsLong();
      String events = logs.get("events_file").getAsString();
      if (!events.startsWith(EventFile.PREFIX) || events.contains("/")
          || events.contains("\\")) {
        return CheckpointStore.STATE + ": logs.events_file '" + events + "' is not an event"
            + " file of the run directory";
      }
      if (c.adapterSized() && c.base() == null) {
        return CheckpointStore.STATE + ": adapter_sized without the base it needs (base"
            + " {name, weights, sha256, parameters})";
      }
      return null;
    } catch (RuntimeException e) {
      return CheckpointStore.STATE + " is malformed (it needs epoch, step and logs"
          + " {metrics_bytes, events_file, events_bytes}: " + e + ")";
    }
  }

  int epoch() {
    return epoch;
  }

  long step() {
    return step;
  }

  void advance(long newStep) {
    step = newStep;
  }

  void addTraining(long images, double seconds) {
    trainedImages += images;
    trainedSeconds += seconds;
  }

  long trainedImages() {
    return trainedImages;
  }

  double trainedSeconds() {
    return trainedSeconds;
  }

  /** Keeps the first process's counts; a resumed run keeps those its checkpoint recorded. */
  void recordStartParameters(JsonObject counts) {
    if (startParameters == null) {
      startParameters = counts;
    }
  }

  JsonObject startParameters() {
    return startParameters;
  }

  void completeEpoch(int e) {
    epoch = e;
  }

  /** The best evaluation so far as {epoch, top1}, or null before the first. */
  JsonObject best() {
    if (Double.isNaN(bestTop1)) {
      return null;
    }
    JsonObject o = new JsonObject();
    o.addProperty("epoch", bestEpoch);
    o.addProperty("top1", bestTop1);
    return o;
  }

  /** Records an evaluation's accuracy; true when it is the best so far (ties keep the first). */
  boolean offerBest(int e, double top1) {
    if (Double.isNaN(bestTop1) || top1 > bestTop1) {
      bestTop1 = top1;
      bestEpoch = e;
      return true;
    }
    return false;
  }

  void logStep(int e, long s, float loss, float lr, float gradNorm) {
    JsonObject o = line("step", e, s);
    o.addProperty("loss", loss);
    o.addProperty("lr", lr);
    o.addProperty("grad_norm", gradNorm);
    metrics.write(o);
    double now = now();
    events.scalar("train/loss", s, loss, now);
    events.scalar("train/learning_rate", s, lr, now);
    events.scalar("train/grad_norm", s, gradNorm, now);
  }

  /** The epoch's line, with the fields and scalars the method added. */
  void logEpoch(int e, double loss, float lr, double seconds, double imagesPerSecond,
      EpochMetrics method) {
    JsonObject o = line("epoch", e, step);
    o.addProperty("loss", loss);
    o.addProperty("lr", lr);
    o.addProperty("seconds", seconds);
    o.addProperty("images_per_sec", imagesPerSecond);
    for (var f : method.fields().entrySet()) {
      if (o.has(f.getKey())) {
        throw new IllegalStateException("the method's epoch field " + f.getKey()
            + " is one the trainer writes");
      }
      o.add(f.getKey(), f.getValue());
    }
    metrics.write(o);
    double now = now();
    events.scalar("epoch/loss", step, loss, now);
    events.scalar("epoch/learning_rate", step, lr, now);
    events.scalar("epoch/images_per_sec", step, imagesPerSecond, now);
    method.scalars().forEach((tag, v) -> events.scalar(tag, step, v, now));
  }

  void logEval(int e, String split, EvalMetrics m) {
    JsonObject o = line("eval", e, step);
    o.addProperty("split", split);
    o.addProperty("top1", m.top1());
    o.addProperty("top" + m.k(), m.topK());
    o.addProperty("mean_per_class", m.meanPerClass());
    metrics.write(o);
    events.scalar("eval/" + split + "/top1", step, m.top1(), now());
    events.scalar("eval/" + split + "/top" + m.k(), step, m.topK(), now());
    lastEval = new JsonObject();
    lastEval.addProperty("split", split);
    lastEval.addProperty("top1", m.top1());
    lastEval.addProperty("top" + m.k(), m.topK());
    lastEvalEpoch = e;
  }

  void logTest(String tag, EvalMetrics m) {
    JsonObject o = line(tag, epoch, step);
    o.addProperty("top1", m.top1());
    o.addProperty("top" + m.k(), m.topK());
    o.addProperty("mean_per_class", m.meanPerClass());
    metrics.write(o);
    events.scalar(tag + "/top1", step, m.top1(), now());
    events.scalar(tag + "/top" + m.k(), step, m.topK(), now());
  }

  private static JsonObject line(String kind, int e, long s) {
    JsonObject o = new JsonObject();
    o.addProperty("kind", kind);
    o.addProperty("epoch", e);
    o.addProperty("step", s);
    return o;
  }

  void flush() {
    metrics.flush();
    events.flush();
  }

  /**
   * What a checkpoint after epoch {@code e} records besides the variables.
   *
   * @param complete the run has nothing left to train after it
   */
  /**
   * The run's loss scale ({@link LossScale#of}; null but under FP16), continued from the
   * checkpoint the run resumed from, and saved with every checkpoint from now on.
   */
  LossScale lossScale(LossScale fresh) {
    lossScale = fresh;
    if (fresh != null && savedLossScale != null) {
      fresh.restore(savedLossScale);
    }
    return fresh;
  }

  JsonObject checkpointState(int e, Method method, boolean complete) {
    JsonObject s = new JsonObject();
    s.addProperty("format", 1);
    s.addProperty("epoch", e);
    if (complete) {
      // a run with nothing to train is complete at its only checkpoint, whatever its epochs
      s.addProperty("complete", true);
    }
    s.addProperty("step", step);
    // the data position: batch 0 of the next epoch; shuffles and augmentation are keyed by
    // (seed, epoch, example), so nothing else about the input pipeline needs saving
    s.addProperty("next_batch", 0);
    if (lastEval != null && lastEvalEpoch == e) {
      s.add("eval", lastEval);
    }
    if (!Double.isNaN(bestTop1)) {
      s.add("best", best());
    }
    JsonObject training = new JsonObject();
    training.addProperty("images", trainedImages);
    training.addProperty("seconds", trainedSeconds);
    s.add("training", training);
    if (lossScale != null) {
      s.add("loss_scale", lossScale.json());
    }
    if (startParameters != null) {
      s.add("parameters", startParameters);
    }
    JsonObject m = new JsonObject();
    m.addProperty("name", method.name());
    m.add("state", method.saveState());
    s.add("method", m);
    JsonObject logs = new JsonObject();
    logs.addProperty("metrics_bytes", metrics.length());
    logs.addProperty("events_file", events.file().getFileName().toString());
    logs.addProperty("events_bytes", events.length());
    s.add("logs", logs);
    return s;
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  @Override
  public void close() {
    metrics.close();
    events.close();
  }
}
