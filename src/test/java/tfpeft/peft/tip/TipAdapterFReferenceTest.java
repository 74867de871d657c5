package tfpeft.peft.tip;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.Optimizer;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpzReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.MethodReference;

/**
 * One Tip-Adapter-F training step against tools/make_tip_adapter_f_fixture.py, which takes it in
 * torch as the official run_tip_adapter_F does (the keys as a bias-free nn.Linear's weight,
 * torch's AdamW with eps 1e-4 and weight decay 0.01): the cache logits of the keys as they
 * train, the cross-entropy's gradient to the keys, and the keys after the step.
 */
class TipAdapterFReferenceTest {
  /** The step moves each key by about lr = 1e-3; its weight decay by about 1e-5 of a key. */
  static final double STEP_TOLERANCE = 1e-6;

  @Test
  void oneOfficialTrainingStepMovesTheKeysAsTorchDoes() {
    TensorFile f = NpzReader.read(resource("/fixtures/methods/tip_adapter_f.npz"));
    NamedTensor keys0 = f.get("keys");
    NamedTensor values = f.get("values");
    NamedTensor features = f.get("features");
    float[] labelValues = f.get("labels").data();
    int n = (int) features.shape()[0];
    int c = (int) values.shape()[1];
    float[] oneHot = new float[n * c];
    for (int i = 0; i < n; i++) {
      oneHot[i * c + (int) labelValues[i]] = 1f;
    }
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      Ops tf = net.tf();
      ModelVariable keys = net.variable("peft/tip_adapter_f/keys", keys0.shape(), Init.zeros());
      Operand<TFloat32> logits = TipCache.logits(tf, constant(tf, features),
          keys.value(), constant(tf, values), constant(tf, f.get("clip_logits")),
          tf.constant(f.get("alpha").data()[0]), tf.constant(f.get("beta").data()[0]));
      Operand<TFloat32> target = tf.constant(Shape.of(n, c), DataBuffers.of(oneHot, true,
          false));
      Operand<TFloat32> loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, target)
          .loss(), tf.constant(0));
      Output<?>[] grads = g.addGradients(loss.asOutput(),
          new Output<?>[] {keys.value().asOutput()});
      @SuppressWarnings("unchecked")
      Operand<TFloat32> grad = (Operand<TFloat32>) grads[0];
      // the official optimizer: torch.optim.AdamW(lr=0.001, eps=1e-4), weight decay 0.01
      TrainingConfig adamw = TrainingConfig.newBuilder().setOptimizer(Optimizer.ADAMW)
          .setLearningRate(1e-3f).setEpsilon(1e-4f).setWeightDecay(0.01f).setBeta1(0.9f)
          .setBeta2(0.999f).build();
      tfpeft.train.Optimizer opt = tfpeft.train.Optimizer.build(net, adamw, List.of(keys),
          List.of(grad));
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, keys, keys0.data());
        float[] gotLogits;
        float[] gotLoss;
        float[] gotGrad;
        try (var r = s.runner().fetch(logits).fetch(loss).fetch(grad).run()) {
          gotLogits = floats((TFloat32) r.get(0));
          gotLoss = floats((TFloat32) r.get(1));
          gotGrad = floats((TFloat32) r.get(2));
        }
        Session.Runner step = s.runner().addTarget(opt.update());
        List<TFloat32> fed = opt.feed(step, 1, 1e-3f);
        step.run();
        fed.forEach(TFloat32::close);
        float[] after = VariableValues.read(s, keys);
        assertClose("logits", f.get("logits").data(), gotLogits, MethodReference.TOLERANCE);
        assertClose("loss", f.get("loss").data(), gotLoss, MethodReference.TOLERANCE);
        assertClose("dloss/dkeys", f.get("keys_grad").data(), gotGrad,
            MethodReference.TOLERANCE);
        assertClose("keys after the step", f.get("keys_after").data(), after, STEP_TOLERANCE);
      }
    }
  }

  private static void assertClose(String what, float[] want, float[] got, double tolerance) {
    double diff = MethodReference.maxDifference(want, got);
    assertTrue(diff <= tolerance, what + ": max |difference| " + diff + " > " + tolerance);
  }

  private static float[] floats(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  private static Operand<TFloat32> constant(Ops tf, NamedTensor t) {
    return tf.constant(Shape.of(t.shape()), DataBuffers.of(t.data(), true, false));
  }

  private static Path resource(String name) {
    try {
      return Path.of(TipAdapterFReferenceTest.class.getResource(name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing fixture " + name
          + "; run tools/make_tip_adapter_f_fixture.py", e);
    }
  }
}
