package tfpeft.train;

import java.util.Optional;
import tfpeft.TfpeftException;
import tfpeft.config.Defaults;
import tfpeft.config.proto.RunConfig;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.util.AtomicFiles;

/**
 * Decides where a run starts: from its last complete checkpoint when its directory has one
 * (automatically, as big_vision does, or because --resume asks), or from scratch.
 */
final class RunResumption {
  private RunResumption() {}

  static Optional<CheckpointStore.Checkpoint> decide(RunConfig config, String source,
      RunDirectory dir, Trainer.Resume mode) {
    if (mode == Trainer.Resume.OVERWRITE) {
      dir.clear();
      dir.ensureWritable();
    }
    CheckpointStore store = dir.checkpoints();
    store.cleanUp();
    Optional<CheckpointStore.Checkpoint> latest = store.latest();
    RunConfig previous = dir.readConfig();
    if (latest.isPresent() && previous != null
        && !comparable(previous).equals(comparable(config))) {
      throw TfpeftException.usage(dir.root() + " holds checkpoints of a run with a different"
          + " config (" + dir.config() + "); give this run another name (--set name=...), or"
          + " pass --overwrite to replace it");
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

  /** The fields that decide results: the run's place and the runtime threads do not. */
  static RunConfig comparable(RunConfig c) {
    RunConfig.Builder b = Defaults.fill(c).toBuilder().clearName().clearOutputDir().clearRuntime();
    b.getDataBuilder().clearPipeline();
    return b.build();
  }
}
