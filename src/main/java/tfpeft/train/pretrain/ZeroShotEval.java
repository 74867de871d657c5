package tfpeft.train.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.model.GraphControls;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.VtabSource;
import tfpeft.data.BadExamples;
import tfpeft.data.Batch;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.data.InputPipeline;
import tfpeft.data.Preprocess;
import tfpeft.data.synthetic.SyntheticSuite;
import tfpeft.data.synthetic.SyntheticTask;
import tfpeft.model.ClipClassifier;
import tfpeft.model.Net;
import tfpeft.model.text.ClipTokenizer;

/**
 * Zero-shot classification with a CLIP in a session: each class is the normalized mean of the
 * normalized text features of its prompts (one per template), each image goes to the class of
 * highest cosine similarity.
 */
final class ZeroShotEval {
  record TaskResult(String task, double accuracy, double chance, int images) {}

  private final Session s;
  private final Net net;
  private final Placeholder<TFloat32> images;
  private final Operand<TFloat32> imageFeatures;
  private final Placeholder<TInt32> textIds;
  private final Operand<TFloat32> textFeatures;
  private final ClipTokenizer tokenizer;
  private final int ctx;
  private final Preprocess preprocess;
  private final int threads;

  ZeroShotEval(Session s, Net net, Placeholder<TFloat32> images, Operand<TFloat32> imageFeatures,
      Placeholder<TInt32> textIds, Operand<TFloat32> textFeatures, ClipTokenizer tokenizer,
      int ctx, Preprocess preprocess, int threads) {
    this.s = s;
    this.net = net;
    this.images = images;
    this.imageFeatures = imageFeatures;
    this.textIds = textIds;
    this.textFeatures = textFeatures;
    this.tokenizer = tokenizer;
    this.ctx = ctx;
    this.preprocess = preprocess;
    this.threads = threads;
  }

  /** Zero-shot accuracy of every task of the suite at {@code suite}, on its test split. */
  List<TaskResult> suite(Path suite) {
    List<TaskResult> out = new ArrayList<>();
    for (SyntheticTask task : SyntheticSuite.tasks()) {
      if (!java.nio.file.Files.isDirectory(suite.resolve("tasks").resolve(task.name()))) {
        continue;
      }
      Dataset d = DataSources.read(DataConfig.newBuilder().setVtab(VtabSource.newBuilder()
          .setRoot(suite.resolve("tasks").toString()).setTask(task.name())).build(), 0,
          BadExamples.strict());
      float[][] classes = classFeatures(task.classNames(), task.templates());
      int correct = 0;
      var opts = new InputPipeline.Options(256, false, false, threads, 2, 0);
      try (InputPipeline p = new InputPipeline(d.test(), preprocess, opts,
          BadExamples.strict())) {
        for (Iterator<Batch> it = p.epoch(0); it.hasNext(); ) {
          Batch b = it.next();
          float[][] f = run(b);
          for (int k = 0; k < b.size(); k++) {
            if (argmax(scores(normalize(f[k]), classes)) == b.labels()[k]) {
              correct++;
            }
          }
        }
      }
      out.add(new TaskResult(task.name(), correct / (double) d.test().size(),
          1.0 / task.numClasses(), d.test().size()));
    }
    return out;
  }

  /** [classes][E]: see {@link ClipClassifier}. */
  float[][] classFeatures(List<String> classNames, List<String> templates) {
    return ClipClassifier.classFeatures(s, textIds, textFeatures, tokenizer, classNames,
        templates, true);
  }

  private float[][] run(Batch b) {
    int n = b.size();
    float[] px = java.util.Arrays.copyOf(b.images(), n * b.imageFloats());
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, b.height(), b.width(), 3),
            DataBuffers.of(px));
        GraphControls controls = GraphControls.evaluation();
        var r = controls.feed(net, s.runner().feed(images, x)).fetch(imageFeatures).run()) {
      return rows((TFloat32) r.get(0));
    }
  }

  static float[][] rows(TFloat32 t) {
    return ClipClassifier.rows(t);
  }

  static float[] normalize(float[] v) {
    return ClipClassifier.normalize(v);
  }

  static float[] scores(float[] x, float[][] classes) {
    float[] out = new float[classes.length];
    for (int c = 0; c < classes.length; c++) {
      float dot = 0;
      for (int j = 0; j < x.length; j++) {
        dot += x[j] * classes[c][j];
      }
      out[c] = dot;
    }
    return out;
  }

  static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
