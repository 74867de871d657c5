package tfpeft.model.imports;

import java.util.List;
import java.util.Map;

/**
 * One foreign weight layout: how to tell the architecture from the file, and which file tensors
 * make each tfpeft variable. Instances are used for one file.
 */
interface WeightTable {
  /** The architecture of the weights in {@code src}; ignored tensors count as absent. */
  Inferred infer(SourceTensors src);

  /**
   * The rows of the table for the architecture {@link #infer} found.
   *
   * @param expected the variables of tfpeft's model of that architecture, name to shape
   */
  List<Mapping> mappings(Inferred inferred, Map<String, long[]> expected);

  /** File tensors that have no place in the model by nature (buffers), dropped silently. */
  default boolean harmless(String name) {
    return false;
  }
}
