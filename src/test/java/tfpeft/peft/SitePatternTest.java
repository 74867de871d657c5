package tfpeft.peft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SitePatternTest {
  @Test
  void aStarStaysWithinOnePart() {
    SitePattern p = SitePattern.of("*/attn/q");
    assertTrue(p.matches("block0/attn/q"));
    assertTrue(p.matches("block11/attn/q"));
    assertFalse(p.matches("text/block2/attn/q"));
    assertFalse(p.matches("block0/attn/qkv"));
  }

  @Test
  void twoStarsCrossParts() {
    SitePattern p = SitePattern.of("**/attn/q");
    assertTrue(p.matches("text/block2/attn/q"));
    assertTrue(p.matches("block0/attn/q"));
  }

  @Test
  void otherCharactersMatchThemselves() {
    assertTrue(SitePattern.of("block?/mlp/fc1").matches("block3/mlp/fc1"));
    assertFalse(SitePattern.of("block?/mlp/fc1").matches("block10/mlp/fc1"));
    assertFalse(SitePattern.of("block.+").matches("block1"));
    assertTrue(SitePattern.any(SitePattern.of(List.of("*/attn/q", "*/attn/v")),
        "block4/attn/v"));
  }
}
