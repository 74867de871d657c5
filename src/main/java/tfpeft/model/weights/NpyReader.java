package tfpeft.model.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import tfpeft.TfpeftException;

/**
 * Reads single .npy arrays (see {@link NpyHeader} for the layout) as float32 tensors, from a file
 * or from a stream such as an .npz entry. Both byte orders are read; a Fortran-order (column-major)
 * array is transposed into row-major so every tensor here has the same layout.
 *
 * <p>Bytes after the array data are ignored, as {@code numpy.load} ignores them.
 */
public final class NpyReader {
  private NpyReader() {}

  /** The array in {@code file}, named after the file without its ".npy" extension. */
  public static NamedTensor read(Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".npy")) {
      name = name.substring(0, name.length() - 4);
    }
    try (InputStream in = Files.newInputStream(file)) {
      long size = Files.size(file);
      NpyHeader header = NpyHeader.read(in, file.toString());
      header.checkFits(size - header.headerBytes(), file.toString());
      return readData(in, header, name, file.toString(), ChunkReader.forStream(size));
    } catch (IOException e) {
      throw WeightFiles.cannotRead(file, e);
    }
  }

  /** The header of {@code file} alone: dtype, shape and order, without reading the data. */
  public static NpyHeader readHeader(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return NpyHeader.read(in, file.toString());
    } catch (IOException e) {
      throw WeightFiles.cannotRead(file, e);
    }
  }

  /**
   * Reads one array from {@code in}, header first.
   *
   * @param size the bytes of the whole array file (header and data), -1 if unknown
   * @param where the file and entry, for messages
   */
  static NamedTensor read(InputStream in, long size, String name, String where,
      ChunkReader chunks) throws IOException {
    NpyHeader header = NpyHeader.read(in, where);
    header.checkFits(size < 0 ? -1 : size - header.headerBytes(), where);
    return readData(in, header, name, where, chunks);
  }

  private static NamedTensor readData(InputStream in, NpyHeader header, String name,
      String where, ChunkReader chunks) throws IOException {
    long count = header.elementCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw TfpeftException.usage(where + ": the array has " + count + " elements, more than a "
          + "Java array holds; it cannot be loaded");
    }
    float[] data;
    try {
      data = chunks.read(in, header.type(), header.byteOrder(), (int) count);
    } catch (ChunkReader.ShortReadException e) {
      throw TfpeftException.usage(where + ": truncated: the header ('" + header.descr()
          + "', shape " + NamedTensor.formatShape(header.shape()) + ") promises " + e.wanted
          + " bytes of data but only " + e.got + " are there; download or export it again");
    }
    long[] shape = header.shape();
    if (header.fortranOrder()) {
      data = columnToRowMajor(data, shape);
    }
    return new NamedTensor(name, shape, data);
  }

  /**
   * Reorders column-major data (first index fastest) into row-major (last index fastest). Walks
   * the output in row-major order with an odometer over the indices, tracking the matching
   * column-major offset incrementally.
   */
  static float[] columnToRowMajor(float[] columnMajor, long[] shape) {
    int rank = shape.length;
    if (rank < 2 || columnMajor.length == 0) {
      return columnMajor;
    }
    long[] strides = new long[rank];
    long stride = 1;
    for (int axis = 0; axis < rank; axis++) {
      strides[axis] = stride;
      stride *= shape[axis];
    }
    float[] rowMajor = new float[columnMajor.length];
    long[] index = new long[rank];
    long source = 0;
    for (int out = 0; out < rowMajor.length; out++) {
      rowMajor[out] = columnMajor[(int) source];
      for (int axis = rank - 1; axis >= 0; axis--) {
        index[axis]++;
        source += strides[axis];
        if (index[axis] < shape[axis]) {
          break;
        }
        source -= shape[axis] * strides[axis];
        index[axis] = 0;
      }
    }
    return rowMajor;
  }
}
