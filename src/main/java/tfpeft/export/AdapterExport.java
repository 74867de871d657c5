package tfpeft.export;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.CheckpointBase;
import tfpeft.train.RunDirectory;
import tfpeft.train.RunSession;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * Writes the adapter artifact of a run's checkpoint: the run's model is built from its resolved
 * config on its pretrained weights (which gives the base identity), the checkpoint restored, and
 * the variables the method trains at that checkpoint taken out.
 */
public final class AdapterExport {
  /** What was written. */
  public record Result(AdapterArtifact artifact, Path out, CheckpointStore.Checkpoint checkpoint,
      long bytesOnDisk) {}

  private AdapterExport() {}

  /**
   * @param which "last", "best" or a checkpoint directory
   * @param overwrite whether an existing {@code out} may be replaced
   */
  public static Result fromRun(Path runDir, String which, Path out, boolean overwrite,
      MethodRegistry registry, Consumer<String> log) {
    return fromRun(runDir, which, out, overwrite, registry, log, List.of());
  }

  /**
   * As above, the run's config with {@code overrides} ({@code model.weights.path=...}: where
   * the base of an adapter-sized checkpoint is now).
   */
  public static Result fromRun(Path runDir, String which, Path out, boolean overwrite,
      MethodRegistry registry, Consumer<String> log, List<String> overrides) {
    RunDirectory dir = RunDirectory.existing(runDir,
        "serve an artifact on its base with export --adapter ART --out DIR");
    if (Files.exists(out) && !overwrite) {
      throw TfpeftException.usage(out + " exists; choose another --adapter or pass --overwrite");
    }
    RunConfig config = ConfigLoader.load(dir.config(), overrides).resolved();
    Path parent = dir.root().normalize().getParent();
    RunConfig.Builder b = config.toBuilder()
        .setName(dir.root().normalize().getFileName().toString())
        .setOutputDir(parent == null ? "." : parent.toString());
    String weights = config.getModel().getWeights().getPath();
    if (!weights.isEmpty()) {
      // the base as an absolute path: the artifact is used from other directories than this one
      b.getModelBuilder().getWeightsBuilder().setPath(
          Path.of(weights).toAbsolutePath().normalize().toString());
    }
    config = b.build();
    AdapterArtifact.refuseUnsupported(MethodRegistry.builtIn().create(config.getMethod()));
    CheckpointStore.Checkpoint c = dir.checkpoint(which);
    CheckpointBase.requireBaseFile(c, config.getModel().getWeights().getPath());
    JsonObject state = c.methodState();
    JsonObject source = new JsonObject();
    source.addProperty("run", dir.root().toString());
    source.addProperty("checkpoint", c.dir().getFileName().toString());
    source.addProperty("epoch", c.epoch());
    AdapterArtifact artifact;
    // the checkpoint's method state while the graph is built: a method may size variables from
    // it (RunResources.methodState); restore(c) restores it again with the variables
    try (RunSession m = RunSession.opener(config, registry).classesOfData(c.templates())
        .methodState(state).identifyBase().log(log).open()) {
      m.restore(c);
      m.prepare(true);
      artifact = AdapterArtifact.of(m, state, source);
    }
    artifact.write(out);
    return new Result(artifact, out, c, AdapterArtifact.sizeOnDisk(out));
  }
}
