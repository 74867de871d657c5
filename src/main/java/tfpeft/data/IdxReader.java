package tfpeft.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import tfpeft.TfpeftException;
import tfpeft.data.image.RgbImage;

/**
 * IDX files, the MNIST / Fashion-MNIST format, gzipped or not (detected from the bytes):
 * a magic of two zero bytes, a type byte (0x08 = unsigned byte) and a dimension count, then each
 * dimension as a big-endian int32, then the data. Images are N x H x W (gray) or N x H x W x C
 * with C = 1 or 3; labels are N.
 */
public final class IdxReader {
  private IdxReader() {}

  /** A decoded IDX array: its file, dimensions and bytes. */
  public record IdxArray(Path file, int[] dims, byte[] data) {}

  /** Finds {@code name} or {@code name.gz} in {@code dir}. */
  public static Path locate(Path dir, String name) {
    Path plain = dir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = dir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    throw TfpeftException.usage(plain + ": IDX file not found (also tried " + gz.getFileName()
        + ")");
  }

  public static IdxArray readArray(Path file) {
    byte[] bytes;
    try (InputStream in = open(file)) {
      bytes = readAll(in, file);
    } catch (IOException e) {
      throw TfpeftException.usage(file + ": cannot read IDX file: " + e.getMessage());
    }
    if (bytes.length < 4 || bytes[0] != 0 || bytes[1] != 0) {
      throw TfpeftException.usage(file + ": not an IDX file (it must start with two zero bytes, "
          + "a type byte and a dimension count)");
    }
    if (bytes[2] != 0x08) {
      throw TfpeftException.usage(file + ": IDX element type 0x"
          + Integer.toHexString(bytes[2] & 0xff) + " is not supported; only unsigned bytes (0x08)");
    }
    int ndim = bytes[3] & 0xff;
    if (ndim < 1 || bytes.length < 4 + 4 * ndim) {
      throw TfpeftException.usage(file + ": IDX header is truncated or has " + ndim
          + " dimensions");
    }
    int[] dims = new int[ndim];
    long total = 1;
    for (int i = 0; i < ndim; i++) {
      int o = 4 + 4 * i;
      dims[i] = ((bytes[o] & 0xff) << 24) | ((bytes[o + 1] & 0xff) << 16)
          | ((bytes[o + 2] & 0xff) << 8) | (bytes[o + 3] & 0xff);
      if (dims[i] < 0) {
        throw TfpeftException.usage(file + ": IDX dimension " + i + " is negative");
      }
      total *= dims[i];
    }
    long have = bytes.length - 4L - 4L * ndim;
    if (have != total) {
      throw TfpeftException.usage(file + ": IDX header promises " + total + " bytes of data, the"
          + " file has " + have + (have < total ? " (truncated?)" : ""));
    }
    byte[] data = new byte[(int) total];
    System.arraycopy(bytes, 4 + 4 * ndim, data, 0, data.length);
    return new IdxArray(file, dims, data);
  }

  /** Pairs an image file with a label file into a split. */
  public static Split read(String name, Path imagesFile, Path labelsFile, int numClasses,
      BadExamples bad) {
    IdxArray images = readArray(imagesFile);
    IdxArray labels = readArray(labelsFile);
    int[] d = images.dims();
    if (d.length != 3 && !(d.length == 4 && (d[3] == 1 || d[3] == 3))) {
      throw TfpeftException.usage(imagesFile + ": expected images of N x H x W or N x H x W x C "
          + "(C = 1 or 3), got " + d.length + " dimensions");
    }
    if (labels.dims().length != 1) {
      throw TfpeftException.usage(labelsFile + ": expected a one-dimensional label array, got "
          + labels.dims().length + " dimensions");
    }
    if (labels.dims()[0] != d[0]) {
      throw TfpeftException.usage(imagesFile + " has " + d[0] + " images but " + labelsFile
          + " has " + labels.dims()[0] + " labels");
    }
    int h = d[1];
    int w = d[2];
    int c = d.length == 4 ? d[3] : 1;
    byte[] pixels = images.data();
    List<Example> examples = new ArrayList<>(d[0]);
    for (int i = 0; i < d[0]; i++) {
      int label = labels.data()[i] & 0xff;
      String origin = imagesFile.getFileName() + " item " + i;
      if (numClasses > 0 && label >= numClasses) {
        bad.report(labelsFile + " item " + i, "label " + label + " is out of range: there are "
            + numClasses + " classes");
        continue;
      }
      int offset = i * h * w * c;
      examples.add(new Example(origin, label, () -> toRgb(pixels, offset, w, h, c)));
    }
    return new Split(name, examples);
  }

  private static RgbImage toRgb(byte[] pixels, int offset, int w, int h, int c) {
    byte[] rgb = new byte[w * h * 3];
    if (c == 3) {
      System.arraycopy(pixels, offset, rgb, 0, rgb.length);
    } else {
      for (int i = 0; i < w * h; i++) {
        byte v = pixels[offset + i];
        rgb[3 * i] = v;
        rgb[3 * i + 1] = v;
        rgb[3 * i + 2] = v;
      }
    }
    return new RgbImage(w, h, rgb);
  }

  private static InputStream open(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file));
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
  }

  private static byte[] readAll(InputStream in, Path file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    byte[] buf = new byte[1 << 16];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
      }
    } catch (java.io.EOFException | ZipException e) {
      throw TfpeftException.usage(file + ": gzip data is truncated or corrupt: " + e.getMessage());
    }
    return out.toByteArray();
  }
}
