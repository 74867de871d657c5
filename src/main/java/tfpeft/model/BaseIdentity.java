package tfpeft.model;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import tfpeft.config.proto.RunConfig;

/**
 * The frozen backbone a run trained on, as an adapter artifact and an adapter-sized checkpoint
 * record it: a name for people, the weights path of the run, and the {@link BackboneChecksum}
 * that decides whether another backbone is the same.
 *
 * @param name the weights' file or directory name, or "random initialization (seed N)"
 * @param weights model.weights.path of the run ("" for a randomly initialized backbone)
 */
public record BaseIdentity(String name, String weights, String sha256, long parameters) {
  /** The identity of the backbone a run loaded ({@code config}'s model.weights). */
  public static BaseIdentity of(RunConfig config, BackboneChecksum checksum) {
    String path = config.getModel().getWeights().getPath();
    String name;
    if (path.isEmpty()) {
      name = "random initialization (seed " + config.getSeed() + ")";
    } else {
      Path p = Path.of(path).normalize().getFileName();
      name = p == null ? path : p.toString();
    }
    return new BaseIdentity(name, path, checksum.sha256(), checksum.parameters());
  }

  /**
   * The identity of the backbone {@code config}'s model.weights gave, its path made absolute:
   * what is recorded is read from other working directories than the run's.
   */
  public static BaseIdentity ofAbsolute(RunConfig config, BackboneChecksum checksum) {
    BaseIdentity b = of(config, checksum);
    return b.weights.isEmpty() ? b : new BaseIdentity(b.name, Path.of(b.weights)
        .toAbsolutePath().normalize().toString(), b.sha256, b.parameters);
  }

  public boolean sameWeights(BaseIdentity other) {
    return sha256.equals(other.sha256);
  }

  /** "vit-small (sha256 2be256c9...)", the checksum in full. */
  public String describe() {
    return name + " (sha256 " + sha256 + ")";
  }

  public JsonObject json() {
    JsonObject o = new JsonObject();
    o.addProperty("name", name);
    o.addProperty("weights", weights);
    o.addProperty("sha256", sha256);
    o.addProperty("parameters", parameters);
    return o;
  }

  public static BaseIdentity fromJson(JsonObject o) {
    return new BaseIdentity(o.get("name").getAsString(), o.get("weights").getAsString(),
        o.get("sha256").getAsString(), o.get("parameters").getAsLong());
  }
}
