package tfpeft.peft;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;

/**
 * Runs the run's graph over a whole split with its current weights, as evaluation does (no drop
 * path, no dropout, the class features of a text classifier fed), and returns what the method
 * asks for.
 */
public interface SplitRunner {
  /**
   * The rows of each of {@code outputs} (each [N, D]) per example of {@code split}, in the
   * split's order; an example whose image could not be read (skipped bad data) has null rows.
   *
   * @param preprocess the transform of the images
   * @param pass the augmentation pass: the same number draws the same crops again, another
   *     number others
   */
  List<float[][]> run(Split split, Preprocess preprocess, int pass,
      List<Operand<TFloat32>> outputs);
}
