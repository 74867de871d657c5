package tfpeft.peft.mask;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.ClipConfig;
import tfpeft.model.ClipGraph;
import tfpeft.model.Net;

/** A CLIP small enough for a test: 8 px images, one block per tower, width 8. */
final class TinyClip {
  static final ClipConfig CONFIG = ClipConfig.newBuilder().setImageSize(8).setPatchSize(4)
      .setVisionWidth(8).setVisionDepth(2).setVisionHeads(2).setTextWidth(8).setTextDepth(1)
      .setTextHeads(2).setContextLength(5).setVocabSize(300).setEmbedDim(4).setMlpRatio(2)
      .build();

  private TinyClip() {}

  /** Deterministic images [n, 8, 8, 3]. */
  static TFloat32 images(int n) {
    float[] px = new float[n * 8 * 8 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) Math.sin(0.37 * i);
    }
    return TFloat32.tensorOf(Shape.of(n, 8, 8, 3), DataBuffers.of(px));
  }

  /** Token ids [3, 5], end-of-text the largest id of each row. */
  static TInt32 tokens() {
    return TInt32.tensorOf(Shape.of(3, 5), DataBuffers.of(new int[] {
        298, 5, 17, 299, 0,
        298, 40, 299, 0, 0,
        298, 7, 8, 9, 299}));
  }

  /** The logits of {@link #images} against class features from {@link #tokens}: [n * 3]. */
  static float[] logits(Graph g, Net net, ClipGraph clip, int n) {
    try (Session s = new Session(g)) {
      s.initialize();
      try (TInt32 ids = tokens();
          var text = s.runner().feed(clip.textIds(), ids).fetch(clip.textFeatures()).run()) {
        float[][] classes = tfpeft.model.ClipClassifier.rows((TFloat32) text.get(0));
        for (int c = 0; c < classes.length; c++) {
          classes[c] = tfpeft.model.ClipClassifier.normalize(classes[c]);
        }
        try (TFloat32 x = images(n);
            TFloat32 w = tfpeft.model.ClipClassifier.tensor(classes);
            TFloat32 rate = TFloat32.scalarOf(0f);
            TInt64 seed = TInt64.vectorOf(0, 0);
            var r = s.runner().feed(clip.images(), x).feed(clip.classFeatures(), w)
                .feed(net.dropPathRate(), rate).feed(net.stepSeed(), seed)
                .fetch(clip.logits()).run()) {
          TFloat32 t = (TFloat32) r.get(0);
          float[] out = new float[(int) t.size()];
          t.asRawTensor().data().asFloats().read(out);
          return out;
        }
      }
    }
  }
}
