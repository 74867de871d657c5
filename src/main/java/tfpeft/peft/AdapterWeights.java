package tfpeft.peft;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Net;

/**
 * Where an adapter hook gets the effective matrices of the adapter at a site: its own variables
 * ({@link AdapterBank}) or, for Pear, whichever adapter the plan routes to that position.
 */
public interface AdapterWeights {
  /** The effective down [in, r] and up [r, out] matrices at {@code site}. */
  Pair at(Net net, String site, long in, long out);

  record Pair(Operand<TFloat32> down, Operand<TFloat32> up) {}
}
