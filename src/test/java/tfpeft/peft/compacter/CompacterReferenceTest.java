package tfpeft.peft.compacter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.CompacterConfig;
import tfpeft.peft.MethodReference;

/**
 * Compacter's hooks against tools/make_method_fixtures.py's torch reference: h + up(gelu(down(h)
 * + b_d)) + b_u on every block's attention and MLP output of a tiny ViT, down and up computed
 * there as sum_i torch.kron(A_i, s_i t_i^T) with one shared A, random trained values.
 */
class CompacterReferenceTest {
  @Test
  void logitsMatchTheTorchReference() {
    MethodReference ref = MethodReference.of("compacter.npz");
    CompacterConfig c = CompacterConfig.newBuilder().setDim(8).setPhmDim(4).setPhmRank(1)
        .setBias(true).build();
    float[] logits = ref.logits((net, model) -> new PhmAdapter("peft/compacter/", c));
    double d = MethodReference.maxDifference(logits, ref.expectedLogits());
    System.out.printf("compacter vs torch reference: max |logit difference| %.2g%n", d);
    assertTrue(d <= MethodReference.TOLERANCE, "max |logit difference| " + d);
  }
}
