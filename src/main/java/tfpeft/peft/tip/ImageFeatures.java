package tfpeft.peft.tip;

import java.util.Arrays;
import java.util.Iterator;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.data.BadExamples;
import tfpeft.data.Batch;
import tfpeft.data.InputPipeline;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.model.ClipClassifier;
import tfpeft.model.Net;

/**
 * Image features of a whole split with a model's current weights, one row per example in the
 * split's order. A pass is keyed by its number, so augmented passes draw different crops and the
 * same pass number draws the same ones again.
 */
public final class ImageFeatures {
  private final Session session;
  private final Net net;
  private final Placeholder<TFloat32> images;
  private final Operand<TFloat32> features;
  private final int batchSize;
  private final int threads;
  private final long seed;
  private final BadExamples bad;

  public ImageFeatures(Session session, Net net, Placeholder<TFloat32> images,
      Operand<TFloat32> features, int batchSize, int threads, long seed, BadExamples bad) {
    this.session = session;
    this.net = net;
    this.images = images;
    this.features = features;
    this.batchSize = batchSize;
    this.threads = threads;
    this.seed = seed;
    this.bad = bad;
  }

  /** Features [N][E] of {@code split} under {@code preprocess}, augmentation pass {@code pass}. */
  public float[][] of(Split split, Preprocess preprocess, int pass) {
    float[][] out = new float[split.size()][];
    var opts = new InputPipeline.Options(batchSize, false, false, threads, 2, seed);
    try (InputPipeline p = new InputPipeline(split, preprocess, opts, bad);
        TFloat32 rate = TFloat32.scalarOf(0f);
        TInt64 stepSeed = TInt64.vectorOf(0, 0)) {
      for (Iterator<Batch> it = p.epoch(pass); it.hasNext(); ) {
        Batch b = it.next();
        int n = b.size();
        if (n == 0) {
          continue;
        }
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, b.height(), b.width(), 3),
            DataBuffers.of(Arrays.copyOf(b.images(), n * b.imageFloats()), true, false));
            var r = session.runner().feed(images, x).feed(net.dropPathRate(), rate)
                .feed(net.stepSeed(), stepSeed).fetch(features).run()) {
          float[][] rows = ClipClassifier.rows((TFloat32) r.get(0));
          for (int i = 0; i < n; i++) {
            out[b.examples()[i]] = rows[i];
          }
        }
      }
    }
    return out;
  }

  /**
   * The mean over {@code passes} augmented passes of each example's features (TIP-Adapter's cache
   * keys before normalization).
   */
  public float[][] averaged(Split split, Preprocess preprocess, int passes) {
    float[][] sum = null;
    for (int pass = 0; pass < passes; pass++) {
      float[][] f = of(split, preprocess, pass);
      if (sum == null) {
        sum = f;
        continue;
      }
      for (int i = 0; i < f.length; i++) {
        for (int j = 0; j < f[i].length; j++) {
          sum[i][j] += f[i][j];
        }
      }
    }
    for (float[] row : sum) {
      for (int j = 0; j < row.length; j++) {
        row[j] /= passes;
      }
    }
    return sum;
  }
}
