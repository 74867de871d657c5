package tfpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.data.image.RgbImage;

class IdxReaderTest {
  @TempDir Path dir;

  static byte[] idx(int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(data);
    return b.array();
  }

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private void writeMnist(boolean gz, int n) throws IOException {
    byte[] px = new byte[n * 2 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 10);
    }
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) (i % 3);
    }
    byte[] images = idx(new int[] {n, 2, 3}, px);
    byte[] lab = idx(new int[] {n}, labels);
    Files.write(dir.resolve("train-images-idx3-ubyte" + (gz ? ".gz" : "")),
        gz ? gzip(images) : images);
    Files.write(dir.resolve("train-labels-idx1-ubyte" + (gz ? ".gz" : "")), gz ? gzip(lab) : lab);
  }

  @Test
  void grayImagesBecomeRgbWithTheirLabels() throws IOException {
    writeMnist(false, 4);
    Split s = IdxReader.read("train", IdxReader.locate(dir, "train-images-idx3-ubyte"),
        IdxReader.locate(dir, "train-labels-idx1-ubyte"), 0, BadExamples.strict());
    assertEquals(4, s.size());
    assertEquals(1, s.examples().get(1).label());
    RgbImage img = s.examples().get(1).image().load();
    assertEquals(3, img.width());
    assertEquals(2, img.height());
    // image 1 starts at byte 6: values 60, 70, ...; pixel (1, 0) is 70 in all channels
    assertEquals(70, img.get(1, 0, 0));
    assertEquals(70, img.get(1, 0, 2));
    assertEquals(100, img.get(1, 1, 1));
  }

  @Test
  void gzippedFilesAreFoundAndReadTheSame() throws IOException {
    writeMnist(true, 4);
    Path images = IdxReader.locate(dir, "train-images-idx3-ubyte");
    assertTrue(images.toString().endsWith(".gz"));
    Split s = IdxReader.read("train", images, IdxReader.locate(dir, "train-labels-idx1-ubyte"),
        3, BadExamples.strict());
    assertEquals(70, s.examples().get(1).image().load().get(1, 0, 0));
  }

  @Test
  void truncatedDataIsAnErrorNamingTheFile() throws IOException {
    byte[] full = idx(new int[] {2, 2, 2}, new byte[8]);
    Path f = dir.resolve("x-idx3-ubyte");
    Files.write(f, Arrays.copyOf(full, full.length - 3));
    TfpeftException e = assertThrows(TfpeftException.class, () -> IdxReader.readArray(f));
    assertEquals(f + ": IDX header promises 8 bytes of data, the file has 5 (truncated?)",
        e.getMessage());
  }

  @Test
  void truncatedGzipIsAnError() throws IOException {
    byte[] gz = gzip(idx(new int[] {2, 2, 2}, new byte[8]));
    Path f = dir.resolve("x.gz");
    Files.write(f, Arrays.copyOf(gz, gz.length - 8));
    TfpeftException e = assertThrows(TfpeftException.class, () -> IdxReader.readArray(f));
    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
  }

  @Test
  void wrongMagicIsAnError() throws IOException {
    Path f = dir.resolve("x");
    Files.writeString(f, "hello world");
    TfpeftException e = assertThrows(TfpeftException.class, () -> IdxReader.readArray(f));
    assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());
  }

  @Test
  void imageAndLabelCountsMustAgree() throws IOException {
    Files.write(dir.resolve("i"), idx(new int[] {3, 1, 1}, new byte[3]));
    Files.write(dir.resolve("l"), idx(new int[] {2}, new byte[2]));
    TfpeftException e = assertThrows(TfpeftException.class, () -> IdxReader.read("train",
        dir.resolve("i"), dir.resolve("l"), 0, BadExamples.strict()));
    assertTrue(e.getMessage().contains("has 3 images but"), e.getMessage());
  }

  @Test
  void labelOutOfRangeNamesTheItem() throws IOException {
    Files.write(dir.resolve("i"), idx(new int[] {2, 1, 1}, new byte[2]));
    Files.write(dir.resolve("l"), idx(new int[] {2}, new byte[] {0, 7}));
    TfpeftException e = assertThrows(TfpeftException.class, () -> IdxReader.read("train",
        dir.resolve("i"), dir.resolve("l"), 2, BadExamples.strict()));
    assertTrue(e.getMessage().startsWith(dir.resolve("l") + " item 1: label 7 is out of range"),
        e.getMessage());
  }

  @Test
  void missingFileNamesBothCandidates() {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> IdxReader.locate(dir, "t10k-images-idx3-ubyte"));
    assertTrue(e.getMessage().contains("also tried t10k-images-idx3-ubyte.gz"), e.getMessage());
  }

  @Test
  void readsTheRealFashionMnistWhenInstalled() {
    Path fm = Path.of("/usr/share/datasets/fashion-mnist");
    Assumptions.assumeTrue(Files.isDirectory(fm), "dataset-fashion-mnist is not installed");
    Split s = IdxReader.read("test", IdxReader.locate(fm, "t10k-images-idx3-ubyte"),
        IdxReader.locate(fm, "t10k-labels-idx1-ubyte"), 10, BadExamples.strict());
    assertEquals(10000, s.size());
    assertEquals(28, s.examples().get(0).image().load().width());
    int[] counts = s.classCounts(10);
    for (int c : counts) {
      assertEquals(1000, c);
    }
  }
}
