package tfpeft.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Session;

/**
 * The identity of a frozen backbone, independent of the file it came from: SHA-256 over every
 * {@code backbone/} variable in ascending name order, each contributing its name in UTF-8, a zero
 * byte, its rank and dimensions as little-endian int64, then its values as little-endian float32.
 * A safetensors backbone, the same weights imported from a Hugging Face directory, or the weights
 * after a run (the backbone stays frozen) give the same checksum; any changed value changes it.
 *
 * @param sha256 64 lower-case hex digits
 * @param parameters the number of backbone values
 */
public record BackboneChecksum(String sha256, long parameters) {
  public static final String PREFIX = "backbone/";

  /** The checksum of the backbone variables of {@code net} as {@code s} holds them now. */
  public static BackboneChecksum of(Session s, Net net) {
    List<ModelVariable> vars = net.variables(PREFIX).stream()
        .sorted(Comparator.comparing(ModelVariable::name)).toList();
    Digest d = new Digest();
    VariableValues.readEach(s, vars, (v, values) -> d.add(v.name(), v.shape().asArray(),
        values));
    return d.result();
  }

  /** The checksum of {@code backbone/} tensors given by name (other names are left out). */
  public static BackboneChecksum of(Map<String, float[]> tensors, Map<String, long[]> shapes) {
    Digest d = new Digest();
    for (Map.Entry<String, float[]> e : new TreeMap<>(tensors).entrySet()) {
      if (e.getKey().startsWith(PREFIX)) {
        d.add(e.getKey(), shapes.get(e.getKey()), e.getValue());
      }
    }
    return d.result();
  }

  /** The first 12 hex digits, for messages. */
  public String shortForm() {
    return sha256.substring(0, 12);
  }

  private static final class Digest {
    private final MessageDigest sha;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long parameters;

    Digest() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JVM has no SHA-256", e);
      }
    }

    void add(String name, long[] shape, float[] values) {
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      ByteBuffer dims = ByteBuffer.allocate(8 * (shape.length + 1))
          .order(ByteOrder.LITTLE_ENDIAN);
      dims.putLong(shape.length);
      for (long d : shape) {
        dims.putLong(d);
      }
      sha.update(dims.array());
      for (int i = 0; i < values.length; ) {
        buffer.clear();
        int n = Math.min(values.length - i, buffer.capacity() / Float.BYTES);
        buffer.asFloatBuffer().put(values, i, n);
        sha.update(buffer.array(), 0, n * Float.BYTES);
        i += n;
      }
      parameters += values.length;
    }

    BackboneChecksum result() {
      return new BackboneChecksum(HexFormat.of().formatHex(sha.digest()), parameters);
    }
  }
}
