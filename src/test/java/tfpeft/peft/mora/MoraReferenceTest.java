package tfpeft.peft.mora;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.MoraConfig;
import tfpeft.config.proto.MoraOperator;
import tfpeft.peft.MethodReference;

/**
 * MoRA's hooks against tools/make_method_fixtures.py's torch reference (the official
 * _apply_mora forward written again, added to the query and value projections of a tiny ViT of
 * width 32 with random M; rank 2, so both operators wrap the input).
 */
class MoraReferenceTest {
  @Test
  void rotationLogitsMatchTheTorchReference() {
    check("mora.npz", MoraOperator.ROTATION);
  }

  @Test
  void sharingLogitsMatchTheTorchReference() {
    check("mora_sharing.npz", MoraOperator.SHARING);
  }

  private static void check(String fixture, MoraOperator operator) {
    MethodReference ref = MethodReference.of(fixture);
    MoraConfig c = MoraConfig.newBuilder().setRank(2).setOperator(operator).build();
    float[] logits = ref.logits((net, model) -> new MoraSite("peft/mora/", c));
    double d = MethodReference.maxDifference(logits, ref.expectedLogits());
    System.out.printf("%s vs torch reference: max |logit difference| %.2g%n", fixture, d);
    assertTrue(d <= MethodReference.TOLERANCE, "max |logit difference| " + d);
  }
}
