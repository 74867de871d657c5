package tfpeft.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import tfpeft.model.weights.TensorBundleReader;

/** The V2 bundle tfpeft writes: TensorFlow's RestoreV2 reads it. */
class TensorBundleTest {
  @TempDir Path dir;

  static float[] ramp(int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i - n / 3f) * scale;
    }
    return v;
  }

  void writeSample(Path prefix) throws Exception {
    try (TensorBundle.Writer w = new TensorBundle.Writer(prefix)) {
      // written out of key order: the index sorts them
      w.add("head/head/weight", new long[] {3, 2}, ramp(6, 0.5f));
      w.add("backbone/cls_token", new long[] {1, 1, 4}, ramp(4, -1.25f));
      w.add("backbone/logit_scale", new long[] {}, new float[] {2.5f});
      w.finish();
    }
  }

  @Test
  void tensorFlowsRestoreOpReadsWhatTfpeftWrites() throws Exception {
    Path prefix = dir.resolve("model");
    writeSample(prefix);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Restore r = tf.train.restore(tf.constant(prefix.toString()),
          tf.constant(NdArrays.vectorOfObjects("backbone/cls_token", "head/head/weight",
              "backbone/logit_scale")),
          tf.constant(NdArrays.vectorOfObjects("", "", "")),
          List.of(TFloat32.class, TFloat32.class, TFloat32.class));
      try (Session s = new Session(g);
          var out = s.runner().fetch(r.tensors().get(0)).fetch(r.tensors().get(1))
              .fetch(r.tensors().get(2)).run()) {
        assertArrayEquals(ramp(4, -1.25f), floats((TFloat32) out.get(0)));
        assertEquals(List.of(1L, 1L, 4L), toList(out.get(0).shape().asArray()));
        assertArrayEquals(ramp(6, 0.5f), floats((TFloat32) out.get(1)));
        assertEquals(2.5f, ((TFloat32) out.get(2)).getFloat());
      }
    }
  }

  @Test
  void manyTensorsSpanSeveralBlocksAndRoundTrip() throws Exception {
    Path prefix = dir.resolve("many");
    int n = 3000;
    try (TensorBundle.Writer w = new TensorBundle.Writer(prefix)) {
      for (int i = 0; i < n; i++) {
        w.add(String.format("backbone/block%04d/a/rather/long/name/to/fill/blocks/weight", i),
            new long[] {2}, new float[] {i, -i});
      }
      w.finish();
    }
    // a table of several data blocks (256 KB each), read by the independent reader
    assertEquals(n, TensorBundleReader.readIndex(prefix).entries().size());
    assertArrayEquals(new float[] {1234, -1234}, TensorBundleReader.read(prefix, x -> true)
        .get("backbone/block1234/a/rather/long/name/to/fill/blocks/weight").data());
  }

  @Test
  void aRepeatedNameIsRefused() throws Exception {
    try (TensorBundle.Writer w = new TensorBundle.Writer(dir.resolve("twice"))) {
      w.add("head/w", new long[] {1}, new float[] {1});
      assertThrows(IllegalArgumentException.class,
          () -> w.add("head/w", new long[] {1}, new float[] {2}));
    }
  }

  static float[] floats(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  static List<Long> toList(long[] a) {
    return java.util.Arrays.stream(a).boxed().toList();
  }

}
