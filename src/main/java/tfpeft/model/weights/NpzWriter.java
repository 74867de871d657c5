package tfpeft.model.weights;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import tfpeft.util.AtomicFiles;

/**
 * Writes float32 tensors as an .npz archive that {@code numpy.load} reads: one "name.npy" entry
 * per tensor (see {@link NpyWriter}), either stored like {@code numpy.savez} or deflated like
 * {@code numpy.savez_compressed}. The archive appears atomically (temporary sibling, rename).
 */
public final class NpzWriter {
  private NpzWriter() {}

  /** Writes {@code tensors} uncompressed, as {@code numpy.savez} does. */
  public static void write(Path target, Collection<NamedTensor> tensors) {
    write(target, tensors, false);
  }

  /**
   * Writes {@code tensors}, deflating each entry if {@code compress}.
   *
   * @throws IllegalArgumentException if two tensors share a name
   */
  public static void write(Path target, Collection<NamedTensor> tensors, boolean compress) {
    Set<String> names = new HashSet<>();
    for (NamedTensor t : tensors) {
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("two tensors are named '" + t.name() + "'");
      }
    }
    AtomicFiles.write(target, tmp -> {
      try (ZipOutputStream zip = new ZipOutputStream(
          new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
        for (NamedTensor t : tensors) {
          writeEntry(zip, t, compress);
        }
      }
    });
  }

  private static void writeEntry(ZipOutputStream zip, NamedTensor t, boolean compress)
      throws IOException {
    ZipEntry entry = new ZipEntry(t.name() + ".npy");
    if (compress) {
      entry.setMethod(ZipEntry.DEFLATED);
    } else {
      // a stored entry's local header carries its size and CRC, so they are computed first by
      // encoding the array once into a checksum (cheaper than buffering a copy of it)
      CRC32 crc = new CRC32();
      try (OutputStream sink = new CheckedOutputStream(OutputStream.nullOutputStream(), crc)) {
        NpyWriter.writeTo(sink, t.shape(), t.data());
      }
      long size = NpyWriter.encodedSize(t.shape(), t.size());
      entry.setMethod(ZipEntry.STORED);
      entry.setSize(size);
      entry.setCompressedSize(size);
      entry.setCrc(crc.getValue());
    }
    zip.putNextEntry(entry);
    NpyWriter.writeTo(zip, t.shape(), t.data());
    zip.closeEntry();
  }
}
