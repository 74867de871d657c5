package tfpeft.peft.pear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.TaylorScore;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.peft.Adapter;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.AdapterShape;
import tfpeft.peft.SitePatterns;
import tfpeft.peft.lora.LoraSite;

/** First-order Taylor importance on a case worked by hand. */
class TaylorImportanceTest {
  @Test
  void scoreIsTheSumOfAbsoluteWeightTimesGradient() {
    assertEquals(2 + 0.5 + 3, TaylorImportance.score(new float[] {1, -0.5f, 3},
        new float[] {2, 1, -1}), 1e-12);
  }

  @Test
  void oneLoraSiteWorkedByHandInEachForm() {
    // y = x A B (the Linear's own output fed as zeros), L = sum(y), x = [1, 2],
    // A = [[1, 0], [0, -1]], B = [[1, 1], [2, 0]]: x A = [1, -2], y = [-3, 1];
    // dL/dB = (x A)^T [1, 1] = [[1, 1], [-2, -2]]; dL/dA = x^T ([1, 1] B^T) = [[2, 2], [4, 4]];
    // w g = [2, 0, 0, -4] for A and [1, 1, -4, 0] for B: sum |w g| = 12, sum w g = -4, so
    // |sum w g| = 4 (Molchanov 2016) and (sum w g)^2 = 16 (Molchanov 2019)
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      AdapterBank bank = new AdapterBank("peft/lora/", new AdapterShape("lora_a", "lora_b", 2,
          0));
      LoraSite site = new LoraSite(SitePatterns.of("fc"), 1f, 0f, 0f, bank);
      Operand<TFloat32> y = site.linearOutput(net, "fc",
          net.tf().constant(Shape.of(1, 2), DataBuffers.of(new float[] {1, 2})),
          net.tf().zeros(net.tf().constant(new int[] {1, 2}), TFloat32.class));
      Operand<TFloat32> loss = net.tf().reduceSum(y, net.tf().constant(new int[] {0, 1}));
      Adapter a = bank.adapters().get(0);
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {
          a.down().value().asOutput(), a.up().value().asOutput()});
      List<Operand<TFloat32>> scores = new java.util.ArrayList<>();
      for (TaylorScore kind : List.of(TaylorScore.SUM_ABS, TaylorScore.ABS_SUM,
          TaylorScore.SQUARED_SUM)) {
        scores.add(TaylorImportance.stepScores(net.tf(), kind, List.of(a), ad -> gradients(grads)));
      }
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, a.down(), new float[] {1, 0, 0, -1});
        VariableValues.assign(s, a.up(), new float[] {1, 1, 2, 0});
        try (TInt64 seed = TInt64.vectorOf(1, 0);
            var out = s.runner().feed(net.stepSeed(), seed).fetch(scores.get(0))
                .fetch(scores.get(1)).fetch(scores.get(2)).run()) {
          float[] v = new float[3];
          for (int i = 0; i < 3; i++) {
            v[i] = ((TFloat32) out.get(i)).getFloat(0);
          }
          assertArrayEquals(new float[] {12f, 4f, 16f}, v, 1e-5f);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  static List<Operand<TFloat32>> gradients(Output<?>[] grads) {
    return List.of((Operand<TFloat32>) grads[0], (Operand<TFloat32>) grads[1]);
  }
}
