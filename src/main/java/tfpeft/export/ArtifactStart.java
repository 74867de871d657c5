package tfpeft.export;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.tensorflow.Session;
import tfpeft.model.BaseIdentity;
import tfpeft.model.BackboneChecksum;
import tfpeft.train.TrainGraph;
import tfpeft.train.Trainer;

/**
 * A run started from an adapter artifact ({@code train --init-adapter}): the artifact's method
 * state goes in before the training step is built, and once the pretrained weights are loaded
 * their checksum must be the artifact's base before its values replace the initializers.
 */
public final class ArtifactStart implements Trainer.Start {
  private final AdapterArtifact artifact;
  private final Path path;

  public ArtifactStart(AdapterArtifact artifact, Path path) {
    this.artifact = artifact;
    this.path = path;
  }

  @Override
  public JsonObject methodState() {
    return artifact.methodState();
  }

  @Override
  public String apply(TrainGraph graph, Session session, BackboneChecksum base) {
    BaseIdentity run = BaseIdentity.of(graph.config(), base);
    artifact.checkBase(run, path);
    artifact.checkCovers(graph.trainable(), path);
    artifact.apply(session, graph.net(), path);
    return "adapter artifact " + path + " (" + artifact.methodName() + ", "
        + artifact.tensors().size() + " tensors)";
  }
}
