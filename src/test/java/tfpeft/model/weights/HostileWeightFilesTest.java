package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.inspect.Inventory;

/**
 * Weight files that lie about their sizes cost no more memory than their real size: a header
 * is checked against the bytes that follow it before anything is allocated, an entry that
 * inflates implausibly is not read, and inspect reads headers only.
 */
class HostileWeightFilesTest {
  @TempDir Path dir;

  /** Bytes this thread allocated while {@code r} ran (HotSpot's per-thread counter). */
  static long allocated(Runnable r) {
    var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = bean.getThreadAllocatedBytes(id);
    try {
      r.run();
    } catch (TfpeftException e) {
      // the allocation is what is measured here; the error is checked elsewhere
    }
    return bean.getThreadAllocatedBytes(id) - before;
  }

  /** An .npz with one entry: a float32 header for {@code shape}, then {@code data}. */
  Path npz(String name, long[] shape, byte[] data, boolean deflate) throws Exception {
    byte[] header = NpyHeader.float32Header(shape);
    byte[] entry = new byte[header.length + data.length];
    System.arraycopy(header, 0, entry, 0, header.length);
    System.arraycopy(data, 0, entry, header.length, data.length);
    Path f = dir.resolve(name);
    try (OutputStream o = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(o)) {
      ZipEntry e = new ZipEntry("w.npy");
      if (!deflate) {
        CRC32 crc = new CRC32();
        crc.update(entry);
        e.setMethod(ZipEntry.STORED);
        e.setSize(entry.length);
        e.setCrc(crc.getValue());
      }
      zip.putNextEntry(e);
      zip.write(entry);
      zip.closeEntry();
    }
    return f;
  }

  @Test
  void anNpzHeaderClaimingFourGigabytesIsRefusedBeforeAllocating() throws Exception {
    Path f = npz("claims.npz", new long[] {1_000_000_000L}, new byte[64], false);
    TfpeftException e = assertThrows(TfpeftException.class, () -> NpzReader.read(f));
    assertEquals(2, e.exitCode());
    assertTrue(e.getMessage().contains("entry 'w.npy': truncated: the header ('<f4', shape"
        + " [1000000000]) promises 4000000000 bytes of data but only 64 are there"),
        e.getMessage());
    long bytes = allocated(() -> NpzReader.read(f));
    assertTrue(bytes < 16 << 20, "allocated " + bytes + " bytes");
  }

  @Test
  void theLargestJavaArrayClaimedByAHeaderIsAnErrorNotAnOutOfMemory() throws Exception {
    Path f = npz("max.npz", new long[] {Integer.MAX_VALUE - 8}, new byte[8], false);
    TfpeftException e = assertThrows(TfpeftException.class, () -> NpzReader.read(f));
    assertTrue(e.getMessage().contains("promises 8589934556 bytes of data but only 8 are"
        + " there"), e.getMessage());
  }

  @Test
  void aNpyFileClaimingMoreThanItHoldsIsRefusedBeforeAllocating() throws Exception {
    byte[] header = NpyHeader.float32Header(new long[] {500_000_000L});
    Path f = Files.write(dir.resolve("claims.npy"), header);
    long bytes = allocated(() -> NpyReader.read(f));
    assertTrue(bytes < 16 << 20, "allocated " + bytes + " bytes");
    TfpeftException e = assertThrows(TfpeftException.class, () -> NpyReader.read(f));
    assertTrue(e.getMessage().contains("promises 2000000000 bytes of data but only 0 are"
        + " there"), e.getMessage());
  }

  @Test
  void anEntryThatInflatesAThousandfoldIsNotRead() throws Exception {
    // 32 MiB of zeros deflate to about 32 KB: the shape of a zip bomb
    Path f = npz("bomb.npz", new long[] {8L << 20}, new byte[32 << 20], true);
    assertTrue(Files.size(f) < 1 << 20, "the archive is small: " + Files.size(f));
    TfpeftException e = assertThrows(TfpeftException.class, () -> NpzReader.read(f));
    assertTrue(e.getMessage().matches(".*entry 'w.npy': the entry inflates from \\d+ to"
        + " 33554560 bytes, more than 100 times its stored size.*"), e.getMessage());
    assertThrows(TfpeftException.class, () -> Inventory.of(f));
  }

  @Test
  void inspectOfAnNpzReadsItsHeadersOnly() throws Exception {
    Path f = npz("big.npz", new long[] {4L << 20, 2}, new byte[32 << 20], false);
    long bytes = allocated(() -> {
      Inventory inv = Inventory.of(f);
      assertEquals(1, inv.tensors().size());
      assertEquals(32L << 20, inv.tensors().get(0).bytes());
      assertEquals("F32", inv.tensors().get(0).dtype());
    });
    assertTrue(bytes < 8 << 20, "allocated " + bytes + " bytes for a 32 MiB array");
  }

  @Test
  void aCheckpointIndexOfImplausibleSizeIsNotReadIntoMemory() throws Exception {
    Path prefix = dir.resolve("ckpt");
    try (var ch = java.nio.channels.FileChannel.open(Path.of(prefix + ".index"),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), (65L << 20)); // sparse: 65 MiB
    }
    long bytes = allocated(() -> TensorBundleReader.readIndex(prefix));
    assertTrue(bytes < 16 << 20, "allocated " + bytes + " bytes");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> TensorBundleReader.readIndex(prefix));
    assertTrue(e.getMessage().endsWith("ckpt.index: 68157441 bytes, more than an index of"
        + " tensors can be (67108864); not a checkpoint index"), e.getMessage());
  }
}
