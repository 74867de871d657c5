package tfpeft.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every shipped config loads and validates, and starts with a comment saying how to run it. */
class ShippedConfigsTest {
  @Test
  void everyShippedConfigIsValidAndDocumented() throws Exception {
    List<Path> configs;
    try (var s = Files.list(Path.of("configs"))) {
      configs = s.filter(p -> p.toString().endsWith(".pbtxt")).sorted().toList();
    }
    assertFalse(configs.isEmpty());
    for (Path c : configs) {
      ConfigLoader.load(c, List.of());
      String text = Files.readString(c);
      assertTrue(text.startsWith("# "), c + " starts with a comment");
      assertTrue(text.contains("tools/tfpeft "), c + " names its command");
    }
  }

  @Test
  void theCoopPlusRamtConfigLearnsSixteenRandomContextVectorsAsRamtSection43() throws Exception {
    var c = ConfigLoader.load(Path.of("configs/clip_small_coop_ramt_16shot.pbtxt"), List.of())
        .resolved();
    assertEquals(16, c.getMethod().getCoop().getNCtx());
    assertEquals("", c.getMethod().getCoop().getInit(), "random, not \"a photo of a\"");
    assertEquals(0, c.getModel().getClip().getTemplatesCount(),
        "CoOp supplies the X-slot template for random context");
  }
}
