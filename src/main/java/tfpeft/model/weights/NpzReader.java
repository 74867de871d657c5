package tfpeft.model.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import tfpeft.TfpeftException;

/**
 * Reads .npz archives, numpy's {@code savez} format and the format of Google's ViT checkpoints: a
 * zip file whose entries are .npy arrays, stored or deflated. A tensor is named after its entry
 * without ".npy", so "Transformer/encoderblock_0/MlpBlock_3/Dense_0/kernel.npy" becomes
 * "Transformer/encoderblock_0/MlpBlock_3/Dense_0/kernel".
 *
 * <p>The zip's central directory is read through {@link ZipFile}, so a truncated archive (which
 * loses the directory at its end) is detected before any entry is read. Entries that are not
 * .npy files are skipped, as {@code numpy.load} does not treat them as arrays either.
 */
public final class NpzReader {
  private NpzReader() {}

  /** All arrays of {@code file}. */
  public static TensorFile read(Path file) {
    return read(file, name -> true);
  }

  /** The arrays of {@code file} whose tensor names {@code include} accepts, in entry order. */
  public static TensorFile read(Path file, Predicate<String> include) {
    if (!Files.exists(file)) {
      throw WeightFiles.cannotRead(file, new NoSuchFileException(file.toString()));
    }
    List<NamedTensor> tensors = new ArrayList<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      List<ZipEntry> arrays = arrayEntries(file, zip);
      long largest = 0;
      for (ZipEntry e : arrays) {
        largest = Math.max(largest, e.getSize());
      }
      ChunkReader chunks = ChunkReader.forStream(largest < 0 ? ChunkReader.CHUNK_BYTES : largest);
      for (ZipEntry e : arrays) {
        String name = tensorName(e);
        if (include.test(name)) {
          tensors.add(readEntry(file, zip, e, name, chunks));
        }
      }
    } catch (ZipException e) {
      throw notAZip(file, e);
    } catch (IOException e) {
      throw WeightFiles.cannotRead(file, e);
    }
    return new TensorFile(file, tensors);
  }

  private static List<ZipEntry> arrayEntries(Path file, ZipFile zip) {
    List<ZipEntry> arrays = new ArrayList<>();
    boolean pickle = false;
    for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
      ZipEntry e = en.nextElement();
      if (!e.isDirectory() && e.getName().endsWith(".npy")) {
        arrays.add(e);
      }
      pickle |= e.getName().endsWith("data.pkl");
    }
    if (arrays.isEmpty() && pickle) {
      throw TfpeftException.usage(file + ": this is a PyTorch checkpoint (a zip with a pickle), "
          + "not an .npz; PyTorch pickles are not read, convert it to safetensors (e.g. with "
          + "safetensors.torch.save_file) and use that");
    }
    if (arrays.isEmpty() && zip.size() > 0) {
      throw TfpeftException.usage(file + ": the zip archive holds no .npy arrays, so it is not "
          + "an .npz of weights");
    }
    return arrays;
  }

  /**
   * The .npy headers of {@code file}'s arrays, in entry order, each checked against its entry's
   * size: what {@code inspect} shows, read without inflating any array's data.
   */
  public static java.util.LinkedHashMap<String, NpyHeader> headers(Path file) {
    if (!Files.exists(file)) {
      throw WeightFiles.cannotRead(file, new NoSuchFileException(file.toString()));
    }
    java.util.LinkedHashMap<String, NpyHeader> out = new java.util.LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (ZipEntry e : arrayEntries(file, zip)) {
        String where = file + ": entry '" + e.getName() + "'";
        checkInflation(e, where);
        try (InputStream in = zip.getInputStream(e)) {
          NpyHeader h = NpyHeader.read(in, where);
          h.checkFits(e.getSize() < 0 ? -1 : e.getSize() - h.headerBytes(), where);
          out.put(tensorName(e), h);
        } catch (ZipException | java.io.EOFException ex) {
          throw damagedEntry(where, ex);
        }
      }
    } catch (ZipException e) {
      throw notAZip(file, e);
    } catch (IOException e) {
      throw WeightFiles.cannotRead(file, e);
    }
    return out;
  }

  /**
   * Largest ratio of an entry's inflated to its stored size that is read. numpy's arrays of
   * weights barely compress (float noise: about 1.1), so a larger ratio is a zip bomb: 3.9 MB
   * that would inflate to 4 GB.
   */
  static final long MAX_INFLATION_RATIO = 100;
  /** Entries up to this size are read whatever their ratio (an all-zero bias compresses well). */
  static final long SMALL_ENTRY_BYTES = 16L << 20;

  /** Refuses an entry that declares an implausible inflated size for its stored size. */
  static void checkInflation(ZipEntry e, String where) {
    long stored = e.getCompressedSize();
    long size = e.getSize();
    if (e.getMethod() == ZipEntry.DEFLATED && size > SMALL_ENTRY_BYTES
        && (stored <= 0 || size / Math.max(1, stored) > MAX_INFLATION_RATIO)) {
      throw TfpeftException.usage(where + ": the entry inflates from " + stored + " to " + size
          + " bytes, more than " + MAX_INFLATION_RATIO + " times its stored size; weights"
          + " never compress that well, so this is not read (a zip bomb, or a corrupt"
          + " archive)");
    }
  }

  private static TfpeftException damagedEntry(String where, Exception e) {
    // the inflater's or the zip reader's complaints: damaged or cut-off entry data
    return TfpeftException.usage(where + ": the entry's data is truncated or corrupt ("
        + e.getMessage() + "); download or export the file again");
  }

  private static TfpeftException notAZip(Path file, ZipException e) {
    return TfpeftException.usage(file + ": not a valid .npz (zip) archive (" + e.getMessage()
        + "); the file is truncated or corrupt, download or export it again");
  }

  private static NamedTensor readEntry(Path file, ZipFile zip, ZipEntry entry, String name,
      ChunkReader chunks) throws IOException {
    String where = file + ": entry '" + entry.getName() + "'";
    checkInflation(entry, where);
    try (InputStream in = zip.getInputStream(entry)) {
      return NpyReader.read(in, entry.getSize(), name, where, chunks);
    } catch (ZipException | java.io.EOFException e) {
      throw damagedEntry(where, e);
    }
  }

  private static String tensorName(ZipEntry e) {
    String n = e.getName();
    return n.substring(0, n.length() - ".npy".length());
  }
}
