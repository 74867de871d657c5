package tfpeft.peft.fourierft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import tfpeft.model.BuiltModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.config.proto.FourierFtConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.MethodRegistry;
import tfpeft.peft.TinyModels;

/** What FourierFT checks and draws beyond the battery and the torch reference. */
class FourierFtTest {
  static RunConfig run(int n) {
    return RunConfig.newBuilder().setModel(ModelConfig.newBuilder().setVit(TinyModels.VIT))
        .setMethod(MethodConfig.newBuilder().setFourierft(FourierFtConfig.newBuilder()
            .setNFrequency(n))).build();
  }

  @Test
  void moreCoefficientsThanTheSpectrumHoldsIsAnErrorAtNFrequency() {
    // the tiny ViT's q and v are 8 x 8: 64 frequencies
    RunConfig run = run(65);
    RuntimeException e = assertThrows(RuntimeException.class, () -> MethodRegistry.builtIn()
        .create(run.getMethod()).checkConfig(run, (path, message) ->
            new IllegalArgumentException(path + ": " + message)));
    assertTrue(e.getMessage().startsWith("method.fourierft.n_frequency: 65 coefficients do not"
        + " fit the 8 x 8 spectrum of block0/attn/q"), e.getMessage());
  }

  @Test
  void aSpectrumThatFitsPassesTheCheck() {
    RunConfig run = run(64);
    MethodRegistry.builtIn().create(run.getMethod()).checkConfig(run, (path, message) ->
        new IllegalArgumentException(path + ": " + message));
  }

  @Test
  void theCoefficientsStartWithInitStd() {
    FourierFtConfig c = FourierFtConfig.newBuilder().setNFrequency(64).setInitStd(0.25f).build();
    double sum = 0;
    double squares = 0;
    int count = 0;
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      net.addHook(new FourierSpectrum("peft/fourierft/", c));
      BuiltModel.build(net, ModelConfig.newBuilder().setVit(TinyModels.VIT).build(), 3, false);
      try (Session s = new Session(g)) {
        s.initialize();
        for (ModelVariable v : net.variables("peft/fourierft/")) {
          for (float x : VariableValues.read(s, v)) {
            sum += x;
            squares += (double) x * x;
            count++;
          }
        }
      }
    }
    // 4 sites x 64 draws of N(0, 0.25^2): the sample std is within 15% of 0.25
    assertEquals(256, count);
    double std = Math.sqrt(squares / count - (sum / count) * (sum / count));
    assertEquals(0.25, std, 0.25 * 0.15, "sample std");
  }

  @Test
  void theDrawTakesDistinctCellsAndTheFullDrawIsAPermutation() {
    int[] all = SpectralEntries.draw(2024, 64, 64);
    int[] sorted = all.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 64; i++) {
      assertEquals(i, sorted[i]);
    }
    // a shorter draw is the same shuffle stopped early
    assertArrayEquals(Arrays.copyOf(all, 10), SpectralEntries.draw(2024, 64, 10));
  }

  @Test
  void slotsPointEachDrawnCellAtItsCoefficientAndTheRestAtTheZero() {
    int[] slots = SpectralEntries.slots(new int[] {5, 2}, 6);
    assertArrayEquals(new int[] {2, 2, 1, 2, 2, 0}, slots);
  }
}
