package tfpeft.model;

import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/** Test helpers for the closed-form gradient tests: fetched tensors as arrays, smooth inputs. */
final class Fetched {
  private Fetched() {}

  /** The first {@code count} fetched float32 tensors of {@code r}, flattened. */
  static float[][] floats(Result r, int count) {
    float[][] out = new float[count][];
    for (int i = 0; i < count; i++) {
      TFloat32 t = (TFloat32) r.get(i);
      out[i] = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(out[i]);
    }
    return out;
  }

  /** scale * sin(step * i + phase) for i < n: inputs that differ everywhere and repeat nowhere. */
  static float[] sines(int n, double step, double phase, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (float) Math.sin(step * i + phase);
    }
    return v;
  }
}
