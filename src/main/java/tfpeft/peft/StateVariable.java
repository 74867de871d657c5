package tfpeft.peft;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/**
 * A float32 variable a method keeps for itself (Pear's routing and importance): initialized like
 * any other, but not registered with the {@link Net}, so no optimizer trains it and no generic code
 * counts or saves it. Its value is derived from the method's own state, which the method saves.
 */
public final class StateVariable {
  private StateVariable() {}

  public static ModelVariable create(Net net, String name, Shape shape, float[] initial) {
    Variable<TFloat32> v = net.named(name).variable(
        net.tf().constant(shape, DataBuffers.of(initial, true, false)));
    Placeholder<TFloat32> loadValue = net.named(name + "_load_value")
        .placeholder(TFloat32.class, Placeholder.shape(shape));
    return new ModelVariable(name, shape, v, net.named(name + "_read").identity(v), loadValue,
        net.named(name + "_load").assign(v, loadValue));
  }
}
