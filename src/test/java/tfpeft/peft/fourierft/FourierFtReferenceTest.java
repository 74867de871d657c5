package tfpeft.peft.fourierft;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tfpeft.config.proto.FourierFtConfig;
import tfpeft.peft.MethodReference;

/**
 * FourierFT's hooks against tools/make_method_fixtures.py's torch reference: the official
 * forward, x alpha Re(torch.fft.ifft2(F)), on the query and value projections of a tiny ViT, F
 * holding random coefficients at the frequencies the seeded draw (repeated in Python) picks.
 */
class FourierFtReferenceTest {
  @Test
  void logitsMatchTheTorchReference() {
    MethodReference ref = MethodReference.of("fourierft.npz");
    FourierFtConfig c = FourierFtConfig.newBuilder().setNFrequency(100).setScale(20)
        .setEntrySeed(2024).build();
    float[] logits = ref.logits((net, model) -> new FourierSpectrum("peft/fourierft/", c));
    double d = MethodReference.maxDifference(logits, ref.expectedLogits());
    System.out.printf("fourierft vs torch reference: max |logit difference| %.2g%n", d);
    assertTrue(d <= MethodReference.TOLERANCE, "max |logit difference| " + d);
  }
}
