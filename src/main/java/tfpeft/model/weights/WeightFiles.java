package tfpeft.model.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import tfpeft.TfpeftException;

/**
 * The front door for weight files: finds the file (a path, or a Hugging Face model directory
 * holding model.safetensors and config.json), tells the format from its first bytes, and reads
 * it. Magic numbers decide first (zip, .npy); a safetensors file has no magic, so its 8-byte
 * header length must be plausible and followed by '{'; failing both, the extension picks the
 * reader, which then says precisely what is wrong. Formats this package does not read (PyTorch
 * pickles, Keras HDF5) are named in the error so the user knows what to convert.
 */
public final class WeightFiles {
  /** The weights file inside a Hugging Face model directory. */
  public static final String MODEL_FILE = "model.safetensors";
  /** The model configuration inside a Hugging Face model directory. */
  public static final String CONFIG_FILE = "config.json";

  /** File formats this package reads. */
  public enum Format { SAFETENSORS, NPZ, NPY }

  /** What an unrecognised file is told it should have been. */
  public static final String EXPECTED = "weight files must be safetensors, .npz or .npy";

  private WeightFiles() {}

  /** All tensors of the weight file at {@code path} (a file or a model directory). */
  public static TensorFile open(Path path) {
    return open(path, name -> true);
  }

  /** The tensors of the weight file at {@code path} whose names {@code include} accepts. */
  public static TensorFile open(Path path, Predicate<String> include) {
    Path file = weightsFile(path);
    return switch (detect(file)) {
      case SAFETENSORS -> SafetensorsReader.read(file, include);
      case NPZ -> NpzReader.read(file, include);
      case NPY -> {
        NamedTensor t = NpyReader.read(file);
        yield new TensorFile(file, include.test(t.name()) ? List.of(t) : List.of());
      }
    };
  }

  /** {@code path} itself if it is a file; {@code path/model.safetensors} for a directory. */
  public static Path weightsFile(Path path) {
    if (!Files.exists(path)) {
      throw TfpeftException.usage(path + ": weight file not found");
    }
    if (!Files.isDirectory(path)) {
      return path;
    }
    Path model = path.resolve(MODEL_FILE);
    if (Files.isRegularFile(model)) {
      return model;
    }
    String hint;
    if (Files.exists(path.resolve(MODEL_FILE + ".index.json"))) {
      hint = "it holds a sharded checkpoint (model.safetensors.index.json), which is not read; "
          + "merge the shards into one model.safetensors";
    } else if (Files.exists(path.resolve("pytorch_model.bin"))) {
      hint = "it holds pytorch_model.bin, a PyTorch pickle, which is not read; convert it to "
          + "model.safetensors (e.g. with safetensors.torch.save_file)";
    } else {
      hint = "point at the weight file itself or download the model's " + MODEL_FILE;
    }
    throw TfpeftException.usage(path + ": the directory has no " + MODEL_FILE + "; " + hint);
  }

  /** The config.json in the directory of {@code path} (or in {@code path}, a directory). */
  public static Optional<Path> configBeside(Path path) {
    Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    Path config = dir == null ? null : dir.resolve(CONFIG_FILE);
    return config != null && Files.isRegularFile(config) ? Optional.of(config) : Optional.empty();
  }

  /** The format of {@code file}, from its first bytes and then its name. */
  public static Format detect(Path file) {
    byte[] head;
    long size;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(16);
      size = Files.size(file);
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
    if (startsWith(head, 'P', 'K', 3, 4) || startsWith(head, 'P', 'K', 5, 6)) {
      return Format.NPZ;
    }
    if (startsWith(head, 0x93, 'N', 'U', 'M', 'P', 'Y')) {
      return Format.NPY;
    }
    if (head.length >= 9 && head[8] == '{') {
      long n = 0;
      for (int i = 7; i >= 0; i--) {
        n = (n << 8) | (head[i] & 0xff);
      }
      if (n >= 2 && n <= size - 8) {
        return Format.SAFETENSORS;
      }
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".safetensors")) {
      return Format.SAFETENSORS;
    }
    if (name.endsWith(".npz")) {
      return Format.NPZ;
    }
    if (name.endsWith(".npy")) {
      return Format.NPY;
    }
    throw TfpeftException.usage(file + ": " + unknownFormat(head, size));
  }

  private static String unknownFormat(byte[] head, long size) {
    String expected = EXPECTED;
    if (size == 0) {
      return "the file is empty; " + expected;
    }
    if (startsWith(head, 0x89, 'H', 'D', 'F')) {
      return "this is an HDF5 (Keras) file, which is not read; " + expected;
    }
    if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
      return "this is a Python pickle (an old PyTorch checkpoint?), which is not read; convert "
          + "it to safetensors (e.g. with safetensors.torch.save_file)";
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(8, head.length); i++) {
      hex.append(String.format(" %02x", head[i] & 0xff));
    }
    return "not a recognised weight file (it starts with" + hex + "); " + expected;
  }

  private static boolean startsWith(byte[] head, int... prefix) {
    if (head.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((head[i] & 0xff) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The JSON object in {@code path}, a Hugging Face config.json or a directory holding one.
   * Parsing accepts what Python's json module writes, NaN and Infinity included.
   */
  public static JsonObject readJsonConfig(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve(CONFIG_FILE) : path;
    JsonElement root;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      root = JsonText.parse(r, true);
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(file + ": config file not found");
    } catch (CharacterCodingException e) {
      throw TfpeftException.usage(file + ": not UTF-8 text; download the config again");
    } catch (IOException e) {
      throw cannotRead(file, e);
    } catch (JsonText.SyntaxError e) {
      throw TfpeftException.usage(file + ": " + e.getMessage() + "; the config is not valid "
          + "JSON, fix it or download it again");
    }
    if (!root.isJsonObject()) {
      throw TfpeftException.usage(file + ": the config must be a JSON object ({...}), got "
          + (root.isJsonArray() ? "an array" : root.toString()));
    }
    return root.getAsJsonObject();
  }

  /** A user-facing error for an I/O failure on {@code file}. */
  static TfpeftException cannotRead(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return TfpeftException.usage(file + ": file not found");
    }
    if (e instanceof AccessDeniedException) {
      return TfpeftException.usage(file + ": permission denied; check the file's permissions");
    }
    return TfpeftException.usage(file + ": cannot read: " + e, e);
  }
}
