package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.VptConfig;
import tfpeft.model.VitClassifier;
import tfpeft.peft.MethodReference;

/**
 * VPT-shallow (depth 1) against tools/make_method_fixtures.py's torch reference: prompts
 * inserted after the class token before the first block, as VPT's code does (tfpeft appends them
 * after the patch tokens; attention does not see the order).
 */
class VptShallowReferenceTest {
  @Test
  void depthOneLogitsMatchTheTorchReference() {
    MethodReference ref = MethodReference.of("vpt_shallow.npz");
    VptConfig c = VptConfig.newBuilder().setLength(3).setDepth(1).build();
    float[] logits = ref.logits((net, model) -> VptPrompts.build(net,
        VitClassifier.spec(model.getVit()), c).hooks().get(0));
    double d = MethodReference.maxDifference(logits, ref.expectedLogits());
    System.out.printf("vpt-shallow vs torch reference: max |logit difference| %.2g%n", d);
    assertTrue(d <= MethodReference.TOLERANCE, "max |logit difference| " + d);
  }
}
