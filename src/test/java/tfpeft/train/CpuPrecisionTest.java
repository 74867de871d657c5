package tfpeft.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.Precision;

class CpuPrecisionTest {
  @Test
  void bf16WarnsOnACpuWithNeitherAmxNorAvx512Bf16NamingTheFlags() {
    String w = CpuPrecision.warning(Precision.BF16, Set.of("avx2", "avx512f", "fma"));
    assertTrue(w.contains("amx_bf16 or avx512_bf16"), w);
  }

  @Test
  void bf16IsQuietWhereTheCpuHasAvx512Bf16() {
    assertNull(CpuPrecision.warning(Precision.BF16, Set.of("avx512f", "avx512_bf16")));
    assertNull(CpuPrecision.warning(Precision.BF16, Set.of("amx_bf16")));
  }

  @Test
  void whatTheCpuHasIsListedOrNamedAsMissing() {
    assertEquals("avx512_bf16", CpuPrecision.present(Set.of("avx512_bf16", "fma"),
        CpuPrecision.BF16_FLAGS));
    assertEquals("none of amx_bf16, avx512_bf16", CpuPrecision.present(Set.of("fma"),
        CpuPrecision.BF16_FLAGS));
  }
}
