package tfpeft.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ZeroShotConfig;
import tfpeft.peft.baseline.LinearProbe;

class MethodRegistryTest {
  @Test
  void aSecondMethodForTheSameMemberIsRefused() {
    MethodRegistry r = MethodRegistry.builtIn();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> r.register(MethodConfig.MethodCase.LINEAR_PROBE, c -> new LinearProbe()));
    assertTrue(e.getMessage().contains("linear_probe"), e.getMessage());
  }

  @Test
  void theBaselinesAreBuiltIn() {
    MethodRegistry r = MethodRegistry.builtIn();
    Method m = r.create(MethodConfig.newBuilder().setZeroShot(ZeroShotConfig.getDefaultInstance())
        .build());
    assertEquals("zero_shot", m.name());
    assertEquals("peft/zero_shot/", m.variablePrefix());
    assertEquals(List.of(), m.trainablePrefixes(null));
  }

  @Test
  void aMethodThisBuildLacksIsAFailureNamingWhatExists() {
    MethodRegistry baselines = new MethodRegistry()
        .register(MethodConfig.MethodCase.FULL_FINETUNE, c -> new tfpeft.peft.baseline.FullFinetune())
        .register(MethodConfig.MethodCase.LINEAR_PROBE, c -> new LinearProbe())
        .register(MethodConfig.MethodCase.ZERO_SHOT, c -> new tfpeft.peft.baseline.ZeroShot());
    TfpeftException e = assertThrows(TfpeftException.class, () -> baselines
        .create(MethodConfig.newBuilder().setLora(LoraConfig.getDefaultInstance()).build()));
    assertEquals(1, e.exitCode());
    assertTrue(e.getMessage().contains("method.lora is not part of this build yet"));
    assertTrue(e.getMessage().contains("full_finetune, linear_probe, zero_shot"),
        e.getMessage());
  }
}
