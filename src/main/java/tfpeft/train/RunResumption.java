package tfpeft.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.Defaults;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.util.AtomicFiles;

/**
 * Decides where a run starts: from its last complete checkpoint when its directory has one
 * (automatically, as big_vision does, or because --resume asks), or from scratch.
 */
final class RunResumption {
  private RunResumption() {}

  /**
   * Where the run starts. With --overwrite nothing is deleted here: the run starts from
   * scratch, and {@link #startOver} clears the directory only once the config, weights and data
   * have all loaded, so that a mistake in the new config loses nothing.
   */
  static Optional<CheckpointStore.Checkpoint> decide(RunConfig config, String source,
      RunDirectory dir, Trainer.Resume mode, java.util.function.Consumer<String> log) {
    if (mode == Trainer.Resume.OVERWRITE) {
      dir.checkIsRun();
      return Optional.empty();
    }
    CheckpointStore store = dir.checkpoints();
    store.cleanUp();
    Optional<CheckpointStore.Checkpoint> latest = intactLatest(store);
    if (latest.isPresent()) {
      // a kill between a checkpoint's rename and the links' update leaves them one behind
      store.updateLinks();
    }
    RunConfig previous = dir.readConfig();
    if (latest.isPresent() && previous != null && mode == Trainer.Resume.REQUIRE
        && !comparable(previous).equals(comparable(config))
        && withoutStepSize(previous).equals(withoutStepSize(config))) {
      // after a NaN stop: the last good checkpoint continues with a smaller step, asked for
      // explicitly (--resume); from here the run is no longer the uninterrupted one's twin
      log.accept("resuming with a changed step size: training.learning_rate "
          + Defaults.fill(previous).getTraining().getLearningRate() + " -> "
          + Defaults.fill(config).getTraining().getLearningRate() + ", clip_grad_norm "
          + Defaults.fill(previous).getTraining().getClipGradNorm() + " -> "
          + Defaults.fill(config).getTraining().getClipGradNorm() + " (" + dir.config()
          + " now holds the new config)");
      AtomicFiles.writeString(dir.config(), RunDirectory.configText(config, source));
      previous = config;
    }
    if (latest.isPresent() && previous != null
        && !comparable(previous).equals(comparable(config))) {
      throw TfpeftException.usage(dir.root() + " holds checkpoints of a run with a different"
          + " config (" + dir.config() + "); give this run another name (--set name=...), or"
          + " pass --overwrite to replace it (only training.learning_rate and clip_grad_norm"
          + " may change, and only with --resume)");
    }
    if (latest.isEmpty()) {
      if (mode == Trainer.Resume.REQUIRE) {
        throw TfpeftException.usage("--resume: " + store.dir() + " holds no complete checkpoint"
            + " to resume from");
      }
      // nothing to lose: a run that never reached a checkpoint starts again from scratch
      AtomicFiles.deleteQuietly(dir.report());
      AtomicFiles.writeString(dir.config(), RunDirectory.configText(config, source));
    }
    return latest;
  }

  /** Clears the run directory for --overwrite and writes the new config; see {@link #decide}. */
  static void startOver(RunConfig config, String source, RunDirectory dir) {
    dir.clear();
    dir.ensureWritable();
    AtomicFiles.writeString(dir.config(), RunDirectory.configText(config, source));
  }

  /**
   * The last checkpoint, checked whole (every tensor's CRC32C): a damaged one, or a damaged
   * checkpoint directory after it, is an error naming the last intact checkpoint and how to
   * resume from it, rather than a silent start from an older one (or a crash mid-restore).
   */
  static Optional<CheckpointStore.Checkpoint> intactLatest(CheckpointStore store) {
    List<CheckpointStore.Checkpoint> all = store.list();
    int newestComplete = all.isEmpty() ? -1 : all.get(all.size() - 1).epoch();
    String damage = null;
    Path damaged = null;
    for (CheckpointStore.Damaged d : store.damaged()) {
      if (d.epoch() > newestComplete) {
        damage = d.problem();
        damaged = d.dir();
      }
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      CheckpointStore.Checkpoint c = all.get(i);
      String problem = RunState.stateProblem(c);
      if (problem == null) {
        try {
          TensorBundleReader.verify(c.variables());
        } catch (TfpeftException e) {
          problem = e.getMessage();
        }
      }
      if (problem == null) {
        if (damaged != null) {
          throw damaged(store, damaged, damage, c);
        }
        return Optional.of(c);
      }
      if (damaged == null) {
        damaged = c.dir();
        damage = problem;
      }
    }
    if (damaged != null) {
      throw damaged(store, damaged, damage, null);
    }
    return Optional.empty();
  }

  private static TfpeftException damaged(CheckpointStore store, Path damaged, String problem,
      CheckpointStore.Checkpoint intact) {
    Path aside = store.dir().resolveSibling("damaged-" + damaged.getFileName());
    String move = "mv " + damaged + " " + aside;
    if (intact == null) {
      return TfpeftException.usage("the last checkpoint " + damaged + " is damaged (" + problem
          + ") and no earlier checkpoint is intact; move it aside (" + move + ") and run again"
          + " to start over, or pass --overwrite");
    }
    return TfpeftException.usage("the last checkpoint " + damaged + " is damaged (" + problem
        + "); the last intact one is " + intact.dir() + " (epoch " + intact.epoch() + "). To"
        + " resume from it, move the damaged one out of the way (" + move + ") and run the"
        + " same command again; it will not be deleted for you");
  }

  /** {@link #comparable} without the step size, which --resume may change after a NaN stop. */
  static RunConfig withoutStepSize(RunConfig c) {
    RunConfig.Builder b = comparable(c).toBuilder();
    b.getTrainingBuilder().clearLearningRate().clearClipGradNorm();
    return b.build();
  }

  /**
   * The fields that decide results: the run's place and the runtime threads do not, nor does
   * where the base lies (model.weights.path): a checkpoint holds the whole backbone, or is
   * adapter-sized and checks its base by the SHA-256 of what the path gives. Whether there is a
   * base at all (pretrained weights or a random initialization) does.
   */
  static RunConfig comparable(RunConfig c) {
    RunConfig.Builder b = Defaults.fill(c).toBuilder().clearName().clearOutputDir().clearRuntime();
    b.getDataBuilder().clearPipeline();
    if (!b.getModel().getWeights().getPath().isEmpty()) {
      b.getModelBuilder().getWeightsBuilder().setPath("(a base, identified by its SHA-256)");
    }
    return b.build();
  }

  /**
   * After a resume has checked the base: where the config gives the base at another path than
   * the run's config.pbtxt, that file takes the new path, so that eval and export find it.
   */
  static void recordWeightsPath(RunConfig config, String source, RunDirectory dir,
      java.util.function.Consumer<String> log) {
    RunConfig previous = dir.readConfig();
    String now = config.getModel().getWeights().getPath();
    if (previous != null && !previous.getModel().getWeights().getPath().equals(now)) {
      log.accept("model.weights.path " + previous.getModel().getWeights().getPath() + " -> "
          + now + " (" + dir.config() + " now holds the new path)");
      AtomicFiles.writeString(dir.config(), RunDirectory.configText(config, source));
    }
  }
}
