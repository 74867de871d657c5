package tfpeft.train;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.data.Batch;
import tfpeft.data.Dataset;
import tfpeft.data.InputPipeline;
import tfpeft.data.Split;
import tfpeft.data.Transforms;
import tfpeft.model.BackboneChecksum;
import tfpeft.model.BaseIdentity;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.peft.BatchLimit;
import tfpeft.peft.EpochContext;
import tfpeft.peft.EpochOutcome;
import tfpeft.peft.Method;
import tfpeft.peft.MethodRegistry;
import tfpeft.peft.RunEndContext;
import tfpeft.peft.EpochMetrics;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.log.Progress;
import tfpeft.util.TestPauses;

/**
 * Trains one run: builds the graph (backbone, method, loss, step), loads the pretrained weights,
 * resumes from the run's last complete checkpoint when there is one, then runs the epochs with
 * the learning rate fed per step from the schedule, evaluating, checkpointing and logging as the
 * config says, and ends with the test evaluation and {@code report.json}.
 *
 * <p>Every random choice is keyed by (seed, epoch, step, example), never by what happened
 * before in the process, so a run resumed from a checkpoint continues exactly as the interrupted
 * one would have: the same batches, augmentations, drop-path masks and weights, bit for bit.
 */
public final class Trainer {
  /** What to do with a run directory that already holds checkpoints. */
  public enum Resume {
    /** Continue from the last complete checkpoint if there is one, else start. */
    AUTO,
    /** Continue from the last complete checkpoint; having none is an error. */
    REQUIRE,
    /** Delete what the run directory holds and start again. */
    OVERWRITE
  }

  /**
   * @param log progress and status lines (stderr)
   * @param interactive whether {@code log} is a terminal (a live progress bar)
   */
  public record Options(Resume resume, PrintStream log, boolean interactive) {}

  /**
   * Trained values a fresh run starts from instead of their initializers (an adapter artifact);
   * a resumed run ignores it, its checkpoint holds everything.
   */
  public interface Start {
    /** Method state to restore before the training step is built (Pear's plan). */
    JsonObject methodState();

    /**
     * Called once the pretrained weights are in the session: checks that they are the start's
     * base ({@code base}, their checksum), assigns the trained values, and says where the run
     * starts.
     */
    String apply(TrainGraph graph, Session session, BackboneChecksum base);
  }

  private final RunConfig config;
  private final PretrainedWeights weights;
  private final String source;
  private final Options options;
  private final MethodRegistry registry;
  private final RunDirectory dir;
  private Start initial;

  /**
   * @param written the config as written (file and --set, before defaults): the model fields it
   *     sets are requests to the pretrained weights, the rest comes from them
   * @param source the config file, for messages and the default run name
   */
  public Trainer(RunConfig written, String source, Options options, MethodRegistry registry) {
    this.weights = PretrainedWeights.load(written);
    this.config = weights.config();
    this.source = source;
    this.options = options;
    this.registry = registry;
    this.dir = RunDirectory.of(this.config, source);
  }

  public RunDirectory directory() {
    return dir;
  }

  /** Makes a fresh run start from {@code start}'s trained values; returns this trainer. */
  public Trainer startingFrom(Start start) {
    this.initial = start;
    return this;
  }

  /** What {@code --dry-run} shows: the graph's parameters by group, trainable or frozen. */
  public ParameterCounts dryRun() {
    try (Graph g = new Graph()) {
      return buildInto(g, true);
    }
  }

  /**
   * Builds the run's graph into {@code g} as {@link #run} builds it: the backbone of the
   * weights' architecture, the method's variables and rewrites, the head or class prompts of the
   * run's data, and with {@code trainStep} the loss, gradients and optimizer. Nothing is loaded
   * into a session and nothing is written.
   *
   * @return the graph's parameters by group, trainable or frozen
   */
  public ParameterCounts buildInto(Graph g, boolean trainStep) {
    Method method = registry.create(config.getMethod());
    RunData data = RunData.load(config, weights.vocabulary(), options.log()::println);
    // a dry run refuses what the run would refuse before building its graph
    checkBatches(method, data.dataset().classNames().size());
    TrainGraph graph = build(g, method, data);
    TrainStep step = trainStep ? TrainStep.build(graph, 0) : null;
    // without a step, what the method trains is fitted in prepare, or nothing
    return ParameterCounts.of(graph.modelVariables(), step != null ? step.variables()
        : graph.trainable(), data.dataset());
  }

  /** The run's graph; the class prompts take the templates the method settled. */
  private TrainGraph build(Graph g, Method method, RunData data) {
    TrainGraph graph = TrainGraph.build(g, config, method, data.dataset().classNames(),
        data.templates(), data.resources(weights));
    graph.checkBaseToNew();
    data.useTemplates(graph.templates());
    return graph;
  }

  /** "vit 224 px, width 768, depth 12" for progress lines. */
  private static String describe(tfpeft.config.proto.ModelConfig m) {
    return m.hasVit()
        ? String.format("vit %d px, width %d, depth %d", m.getVit().getImageSize(),
            m.getVit().getWidth(), m.getVit().getDepth())
        : String.format("clip %d px, vision width %d, depth %d, text width %d, depth %d",
            m.getClip().getImageSize(), m.getClip().getVisionWidth(),
            m.getClip().getVisionDepth(), m.getClip().getTextWidth(), m.getClip().getTextDepth());
  }

  /** Trains (or resumes, or finds the run complete) and returns the report. */
  public JsonObject run() {
    boolean newDirectory = !Files.exists(dir.root());
    try {
      // one writer per run directory, for the whole run: a second train (or eval, export) of
      // it fails at once instead of interleaving logs or deleting checkpoints under this one
      try (tfpeft.util.DirectoryLock lock = dir.lock("tfpeft train --config " + source)) {
        return train();
      }
    } catch (TfpeftException e) {
      // bad input found while setting up (data, weights, an artifact for another base): a
      // directory this call made holds nothing worth keeping
      if (newDirectory && e.exitCode() == TfpeftException.USAGE && !setupDone
          && dir.checkpoints().latest().isEmpty()) {
        tfpeft.util.AtomicFiles.deleteTree(dir.root());
      }
      throw e;
    }
  }

  /**
   * Training and evaluation batches the method cannot hold in one graph call ({@link
   * BatchLimit}) are config errors, said before the graph is built; base-to-new's new classes
   * are never more than the base classes checked here.
   */
  private void checkBatches(Method method, int classes) {
    BatchLimit.check(method, config, "training.batch_size", config.getTraining().getBatchSize(),
        classes);
    BatchLimit.evaluation(method, config, classes);
  }

  /** Whether {@link #train} got past its setup to the epochs. */
  private boolean setupDone;

  private JsonObject train() {
    dir.ensureWritable();
    CheckpointStore store = dir.checkpoints();
    Optional<CheckpointStore.Checkpoint> start = RunResumption.decide(config, source, dir,
        options.resume(), options.log()::println);
    if (start.isPresent() && RunReport.isComplete(dir, start.get(), config)) {
      options.log().println("run " + dir.root() + " is complete (" + RunDirectory.REPORT
          + "); nothing to do. Use --overwrite to train it again.");
      return RunReport.read(dir.report());
    }
    RunData data = RunData.load(config, weights.vocabulary(), options.log()::println);
    checkBatches(registry.create(config.getMethod()), data.dataset().numClasses());
    // a ViT-B/16 graph with its gradients takes a while to build: say so before, not after
    options.log().println("building the graph: " + describe(config.getModel()) + ", method "
        + MethodRegistry.nameOf(config.getMethod().getMethodCase()));
    JsonObject methodState = start.map(CheckpointStore.Checkpoint::methodState)
        .orElse(initial != null ? initial.methodState() : null);
    try (RunSession run = RunSession.opener(weights, registry).data(data)
        .methodState(methodState).trainStep(start.orElse(null)).log(options.log()::println)
        .open()) {
      TrainGraph graph = run.graph();
      graph.checkBaseToNew();
      TrainStep step = run.step();
      ParameterCounts counts = ParameterCounts.of(graph.modelVariables(),
          step == null ? graph.trainable() : step.variables(), data.dataset());
      options.log().println(counts.summary());
      if (step != null && !step.devices().isEmpty()) {
        int micro = config.getTraining().getBatchSize() / config.getTraining()
            .getAccumulateSteps();
        options.log().println("training step: " + step.devices().size() + " towers of "
            + micro / step.devices().size() + " images, on " + String.join(", ",
                step.devices()));
      }
      Session s = run.session();
      String from = run.startedFrom();
      // checkpoints leave the frozen backbone out when there is a base file to read it back
      // from; a run resumed from a checkpoint that holds everything goes on as it started
      BaseIdentity base = !config.getModel().getWeights().getPath().isEmpty()
          && (step != null || keepsComputedState(graph))
          && CheckpointBase.leavesOut(graph.net())
          && start.map(CheckpointStore.Checkpoint::adapterSized).orElse(true)
          ? BaseIdentity.ofAbsolute(config, run.base()) : null;
      if (start.isEmpty() && initial != null) {
        from = initial.apply(graph, s, run.base()) + " on " + from;
      } else if (initial != null) {
        options.log().println("resuming: the run's checkpoint holds its trained values, the"
            + " adapter artifact is not applied again");
      }
      start.ifPresent(run::resume);
      if (start.isPresent()) {
        RunResumption.recordWeightsPath(config, source, dir, options.log()::println);
      }
      run.prepare(start.isPresent());
      if (options.resume() == Resume.OVERWRITE) {
        // only now, with the new config, weights and data all loaded, is the old run gone
        RunResumption.startOver(config, source, dir);
      }
      RunState state;
      if (start.isPresent()) {
        state = RunState.resume(start.get(), dir);
        options.log().println("resumed from " + start.get().dir() + " (epoch "
            + state.epoch() + ", step " + state.step() + ")");
      } else {
        options.log().println("starting from " + from);
        state = RunState.fresh(dir);
      }
      setupDone = true;
      try (state) {
        state.recordStartParameters(counts.json());
        Loop loop = new Loop(run, data, store, state, counts, base);
        loop.epochs(step);
        return loop.finish();
      }
    }
  }

  /**
   * Whether a method that trains nothing has variables of its own to keep (TIP-Adapter's cache):
   * its run then writes one checkpoint; a zero-shot run writes none.
   */
  private static boolean keepsComputedState(TrainGraph graph) {
    // what a method fitted in prepare (trainsBySteps false) trains without a step
    return graph.modelVariables().stream()
        .anyMatch(v -> v.name().startsWith(graph.method().variablePrefix()))
        || !graph.trainable().isEmpty();
  }

  /** The epochs of one process, from the state's epoch to the last. */
  private final class Loop {
    private final TrainGraph graph;
    private final Session session;
    private final RunData data;
    private final CheckpointStore store;
    private final RunState state;
    private final ParameterCounts counts;
    private final TrainingConfig training;
    private final Evaluator evaluator;
    /** The base adapter-sized checkpoints name, or null where they hold everything. */
    private final BaseIdentity base;
    private Tensor classFeatures;
    private EvalMetrics lastTestEval;

    Loop(RunSession run, RunData data, CheckpointStore store, RunState state,
        ParameterCounts counts, BaseIdentity base) {
      this.graph = run.graph();
      this.session = run.session();
      this.data = data;
      this.store = store;
      this.state = state;
      this.counts = counts;
      this.training = config.getTraining();
      this.evaluator = run.evaluator();
      this.base = base;
    }

    void epochs(TrainStep step) {
      int epochs = training.getEpochs();
      if (step == null) {
        options.log().println("method." + graph.method().name() + (graph.trainable().isEmpty()
            ? " trains nothing: " : " fitted what it trains when the run started: ")
            + (state.epoch() < epochs ? "no training epochs, " : "") + "evaluating only");
        if (store.latest().isEmpty() && keepsComputedState(graph)) {
          // variables the method computed rather than trained (TIP-Adapter's cache) or fitted
          // in prepare (trainsBySteps false) are kept like trained ones: one checkpoint, epoch
          // 0, which completes the run
          checkpoint(0, true);
        }
        return;
      }
      var pipe = config.getData().getPipeline();
      var opts = new InputPipeline.Options(training.getBatchSize(), training.getDropLast(), true,
          pipe.getThreads(), pipe.getPrefetchBatches(), config.getSeed());
      try (InputPipeline pipeline = new InputPipeline(data.dataset().train(),
          Transforms.build(config.getData().getTrainTransform(),
              BuiltModel.imageSize(config.getModel())), opts, data.bad())) {
        int perEpoch = pipeline.batchesPerEpoch();
        if (perEpoch == 0) {
          throw TfpeftException.usage("training.batch_size " + training.getBatchSize()
              + " with drop_last leaves no batch of the " + data.dataset().train().size()
              + " training images");
        }
        LearningRateSchedule schedule = new LearningRateSchedule(training, perEpoch);
        Progress progress = new Progress(options.log(), options.interactive(),
            training.getLogEverySteps(), (long) epochs * perEpoch, state.step());
        int generation = 0;
        for (int e = state.epoch(); e < epochs; e++) {
          progress.epoch(e + 1, epochs, perEpoch);
          refreshClassFeatures();
          long start = System.nanoTime();
          double lossSum = 0;
          int images = 0;
          float rate = 0;
          for (Iterator<Batch> it = pipeline.epoch(e); it.hasNext(); ) {
            Batch b = it.next();
            if (b.size() == 0) {
              continue;
            }
            rate = schedule.at(e, b.index());
            long stepNumber = state.step() + 1;
            float[] out = runStep(step, b, stepNumber, rate);
            if (!Float.isFinite(out[0])) {
              progress.done();
              throw TfpeftException.failure("the loss is " + out[0] + " at epoch " + (e + 1)
                  + ", step " + stepNumber + " (batch " + (b.index() + 1) + " of the epoch); "
                  + store.latest().map(c -> "the last good checkpoint is " + c.dir()
                      + ". To continue from it with a smaller step: tfpeft train --config "
                      + source + " --resume --set training.learning_rate="
                      + training.getLearningRate() / 10
                      + " (or set training.clip_grad_norm)")
                      .orElse("no checkpoint was written yet. Lower training.learning_rate or"
                          + " set training.clip_grad_norm, and run again"));
            }
            state.advance(stepNumber);
            TestPauses.pause("step_delay_ms");
            lossSum += out[0] * b.size();
            images += b.size();
            progress.step(stepNumber, b.index() + 1, out[0], rate, b.size());
            if (stepNumber % training.getLogEverySteps() == 0) {
              state.logStep(e + 1, stepNumber, out[0], rate, out[1]);
            }
          }
          if (e + 1 < epochs) {
            // the next epoch's first batches decode while this one evaluates and checkpoints
            pipeline.prepare(e + 1);
          }
          double seconds = (System.nanoTime() - start) / 1e9;
          state.addTraining(images, seconds);
          double meanLoss = lossSum / Math.max(1, images);
          progress.line(String.format("epoch %d/%d  loss %.4f  lr %.2e  %.0f img/s  %s",
              e + 1, epochs, meanLoss, rate, images / seconds, Progress.duration(seconds)));
          EpochMetrics methodMetrics = new EpochMetrics();
          EpochOutcome outcome = graph.method().afterEpoch(new EpochContext(e + 1, epochs,
              state.step(), graph.net(), session, methodMetrics));
          state.logEpoch(e + 1, meanLoss, rate, seconds, images / seconds, methodMetrics);
          if (outcome == EpochOutcome.TRAINABLE_CHANGED) {
            options.log().println("method." + graph.method().name() + " changed what trains;"
                + " building its training step (the next step also waits for TensorFlow to"
                + " optimize the new graph)");
            long built = System.nanoTime();
            step = TrainStep.build(graph, ++generation);
            session.initialize();
            options.log().println(String.format("method.%s trains %s (built in %.1f s)",
                graph.method().name(), step == null ? "nothing"
                    : step.variables().size() + " variables", (System.nanoTime() - built) / 1e9));
            if (step == null) {
              state.completeEpoch(e + 1);
              checkpoint(e + 1);
              return;
            }
          }
          endOfEpoch(e + 1, epochs, progress);
        }
        progress.done();
      }
    }

    /** Evaluates and checkpoints as due after epoch {@code epoch}. */
    private void endOfEpoch(int epoch, int epochs, Progress progress) {
      int every = config.getEval().getEveryEpochs();
      boolean last = epoch == epochs;
      EvalMetrics eval = null;
      if (last || every > 0 && epoch % every == 0) {
        Split split = data.selectionSplit();
        eval = evaluator.run(split, data.dataset().numClasses(), data.prompts());
        if (split == data.dataset().test() && last) {
          lastTestEval = eval;
        }
        state.logEval(epoch, split.name(), eval);
        progress.line(String.format("  eval %s: %s", split.name(), eval.headline()));
      }
      state.completeEpoch(epoch);
      boolean best = eval != null && state.offerBest(epoch, eval.top1());
      if (last || epoch % training.getCheckpointEveryEpochs() == 0 || best) {
        checkpoint(epoch);
      }
    }

    /** Writes the checkpoint of {@code epoch} (it carries that epoch's evaluation, if any). */
    private void checkpoint(int epoch) {
      checkpoint(epoch, false);
    }

    /** @param complete the run has nothing left to train after it */
    private void checkpoint(int epoch, boolean complete) {
      state.flush();
      JsonObject st = state.checkpointState(epoch, graph.method(), complete);
      if (config.getModel().hasClip()) {
        // the class-prompt templates as the method settled them, for whoever rebuilds the run
        com.google.gson.JsonArray templates = new com.google.gson.JsonArray();
        graph.templates().forEach(templates::add);
        st.add("templates", templates);
      }
      if (base != null) {
        st.addProperty(CheckpointStore.ADAPTER_SIZED, true);
        st.add(CheckpointStore.BASE, base.json());
      }
      store.write(epoch, st,
          RunDirectory.configText(config, source),
          VariableCheckpoint.of(session, base != null ? CheckpointBase.stored(graph.net())
              : graph.net().variables()));
      store.updateLinks();
      store.retain(training.getKeepCheckpoints());
    }

    /** The class features fed to a frozen text classifier, computed with the current weights. */
    private void refreshClassFeatures() {
      if (graph.classifier() == tfpeft.peft.ClassifierKind.TEXT_FEATURES) {
        if (classFeatures != null) {
          classFeatures.close();
        }
        classFeatures = ClipClassifier.tensor(graph.classFeatureValue(session, data.prompts()));
      }
    }

    /** One optimizer step; returns {loss, gradient norm}. */
    private float[] runStep(TrainStep step, Batch b, long stepNumber, float rate) {
      if (step.accumulates()) {
        return runAccumulatedStep(step, b, stepNumber, rate);
      }
      List<Tensor> owned = new ArrayList<>();
      try (GraphFeeds feeds = GraphFeeds.step(graph, stepNumber).classFeatures(classFeatures)) {
        Session.Runner r = microBatchRunner(feeds, step, b, 0, b.size(), owned::add);
        owned.addAll(step.feed(r, stepNumber, rate));
        r.addTarget(step.update()).fetch(step.loss()).fetch(step.gradientNorm());
        try (var out = r.run()) {
          return new float[] {((TFloat32) out.get(0)).getFloat(),
              ((TFloat32) out.get(1)).getFloat()};
        }
      } finally {
        owned.forEach(Tensor::close);
      }
    }

    /** One optimizer step as micro-batches ({@link TrainStep#runAccumulated}). */
    private float[] runAccumulatedStep(TrainStep step, Batch b, long stepNumber, float rate) {
      return step.runAccumulated(session, step.loss(), b.size(),
          training.getBatchSize() / training.getAccumulateSteps(), stepNumber, rate,
          (from, to, owned) -> {
            GraphFeeds feeds = GraphFeeds.step(graph, stepNumber).classFeatures(classFeatures);
            owned.add(feeds);
            return microBatchRunner(feeds, step, b, from, to, owned::add);
          });
    }

    /**
     * A runner fed images and labels [from, to) of {@code b} (to the step's towers, where it
     * has them) and the rest of {@code feeds}; the tensors it makes go to {@code owned}.
     */
    private Session.Runner microBatchRunner(GraphFeeds feeds, TrainStep step, Batch b,
        int from, int to, java.util.function.Consumer<Tensor> owned) {
      if (graph.classifier() == tfpeft.peft.ClassifierKind.TEXT_ENCODER
          || graph.classifier() == tfpeft.peft.ClassifierKind.IMAGE_CONDITIONED) {
        TInt32 ids = data.prompts().tensor();
        owned.accept(ids);
        feeds.textIds(ids);
      }
      Session.Runner r = feeds.runner(session);
      step.feedBatch(r, b.images(), b.labels(), from, to, b.height(), b.width())
          .forEach(owned);
      return r;
    }

    /** The test evaluation with the final weights, base-to-new when asked, and the report. */
    JsonObject finish() {
      if (classFeatures != null) {
        classFeatures.close();
      }
      Dataset d = data.dataset();
      EvalMetrics test = lastTestEval != null ? lastTestEval
          : evaluator.run(d.test(), d.numClasses(), data.prompts());
      state.logTest("test", test);
      options.log().println("test: " + test.headline());
      RunReport report = new RunReport(config, dir, graph.method().name(), counts);
      if (state.startParameters() != null) {
        // the counts the run started with (before Pear's prune step), as an uninterrupted run
        // reports them; a resumed process builds its step from the pruned state
        report.parameters(state.startParameters());
      }
      report.test(test, d.classNames());
      if (config.getEval().getBaseToNew()) {
        Dataset fresh = data.newClasses(config);
        ClassPrompts newPrompts = data.promptsFor(fresh.classNames());
        EvalMetrics novel = evaluator.run(fresh.test(), fresh.numClasses(), newPrompts);
        state.logTest("test_new", novel);
        report.baseToNew(test, novel, fresh.classNames());
        options.log().println(String.format("new classes: %s%nharmonic mean H %.2f%%",
            novel.headline(), 100 * EvalMetrics.harmonicMean(test.top1(), novel.top1())));
      }
      report.best(store.best().orElse(null));
      if (data.selectionSplit() == d.test()) {
        report.bestPeriodicTest(state.best());
      }
      // every image trained by every process of the run, not only this one's
      report.throughput(state.trainedImages(), state.trainedSeconds());
      graph.method().afterRun(new RunEndContext(config, graph.net(), session, dir.root(),
          options.log()::println));
      report.method(graph.method().report());
      state.flush();
      JsonObject json = report.json();
      RunReport.write(dir.report(), json);
      return json;
    }
  }
}
