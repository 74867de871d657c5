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
      throw TfpeftException.usage(file + ": not a valid .npz (zip) archive (" + e.getMessage()
          + "); the file is truncated or corrupt, download or export it again");
    } catch (IOException e) {
      throw WeightFiles.cannotRead(file, e);
    }
    return new TensorFile(file, tensors);
  }

  static List<ZipEntry> arrayEntries(Path file, ZipFile zip) {
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

  private static NamedTensor readEntry(Path file, ZipFile zip, ZipEntry entry, String name,
      ChunkReader chunks) throws IOException {
    String where = file + ": entry '" + entry.getName() + "'";
    try (InputStream in = zip.getInputStream(entry)) {
      return NpyReader.read(in, name, where, chunks);
    } catch (ZipException | java.io.EOFException e) {
      // the inflater's or the zip reader's complaints: damaged or cut-off entry data
      throw TfpeftException.usage(where + ": the entry's data is truncated or corrupt ("
          + e.getMessage() + "); download or export the file again");
    }
  }

  static String tensorName(ZipEntry e) {
    String n = e.getName();
    return n.substring(0, n.length() - ".npy".length());
  }
}
