package tfpeft.peft.adapterp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.AdapterPConfig;
import tfpeft.peft.MethodReference;

/**
 * Adapter-P's hooks against tools/make_method_fixtures.py's torch reference (the Pfeiffer
 * adapter z + U(ReLU(D z + b_D)) + b_U after every block of a tiny ViT, with random adapters).
 */
class AdapterPReferenceTest {
  @Test
  void logitsMatchTheTorchReference() {
    MethodReference ref = MethodReference.of("adapterp.npz");
    AdapterPConfig c = AdapterPConfig.newBuilder().setDim(3).setBias(true).build();
    float[] logits = ref.logits((net, model) -> new PfeifferAdapter("peft/adapterp/", c));
    double d = MethodReference.maxDifference(logits, ref.expectedLogits());
    System.out.printf("adapterp vs torch reference: max |logit difference| %.2g%n", d);
    assertTrue(d <= MethodReference.TOLERANCE, "max |logit difference| " + d);
  }
}
