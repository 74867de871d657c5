package tfpeft.model.weights;

import java.util.Arrays;

/**
 * A named float32 tensor: its shape and its elements in row-major (C) order, the last dimension
 * varying fastest. Every reader in this package converts to this one representation, whatever
 * the element type on disk, so later stages never see half floats or byte orders.
 *
 * <p>The data array is shared, not copied: a tensor read from a 350 MB checkpoint should exist
 * once in memory.
 */
public final class NamedTensor {
  private final String name;
  private final long[] shape;
  private final float[] data;

  /**
   * @throws IllegalArgumentException if the name is empty, a dimension is negative, or the data
   *     length differs from the product of the dimensions
   */
  public NamedTensor(String name, long[] shape, float[] data) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("tensor name must not be empty");
    }
    long count = elementCount(shape);
    if (count != data.length) {
      throw new IllegalArgumentException("tensor '" + name + "' has shape " + formatShape(shape)
          + " = " + count + " elements but " + data.length + " values");
    }
    this.name = name;
    this.shape = shape.clone();
    this.data = data;
  }

  /**
   * The product of the dimensions (1 for a scalar of shape []).
   *
   * @throws IllegalArgumentException for a negative dimension or a product beyond {@code long}
   */
  public static long elementCount(long[] shape) {
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + formatShape(shape));
      }
      count = Math.multiplyExact(count, d);
    }
    return count;
  }

  /** A shape as "[768, 3072]", "[]" for a scalar. */
  public static String formatShape(long[] shape) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(shape[i]);
    }
    return s.append(']').toString();
  }

  public String name() {
    return name;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int axis) {
    return shape[axis];
  }

  /** The elements in row-major order; the array itself, not a copy. */
  public float[] data() {
    return data;
  }

  public int size() {
    return data.length;
  }

  /** The same shape and data under another name. */
  public NamedTensor withName(String newName) {
    return new NamedTensor(newName, shape, data);
  }

  /** Equal names, equal shapes, and elements equal as {@link Arrays#equals(float[], float[])}. */
  @Override
  public boolean equals(Object o) {
    return o instanceof NamedTensor t && name.equals(t.name) && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return name + " " + formatShape(shape) + " float32";
  }
}
