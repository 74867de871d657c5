package tfpeft.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A float32 variable of the model.
 *
 * @param name the op name, e.g. "backbone/block3/attn/q/weight"; its prefix says what it is
 *     (backbone/ frozen, peft/&lt;method&gt;/ and head/ trainable unless a method says otherwise)
 * @param value the variable read through an Identity (gradients of ops applied straight to a ref
 *     variable can crash TensorFlow's C++ gradient builder)
 * @param loadValue placeholder of {@code load}, which assigns a host value to the variable
 */
public record ModelVariable(
    String name,
    Shape shape,
    Variable<TFloat32> variable,
    Operand<TFloat32> value,
    Placeholder<TFloat32> loadValue,
    Assign<TFloat32> load) {
  public long size() {
    return shape.size();
  }

  /** The top-level prefix: "backbone", "head" or "peft". */
  public String group() {
    int slash = name.indexOf('/');
    return slash < 0 ? name : name.substring(0, slash);
  }
}
