package tfpeft.peft.mask;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MaskConfig;
import tfpeft.peft.mask.proto.MaskSet;
import tfpeft.peft.mask.proto.PackedMask;
import tfpeft.util.AtomicFiles;

/**
 * The bit-packed binary masks of a run as a file ({@code masks.pb}, a serialized {@link MaskSet}):
 * written from the real-valued masks at the end of training, read back as 0/1 floats per site.
 */
public final class MaskArtifact {
  /** The file name inside a run directory. */
  public static final String FILE = "masks.pb";

  /** One site's binary mask. */
  public record Binary(String site, long[] shape, byte[] bits) {
    public long size() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }

    /** The 0/1 values, row-major. */
    public float[] values() {
      return MaskBits.unpack(bits, Math.toIntExact(size()));
    }
  }

  private final MaskConfig config;
  private final List<Binary> masks;

  public MaskArtifact(MaskConfig config, List<Binary> masks) {
    this.config = config;
    this.masks = List.copyOf(masks);
  }

  /** Binarizes real-valued masks {site: (shape, values)} at the config's threshold. */
  public static MaskArtifact of(MaskConfig config, Map<String, long[]> shapes,
      Map<String, float[]> values) {
    List<Binary> out = new ArrayList<>();
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      out.add(new Binary(e.getKey(), shapes.get(e.getKey()),
          MaskBits.pack(e.getValue(), config.getThreshold())));
    }
    return new MaskArtifact(config, out);
  }

  public MaskConfig config() {
    return config;
  }

  public List<Binary> masks() {
    return masks;
  }

  /** Share of weights zeroed, per layer and in total. */
  public MaskSparsity sparsity() {
    Map<String, long[]> counts = new LinkedHashMap<>();
    for (Binary b : masks) {
      counts.put(b.site(), new long[] {MaskBits.zeros(b.bits(), b.size()), b.size()});
    }
    return MaskSparsity.of(counts);
  }

  /** Bytes of mask data (the bits only). */
  public long packedBytes() {
    return masks.stream().mapToLong(b -> b.bits().length).sum();
  }

  public MaskSet toProto() {
    MaskSet.Builder set = MaskSet.newBuilder().setConfig(config);
    for (Binary b : masks) {
      PackedMask.Builder m = PackedMask.newBuilder().setSite(b.site())
          .setBits(ByteString.copyFrom(b.bits()));
      for (long d : b.shape()) {
        m.addShape(d);
      }
      set.addMasks(m);
    }
    return set.build();
  }

  public void write(Path file) {
    AtomicFiles.write(file, toProto().toByteArray());
  }

  /** Reads a masks file ({@value #FILE}, a serialized {@link MaskSet}). */
  public static MaskArtifact readFile(Path file) {
    MaskSet set;
    try {
      set = MaskSet.parseFrom(Files.readAllBytes(file));
    } catch (IOException e) {
      throw TfpeftException.usage(file + ": cannot read the masks (" + e.getMessage()
          + "); name a mask-tuning run directory or its " + FILE);
    }
    if (set.getVersion() != 1) {
      throw TfpeftException.usage(file + ": masks file version " + set.getVersion()
          + " is newer than this build reads (1)");
    }
    List<Binary> out = new ArrayList<>();
    for (PackedMask m : set.getMasksList()) {
      long[] shape = m.getShapeList().stream().mapToLong(Long::longValue).toArray();
      Binary b = new Binary(m.getSite(), shape, m.getBits().toByteArray());
      if (b.bits().length != MaskBits.packedLength(b.size())) {
        throw TfpeftException.usage(file + ": the mask of " + m.getSite() + " has "
            + b.bits().length + " bytes for " + b.size() + " weights; the file is damaged");
      }
      out.add(b);
    }
    return new MaskArtifact(set.getConfig(), out);
  }
}
