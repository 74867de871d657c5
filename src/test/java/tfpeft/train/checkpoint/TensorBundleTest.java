package tfpeft.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;

/** The V2 bundle: what tfpeft writes TensorFlow reads, and what TensorFlow writes tfpeft reads. */
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
  void tfpeftReadsWhatSessionSaveWrites() throws Exception {
    Path prefix = dir.resolve("saved");
    try (Graph g = new Graph()) {
      Net net = new Net(g, 7);
      ModelVariable a = net.variable("backbone/a", new long[] {5, 3}, Init.normal(1f));
      ModelVariable b = net.variable("peft/b", new long[] {2}, new Init.Constant(0.25f));
      try (Session s = new Session(g)) {
        s.initialize();
        s.save(prefix.toString());
        try (TensorBundle.Reader reader = new TensorBundle.Reader(prefix)) {
          assertEquals(List.of("backbone/a", "peft/b"), List.copyOf(reader.entries().keySet()));
          assertArrayEquals(VariableValues.read(s, a), reader.floats("backbone/a"));
          assertArrayEquals(VariableValues.read(s, b), reader.floats("peft/b"));
          assertEquals(DataType.DT_FLOAT, reader.entries().get("peft/b").dtype());
        }
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
    Map<String, TensorBundle.Entry> index = TensorBundle.index(prefix);
    assertEquals(n, index.size());
    try (TensorBundle.Reader r = new TensorBundle.Reader(prefix)) {
      assertArrayEquals(new float[] {1234, -1234},
          r.floats("backbone/block1234/a/rather/long/name/to/fill/blocks/weight"));
    }
  }

  @Test
  void aDamagedDataFileFailsItsCrcCheck() throws Exception {
    Path prefix = dir.resolve("model");
    writeSample(prefix);
    Path data = TensorBundle.dataFile(prefix);
    byte[] bytes = Files.readAllBytes(data);
    bytes[5] ^= 1; // inside head/head/weight, the first tensor written
    Files.write(data, bytes);
    try (TensorBundle.Reader r = new TensorBundle.Reader(prefix)) {
      var e = assertThrows(CheckpointFormatException.class,
          () -> r.floats("head/head/weight"));
      assertEquals(true, e.getMessage().contains("CRC"));
    }
  }

  @Test
  void aDamagedIndexIsRejected() throws Exception {
    Path prefix = dir.resolve("model");
    writeSample(prefix);
    Path index = TensorBundle.indexFile(prefix);
    byte[] bytes = Files.readAllBytes(index);
    bytes[10] ^= 0x40;
    Files.write(index, bytes);
    assertThrows(CheckpointFormatException.class, () -> TensorBundle.index(prefix));
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
