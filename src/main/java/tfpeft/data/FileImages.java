package tfpeft.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import tfpeft.TfpeftException;
import tfpeft.data.image.ImageDecoder;

/** Image files on disk: which names count as images, and decoding one with a clear error. */
public final class FileImages {
  /** Extensions an image folder picks up (case-insensitive). */
  public static final Set<String> EXTENSIONS =
      Set.of("jpg", "jpeg", "png", "bmp", "gif", "jpe", "jfif");

  private FileImages() {}

  public static boolean isImageName(String fileName) {
    if (fileName.startsWith(".")) {
      return false;
    }
    int dot = fileName.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** An example whose pixels are decoded from {@code path} on each load. */
  public static Example example(Path path, String origin, int label) {
    return new Example(origin, label, () -> ImageDecoder.decode(read(path, origin), origin));
  }

  /** The file's bytes; a missing, unreadable or empty file is an error naming {@code origin}. */
  public static byte[] read(Path path, String origin) {
    try {
      byte[] bytes = Files.readAllBytes(path);
      if (bytes.length == 0) {
        throw TfpeftException.usage(origin + ": image file is empty: " + path);
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(origin + ": image file not found: " + path);
    } catch (IOException e) {
      throw TfpeftException.usage(origin + ": cannot read image file " + path + ": "
          + e.getMessage());
    }
  }

  /** A cheap check before any decoding: the file exists, is a regular file, and is not empty. */
  public static String problem(Path path) {
    if (!Files.exists(path)) {
      return "image file not found: " + path;
    }
    if (!Files.isRegularFile(path)) {
      return "not a regular file: " + path;
    }
    try {
      if (Files.size(path) == 0) {
        return "image file is empty: " + path;
      }
    } catch (IOException e) {
      return "cannot read image file " + path + ": " + e.getMessage();
    }
    return null;
  }
}
