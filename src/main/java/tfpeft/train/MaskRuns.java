package tfpeft.train;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.mask.MaskArtifact;
import tfpeft.peft.mask.MaskInspection;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * The binary masks of a mask-tuning run, wherever a user points: its masks file, its run
 * directory, or one of its checkpoints (whose real-valued masks are binarized at the threshold of
 * the run's own config). Reading a run's checkpoint is the run directory's business, so it sits
 * here, above the method package that owns the masks' format.
 */
public final class MaskRuns {
  private MaskRuns() {}

  /**
   * Reads {@code path}: a masks file; a run directory holding one; or a mask-tuning run
   * directory or checkpoint.
   */
  public static MaskArtifact read(Path path) {
    if (Files.isDirectory(path) && !Files.isRegularFile(path.resolve(MaskArtifact.FILE))) {
      return fromCheckpoint(path);
    }
    return MaskArtifact.readFile(Files.isDirectory(path) ? path.resolve(MaskArtifact.FILE) : path);
  }

  /**
   * The masks of a mask-tuning run's last checkpoint ({@code run}/checkpoints/...), or of the
   * checkpoint directory {@code run} itself.
   */
  public static MaskArtifact fromCheckpoint(Path run) {
    CheckpointStore.Checkpoint c;
    if (Files.isRegularFile(run.resolve(CheckpointStore.STATE))) {
      c = CheckpointStore.read(run);
    } else {
      c = new CheckpointStore(run.resolve(RunDirectory.CHECKPOINTS)).latest().orElseThrow(() ->
          TfpeftException.usage(run + ": neither a masks file (" + MaskArtifact.FILE + ") nor a"
              + " run directory with a checkpoint"));
    }
    RunConfig.Builder config = RunConfig.newBuilder();
    try {
      TextFormat.merge(Files.readString(c.dir().resolve(CheckpointStore.CONFIG)), config);
    } catch (IOException e) {
      throw TfpeftException.usage(c.dir() + ": cannot read the run's config (" + e.getMessage()
          + ")");
    }
    if (!config.getMethod().hasMask()) {
      throw TfpeftException.usage(run + ": a " + config.getMethod().getMethodCase().name()
          .toLowerCase(Locale.ROOT) + " run, not a mask-tuning run (method.mask)");
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, float[]> values = new LinkedHashMap<>();
    TensorFile file = TensorBundleReader.read(c.variables(), MaskInspection::isMask);
    for (NamedTensor t : file.tensors()) {
      String site = MaskInspection.site(t.name());
      shapes.put(site, t.shape());
      values.put(site, t.data());
    }
    return MaskArtifact.of(config.getMethod().getMask(), shapes, values);
  }
}
