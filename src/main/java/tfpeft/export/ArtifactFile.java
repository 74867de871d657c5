package tfpeft.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;
import tfpeft.model.weights.SafetensorsHeader;
import tfpeft.model.weights.SafetensorsReader;

/**
 * The tensors of an adapter artifact as one safetensors file: float32 tensors as F32 with their
 * shapes, packed bits as U8 vectors of their bytes, a 1-bit matrix's mean and std as F32 [2]
 * under {@code <name>.mean_std}. The header's {@code __metadata__} holds the artifact format; the
 * true shapes and encodings of packed tensors are in the manifest beside the file.
 */
final class ArtifactFile {
  private ArtifactFile() {}

  /** The file's bytes. */
  static byte[] encode(List<ArtifactTensor> tensors, Map<String, String> metadata) {
    JsonObject header = new JsonObject();
    JsonObject meta = new JsonObject();
    metadata.forEach(meta::addProperty);
    header.add("__metadata__", meta);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (ArtifactTensor t : tensors) {
      switch (t.encoding()) {
        case FLOAT32 -> entry(header, t.name(), "F32", t.shape(), data, t.data());
        case MASK_BITS -> entry(header, t.name(), "U8", new long[] {t.data().length}, data,
            t.data());
        case BITS1 -> {
          entry(header, t.name(), "U8", new long[] {t.data().length}, data, t.data());
          ByteBuffer ms = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
          ms.putFloat(t.mean()).putFloat(t.std());
          entry(header, t.name() + ArtifactTensor.MEAN_STD, "F32", new long[] {2}, data,
              ms.array());
        }
        default -> throw new IllegalStateException(t.encoding().toString());
      }
    }
    byte[] json = new GsonBuilder().disableHtmlEscaping().create().toJson(header)
        .getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer out = ByteBuffer.allocate(8 + padded + data.size()).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded).put(json);
    for (int i = json.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    out.put(data.toByteArray());
    return out.array();
  }

  private static void entry(JsonObject header, String name, String dtype, long[] shape,
      ByteArrayOutputStream data, byte[] bytes) {
    JsonObject e = new JsonObject();
    e.addProperty("dtype", dtype);
    JsonArray s = new JsonArray();
    for (long d : shape) {
      s.add(d);
    }
    e.add("shape", s);
    JsonArray offsets = new JsonArray();
    offsets.add(data.size());
    offsets.add(data.size() + bytes.length);
    e.add("data_offsets", offsets);
    header.add(name, e);
    data.writeBytes(bytes);
  }

  /** The raw bytes of every tensor, by name, and the metadata; the header is checked first. */
  static Map<String, byte[]> read(Path file, Map<String, String> metadataOut) {
    SafetensorsHeader h = SafetensorsReader.readHeader(file);
    metadataOut.putAll(h.metadata());
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      for (SafetensorsHeader.Entry e : h.entries()) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(e.end() - e.begin()));
        long at = h.dataStart() + e.begin();
        while (b.hasRemaining()) {
          if (ch.read(b, at + b.position()) < 0) {
            throw TfpeftException.usage(file + ": tensor '" + e.name() + "' ends past the end of"
                + " the file; the artifact is truncated, export it again");
          }
        }
        out.put(e.name(), b.array());
      }
    } catch (IOException e) {
      throw TfpeftException.usage(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    return out;
  }
}
